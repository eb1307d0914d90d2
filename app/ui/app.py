"""Starting the GUI: application identity, the store, deck sync and the main window."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from app import __version__
from app.clock import utc_now
from app.errors import AppError
from app.library import SHIPPED, USER, SyncReport, sync_decks
from app.paths import shipped_decks_dir, user_decks_dir
from app.store import Store
from app.ui.errors import install_excepthook, show_error
from app.ui.main_window import MainWindow, settings_for


class FirstPaint(QObject):
    """Calls ``then`` once, after ``widget`` has been painted for the first time."""

    def __init__(self, widget: QObject, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then: Callable[[], None] | None = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._then is not None:
            then, self._then = self._then, None
            QTimer.singleShot(0, then)  # after this paint has finished
        return False


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setOrganizationName("MLSD Study")
    app.setApplicationName("mlsd-study")
    app.setApplicationDisplayName("MLSD Study")
    app.setApplicationVersion(__version__)
    return app


def open_data(data_dir: Path) -> tuple[Store, SyncReport]:
    """The user's store with every deck file synced into it."""
    store = Store.open(data_dir)
    try:
        sources = [(shipped_decks_dir(), SHIPPED), (user_decks_dir(data_dir), USER)]
        report = sync_decks(store, sources, utc_now())
    except BaseException:
        store.close()
        raise
    return store, report


def run_gui(data_dir: Path, *, quit_after_startup: bool = False,
            started: float | None = None) -> int:
    started = time.perf_counter() if started is None else started
    app = application()
    try:
        store, report = open_data(data_dir)
    except AppError as error:
        if quit_after_startup:
            raise
        show_error(None, error)
        return 1
    install_excepthook(data_dir)
    window = MainWindow(store, report, settings_for(data_dir))
    if quit_after_startup:
        def painted() -> None:
            print(f"startup_ms={round((time.perf_counter() - started) * 1000)}", flush=True)
            window.close()
            app.quit()

        FirstPaint(window.tree.viewport(), painted)
    window.show()
    try:
        return app.exec()
    finally:
        store.close()
