"""The summary screen of a mock interview: time, coverage and self-score per step; weakest steps."""

from __future__ import annotations

import html
from datetime import tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.interview.report import InterviewSummary
from app.ui.interview.display import (
    SCORE_NAMES,
    button_row,
    clock_text,
    level_colour,
    push_button,
    read_only_table,
)


class SummaryScreen(QWidget):
    """One row per step; the self-scores and the overall score report each change made.

    Editable straight after an interview; read-only when opened from the history.
    """

    score_changed = Signal(int, object)  # step index, score 1..4 or None
    overall_changed = Signal(object)  # score 1..4 or None
    study_requested = Signal()
    export_requested = Signal()
    history_requested = Signal()
    back_requested = Signal()

    def __init__(self, local: tzinfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.local = local  # the zone dates are shown in (None: the system's)
        self.editable = False
        self.title = QLabel(wordWrap=True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.table = read_only_table(["Step", "Time / budget", "Rubric", "Self-score"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.overall = QComboBox()
        self.overall.addItem("Overall: not scored", None)
        for score, name in SCORE_NAMES.items():
            self.overall.addItem(f"Overall: {name}", score)
        self.overall.currentIndexChanged.connect(self._overall_changed)
        self.weakest = QLabel(wordWrap=True)
        self.weakest.setTextFormat(Qt.TextFormat.RichText)

        self.study_button = push_button("Study weak steps", self.study_requested,
                                        "Review the cards of the weakest steps now")
        buttons = button_row([self.study_button,
                              push_button("Export to Markdown…", self.export_requested),
                              push_button("History…", self.history_requested)],
                             [push_button("Back to outline", self.back_requested)])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.overall)
        layout.addWidget(self.weakest)
        layout.addLayout(buttons)

    def show_summary(self, summary: InterviewSummary, *, editable: bool) -> None:
        self.editable = editable
        minutes = summary.total_elapsed_s / 60
        self.title.setText(
            f"<h2>{html.escape(summary.question.title)}</h2>"
            f"<p>{summary.started_at.astimezone(self.local):%Y-%m-%d %H:%M} · {minutes:.0f} of "
            f"{summary.budgets.total_minutes} min"
            + ("" if editable else " · read-only") + "</p>")
        self.table.setRowCount(len(summary.steps))
        for row, step in enumerate(summary.steps):
            self.table.setItem(row, 0, QTableWidgetItem(step.short_label))
            timing = QTableWidgetItem(f"{clock_text(step.elapsed_s)} / "
                                      f"{clock_text(step.budget_s)}")
            colour = level_colour(step.level)
            if colour is not None:
                timing.setForeground(colour)
            self.table.setItem(row, 1, timing)
            rubric = f"{sum(step.covered)}/{len(step.covered)}" if step.covered else "—"
            self.table.setItem(row, 2, QTableWidgetItem(rubric))
            if step.is_step:
                combo = QComboBox()
                combo.addItem("–", None)
                for score, name in SCORE_NAMES.items():
                    combo.addItem(name, score)
                combo.setCurrentIndex(step.score or 0)
                combo.setEnabled(editable)
                combo.currentIndexChanged.connect(
                    lambda _i, r=row, c=combo: self._score_changed(r, c))
                self.table.setCellWidget(row, 3, combo)
            else:
                self.table.removeCellWidget(row, 3)
                self.table.setItem(row, 3, QTableWidgetItem(""))
        self.overall.blockSignals(True)
        self.overall.setCurrentIndex(summary.overall or 0)
        self.overall.blockSignals(False)
        self.overall.setEnabled(editable)
        self.show_weakest(summary)

    def show_weakest(self, summary: InterviewSummary) -> None:
        names = [summary.steps[i].short_label for i in summary.weakest]
        self.weakest.setText("<b>Weakest steps:</b> " + html.escape(", ".join(names))
                             if names else "")
        self.study_button.setEnabled(bool(names))

    def _score_changed(self, row: int, combo: QComboBox) -> None:
        if self.editable:
            self.score_changed.emit(row, combo.currentData())

    def _overall_changed(self) -> None:
        if self.editable:
            self.overall_changed.emit(self.overall.currentData())
