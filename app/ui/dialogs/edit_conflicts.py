"""Built-in text that changed under the user's edits: both shown, the user keeps theirs or not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.db.store import Store
from app.decks.editing import conflicts, resolve_conflict
from app.decks.edits import Conflict
from app.errors import AppError
from app.plural import counted
from app.ui.dialogs.edit_card import _error_label
from app.ui.dialogs.fit import fit_width

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

INTRO = ("An update of the built-in deck changed text you had edited. Yours is still the one "
         "studied and exported; choose which to keep. Progress stays either way.")


def _reader(name: str) -> QPlainTextEdit:
    view = QPlainTextEdit(readOnly=True)
    view.setAccessibleName(name)
    view.setTabChangesFocus(True)
    return view


class EditConflictsDialog(QDialog):
    """The conflicts, one at a time: yours beside the built-in text now, Keep mine / Take
    built-in. ``changed`` tells the caller to show the new text."""

    def __init__(self, store: Store, clock: Callable[[], datetime], *,
                 topic_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.clock, self.topic_id = store, clock, topic_id
        self.changed = False
        self.found: list[Conflict] = []
        self.setWindowTitle("Built-in deck changes")
        intro = QLabel(INTRO, wordWrap=True, textFormat=Qt.TextFormat.PlainText)

        self.list = QListWidget()
        self.list.setAccessibleName("Changed items")
        self.list.currentRowChanged.connect(self._show)
        self.mine = _reader("Your text")
        self.theirs = _reader("Built-in text now")
        mine_label = QLabel("&Yours (in use):")
        mine_label.setBuddy(self.mine)
        self.theirs_label = QLabel("&Built-in now:")
        self.theirs_label.setBuddy(self.theirs)
        texts = QWidget()
        grid = QGridLayout(texts)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(mine_label, 0, 0)
        grid.addWidget(self.theirs_label, 0, 1)
        grid.addWidget(self.mine, 1, 0)
        grid.addWidget(self.theirs, 1, 1)

        self.keep = QPushButton("&Keep mine")
        self.keep.clicked.connect(lambda: self.resolve(keep_mine=True))
        self.take = QPushButton("&Take built-in")
        self.take.clicked.connect(lambda: self.resolve(keep_mine=False))
        self.problem = _error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.keep, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.take, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.empty = QLabel("No built-in text has changed under your edits.",
                            textFormat=Qt.TextFormat.PlainText)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addWidget(texts, 3)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._fill()
        fit_width(self, self.fontMetrics().averageCharWidth() * 115)
        self.list.setFocus()

    def _fill(self) -> None:
        self.found = [c for c in conflicts(self.store)
                      if self.topic_id is None or c.edit.topic_id == self.topic_id]
        row = max(0, self.list.currentRow())
        self.list.clear()
        for conflict in self.found:
            self.list.addItem(f"{conflict.topic_title}: {conflict.what}"
                              + (" (removed from the built-in deck)" if conflict.gone else ""))
        self.empty.setVisible(not self.found)
        for widget in (self.keep, self.take):
            widget.setEnabled(bool(self.found))
        if self.found:
            self.list.setCurrentRow(min(row, len(self.found) - 1))
        else:
            self.mine.clear()
            self.theirs.clear()

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.found):
            return
        conflict = self.found[row]
        self.mine.setPlainText(conflict.mine)
        self.theirs.setPlainText(conflict.built_in if not conflict.gone else
                                 "(The built-in deck no longer has this card. Taking the "
                                 "built-in side removes your copy of it.)")

    def resolve(self, *, keep_mine: bool) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.found):
            return
        try:
            resolve_conflict(self.store, self.found[row].edit, keep_mine=keep_mine,
                             now=self.clock())
        except AppError as error:
            self.problem.setText(error.message)
            self.problem.show()
            return
        self.problem.hide()
        self.changed = True
        self._fill()
        self.list.setFocus()


def announce_conflicts(window: MainWindow) -> int:
    """Say at start-up (and after choosing) how many edits an update changed the built-in text
    under: in the status bar for a while, and in the Edit menu's entry until they are settled."""
    from app.db.user_layer import conflicts as stored_conflicts

    count = len(stored_conflicts(window.store))
    action = window.actions_by_id.get("edit_conflicts")
    if action is not None:
        action.setText(f"&Built-in deck changes ({count})…" if count else
                       "&Built-in deck changes…")
    if count:
        window.statusBar().showMessage(
            f"An update of the built-in deck changed {counted(count, 'text')} you had edited; "
            f"{'yours is' if count == 1 else 'yours are'} still used. Edit > Built-in deck "
            "changes… lets you choose.", 30_000)
    return count
