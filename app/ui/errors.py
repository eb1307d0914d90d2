"""The one place that shows errors to a person."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import AppError


def show_error(parent: QWidget | None, error: AppError, title: str = "MLSD Study") -> None:
    """A message a person can act on; never a traceback."""
    from app.ui.safe_text import as_rich_text

    # The message may quote deck or file text, which Qt would otherwise guess to be HTML.
    QMessageBox.warning(parent, title, as_rich_text(error.message))


def install_excepthook(log_dir: Path) -> None:
    """Unexpected errors go to a log file and a short message instead of a traceback dialog."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if isinstance(value, AppError):
            show_error(None, value)
            return
        log = log_dir / "errors.log"
        try:
            with log.open("a", encoding="utf-8") as handle:
                handle.writelines(traceback.format_exception(kind, value, tb))
            where = f"Details were written to {log}."
        except OSError:
            where = "The details could not be written to the log."
        print("".join(traceback.format_exception(kind, value, tb)), file=sys.stderr)
        QMessageBox.critical(None, "MLSD Study", "Something went wrong and the last action did "
                             f"not finish. Your saved data is safe. {where}")

    sys.excepthook = hook
