"""Slow work off the GUI thread through one helper, with progress and result callbacks.

The work function runs in a pool thread and must not touch widgets; it gets a ``progress``
callable. ``on_done``/``on_error``/``on_progress`` run on the GUI thread (queued signals).
A sqlite3 connection belongs to the thread that opened it, so the work opens its own store.
An unexpected exception is logged with its traceback and shown with a Details section before
``on_error`` gets it as an :class:`UnexpectedError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QApplication

from app.errors import AppError
from app.ui.errors import UnexpectedError, show_unexpected

if TYPE_CHECKING:
    from app.db.store import Store

Progress = Callable[[int, int], None]


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class _Job(QRunnable):
    def __init__(self, work: Callable[[Progress], Any], signals: _Signals) -> None:
        super().__init__()
        self.work = work
        self.signals = signals

    def run(self) -> None:
        try:
            result = self.work(self.signals.progressed.emit)
        except AppError as error:
            self.signals.failed.emit(error)
        except Exception as error:  # the traceback is formatted here, where it is still whole
            self.signals.failed.emit(UnexpectedError.from_exception(error))
        else:
            self.signals.done.emit(result)


_running: set[_Signals] = set()  # keep signal objects alive until their job reports


def run_in_background(work: Callable[[Progress], Any], *, on_done: Callable[[Any], None],
                      on_error: Callable[[AppError], None],
                      on_progress: Progress | None = None) -> None:
    signals = _Signals()
    _running.add(signals)

    def finished(result: object) -> None:
        _running.discard(signals)
        on_done(result)

    def failed(error: object) -> None:
        _running.discard(signals)
        on_error(error if isinstance(error, AppError) else AppError(str(error)))
        if isinstance(error, UnexpectedError):  # after the caller has put its screen back
            show_unexpected(QApplication.activeWindow(), error.details)

    signals.done.connect(finished)
    signals.failed.connect(failed)
    if on_progress is not None:
        signals.progressed.connect(on_progress)
    QThreadPool.globalInstance().start(_Job(work, signals))


def run_on_own_store(store: Store, job: Callable[[Store], Any], *,
                     on_done: Callable[[Any], None],
                     on_error: Callable[[AppError], None]) -> None:
    """Run ``job`` off the GUI thread on a store of its own, opened on ``store``'s data folder
    (a sqlite3 connection belongs to its thread). An in-memory store has a single connection:
    its job runs at once, here. ``on_done``/``on_error`` run on the GUI thread either way."""
    if store.path is None:
        try:
            result = job(store)
        except AppError as error:
            on_error(error)
        else:
            on_done(result)
        return
    data_dir = store.path.parent

    def work(_progress: Progress) -> object:
        from app.db.store import Store

        own = Store.open(data_dir, check=False)  # checked at start-up
        try:
            return job(own)
        finally:
            own.close()

    run_in_background(work, on_done=on_done, on_error=on_error)
