"""Slow work off the GUI thread through one helper, with progress and result callbacks.

The work function runs in a pool thread and must not touch widgets; it gets a ``progress``
callable. ``on_done``/``on_error``/``on_progress`` run on the GUI thread (queued signals).
A sqlite3 connection belongs to the thread that opened it, so the work opens its own store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.errors import AppError

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
        except Exception as error:  # reported as a message, never a traceback dialog
            self.signals.failed.emit(AppError(f"Unexpected error: {error}. Nothing was "
                                              "changed; please report this."))
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

    signals.done.connect(finished)
    signals.failed.connect(failed)
    if on_progress is not None:
        signals.progressed.connect(on_progress)
    QThreadPool.globalInstance().start(_Job(work, signals))
