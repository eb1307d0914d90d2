"""The review of a mock interview: per step time, score, notes beside the reference, criteria."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import tzinfo

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.interview.report import InterviewSummary
from app.interview.review import CriterionReview, StepReview, missed_topics
from app.ui.actions import INTERVIEW_DELETE, INTERVIEW_LEAVE, bind_page_key
from app.ui.interview.display import (
    SCORE_NAMES,
    button_row,
    clock_text,
    level_colour,
    push_button,
    read_only_table,
)

TOPIC_SCHEME = "topic"  # links in the criteria: topic:<id> studies that topic's cards


class SummaryScreen(QWidget):
    """One row per step; the selected step's notes beside the reference answer, its criteria
    met (with the sentence that met each) and missed (with the topics that teach them), and
    the follow-ups asked with what was written after each.

    Editable (self-scores) straight after an interview; read-only when opened from the
    history, where it can also be deleted.
    """

    score_changed = Signal(int, object)  # step index, score 1..4 or None
    overall_changed = Signal(object)  # score 1..4 or None
    study_requested = Signal()
    study_missed_requested = Signal()
    topic_requested = Signal(str)  # a topic id from a criterion's link
    export_requested = Signal()
    history_requested = Signal()
    delete_requested = Signal()
    back_requested = Signal()

    def __init__(self, local: tzinfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.local = local  # the zone dates are shown in (None: the system's)
        self.editable = False
        self.reviews: tuple[StepReview, ...] = ()
        self.title = QLabel(wordWrap=True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.table = self._build_table()
        details = self._build_details()
        self.overall = QComboBox()
        self.overall.addItem("Overall: not scored", None)
        for score, name in SCORE_NAMES.items():
            self.overall.addItem(f"Overall: {name}", score)
        self.overall.currentIndexChanged.connect(self._overall_changed)
        self.weakest = QLabel(wordWrap=True)
        self.weakest.setTextFormat(Qt.TextFormat.RichText)

        self.missed_button = push_button("Study what I missed", self.study_missed_requested,
                                         "Review the cards of the topics that teach the "
                                         "criteria you missed")
        self.study_button = push_button("Study weak steps", self.study_requested,
                                        "Review the cards of the weakest steps now")
        self.delete_button = push_button("Delete…", self.delete_requested,
                                         f"Delete this interview ({INTERVIEW_DELETE.text()})")
        buttons = button_row([self.missed_button, self.study_button,
                              push_button("Export to Markdown…", self.export_requested),
                              push_button("History…", self.history_requested)],
                             [self.delete_button,
                              push_button("Back", self.back_requested,
                                          INTERVIEW_LEAVE.text())])
        scores = QHBoxLayout()
        scores.addWidget(self.overall)
        scores.addWidget(self.weakest, 1)

        split = QSplitter(Qt.Orientation.Vertical, childrenCollapsible=False)
        split.addWidget(self.table)
        split.addWidget(details)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)
        layout.addLayout(scores)
        layout.addLayout(buttons)
        bind_page_key(self, INTERVIEW_LEAVE, self.back_requested.emit)
        bind_page_key(self, INTERVIEW_DELETE, self._delete_key)
        self.setFocusProxy(self.table)

    def _build_table(self) -> QTableWidget:
        table = read_only_table(["Step", "Time / budget", "Criteria met", "Self-score"])
        table.setAccessibleName("Steps")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # One line per step, a long title elided in the middle (whole in its tooltip).
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        table.currentCellChanged.connect(lambda row, *_: self.show_step(row))
        return table

    def _build_details(self) -> QWidget:
        """The selected step: its notes on the left, the comparison on the right."""
        self.notes = QPlainTextEdit(readOnly=True)
        self.notes.setAccessibleName("Your notes")
        self.comparison = QTextBrowser()
        self.comparison.setAccessibleName("Reference answer and criteria")
        self.comparison.setOpenLinks(False)
        self.comparison.anchorClicked.connect(self._link_clicked)
        self.notes_label = QLabel("<b>Your notes</b>", wordWrap=True)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.notes_label)
        column.addWidget(self.notes, 1)
        split = QSplitter(childrenCollapsible=False)
        split.addWidget(left)
        split.addWidget(self.comparison)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        return split

    # --- showing ---------------------------------------------------------------------------------

    def show_summary(self, summary: InterviewSummary, *, editable: bool,
                     reviews: Sequence[StepReview] = ()) -> None:
        self.editable = editable
        self.reviews = tuple(reviews)
        minutes = summary.total_elapsed_s / 60
        self.title.setText(
            f"<h2>{html.escape(summary.question.title)}</h2>"
            f"<p>{summary.started_at.astimezone(self.local):%Y-%m-%d %H:%M} · {minutes:.0f} of "
            f"{summary.budgets.total_minutes} min"
            + ("" if editable else " · read-only") + "</p>")
        table = self.table
        table.setRowCount(len(summary.steps))
        for row, step in enumerate(summary.steps):
            table.setRowHidden(row, not step.present)  # a step the deck does not have
            title = QTableWidgetItem(step.short_label)
            title.setToolTip(step.short_label)  # elided in the middle when narrow
            table.setItem(row, 0, title)
            timing = QTableWidgetItem(f"{clock_text(step.elapsed_s)} / "
                                      f"{clock_text(step.budget_s)}")
            colour = level_colour(step.level)
            if colour is not None:
                timing.setForeground(colour)
            table.setItem(row, 1, timing)
            rubric = f"{sum(step.covered)}/{len(step.covered)}" if step.covered else "—"
            table.setItem(row, 2, QTableWidgetItem(rubric))
            if step.is_step:
                combo = QComboBox()
                combo.addItem("–", None)
                for score, name in SCORE_NAMES.items():
                    combo.addItem(name, score)
                combo.setCurrentIndex(step.score or 0)
                combo.setEnabled(editable)
                combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Up/Down move between steps
                combo.currentIndexChanged.connect(
                    lambda _i, r=row, c=combo: self._score_changed(r, c))
                table.setCellWidget(row, 3, combo)
            else:
                table.removeCellWidget(row, 3)
                table.setItem(row, 3, QTableWidgetItem(""))
        self.overall.blockSignals(True)
        self.overall.setCurrentIndex(summary.overall or 0)
        self.overall.blockSignals(False)
        self.overall.setEnabled(editable)
        self.delete_button.setVisible(not editable)
        self.missed_button.setEnabled(bool(missed_topics(self.reviews)))
        self.show_weakest(summary)
        first = next((row for row, step in enumerate(summary.steps) if step.present), 0)
        table.setCurrentCell(first, 0)
        self.show_step(first)

    def show_step(self, row: int) -> None:
        """The notes and the comparison of the step in ``row``."""
        if not 0 <= row < len(self.reviews):
            self.notes.setPlainText("")
            self.comparison.setHtml("")
            return
        review = self.reviews[row]
        self.notes_label.setText(f"<b>Your notes</b> · {html.escape(review.step.short_label)}")
        self.notes.setPlainText(review.step.notes.strip() or "(no notes)")
        self.comparison.setHtml(comparison_html(
            review, deck_rubric=any(r.step.rubric for r in self.reviews)))

    def show_weakest(self, summary: InterviewSummary) -> None:
        names = [summary.steps[i].short_label for i in summary.weakest]
        self.weakest.setText("<b>Weakest steps:</b> " + html.escape(", ".join(names))
                             if names else "")
        self.study_button.setEnabled(bool(names))

    # --- what the person does --------------------------------------------------------------------

    def _score_changed(self, row: int, combo: QComboBox) -> None:
        if self.editable:
            self.score_changed.emit(row, combo.currentData())

    def _overall_changed(self) -> None:
        if self.editable:
            self.overall_changed.emit(self.overall.currentData())

    def _delete_key(self) -> None:
        if not self.editable:
            self.delete_requested.emit()

    def _link_clicked(self, url: QUrl) -> None:
        if url.scheme() == TOPIC_SCHEME:
            self.topic_requested.emit(url.path())


def _criterion_html(criterion: CriterionReview) -> str:
    text = html.escape(criterion.text)
    if criterion.met:
        line = f"✓ {text}"
        if criterion.self_assessed:
            line += " <i>(self-assessed)</i>"
        elif criterion.evidence:
            line += f"<br><small>“{html.escape(criterion.evidence)}”</small>"
    else:
        line = f"✗ {text}"
        if criterion.self_assessed:
            line += " <i>(unticked by hand)</i>"
    links = [f'<a href="{TOPIC_SCHEME}:{html.escape(topic, quote=True)}">{html.escape(title)}</a>'
             for topic, title in zip(criterion.topics, criterion.topic_titles, strict=False)]
    if links:
        line += f"<br><small>Study: {', '.join(links)}</small>"
    return f"<li>{line}</li>"


NO_DECK_RUBRIC = ("No reference answer and no rubric for this deck: its steps are not the "
                  "ML design flow's.")


def comparison_html(review: StepReview, *, deck_rubric: bool = True) -> str:
    """The right side of a step's review: reference answer, criteria, follow-ups, time.
    ``deck_rubric`` False: the deck has no rubric at all, and it says so once."""
    step = review.step
    parts = [f"<p><b>Time</b> {clock_text(step.elapsed_s)} of {clock_text(step.budget_s)}"]
    if step.is_step:
        parts.append(" · <b>Self-score</b> "
                     + (SCORE_NAMES[step.score] if step.score else "not scored"))
    parts.append("</p>")
    if review.reference:
        parts.append("<h3>Reference answer</h3><ul>"
                     + "".join(f"<li>{html.escape(b)}</li>" for b in review.reference) + "</ul>")
    elif deck_rubric:
        parts.append("<h3>Reference answer</h3><p><i>No reference answer for this step.</i></p>")
    else:
        parts.append(f"<p><i>{NO_DECK_RUBRIC}</i></p>")
    if review.criteria:
        met, missed = review.met, review.missed
        parts.append(f"<h3>Criteria met ({len(met)} of {len(review.criteria)})</h3>")
        parts.append("<ul>" + "".join(map(_criterion_html, met)) + "</ul>" if met
                     else "<p><i>None.</i></p>")
        parts.append(f"<h3>Missed ({len(missed)})</h3>")
        parts.append("<ul>" + "".join(map(_criterion_html, missed)) + "</ul>" if missed
                     else "<p><i>None.</i></p>")
    if review.followups:
        parts.append("<h3>Follow-ups asked</h3><ul>")
        for followup in review.followups:
            answer = html.escape(followup.answer).replace("\n", "<br>") if followup.answer \
                else "<i>Nothing written after it.</i>"
            parts.append(f"<li><b>{html.escape(followup.question)}</b><br>{answer}</li>")
        parts.append("</ul>")
    return "".join(parts)
