"""The one place that shows errors to a person, and logs the unexpected ones with a traceback."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.clock import to_iso, utc_now
from app.errors import AppError

LOG_NAME = "errors.log"
SOMETHING_WENT_WRONG = ("Something went wrong and the last action did not finish. Your saved "
                        "data is safe.")

_log_dir: list[Path] = []  # the data folder, once the app has opened it


class UnexpectedError(AppError):
    """An exception that is not an :class:`AppError`, with its traceback text. The code that
    caught it has logged and shown it (with :func:`show_unexpected`); it is passed on only so
    callers can put their screens back, and :func:`show_error` does not show it again."""

    def __init__(self, message: str, details: str) -> None:
        super().__init__(message)
        self.details = details

    @classmethod
    def from_exception(cls, error: BaseException) -> UnexpectedError:
        details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return cls(f"Unexpected error: {error}. Nothing was changed; please report this.",
                   details)


def show_error(parent: QWidget | None, error: AppError, title: str = "MLSD Study") -> None:
    """A message a person can act on; never a traceback."""
    if isinstance(error, UnexpectedError):
        return  # already shown, with its details, where it was caught
    from app.ui.safe_text import as_rich_text

    # The message may quote deck or file text, which Qt would otherwise guess to be HTML.
    QMessageBox.warning(parent, title, as_rich_text(error.message))


def set_log_dir(folder: Path) -> None:
    """Unexpected errors are logged to ``folder/errors.log`` from now on."""
    _log_dir[:] = [folder]


def log_path() -> Path | None:
    return _log_dir[0] / LOG_NAME if _log_dir else None


def write_log(details: str) -> Path | None:
    """Append a dated report to the log; the log's path, or None when it cannot be written."""
    path = log_path()
    if path is None:
        return None
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {to_iso(utc_now())}\n{details.rstrip()}\n\n")
    except OSError:
        return None
    return path


def show_unexpected(parent: QWidget | None, details: str,
                    summary: str = SOMETHING_WENT_WRONG) -> None:
    """Log ``details`` (a traceback) and show ``summary`` with the log's path and a Details
    section holding the traceback."""
    print(details, file=sys.stderr)
    log = write_log(details)
    where = (f"Details were written to {log}." if log is not None
             else "The details could not be written to the log.")
    box = QMessageBox(QMessageBox.Icon.Critical, "MLSD Study", f"{summary} {where}",
                      QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # an error text may contain markup
    box.setDetailedText(details)
    box.exec()


def report_exception(parent: QWidget | None, error: BaseException,
                     summary: str = SOMETHING_WENT_WRONG) -> None:
    """An exception caught where the app must carry on: logged and shown with its traceback."""
    show_unexpected(parent, UnexpectedError.from_exception(error).details, summary)


def install_excepthook(log_dir: Path) -> None:
    """Uncaught errors: an :class:`AppError` is shown as its message; anything else is logged
    with its traceback and shown with a Details section."""
    set_log_dir(log_dir)

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if isinstance(value, AppError) and not isinstance(value, UnexpectedError):
            show_error(None, value)
            return
        show_unexpected(None, "".join(traceback.format_exception(kind, value, tb)))

    sys.excepthook = hook
