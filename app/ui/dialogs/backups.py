"""Backups in the running app: the periodic timer, File > Restore backup, and the recovery prompt.

The core (``app.db.backup``) decides when a backup is due and does the copying; the timer here only
ticks, and the copy runs off the GUI thread on its own connection.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.db.backup import BackupInfo, list_backups
from app.db.restore import latest_usable_backup
from app.errors import AppError, DatabaseDamaged
from app.ui.worker import Progress, run_in_background

#: How often the timer asks the core whether a backup is due (the core applies the interval).
TICK = timedelta(minutes=10)

Choice = Literal["restore-latest", "start-fresh", "quit"]


def backup_now(store_path: Path, now: datetime, reason: str, keep_daily: int,
               keep_weekly: int) -> Path:
    """Take one backup and prune the old ones; opens its own connection (any thread)."""
    from app.db.backup import backup_and_prune
    from app.db.settings import BackupSettings
    from app.db.store import Store

    data_dir = store_path.parent
    store = Store.open(data_dir, check=False)
    try:
        return backup_and_prune(store, data_dir, now, BackupSettings(
            keep_daily=keep_daily, keep_weekly=keep_weekly), reason)
    finally:
        store.close()


class BackupScheduler(QObject):
    """Backs up at most once every ``every_hours`` while the app runs (the core decides)."""

    finished = Signal(object)  # the backup's path, or the AppError that stopped it

    def __init__(self, data_dir: Path, clock: Callable[[], datetime],
                 policy: Callable[[], tuple[int, int, int]], parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.clock = clock
        self.policy = policy  # (every_hours, keep_daily, keep_weekly), read at each tick
        self.running = False
        self.timer = QTimer(self, interval=int(TICK.total_seconds() * 1000))
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.timer.start()

    def tick(self) -> bool:
        """Start a backup if one is due; True when one was started."""
        from app.db.backup import backup_due, last_backup_time

        every, keep_daily, keep_weekly = self.policy()
        now = self.clock()
        if self.running or not backup_due(last_backup_time(self.data_dir, now), now,
                                          timedelta(hours=every)):
            return False
        self.running = True
        from app.db.store import DB_NAME

        path = self.data_dir / DB_NAME

        def work(_progress: Progress) -> object:
            return backup_now(path, now, "auto", keep_daily, keep_weekly)

        run_in_background(work, on_done=self._done, on_error=self._done)
        return True

    def _done(self, result: object) -> None:
        self.running = False
        self.finished.emit(result)


def describe(info: BackupInfo, local: tzinfo) -> tuple[str, str, str, str]:
    """The columns of a backup in the list: when, why, what it holds, size."""
    when = info.taken_at.astimezone(local).strftime("%a %d %b %Y, %H:%M")
    reasons = {"auto": "automatic", "close": "on close", "before-restore": "before a restore",
               "manual": "by hand"}
    reason = reasons.get(info.reason, info.reason.replace("-", " "))
    holds = (f"{info.reviews:,} reviews, {info.cards:,} cards" if info.readable
             else "damaged: cannot be restored")
    return when, reason, holds, f"{info.size / 1_048_576:.1f} MiB"


class RestoreDialog(QDialog):
    """Lists the backups, newest first; the chosen one is ``chosen`` after accept."""

    def __init__(self, data_dir: Path, local: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore backup")
        self.resize(640, 380)
        self.chosen: BackupInfo | None = None
        self.backups = list_backups(data_dir)
        layout = QVBoxLayout(self)
        intro = QLabel("Choose a backup to go back to. Your current database is backed up "
                       "first, so a restore can itself be undone from this list.", wordWrap=True)
        layout.addWidget(intro)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(["Taken", "Why", "Holds", "Size"])
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for info in self.backups:
            item = QTreeWidgetItem(list(describe(info, local)))
            item.setToolTip(0, str(info.path))
            if not info.readable:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.table.addTopLevelItem(item)
        for column in range(3):
            self.table.resizeColumnToContents(column)
        layout.addWidget(self.table, 1)
        self.empty = QLabel(f"No backups yet. MLSD Study backs up when it closes and every few "
                            f"hours while it runs, into {data_dir / 'backups'}.", wordWrap=True)
        self.empty.setVisible(not self.backups)
        layout.addWidget(self.empty)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = QPushButton("&Restore")
        self.restore_button.setDefault(True)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemDoubleClicked.connect(lambda *_: self.accept())
        first = next((i for i, info in enumerate(self.backups) if info.readable), None)
        if first is not None:
            self.table.setCurrentIndex(self.table.model().index(first, 0))
        self._selected()

    def _selected(self) -> None:
        row = self.table.currentIndex().row()
        ok = 0 <= row < len(self.backups) and self.backups[row].readable
        self.chosen = self.backups[row] if ok else None
        self.restore_button.setEnabled(ok)

    def accept(self) -> None:
        if self.chosen is not None:
            super().accept()


def ask_recovery(error: DatabaseDamaged, data_dir: Path, local: tzinfo,
                 parent: QWidget | None = None) -> Choice:
    """The damaged-database prompt: restore the latest backup, start fresh, or quit."""
    latest = latest_usable_backup(data_dir)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("MLSD Study: the database is damaged")
    box.setText(f"{error.path} cannot be read: {error.detail}.")
    detail = ("Whichever you choose, the damaged file is kept beside it, renamed with the "
              "date, so nothing is overwritten.")
    if latest is not None:
        when, _reason, holds, _size = describe(latest, local)
        detail = f"The latest good backup is from {when} ({holds}). " + detail
    else:
        detail = "There is no usable backup. " + detail
    box.setInformativeText(detail)
    restore = box.addButton("Restore latest backup", QMessageBox.ButtonRole.AcceptRole)
    restore.setEnabled(latest is not None)
    fresh = box.addButton("Start fresh", QMessageBox.ButtonRole.DestructiveRole)
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore if latest is not None else quit_button)
    box.setEscapeButton(quit_button)
    box.exec()
    clicked = box.clickedButton()
    if clicked is restore:
        return "restore-latest"
    if clicked is fresh:
        return "start-fresh"
    return "quit"


def describe_failure(error: AppError) -> str:
    return f"The automatic backup failed: {error.message}"
