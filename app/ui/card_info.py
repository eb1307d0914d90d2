"""Card info (I while reviewing, Ctrl+Shift+I in the browser): the card and every answer."""

from __future__ import annotations

import html
from datetime import datetime, tzinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import local_zone
from app.db import browse
from app.db.browse import CardDetails, HistoryEntry
from app.db.settings import load_study_settings
from app.db.store import Store
from app.decks.render import render_markdown
from app.plural import counted
from app.scheduling.scheduler import Queue, format_interval
from app.ui.safe_text import SafeTextBrowser

__all__ = ["HISTORY_COLUMNS", "CardInfoDialog", "show_card_info"]

GRADES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
KINDS = {Queue.NEW: "Learn", Queue.LEARNING: "Learn", Queue.REVIEW: "Review",
         Queue.RELEARNING: "Relearn"}
STATES = {Queue.NEW: "New", Queue.LEARNING: "Learning", Queue.REVIEW: "Review",
          Queue.RELEARNING: "Relearning"}
HISTORY_COLUMNS = ("Date", "Type", "Grade", "Interval", "Retrievability", "Stability",
                   "Difficulty", "Time")


def _when(moment: datetime | None, local: tzinfo, with_time: bool = False) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(local).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def facts(details: CardDetails, now: datetime, local: tzinfo, decay: float
          ) -> list[tuple[str, str]]:
    """(label, value) of what card info states about the card, in Anki's order."""
    state = STATES[details.queue]
    if details.suspended:
        state += " (suspended)"
    elif details.buried_until is not None and details.buried_until > now:
        state += " (buried)"
    if details.retired:
        state += " (no longer in its deck)"
    recall = (browse.retrievability(details.stability, details.last_review, now, decay)
              if details.queue != Queue.NEW else None)
    due = "New" if details.queue == Queue.NEW else _when(
        details.due, local, details.queue in (Queue.LEARNING, Queue.RELEARNING))
    return [
        ("Deck", details.deck), ("Topic", details.topic), ("State", state),
        ("Added", _when(details.added, local)),
        ("First review", _when(details.first_review, local)),
        ("Latest review", _when(details.last_review, local)),
        ("Due", due), ("Reviews", str(details.reviews)), ("Lapses", str(details.lapses)),
        ("Stability", "—" if details.stability is None else f"{details.stability:.1f} days"),
        ("Difficulty", "—" if details.difficulty is None else f"{details.difficulty:.1f} of 10"),
        ("Retrievability now", _percent(recall)),
        ("Flag", browse.FLAG_NAMES[details.flag] if details.flag else "—"),
        ("Card id", details.id),
    ]


def history_cells(entry: HistoryEntry, local: tzinfo) -> tuple[str, ...]:
    """The cells of one answer's row, in :data:`HISTORY_COLUMNS` order."""
    return (_when(entry.reviewed_at, local, with_time=True), KINDS[entry.queue_before],
            GRADES.get(entry.grade, str(entry.grade)), format_interval(entry.interval),
            _percent(entry.retrievability),
            "—" if entry.stability is None else f"{entry.stability:.1f}d",
            "—" if entry.difficulty is None else f"{entry.difficulty:.1f}",
            f"{entry.duration_ms / 1000:.1f}s")


class CardInfoDialog(QDialog):
    """The card (front and back), its facts, and a table of every answer, oldest first."""

    def __init__(self, store: Store, card_id: str, now: datetime, local: tzinfo,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Card info")
        self._fit_to_font()
        decay = browse.decay_of(load_study_settings(store))
        details = browse.card_details(store, card_id)
        self.history = browse.card_history(store, card_id, decay)

        self.card = SafeTextBrowser()
        self.card.setAccessibleName("Card")
        self.summary = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if details is None:
            self.card.setPlainText(f"No card '{card_id}' in the database (deleted meanwhile?).")
            self.facts: list[tuple[str, str]] = []
        else:
            self.facts = facts(details, now, local, decay)
            front, back = render_markdown(details.front), render_markdown(details.back)
            self.card.setHtml(f"{front}<hr>{back}")
            rows = "".join(f"<tr><td><b>{html.escape(label)}</b>&nbsp;&nbsp;</td>"
                           f"<td>{html.escape(value)}</td></tr>" for label, value in self.facts)
            self.summary.setText(f"<table>{rows}</table>")

        self.table = QTableWidget(len(self.history), len(HISTORY_COLUMNS))
        self.table.setAccessibleName("Answers")
        self.table.setHorizontalHeaderLabels(list(HISTORY_COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, entry in enumerate(self.history):
            for column, text in enumerate(history_cells(entry, local)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        answers = QLabel("No answers yet." if not self.history else
                         f"{counted(len(self.history), 'answer')}; the memory state after "
                         "each, and the chance of recall FSRS gave the card when it was answered:",
                         wordWrap=True)

        # The facts scroll rather than being cut off at a large font.
        facts_area = QScrollArea()
        facts_area.setWidgetResizable(True)
        facts_area.setFrameShape(QFrame.Shape.NoFrame)
        facts_area.setWidget(self.summary)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.card)
        top.addWidget(facts_area)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        history = QWidget()
        history_layout = QVBoxLayout(history)
        history_layout.setContentsMargins(0, 0, 0, 0)
        history_layout.addWidget(answers)
        history_layout.addWidget(self.table, 1)
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height()
                                    + 3 * self.table.verticalHeader().defaultSectionSize())
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(history)
        split.setChildrenCollapsible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fit_to_font(self) -> None:
        """About 64 by 40 lines of the font in use (760x560 at the default one), within the
        screen."""
        metrics = self.fontMetrics()
        width = max(760, metrics.averageCharWidth() * 100)
        height = max(560, metrics.lineSpacing() * 36)
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        self.resize(_fit(width, screen.width() if screen else 0),
                    _fit(height, screen.height() if screen else 0))


def _fit(wanted: int, available: int) -> int:
    return min(wanted, available) if available > 0 else wanted


def show_card_info(parent: QWidget | None, store: Store, card_id: str, now: datetime,
                   local: tzinfo | None = None) -> CardInfoDialog:
    """Open card info for ``card_id`` beside the window (not modal, as Anki's); Esc closes it."""
    dialog = CardInfoDialog(store, card_id, now, local or local_zone(), parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
