"""Edit a hand-written card or add one of the user's own: question and answer, or a cloze text."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.db.store import Store
from app.decks.editing import TopicText, card_of, save_card, topic_text
from app.errors import AppError
from app.model import AuthoredCard
from app.ui.actions import EDIT_CLOZE, EDIT_SAVE_CARD, bind_page_key
from app.ui.dialogs.fit import fit_width
from app.ui.worker import run_on_own_store

if TYPE_CHECKING:
    from app.ui.review_page import ReviewPage

_NUMBER = re.compile(r"\{\{c(\d+)::")


def _error_label() -> QLabel:
    label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
    label.setAccessibleName("Problem")
    label.setStyleSheet("background: #fef2f2; color: #991b1b; padding: 6px; "
                        "border: 1px solid #fca5a5; border-radius: 4px")
    label.hide()
    return label


def _editor(name: str, lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)  # Tab moves on, as in a form; the text is Markdown
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines + 12)
    return edit


def wrap_cloze(text: str, start: int, end: int) -> tuple[str, int]:
    """``text`` with [start, end) made the next cloze deletion (``{{cN::...}}``, N one more
    than the highest so far, as Anki's Ctrl+Shift+C); the cursor position after it."""
    number = max((int(n) for n in _NUMBER.findall(text)), default=0) + 1
    inner = text[start:end] or "…"
    made = f"{{{{c{number}::{inner}}}}}"
    return text[:start] + made + text[end:], start + len(made)


def saving_what(path: str, built_in: bool) -> str:
    """What the saving row says: a user deck's whole file is rewritten, which takes a while."""
    return "Saving…" if built_in or not path else f"Saving into {Path(path).name}…"


class SavingDialog(QDialog):
    """An editor whose saves run off the GUI thread (app/ui/worker.py): a save re-reads,
    checks, rewrites and re-syncs the whole deck, seconds for a deck imported from a big
    outline. The work opens a store of its own on the same data folder (a sqlite3 connection
    belongs to its thread). While it runs the dialog says so with a busy bar, its text is
    read-only and its buttons are off, and Esc or closing it waits: what is on screen is what
    is being saved, and the deck file is replaced whole or not at all. A failure shows its
    message and gives the text back as it was, to fix and save again."""

    store: Store
    problem: QLabel

    def _add_saving_row(self, layout: QVBoxLayout) -> None:
        self.saving = False
        self._what = ""
        self.saving_row = QWidget()
        row = QHBoxLayout(self.saving_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.saving_text = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.saving_bar = QProgressBar()
        self.saving_bar.setAccessibleName("Saving")
        self.saving_bar.setRange(0, 0)  # busy: a save has no steps worth counting
        self.saving_bar.setTextVisible(False)
        self.saving_bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 20)
        row.addWidget(self.saving_text, 1)
        row.addWidget(self.saving_bar)
        self.saving_row.hide()
        layout.addWidget(self.saving_row)
        self._locked: list[tuple[QAbstractButton, bool]] = []
        self._focus: QWidget | None = None

    def run_save(self, what: str, job: Callable[[Store], Any],
                 done: Callable[[Any], None]) -> None:
        """Run ``job`` on a store of its own off the GUI thread; ``done`` gets its result here.
        An in-memory store (tests, dry runs) has a single connection: its job runs at once."""
        if self.saving:
            return
        self.saving = True
        self._what = what
        self.problem.hide()
        self.saving_text.setText(what)
        self.saving_row.show()
        self._lock(True)

        def finished(result: object) -> None:
            self._lock(False)
            done(result)

        def failed(error: AppError) -> None:
            self._lock(False)
            self._fail(error)

        run_on_own_store(self.store, job, on_done=finished, on_error=failed)

    def _lock(self, on: bool) -> None:
        if on:
            self._focus = QApplication.focusWidget()
            self._locked = [(b, b.isEnabled()) for b in self.findChildren(QAbstractButton)]
            for button, _was in self._locked:
                button.setEnabled(False)
        else:
            self.saving = False
            self.saving_row.hide()
            for button, was in self._locked:
                button.setEnabled(was)
            self._locked = []
        for edit in self.findChildren(QLineEdit) + self.findChildren(QPlainTextEdit):
            edit.setReadOnly(on)
        if not on and self._focus is not None and self.isAncestorOf(self._focus):
            self._focus.setFocus()

    def _fail(self, error: AppError) -> None:
        self.problem.setText(error.message)
        self.problem.show()

    def reject(self) -> None:
        if self.saving:  # the edit is on its way to the file: closing now would hide its fate
            self.saving_text.setText(f"{self._what} The editor can close once it is done.")
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.saving:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)


class EditCardDialog(SavingDialog):
    """One card's text; Save saves it (an edited card keeps its key and progress) off the GUI
    thread; the dialog closes once it is saved. ``with_text`` also reads the topic's new text
    there (``saved_text``), for the topic's editor to show."""

    def __init__(self, store: Store, deck_id: str, topic_id: str, key: str | None,
                 card: AuthoredCard, clock: Callable[[], datetime], *, topic_title: str = "",
                 built_in: bool = False, own: bool = False, path: str = "",
                 with_text: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.deck_id, self.topic_id, self.key = store, deck_id, topic_id, key
        self.clock = clock
        self.saved_key: str | None = None
        self.saved_text: TopicText | None = None
        self.with_text = with_text
        self.what = saving_what(path, built_in)
        adding = key is None
        self.setWindowTitle("Add a card" if adding else "Edit card")
        where = f"Topic: {topic_title}" if topic_title else ""
        if adding:
            note = "Your own card, studied and exported with the topic's others."
        elif built_in and own:
            note = "Your own card. It keeps its progress when you edit it."
        elif built_in:
            note = ("A card of the built-in deck: your text is kept apart from it and "
                    "survives upgrades. The card keeps its progress.")
        else:
            note = "The deck file is rewritten with the new text. The card keeps its progress."
        self.about = QLabel("\n".join(p for p in (where, note) if p), wordWrap=True,
                            textFormat=Qt.TextFormat.PlainText)

        self.qa_button = QRadioButton("&Question and answer")
        self.cloze_button = QRadioButton("C&loze")
        kinds = QButtonGroup(self)
        kinds.addButton(self.qa_button)
        kinds.addButton(self.cloze_button)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.qa_button)
        kind_row.addWidget(self.cloze_button)
        kind_row.addStretch(1)

        self.question = _editor("Question", 3)
        self.answer = _editor("Answer", 4)
        qa_page = QWidget()
        qa_layout = QVBoxLayout(qa_page)
        qa_layout.setContentsMargins(0, 0, 0, 0)
        front = QLabel("&Front (Markdown):")
        front.setBuddy(self.question)
        back = QLabel("&Back:")
        back.setBuddy(self.answer)
        for widget in (front, self.question, back, self.answer):
            qa_layout.addWidget(widget)

        self.cloze = _editor("Cloze text", 5)
        make = QPushButton(f"&Make cloze ({EDIT_CLOZE.text()})")
        make.setToolTip("Hide the selected words as the next deletion, {{c1::like this}}")
        make.clicked.connect(self.make_cloze)
        bind_page_key(self.cloze, EDIT_CLOZE, self.make_cloze)
        cloze_page = QWidget()
        cloze_layout = QVBoxLayout(cloze_page)
        cloze_layout.setContentsMargins(0, 0, 0, 0)
        text_label = QLabel("&Text, with each hidden part as {{c1::answer}} (one card per "
                            "number; {{c1::answer::hint}} shows a hint):", wordWrap=True,
                            textFormat=Qt.TextFormat.PlainText)
        text_label.setBuddy(self.cloze)
        cloze_layout.addWidget(text_label)
        cloze_layout.addWidget(self.cloze, 1)
        cloze_layout.addWidget(make, 0, Qt.AlignmentFlag.AlignLeft)

        self.pages = QStackedWidget()
        self.pages.addWidget(qa_page)
        self.pages.addWidget(cloze_page)
        self.qa_button.toggled.connect(lambda on: self._show_kind(not on))

        self.problem = _error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setToolTip(EDIT_SAVE_CARD.text())
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        bind_page_key(self, EDIT_SAVE_CARD, self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(kind_row)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.problem)
        self._add_saving_row(layout)
        layout.addWidget(buttons)

        self.question.setPlainText(card.question)
        self.answer.setPlainText(card.answer)
        self.cloze.setPlainText(card.cloze)
        (self.cloze_button if card.cloze else self.qa_button).setChecked(True)
        self._show_kind(bool(card.cloze))
        fit_width(self, self.fontMetrics().averageCharWidth() * 90)

    def _show_kind(self, cloze: bool) -> None:
        self.pages.setCurrentIndex(1 if cloze else 0)
        (self.cloze if cloze else self.question).setFocus()

    def card(self) -> AuthoredCard:
        if self.cloze_button.isChecked():
            return AuthoredCard(cloze=self.cloze.toPlainText())
        return AuthoredCard(question=self.question.toPlainText(),
                            answer=self.answer.toPlainText())

    def make_cloze(self) -> None:
        if self.saving:
            return
        cursor = self.cloze.textCursor()
        text, position = wrap_cloze(self.cloze.toPlainText(), cursor.selectionStart(),
                                    cursor.selectionEnd())
        self.cloze.setPlainText(text)
        cursor = self.cloze.textCursor()
        cursor.setPosition(position)
        self.cloze.setTextCursor(cursor)

    def save(self) -> None:
        """Save, then close; or say in the dialog what is wrong (nothing is saved then)."""
        deck_id, topic_id, key, card, now = (self.deck_id, self.topic_id, self.key, self.card(),
                                             self.clock())
        with_text = self.with_text

        def job(store: Store) -> tuple[str, TopicText | None]:
            saved = save_card(store, deck_id, topic_id, key, card, now)
            try:  # saved: a failure to read it back is the topic editor's to show
                return saved, topic_text(store, deck_id, topic_id) if with_text else None
            except AppError:
                return saved, None

        def done(result: tuple[str, TopicText | None]) -> None:
            self.saved_key, self.saved_text = result
            self.accept()

        self.run_save(self.what, job, done)


def edit_shown_card(page: ReviewPage, store: Store, on_saved: Callable[[], None]) -> None:
    """E on the review screen: the shown card's editor (its topic's for a generated card);
    after a save the card on screen shows the new text, its progress untouched."""
    from app.ui.dialogs.edit_topic import EditTopicDialog

    view, session = page.view, page.session
    if view is None or view.card is None or session is None:
        return
    shown = view.card
    authored = card_of(shown.id)
    if authored is not None:
        from app.decks.editing import topic_text

        try:
            text = topic_text(store, authored[0], authored[1])
        except AppError as error:
            page.problem.setText(error.message)
            page.problem.show()
            return
        found = next((c for c in text.cards if c.key == authored[2]), None)
    try:
        if authored is not None and found is not None:
            dialog: QDialog = EditCardDialog(store, text.deck_id, text.topic_id, found.key,
                                             found.card, page.clock, topic_title=text.title,
                                             built_in=text.built_in, own=found.own,
                                             path=text.path, parent=page)
        else:
            dialog = EditTopicDialog(store, shown.deck_id, shown.topic_id, page.clock,
                                     generated_card=True, parent=page)
    except AppError as error:
        page.problem.setText(error.message)
        page.problem.show()
        return
    dialog.exec()
    if not getattr(dialog, "saved_key", None) and not getattr(dialog, "changed", False):
        return
    # The card on screen shows its new text at once, its answer still shown if it was.
    page.show_view(session.reload_current(page.clock()))
    on_saved()
