"""Starting the GUI: one instance per data folder, recovery, the store, deck sync, the window."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import __version__
from app.clock import local_zone, utc_now
from app.db.store import Store
from app.decks.library import SHIPPED, USER, SyncReport, sync_decks
from app.errors import AppError, DatabaseDamaged
from app.paths import APP_ID, app_icon_files, shipped_decks_dir, user_decks_dir
from app.ui.errors import install_excepthook, report_exception, show_error
from app.ui.main_window import MainWindow, settings_for


def app_icon() -> QIcon:
    """The window and taskbar icon, from the PNGs shipped in resources/icons (Qt picks a
    size; the SVG is left out because rendering it would load the SVG plugin at start-up)."""
    icon = QIcon()
    for path in app_icon_files():
        if path.suffix == ".png" and path.is_file():
            icon.addFile(str(path))
    return icon


def application() -> QApplication:
    """The QApplication with the app's identity, set once: QSettings names, version, icon."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setOrganizationName("MLSD Study")
    app.setApplicationName("mlsd-study")
    app.setApplicationDisplayName("MLSD Study")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    return app


def open_data(data_dir: Path, *, check: bool = True) -> tuple[Store, SyncReport]:
    """The user's store with every deck file synced into it."""
    store = Store.open(data_dir, check=check)
    try:
        sources = [(shipped_decks_dir(), SHIPPED), (user_decks_dir(data_dir), USER)]
        report = sync_decks(store, sources, utc_now())
    except BaseException:
        store.close()
        raise
    return store, report


def _tell(message: str) -> None:
    QMessageBox.information(None, "MLSD Study", message)


def open_or_recover(data_dir: Path, ask: Asker | None = None,
                    tell: Callable[[str], None] = _tell) -> tuple[Store, SyncReport] | None:
    """Open the store; a damaged database gets the restore / start fresh / quit prompt.

    None when the person chose to quit (or an error was shown). The damaged file is always
    moved aside by the core before anything is written in its place.
    """
    from app.ui.dialogs.backups import ask_recovery

    ask = ask or ask_recovery
    while True:
        try:
            return open_data(data_dir)
        except DatabaseDamaged as error:
            choice = ask(error, data_dir, local_zone(), None)
            if choice == "quit":
                return None
            from app.db.restore import recover

            try:
                done = recover(data_dir, utc_now(), choice)
            except AppError as failure:
                show_error(None, failure)
                continue
            tell(done)
        except AppError as error:
            show_error(None, error)
            return None


if TYPE_CHECKING:
    from datetime import tzinfo

    from app.ui.dialogs.backups import BackupScheduler, Choice

    Asker = Callable[[DatabaseDamaged, Path, tzinfo, QWidget | None], Choice]


class Controller(QObject):
    """Owns the store and the main window; rebuilds both when a backup is restored."""

    def __init__(self, app: QApplication, data_dir: Path, store: Store, report: SyncReport
                 ) -> None:
        super().__init__()
        self.app = app
        self.data_dir = data_dir
        self.store: Store | None = store  # None while a restore has it closed
        self.scheduler: BackupScheduler | None = None  # started after the first paint
        self.window = self._window(store, report)

    def _window(self, store: Store, report: SyncReport) -> MainWindow:
        window = MainWindow(store, report, settings_for(self.data_dir))
        window.restore_requested.connect(self.restore)
        fit_to_screen(window)
        return window

    def bring_to_front(self, _argv: object = None) -> None:
        if self.store is None:
            return  # mid-restore: the new window comes up by itself
        window = self.window
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()

    def restore(self, backup: Path) -> None:
        """Close the window and store, put the backup in place, open everything again."""
        from app.db.restore import restore_backup

        if self.store is None or not self.window.close():
            return  # the person kept an interview open
        self.app.setQuitOnLastWindowClosed(False)
        if self.scheduler is not None:
            self.scheduler.timer.stop()
        try:
            self.window.deleteLater()
            self.store.close()
            self.store = None
            try:
                safety = restore_backup(backup, self.data_dir, utc_now())
                said = f"Restored {backup.name}."
                if safety is not None:
                    said += f" The database as it was is kept as {safety.name}."
            except AppError as error:
                said = f"Nothing was restored: {error.message}"
            except Exception as error:  # the app must come back whatever happened
                said = f"Nothing was restored: {error}"
                report_exception(None, error, "The backup could not be restored because of "
                                 "an unexpected error; nothing was restored.")
            opened = open_or_recover(self.data_dir)
            if opened is None:
                self.app.quit()
                return
            self.store, report = opened
            self.window = self._window(self.store, report)
            self.window.show()
            self.window.statusBar().showMessage(said, 20000)
            if self.scheduler is not None:
                self.scheduler.timer.start()
        finally:
            self.app.setQuitOnLastWindowClosed(True)

    def backup_finished(self, result: object) -> None:
        """A timed backup that failed is said in the status bar (a success is silent)."""
        if isinstance(result, AppError) and self.store is not None:
            from app.ui.dialogs.backups import describe_failure

            self.window.statusBar().showMessage(describe_failure(result), 60000)

    def start_services(self) -> None:
        """Timed backups and the single-instance listener, started after the first paint:
        none of this is needed to show the outline, so it is loaded only then."""
        from app.ui.dialogs.backups import BackupScheduler
        from app.ui.single_instance import SingleInstance

        scheduler = BackupScheduler(self.data_dir, utc_now, self._backup_policy, self)
        scheduler.finished.connect(self.backup_finished)
        self.scheduler = scheduler

        # Later launches knock here; the lock already makes this process the only writer.
        instance = SingleInstance(self.data_dir, self)
        try:
            instance.listen()
        except AppError as error:
            print(f"mlsd-study: {error}", file=sys.stderr)
        instance.activated.connect(self.bring_to_front)
        scheduler.start()
        scheduler.tick()

    def _backup_policy(self) -> tuple[int, int, int]:
        from app.db.settings import load_settings

        # The timer is stopped while a restore has the store closed.
        assert self.store is not None
        backups = load_settings(self.store).backups
        return backups.every_hours, backups.keep_daily, backups.keep_weekly

    def backup_on_close(self) -> None:
        """The close backup, then pruning; a failure is reported, never raised."""
        from app.db.backup import backup_and_prune
        from app.db.settings import load_settings

        if self.store is None:
            return  # a restore ended without a database: nothing to back up
        try:
            backup_and_prune(self.store, self.data_dir, utc_now(),
                             load_settings(self.store).backups, "close")
        except AppError as error:
            print(f"mlsd-study: the backup on close failed: {error}", file=sys.stderr)


def run_gui(data_dir: Path, *, quit_after_startup: bool = False,
            started: float | None = None) -> int:
    started = time.perf_counter() if started is None else started
    app = application()
    from app.instance_lock import InstanceLock, InstanceLockError

    try:
        lock = InstanceLock.acquire(data_dir)
    except InstanceLockError as error:
        from app.ui.single_instance import ALREADY_RUNNING, try_hand_over

        if try_hand_over(data_dir, argv=sys.argv[1:]):
            print(ALREADY_RUNNING, file=sys.stderr)
            return 0
        if quit_after_startup:
            raise
        show_error(None, error)
        return 1
    try:
        return _run_locked(app, data_dir, quit_after_startup, started)
    finally:
        lock.release()


def _run_locked(app: QApplication, data_dir: Path, quit_after_startup: bool,
                started: float) -> int:
    if quit_after_startup:
        store, report = open_data(data_dir)  # errors go to the command line
    else:
        opened = open_or_recover(data_dir)
        if opened is None:
            return 1
        store, report = opened
    install_excepthook(data_dir)
    from app.db.settings import Appearance, load_settings

    appearance = load_settings(store).appearance
    if appearance != Appearance():  # the platform's look needs nothing (nor the module)
        from app.ui.appearance import apply_appearance

        apply_appearance(app, appearance)
    controller = Controller(app, data_dir, store, report)
    window = controller.window

    def after_first_paint() -> None:
        if quit_after_startup:
            print(f"startup_ms={round((time.perf_counter() - started) * 1000)}", flush=True)
            controller.window.close()
            app.quit()
            return
        controller.start_services()

    window.outline.first_painted.connect(after_first_paint)
    window.show()
    try:
        code = app.exec()
        if not quit_after_startup:
            controller.backup_on_close()
        return code
    finally:
        if controller.store is not None:
            controller.store.close()


def fit_to_screen(window: QWidget) -> None:
    """Shrink ``window`` to its screen's free area when it is larger.

    It runs after the window restored its remembered geometry, so it applies to whatever size
    the window has then: a first window's DEFAULT_SIZE on a small or scaled screen (a laptop
    screen at a scale factor of 2 has 640x400 of logical room), and a remembered size from a
    larger monitor alike (Qt's restoreGeometry usually fits that to the screen already).
    """
    room = window.screen().availableGeometry().size()
    if window.width() > room.width() or window.height() > room.height():
        window.resize(window.size().boundedTo(room))
