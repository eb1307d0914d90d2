"""The running screen of a mock interview: the clocks, the steps, the notes, rubric, follow-ups."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.interview.review import criterion_evidence
from app.interview.steps import StepInfo
from app.interview.views import InterviewView
from app.model import Question, RubricItem
from app.ui.actions import (
    INTERVIEW_FINISH,
    INTERVIEW_FOLLOWUP,
    INTERVIEW_PAUSE,
    INTERVIEW_STEP,
    bind_page_key,
)
from app.ui.interview.display import (
    ElidedLabel,
    FlowRow,
    button_row,
    clock_text,
    level_colour,
    push_button,
)
from app.ui.safe_text import as_rich_text

NOTES_PLACEHOLDER = "Your answer for this step, as you would say it…"
NO_DECK_RUBRIC = ("No rubric for this deck: its steps are not the ML design flow's, so "
                  "nothing ticks itself. Say what you would say, step by step.")
NO_STEP_RUBRIC = "No rubric for this step."
PROMPT_LINES = 4


class PromptView(QTextBrowser):
    """The question above the running screen: whole while it takes at most ``PROMPT_LINES``
    lines, else that many with a scroll bar, so a long prompt at a large font leaves the
    notes their room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName("Question")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.document().setDocumentMargin(0)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self._fit())

    def _fit(self) -> None:
        most = self.fontMetrics().lineSpacing() * PROMPT_LINES
        whole = int(self.document().size().height() + 0.5)
        self.setFixedHeight(min(whole, most) + 2 * self.frameWidth())


class RunningScreen(QWidget):
    """One step at a time: its clock and the total's, the step list, notes and rubric.

    It only shows an InterviewView and reports what the person does; the page drives the
    session.
    """

    next_requested = Signal()
    previous_requested = Signal()
    jump_requested = Signal(int)
    pause_requested = Signal()
    finish_requested = Signal()
    followup_requested = Signal()
    notes_edited = Signal(str)
    rubric_ticked = Signal(int, bool)  # row, checked

    def __init__(self, steps: Sequence[StepInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps = tuple(steps)
        self._rendering = False
        self.question_label = PromptView()
        self.step_list = self._build_step_list()
        centre = self._build_centre()
        self.side = side = self._build_rubric()
        controls = self._build_buttons()

        splitter = QSplitter(childrenCollapsible=False)
        splitter.addWidget(self.step_list)
        splitter.addWidget(centre)
        splitter.addWidget(side)
        # A narrower window takes from all three, the notes least.
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        splitter.setStretchFactor(2, 1)
        splitter.setSizes([270, 560, 300])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.question_label)
        layout.addWidget(splitter, 1)
        layout.addLayout(controls)
        self._bind_step_keys()
        self.setFocusProxy(self.notes)

    # --- construction ----------------------------------------------------------------------------

    def _build_step_list(self) -> QListWidget:
        steps = QListWidget()
        steps.setAccessibleName("Steps")
        steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        steps.itemClicked.connect(lambda item: self.jump_requested.emit(steps.row(item)))
        # No minimum width of its own: long step titles wrap, and the splitter's sizes give
        # it room at the default size.
        steps.setWordWrap(True)
        steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return steps

    def _build_centre(self) -> QWidget:
        """The step's title, its clock beside the total's, the warnings and the notes."""
        self._build_clocks()
        self._build_warnings()
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes for this step")
        self.notes.setPlaceholderText(NOTES_PLACEHOLDER)
        self.notes.textChanged.connect(self._notes_changed)
        self.notes.installEventFilter(self)

        # The title has the centre's whole width; the two clocks share the row below it.
        clocks = QHBoxLayout()
        clocks.addWidget(self.step_clock, 1)
        clocks.addWidget(self.total_clock, 0, Qt.AlignmentFlag.AlignBottom)
        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.step_title)
        layout.addLayout(clocks)
        layout.addWidget(self.status)
        layout.addWidget(self.save_problem)
        layout.addWidget(self.no_rubric)
        layout.addWidget(self.notes, 1)
        return centre

    def _build_clocks(self) -> None:
        # One line, elided in the middle when narrow (whole in the tooltip; the step list
        # shows it too): wrapped, it took the notes' room at a large font.
        self.step_title = ElidedLabel()
        self.step_clock = QLabel()
        # Wraps ("Total left" over the time) rather than widen a narrow window.
        self.total_clock = QLabel(wordWrap=True)
        big = self.step_clock.font()
        big.setPointSizeF(big.pointSizeF() * 2.6)
        big.setBold(True)
        self.step_clock.setFont(big)
        title_font = self.step_title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        title_font.setBold(True)
        self.step_title.setFont(title_font)
        medium = self.total_clock.font()
        medium.setPointSizeF(medium.pointSizeF() * 1.3)
        self.total_clock.setFont(medium)

    def _build_warnings(self) -> None:
        self.status = QLabel(wordWrap=True)
        self.status.setAccessibleName("Warning")
        # A save that failed (a full disk, a read-only database) stays said until one works;
        # the time warnings above are redrawn every second and would hide it.
        self.save_problem = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.save_problem.setAccessibleName("Not saved")
        self.save_problem.setStyleSheet("background: #fef2f2; color: #991b1b; padding: 6px; "
                                        "border: 1px solid #fca5a5; border-radius: 4px")
        self.save_problem.hide()
        # Said above the notes when the step (or the whole deck) has no rubric to tick.
        self.no_rubric = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.no_rubric.setAccessibleName("No rubric")
        self.no_rubric.hide()

    def _build_rubric(self) -> QWidget:
        """The step's rubric with its ticks, and the follow-up question below it."""
        self.rubric = QListWidget()
        self.rubric.setAccessibleName("Rubric")
        self.rubric.itemChanged.connect(self._rubric_ticked)
        self.rubric.setWordWrap(True)
        self.rubric.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.followup_button = push_button("Ask me a follow-up", self.followup_requested,
                                           INTERVIEW_FOLLOWUP.text())
        self.followup_text = QLabel(wordWrap=True)
        self.followup_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Rubric</b> (ticks itself from your notes)", wordWrap=True))
        layout.addWidget(self.rubric, 1)
        layout.addWidget(self.followup_button)
        layout.addWidget(self.followup_text)
        return side

    def _build_buttons(self) -> FlowRow:
        self.previous_button = push_button("◀ Previous", self.previous_requested,
                                           INTERVIEW_STEP.shown(1))
        self.pause_button = push_button("Pause", self.pause_requested, INTERVIEW_PAUSE.text())
        self.next_button = push_button("Next ▶", self.next_requested, INTERVIEW_STEP.shown(0))
        return button_row([self.previous_button, self.pause_button, self.next_button],
                          [push_button("Finish interview", self.finish_requested,
                                       INTERVIEW_FINISH.text())])

    def _bind_step_keys(self) -> None:
        bind_page_key(self, INTERVIEW_STEP, self.next_requested.emit,
                      self.previous_requested.emit)
        bind_page_key(self, INTERVIEW_PAUSE, self.pause_requested.emit)
        bind_page_key(self, INTERVIEW_FOLLOWUP, self._ask_followup)
        bind_page_key(self, INTERVIEW_FINISH, self.finish_requested.emit)

    def _ask_followup(self) -> None:
        if self.followup_button.isEnabled():
            self.followup_requested.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The editor claims Ctrl+Left/Right (word moves) before shortcuts see them; the notes
        # have the focus while an interview runs, so the step keys would never work.
        if (watched is self.notes and event.type() == QEvent.Type.ShortcutOverride
                and isinstance(event, QKeyEvent) and INTERVIEW_STEP.matches(event)):
            event.ignore()
            return True
        return super().eventFilter(watched, event)

    # --- showing ---------------------------------------------------------------------------------

    def begin(self, question: Question) -> None:
        """Set up for an interview on ``question``: one row per step, no follow-up yet."""
        self.followup_text.clear()
        self.question_label.setHtml(
            f"<b>{html.escape(question.title)}</b> — {html.escape(question.prompt)}")
        self.step_list.clear()
        for row, step in enumerate(self.steps):
            self.step_list.addItem(QListWidgetItem())
            self.step_list.setRowHidden(row, not step.present)  # a step the deck lacks

    def say_not_saved(self, message: str) -> None:
        """Show why the notes are not saved; an empty message hides it."""
        self.save_problem.setText(message)
        self.save_problem.setVisible(bool(message))

    def show_view(self, view: InterviewView) -> None:
        self._rendering = True
        try:
            for index, step in enumerate(view.steps):
                item = self.step_list.item(index)
                covered = sum(step.covered)
                rubric = f"  ✓{covered}/{len(step.covered)}" if step.covered else ""
                item.setText(f"{step.short_label}\n{clock_text(step.elapsed_s)} / "
                             f"{clock_text(step.budget_s)}{rubric}")
                colour = level_colour(step.level)
                item.setForeground(colour if colour is not None else
                                   self.step_list.palette().text().color())
                font = item.font()
                font.setBold(index == view.current)
                item.setFont(font)
            self.step_list.setCurrentRow(view.current)
            current = view.steps[view.current]
            self.step_title.setText(
                (f"Step {current.number} · {current.title}" if current.is_step
                 else current.title) + ("  (paused)" if view.paused else ""))
            self.step_clock.setText(clock_text(view.step_remaining_s))
            colour = level_colour(current.level)
            self.step_clock.setStyleSheet(f"color: {colour.name()}" if colour else "")
            self.total_clock.setText(f"Total left {clock_text(view.total_remaining_s)}")
            self.status.setText(view.message)
            self.status.setStyleSheet(f"color: {colour.name()}" if colour else "")
            self.pause_button.setText("Resume" if view.paused else "Pause")
            shown = [i for i, step in enumerate(view.steps) if step.present]
            self.previous_button.setEnabled(bool(shown) and view.current > shown[0])
            self.next_button.setEnabled(bool(shown) and view.current < shown[-1])
            self._render_rubric(current.rubric, current.covered, current.auto_covered,
                                self._evidence(view.current, current.notes, current.rubric))
            deck_rubric = any(s.rubric for s in view.steps)
            self.no_rubric.setVisible(not current.rubric)
            self.no_rubric.setText(NO_STEP_RUBRIC if deck_rubric else NO_DECK_RUBRIC)
            self.followup_button.setEnabled(bool(self.steps[view.current].followups))
            # A deck off the flow has neither rubric nor follow-ups: the notes take the room.
            self.side.setVisible(deck_rubric or any(step.followups for step in self.steps))
        finally:
            self._rendering = False

    def _evidence(self, index: int, notes: str, rubric: tuple[RubricItem, ...]
                  ) -> tuple[str | None, ...]:
        """Per rubric item shown (the question's own items too), the sentence of the notes
        that ticked it."""
        step = self.steps[index]
        return tuple(found for _met, found in
                     criterion_evidence(notes, rubric, step.template, step.title))

    def _render_rubric(self, rubric: tuple[RubricItem, ...], covered: tuple[bool, ...],
                       auto: tuple[bool, ...], evidence: tuple[str | None, ...]) -> None:
        if self.rubric.count() != len(rubric):
            self.rubric.clear()
            for _ in rubric:
                item = QListWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                self.rubric.addItem(item)
        for row, (entry, on, by_notes) in enumerate(zip(rubric, covered, auto, strict=True)):
            item = self.rubric.item(row)
            text = entry.text
            terms = ", ".join(entry.terms[:6])
            item.setText(text if on == by_notes else f"{text} (ticked by hand)"
                         if on else f"{text} (unticked by hand)")
            found = evidence[row] if row < len(evidence) else None
            if on and on != by_notes:
                tip = "Ticked by hand (self-assessed)."
            elif on and found:
                tip = f"Met by: “{found}”"
            elif on:
                tip = "Met by your notes."
            else:
                tip = f"Counts when your notes say it, e.g. with: {terms}…"
            item.setToolTip(as_rich_text(tip))
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def show_notes(self, notes: str, template: str) -> None:
        """A step's notes; its outline ``template`` as the placeholder, never mistaken for an
        answer. A follow-up shown for the step before is cleared."""
        self._rendering = True
        self.notes.setPlainText(notes)
        self.notes.setPlaceholderText(template or NOTES_PLACEHOLDER)
        self._rendering = False
        self.followup_text.clear()

    def show_followup(self, question: str | None) -> None:
        self.followup_text.setText(
            f"<i>Interviewer:</i> {html.escape(question)}" if question else
            "No more follow-ups for this step.")

    def _notes_changed(self) -> None:
        if not self._rendering:
            self.notes_edited.emit(self.notes.toPlainText())

    def _rubric_ticked(self, item: QListWidgetItem) -> None:
        if not self._rendering:
            self.rubric_ticked.emit(self.rubric.row(item),
                                    item.checkState() == Qt.CheckState.Checked)
