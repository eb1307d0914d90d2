"""Edit a topic: its title and explanation, its hand-written cards, and cards of the user's own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.db.store import Store
from app.decks.editing import EditableCard, TopicText, remove_card, save_topic, topic_text
from app.errors import AppError
from app.model import AuthoredCard
from app.ui.actions import EDIT_DELETE_CARD, EDIT_OPEN_CARD, EDIT_SAVE_TOPIC, bind_page_key
from app.ui.dialogs.edit_card import (
    EditCardDialog,
    SavingDialog,
    _editor,
    _error_label,
    saving_what,
)
from app.ui.dialogs.fit import breakable, fit_width
from app.ui.worker import run_on_own_store

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

GENERATED_NOTE = ("The topic's other cards are made from its title and explanation: edit "
                  "those, or add a card of your own.")
SHOWN_GENERATED = ("The card on screen is generated from this topic's title and explanation; "
                   "it cannot be edited as text. Change the explanation here, or add a card of "
                   "your own.")


def card_line(card: EditableCard) -> str:
    """One line of the card list: its front, and whose text it is."""
    body = card.card.cloze or card.card.question
    first = " ".join(body.split())
    if len(first) > 90:
        first = first[:89] + "…"
    kind = "Cloze" if card.card.cloze else "Q"
    mark = " (yours)" if card.own and not card.edited else " (your edit)" if card.edited else ""
    return f"{kind}: {first}{mark}"


class EditTopicDialog(SavingDialog):
    """Title and explanation (saved with Save), and the topic's hand-written cards (each saved
    by its own dialog). ``changed`` tells the caller to show the new text. Saves and deletions
    run off the GUI thread (:class:`SavingDialog`)."""

    def __init__(self, store: Store, deck_id: str, topic_id: str, clock: Callable[[], datetime],
                 *, generated_card: bool = False, text: TopicText | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.deck_id, self.topic_id, self.clock = store, deck_id, topic_id, clock
        self.changed = False
        self.text: TopicText = text or topic_text(store, deck_id, topic_id)
        self.setWindowTitle(f"Edit topic: {self.text.title}")

        where = ("Built-in deck: your changes are kept apart from it, survive its updates and "
                 "go into Anki exports." if self.text.built_in else
                 f"Saved into {breakable(self.text.path)} (its comments and layout are kept).")
        if self.text.imported_from is not None:
            where += (" It was imported from an outline: importing that outline again replaces "
                      "these changes.")
        self.where = QLabel(where, wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.where.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, readable
        self.shown_note = QLabel(SHOWN_GENERATED, wordWrap=True,
                                 textFormat=Qt.TextFormat.PlainText)
        self.shown_note.setVisible(generated_card)
        self.conflict_row = QWidget()
        conflict_layout = QHBoxLayout(self.conflict_row)
        conflict_layout.setContentsMargins(0, 0, 0, 0)
        self.conflict_text = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        review = QPushButton("&Review changes…")
        review.clicked.connect(self.review_conflicts)
        conflict_layout.addWidget(self.conflict_text, 1)
        conflict_layout.addWidget(review)

        self.title = QLineEdit(self.text.title)
        self.title.setAccessibleName("Title")
        self.notes = _editor("Explanation", 5)
        self.notes.setPlainText(self.text.notes)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("&Title:", self.title)
        form.addRow("E&xplanation:", self.notes)

        self.cards = QListWidget()
        self.cards.setAccessibleName("Hand-written cards")
        self.cards.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.cards.setMinimumHeight(self.cards.fontMetrics().lineSpacing() * 4)
        self.cards.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cards.itemDoubleClicked.connect(lambda _item: self.edit_card())
        self.cards.currentRowChanged.connect(lambda _row: self._update_buttons())
        cards_label = QLabel("Hand-written &cards:")
        cards_label.setBuddy(self.cards)
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.clicked.connect(self.edit_card)
        add_qa = QPushButton("Add &Q/A…")
        add_qa.clicked.connect(lambda: self.add_card(cloze=False))
        add_cloze = QPushButton("Add c&loze…")
        add_cloze.clicked.connect(lambda: self.add_card(cloze=True))
        self.delete_button = QPushButton("&Delete")
        self.delete_button.clicked.connect(self.delete_card)
        # Enter opens the card (bound on the list, so it does not press the dialog's Save too).
        bind_page_key(self.cards, EDIT_OPEN_CARD, self.edit_card)
        bind_page_key(self.cards, EDIT_DELETE_CARD, self.delete_card)
        side = QVBoxLayout()
        for button in (self.edit_button, add_qa, add_cloze, self.delete_button):
            side.addWidget(button)
        side.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(cards_label, 0, 0, 1, 2)
        grid.addWidget(self.cards, 1, 0)
        grid.addLayout(side, 1, 1)
        grid.setColumnStretch(0, 1)
        generated = QLabel(GENERATED_NOTE, wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        generated.setEnabled(False)

        self.problem = _error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        bind_page_key(self, EDIT_SAVE_TOPIC, self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.shown_note)
        layout.addWidget(self.conflict_row)
        layout.addLayout(form, 2)
        layout.addLayout(grid, 2)
        layout.addWidget(generated)
        layout.addWidget(self.problem)
        self._add_saving_row(layout)
        layout.addWidget(buttons)
        self._fill()
        fit_width(self, self.fontMetrics().averageCharWidth() * 100)
        self.title.setFocus()

    # --- showing ---------------------------------------------------------------------------------

    def _fill(self, select: str | None = None) -> None:
        self.cards.clear()
        for card in self.text.cards:
            item = QListWidgetItem(card_line(card))
            item.setData(Qt.ItemDataRole.UserRole, card.key)
            item.setToolTip(card.card.cloze or f"{card.card.question}\n—\n{card.card.answer}")
            self.cards.addItem(item)
            if card.key == select:
                self.cards.setCurrentItem(item)
        if self.cards.currentRow() < 0 and self.cards.count():
            self.cards.setCurrentRow(0)
        count = len(self.text.conflicts)
        self.conflict_text.setText(
            f"An update changed the built-in text under {count} of your edits here; yours is "
            "used until you choose.")
        self.conflict_row.setVisible(bool(count))
        self._update_buttons()

    def _reload(self, select: str | None = None) -> None:
        self.changed = True
        self.text = topic_text(self.store, self.deck_id, self.topic_id)
        self._fill(select)

    def current(self) -> EditableCard | None:
        row = self.cards.currentRow()
        return self.text.cards[row] if 0 <= row < len(self.text.cards) else None

    def _update_buttons(self) -> None:
        card = self.current()
        self.edit_button.setEnabled(card is not None)
        self.delete_button.setEnabled(card is not None and (card.own or card.edited))
        self.delete_button.setText("Undo my e&dit" if card is not None and card.edited
                                   and not card.own else "&Delete")

    # --- actions ---------------------------------------------------------------------------------

    def save(self) -> None:
        """Save the title and explanation, then close; or say in the dialog why not (nothing
        saved)."""
        deck_id, topic_id, now = self.deck_id, self.topic_id, self.clock()
        title, notes = self.title.text(), self.notes.toPlainText()

        def job(store: Store) -> None:
            save_topic(store, deck_id, topic_id, title=title, notes=notes, now=now)

        def done(_result: object) -> None:
            self.changed = True
            self.accept()

        self.run_save(saving_what(self.text.path, self.text.built_in), job, done)

    def _card_dialog(self, key: str | None, card: AuthoredCard, *, own: bool = True) -> None:
        if self.saving:
            return
        dialog = EditCardDialog(self.store, self.deck_id, self.topic_id, key, card, self.clock,
                                topic_title=self.text.title, built_in=self.text.built_in,
                                own=own, path=self.text.path, with_text=True, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.problem.hide()
            self.changed = True
            try:  # the topic's new text, read where it was saved, off the GUI thread
                self.text = dialog.saved_text or topic_text(self.store, self.deck_id,
                                                            self.topic_id)
            except AppError as error:
                self._fail(error)
            self._fill(dialog.saved_key)
            self.cards.setFocus()

    def edit_card(self) -> None:
        card = self.current()
        if card is not None:
            self._card_dialog(card.key, card.card, own=card.own)

    def add_card(self, *, cloze: bool) -> None:
        self._card_dialog(None, AuthoredCard(cloze="{{c1::…}}" if cloze else ""))

    def delete_card(self) -> None:
        card = self.current()
        if self.saving or card is None or not (card.own or card.edited):
            return
        deck_id, topic_id, key, now = self.deck_id, self.topic_id, card.key, self.clock()
        built_in = self.text.built_in

        def job(store: Store) -> TopicText:
            remove_card(store, deck_id, topic_id, key, now)
            return topic_text(store, deck_id, topic_id)

        def done(text: TopicText) -> None:
            self.changed = True
            self.text = text
            self._fill(key)
            self.cards.setFocus()

        what = "Taking back your edit…" if built_in and not card.own else (
            "Deleting the card…" if built_in else
            f"Deleting the card from {Path(self.text.path).name}…")
        self.run_save(what, job, done)

    def review_conflicts(self) -> None:
        from app.ui.dialogs.edit_conflicts import EditConflictsDialog

        dialog = EditConflictsDialog(self.store, self.clock, topic_id=self.topic_id, parent=self)
        dialog.exec()
        if dialog.changed:
            self._reload()
            self.title.setText(self.text.title)
            self.notes.setPlainText(self.text.notes)


def open_editor(window: MainWindow, what: str) -> None:
    """The window's Edit commands: "topic" (F2, the tree's menu), "card" (E while reviewing),
    "conflicts" (built-in deck changes), "announce" (at start-up: are there any). The window
    shows the new text afterwards."""
    if what == "card":
        from app.ui.dialogs.edit_card import edit_shown_card

        review = window.review
        node = window.current_node
        edit_shown_card(review, window.store, lambda: window.reload_decks(node.key if node else ""))
        return
    if what == "announce":
        from app.ui.dialogs.edit_conflicts import announce_conflicts

        announce_conflicts(window)
        return
    if what == "conflicts":
        from app.ui.dialogs.edit_conflicts import EditConflictsDialog, announce_conflicts

        settle = EditConflictsDialog(window.store, window.clock, parent=window)
        settle.exec()
        if settle.changed:
            window.reload_decks(window.current_node.key if window.current_node else "")
            announce_conflicts(window)
        return
    node = window.current_node
    if node is None or node.topic_id is None:
        window.statusBar().showMessage("Select a topic to edit (a deck's own text is its "
                                       "file's).", 6000)
        return
    _open_topic(window, node.key, node.deck_id, node.topic_id, node.title)


#: The topics whose editor is being opened: F2 again meanwhile opens no second one.
_opening: set[str] = set()


def _open_topic(window: MainWindow, key: str, deck_id: str, topic_id: str, title: str) -> None:
    """The topic's editor, its text read off the GUI thread first: the whole deck file is
    parsed, seconds for a deck imported from a big outline (the parse is then kept for the
    process, app/decks/library.py)."""
    from app.ui.errors import show_error

    if key in _opening:
        return

    def show(text: TopicText) -> None:
        _opening.discard(key)
        window.statusBar().clearMessage()
        dialog = EditTopicDialog(window.store, deck_id, topic_id, window.clock, text=text,
                                 parent=window)
        dialog.exec()
        if dialog.changed:
            window.reload_decks(key)

    def failed(error: AppError) -> None:
        _opening.discard(key)
        window.statusBar().clearMessage()
        show_error(window, error)

    _opening.add(key)
    window.statusBar().showMessage(f"Opening the editor of “{title}”…")
    run_on_own_store(window.store, lambda store: topic_text(store, deck_id, topic_id),
                     on_done=show, on_error=failed)
