"""The history screen of mock interviews: past interviews, newest first, and the score trend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.interview.steps import StepInfo
from app.ui.actions import INTERVIEW_DELETE, INTERVIEW_LEAVE, bind_page_key
from app.ui.interview.display import SCORE_NAMES, button_row, push_button, read_only_table

if TYPE_CHECKING:
    from app.db.interviews import InterviewRecord

BARS = {1: "▂", 2: "▄", 3: "▆", 4: "█"}


class HistoryScreen(QWidget):
    """Finished interviews, each opened (``open_requested`` with its id) by Enter or a double
    click, and each step's self-scores, oldest to newest."""

    open_requested = Signal(int)  # the interview's id
    delete_requested = Signal(int)  # the interview's id
    new_requested = Signal()
    back_requested = Signal()
    delete_selected_requested = Signal()

    def __init__(self, local: tzinfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.local = local  # the zone dates are shown in (None: the system's)
        self._ids: list[int] = []
        self.table = read_only_table(["Date", "Question", "Duration", "Overall", "Rubric"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        # The date, duration and scores as wide as they read at the font in use; the
        # question has the rest (elided in the middle, whole in its tooltip).
        for column in (0, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.cellActivated.connect(lambda row, _c: self._open(row))
        self.table.cellDoubleClicked.connect(lambda row, _c: self._open(row))
        self.trend = read_only_table(["Step", "Self-scores, oldest → newest"])
        # Half each: a long step title elides in the middle (whole in its tooltip) rather
        # than push the scores' heading out of view at a large font.
        self.trend.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.trend.setWordWrap(False)
        self.trend.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.empty = QLabel("No finished interviews yet: start one from "
                            "Interview > New mock interview.", wordWrap=True)
        self.delete_button = push_button("Delete…", self.delete_selected_requested,
                                         f"Delete the selected interview "
                                         f"({INTERVIEW_DELETE.text()})")
        buttons = button_row([push_button("Back to outline", self.back_requested,
                                          INTERVIEW_LEAVE.text())],
                             [self.delete_button,
                              push_button("New interview", self.new_requested)])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<h2>Interview history</h2>"))
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 3)
        layout.addWidget(QLabel("<b>Score trend per step</b>"))
        layout.addWidget(self.trend, 2)
        layout.addLayout(buttons)
        self.setFocusProxy(self.table)
        bind_page_key(self, INTERVIEW_LEAVE, self.back_requested.emit)
        bind_page_key(self, INTERVIEW_DELETE, self._delete_selected)
        self.delete_selected_requested.connect(self._delete_selected)

    def show_history(self, records: Sequence[InterviewRecord],
                     trend: Mapping[int, Sequence[int]], steps: Sequence[StepInfo]) -> None:
        """``records`` newest first; ``trend`` maps a step number to its scores."""
        self._ids = [r.id for r in records]
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            overall = SCORE_NAMES.get(record.overall_score or 0, "–")
            coverage = "—" if record.coverage is None else f"{record.coverage:.0%}"
            started = record.started_at.astimezone(self.local)
            cells = [f"{started:%Y-%m-%d %H:%M}", record.question_title,
                     f"{record.duration_s / 60:.0f} min", overall, coverage]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column == 1:
                    cell.setToolTip(text)
                self.table.setItem(row, column, cell)
        self.empty.setVisible(not records)
        self.delete_button.setEnabled(bool(records))
        if records:
            self.table.setCurrentCell(0, 0)
        scored = [s for s in steps if s.is_step and s.present]
        self.trend.setRowCount(len(scored))
        for row, step in enumerate(scored):
            scores = trend.get(step.number, [])
            title = QTableWidgetItem(step.short_label)
            title.setToolTip(step.short_label)
            self.trend.setItem(row, 0, title)
            text = " ".join(f"{BARS[s]}{s}" for s in scores) if scores else "no scores yet"
            self.trend.setItem(row, 1, QTableWidgetItem(text))

    def _delete_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self._ids):
            self.delete_requested.emit(self._ids[row])

    def _open(self, row: int) -> None:
        if 0 <= row < len(self._ids):
            self.open_requested.emit(self._ids[row])
