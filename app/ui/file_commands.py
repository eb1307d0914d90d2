"""The File menu's commands on decks and backups: import, check, remove; back up, restore."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.decks.library import SHIPPED
from app.errors import AppError, DeckError
from app.ui.errors import show_error
from app.ui.safe_text import as_rich_text

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class FileCommands:
    """Each command asks what it needs, calls the core, and reports in the window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    # --- decks -----------------------------------------------------------------------------------

    def import_outline(self, path: str = "") -> None:
        window = self.window
        if window.store.path is None:
            return
        from app.ui.dialogs.import_outline import ImportDialog

        dialog = ImportDialog(window.store.path.parent, window.settings, window, path=path)
        dialog.imported.connect(window.reload_decks)
        dialog.exec()

    def removable(self, deck_id: str) -> bool:
        return any(d.id == deck_id and d.origin != SHIPPED for d in self.window.store.decks())

    def remove_deck(self) -> None:
        """Remove the selected imported deck after asking; its progress is kept in a backup."""
        window = self.window
        node = window.current_node
        root = (node.ancestors() or [node])[0] if node is not None else None
        if root is None or window.store.path is None:
            return
        status = window.statusBar()
        if not self.removable(root.deck_id):
            status.showMessage(f"“{root.title}” is built into MLSD Study and cannot be "
                               "removed; decks you imported can.", 10000)
            return
        if not window.confirm(
                window, "Remove deck",
                f"Remove the deck “{root.title}”?\n\nA backup of your database is taken "
                "first, and the deck's file is moved into the backups folder. Your progress on "
                "it stays in the database, hidden: importing the same outline again brings it "
                "back."):
            return
        from app.decks.library import remove_deck

        try:
            removed = remove_deck(window.store, root.deck_id, window.store.path.parent,
                                  window.clock())
        except AppError as error:
            show_error(window, error)
            return
        window.reload_decks()
        status.showMessage(f"Removed “{root.title}”. Backup: {removed.backup}", 15000)

    def check_deck_file(self) -> None:
        window = self.window
        path, _ = QFileDialog.getOpenFileName(window, "Check a deck file", "",
                                              "Deck files (*.yaml *.yml);;All files (*)")
        if not path:
            return
        from app.decks.loader import load_path

        try:
            deck = load_path(path)
        except DeckError as error:
            shown = "\n".join(str(p) for p in error.problems[:20])
            QMessageBox.warning(window, "Deck has problems", as_rich_text(shown))
            return
        QMessageBox.information(window, "Deck is valid",
                                as_rich_text(f"{deck.title}: {deck.topic_count()} topics, "
                                             "no problems."))

    def import_anki_progress(self, path: str = "") -> None:
        """Reviews made in Anki, back here; the tree (and statistics, if shown) update."""
        window = self.window
        if window.store.path is None:
            return
        from app.ui.dialogs.anki_progress import import_progress_from_anki

        def refresh() -> None:
            window.refresh_counts()
            if window.stats_page is not None and window.pages.currentWidget() is window.stats_page:
                window.show_statistics()

        import_progress_from_anki(window, window.store.path.parent, window.clock(), refresh, path)

    # --- backups ---------------------------------------------------------------------------------

    def back_up_now(self) -> None:
        """A backup off the GUI thread; the status bar says where it went."""
        window = self.window
        if window.store.path is None:
            return
        from app.db.settings import load_settings
        from app.ui.dialogs.backups import backup_now
        from app.ui.worker import run_in_background

        path, now = window.store.path, window.clock()
        policy = load_settings(window.store).backups
        status = window.statusBar()
        status.showMessage("Backing up…")

        def work(_progress: object) -> object:
            return backup_now(path, now, "manual", policy.keep_daily, policy.keep_weekly)

        def failed(error: AppError) -> None:
            status.clearMessage()
            show_error(window, error)

        run_in_background(
            work, on_done=lambda done: status.showMessage(f"Backed up to {done}", 15000),
            on_error=failed)

    def choose_backup(self) -> None:
        window = self.window
        if window.store.path is None:
            return
        from app.ui.dialogs.backups import RestoreDialog, describe

        dialog = RestoreDialog(window.store.path.parent, window.local, window)
        if not dialog.exec() or dialog.chosen is None:
            return
        when, _why, holds, _size = describe(dialog.chosen, window.local)
        if window.confirm(window, "Restore backup",
                          f"Go back to the backup from {when} ({holds})?\n\nEverything you did "
                          "after it is replaced. Your current database is backed up first, so "
                          "you can undo this by restoring that backup."):
            window.restore_requested.emit(dialog.chosen.path)

    def open_data_folder(self) -> None:
        if self.window.store.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.window.store.path.parent)))
