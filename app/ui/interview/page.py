"""The mock-interview screens: set-up, the running clock, the summary and the history.

The session (app/interview/session.py) decides everything and is driven with ``now``; a QTimer only
ticks it once a second. Notes are autosaved when the session says so (at most every 5 s and at
each step change).
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

import app.db.interviews as saved
from app.db.settings import load_settings, remember_interview_minutes
from app.db.store import Store
from app.errors import AppError
from app.files import write_atomic
from app.interview.budgets import Budgets, default_budgets
from app.interview.questions import deal_question
from app.interview.report import InterviewSummary, to_markdown
from app.interview.session import TICK, InterviewSession
from app.interview.steps import StepInfo, interview_steps, notes_template
from app.interview.views import InterviewView, Level
from app.model import Deck, Question
from app.ui.errors import show_error
from app.ui.safe_text import SafeTextBrowser, as_rich_text

SOFT_COLOUR, FIRM_COLOUR = QColor("#d97706"), QColor("#dc2626")
SCORE_NAMES = {1: "1 weak", 2: "2 shaky", 3: "3 solid", 4: "4 strong"}
CATEGORY_NAMES = {"nlp": "NLP", "trust-and-safety": "Trust and safety"}


def clock_text(seconds: float) -> str:
    """``m:ss`` (or ``-m:ss`` once over time)."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds) + 0.5) if seconds >= 0 else int(abs(seconds))
    return f"{sign}{whole // 60}:{whole % 60:02d}"


class InterviewPage(QWidget):
    """Set up, run and review mock interviews; ``closed`` returns to the outline."""

    def __init__(self, store: Store, deck: Deck, clock: Callable[[], datetime],
                 settings: QSettings, on_close: Callable[[], None],
                 on_study_steps: Callable[[list[StepInfo]], None],
                 parent: QWidget | None = None, local: tzinfo | None = None) -> None:
        super().__init__(parent)
        self.local = local  # the zone dates are shown in (None: the system's)
        self.store = store
        self.deck = deck
        self.clock = clock
        self.settings = settings
        self.on_close = on_close
        self.on_study_steps = on_study_steps
        self.steps = interview_steps(deck)
        self.session: InterviewSession | None = None
        self.summary_data: InterviewSummary | None = None
        self.rng = random.Random()
        self._rendering = False

        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_setup())
        self.stack.addWidget(self._build_running())
        self.stack.addWidget(self._build_summary())
        self.stack.addWidget(self._build_history())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.stack)

        self.timer = QTimer(self)
        self.timer.setInterval(int(TICK / timedelta(milliseconds=1)))
        self.timer.timeout.connect(self.tick)

        for keys, slot in (("Ctrl+Right", self.next_step), ("Ctrl+Left", self.previous_step),
                           ("Ctrl+P", self.toggle_pause)):
            shortcut = QShortcut(QKeySequence(keys), self.running)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # --- set-up ----------------------------------------------------------------------------------

    def _build_setup(self) -> QWidget:
        self.setup = QWidget()
        self.question_tree = QTreeWidget()
        self.question_tree.setHeaderHidden(True)
        self.question_tree.setAccessibleName("Questions")
        self.question_tree.currentItemChanged.connect(self._on_question)
        by_category: dict[str, QTreeWidgetItem] = {}
        for question in self.deck.questions:
            category = question.category or "other"
            if category not in by_category:
                group = QTreeWidgetItem([CATEGORY_NAMES.get(
                    category, category.replace("-", " ").capitalize())])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                by_category[category] = group
                self.question_tree.addTopLevelItem(group)
            item = QTreeWidgetItem([question.title])
            item.setData(0, Qt.ItemDataRole.UserRole, question.id)
            by_category[category].addChild(item)
        self.question_tree.expandAll()
        self.question_prompt = SafeTextBrowser()
        deal = QPushButton("Deal me a question")
        deal.setToolTip("A random question, favouring the categories you have practised least")
        deal.clicked.connect(self.deal)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Pick a question</b>"))
        left_layout.addWidget(self.question_tree, 3)
        left_layout.addWidget(deal)
        left_layout.addWidget(self.question_prompt, 2)

        self.duration_buttons = QButtonGroup(self)
        durations = QHBoxLayout()
        for minutes in (30, 45, 60):
            radio = QRadioButton(f"{minutes} min")
            self.duration_buttons.addButton(radio, minutes)
            durations.addWidget(radio)
        custom = QRadioButton("Custom")
        self.duration_buttons.addButton(custom, 0)
        self.custom_minutes = QSpinBox(minimum=10, maximum=240, suffix=" min", value=50)
        durations.addWidget(custom)
        durations.addWidget(self.custom_minutes)
        durations.addStretch(1)
        self.duration_buttons.idToggled.connect(self._duration_toggled)
        self.custom_minutes.valueChanged.connect(lambda _v: self._custom_changed())
        self.custom_minutes.setEnabled(False)

        self.budget_spins: list[QSpinBox] = []
        grid = QGridLayout()
        for index, step in enumerate(self.steps):
            spin = QSpinBox(minimum=0, maximum=120, suffix=" min")
            spin.valueChanged.connect(self._budgets_edited)
            grid.addWidget(QLabel(step.short_label, textFormat=Qt.TextFormat.PlainText), index, 0)
            grid.addWidget(spin, index, 1)
            self.budget_spins.append(spin)
        self.budget_total = QLabel()
        reset = QPushButton("Reset to defaults")
        reset.clicked.connect(self._reset_budgets)
        grid.addWidget(self.budget_total, len(self.steps), 0)
        grid.addWidget(reset, len(self.steps), 1)
        budgets = QGroupBox("Time budget per step (remembered)")
        budgets.setLayout(grid)

        self.start_button = QPushButton("Start interview")
        self.start_button.setDefault(True)
        self.start_button.setToolTip("Ctrl+Enter")
        self.start_button.clicked.connect(self.start)
        history = QPushButton("History…")
        history.clicked.connect(self.show_history)
        back = QPushButton("Back to outline")
        back.clicked.connect(self.on_close)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addWidget(history)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel("<b>Duration</b>"))
        right_layout.addLayout(durations)
        right_layout.addWidget(budgets)
        right_layout.addStretch(1)
        right_layout.addLayout(buttons)

        splitter = QSplitter(childrenCollapsible=False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([520, 480])
        layout = QVBoxLayout(self.setup)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<h2>New mock interview</h2>"))
        layout.addWidget(splitter, 1)
        start = QShortcut(QKeySequence("Ctrl+Return"), self.setup)
        start.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        start.activated.connect(self.start)
        return self.setup

    def show_setup(self) -> None:
        minutes = load_settings(self.store).interview.minutes  # the last length run, or set
        button = self.duration_buttons.button(minutes if minutes in (30, 45, 60) else 0)
        if minutes not in (30, 45, 60):
            self.custom_minutes.setValue(minutes)
        button.setChecked(True)
        self._load_budgets()
        if self.question_tree.currentItem() is None:
            first = self.question_tree.topLevelItem(0)
            child = first.child(0) if first is not None and first.childCount() else None
            if child is not None:
                self.question_tree.setCurrentItem(child)
        self.stack.setCurrentWidget(self.setup)
        self.question_tree.setFocus()

    def selected_question(self) -> Question | None:
        item = self.question_tree.currentItem()
        question_id = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((q for q in self.deck.questions if q.id == question_id), None)

    def select_question(self, question_id: str) -> None:
        for top in range(self.question_tree.topLevelItemCount()):
            group = self.question_tree.topLevelItem(top)
            if group is None:
                continue
            for row in range(group.childCount()):
                item = group.child(row)
                if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == question_id:
                    self.question_tree.setCurrentItem(item)
                    return

    def _on_question(self, *_: object) -> None:
        question = self.selected_question()
        self.question_prompt.show_markdown(
            f"**{question.title}**\n\n{question.prompt}" if question else
            "Choose a question on the left, or let the app deal one.")
        self.start_button.setEnabled(question is not None)

    def deal(self) -> None:
        if not self.deck.questions:
            return
        question = deal_question(self.deck.questions, saved.category_counts(self.store),
                                 self.rng)
        self.select_question(question.id)

    def _minutes(self) -> int:
        chosen = self.duration_buttons.checkedId()
        return chosen if chosen > 0 else self.custom_minutes.value()

    def _load_budgets(self) -> None:
        self._show_budgets(saved.load_budgets(self.store, self._minutes()))

    def _duration_toggled(self, _id: int, on: bool) -> None:
        self.custom_minutes.setEnabled(self.duration_buttons.checkedId() == 0)
        if on:
            self._load_budgets()

    def _custom_changed(self) -> None:
        if self.duration_buttons.checkedId() == 0:
            self._load_budgets()

    def _reset_budgets(self) -> None:
        self._show_budgets(default_budgets(self._minutes()))

    def _show_budgets(self, budgets: Budgets) -> None:
        self._rendering = True
        for spin, minutes in zip(self.budget_spins, budgets.minutes, strict=True):
            spin.setValue(minutes)
        self._rendering = False
        self._budgets_edited()

    def _budgets_edited(self) -> None:
        if self._rendering:
            return
        total = sum(s.value() for s in self.budget_spins)
        self.budget_total.setText(f"Total: {total} min")

    def current_budgets(self) -> Budgets:
        minutes = tuple(s.value() for s in self.budget_spins)
        return Budgets(total_minutes=sum(minutes), minutes=minutes)

    def start(self) -> None:
        question = self.selected_question()
        if question is None:
            return
        try:
            budgets = self.current_budgets()
            saved.save_budgets(self.store, budgets)
            # The total actually run: an edited split may no longer add up to the preset, and
            # it is remembered under its own total.
            remember_interview_minutes(self.store, budgets.total_minutes)
            now = self.clock()
            session = InterviewSession(question, self.steps, budgets, now, rng=self.rng)
            saved.create_interview(self.store, session, self.deck.id, now)
        except (AppError, ValueError) as error:
            show_error(self, error if isinstance(error, AppError) else AppError(str(error)))
            return
        self.run(session)

    # --- running ---------------------------------------------------------------------------------

    def _build_running(self) -> QWidget:
        self.running = QWidget()
        self.question_label = QLabel(wordWrap=True)
        self.question_label.setTextFormat(Qt.TextFormat.RichText)
        self.question_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)

        self.step_list = QListWidget()
        self.step_list.setAccessibleName("Steps")
        self.step_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.step_list.itemClicked.connect(
            lambda item: self.jump(self.step_list.row(item)))
        # Wide enough for "9. Scaling, Monitoring, and" at the current font, no wider.
        self.step_list.setMinimumWidth(self.step_list.fontMetrics().averageCharWidth() * 24)
        self.step_list.setWordWrap(True)
        self.step_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.step_title = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.step_clock = QLabel()
        self.total_clock = QLabel()
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
        self.status = QLabel(wordWrap=True)
        self.status.setAccessibleName("Warning")
        # A save that failed (a full disk, a read-only database) stays said until one works;
        # the time warnings above are redrawn every second and would hide it.
        self.save_problem = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.save_problem.setAccessibleName("Not saved")
        self.save_problem.setStyleSheet("background: #fef2f2; color: #991b1b; padding: 6px; "
                                        "border: 1px solid #fca5a5; border-radius: 4px")
        self.save_problem.hide()

        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes for this step")
        self.notes.setPlaceholderText("Your answer for this step, as you would say it…")
        self.notes.textChanged.connect(self._notes_changed)
        self.notes.installEventFilter(self)

        self.rubric = QListWidget()
        self.rubric.setAccessibleName("Rubric")
        self.rubric.itemChanged.connect(self._rubric_ticked)
        self.rubric.setWordWrap(True)
        self.rubric.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.followup_button = QPushButton("Ask me a follow-up")
        self.followup_button.clicked.connect(self.ask_followup)
        self.followup_text = QLabel(wordWrap=True)
        self.followup_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel("<b>Rubric</b> (ticks itself from your notes)",
                                     wordWrap=True))
        side_layout.addWidget(self.rubric, 1)
        side_layout.addWidget(self.followup_button)
        side_layout.addWidget(self.followup_text)

        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setToolTip("Ctrl+Left")
        self.previous_button.clicked.connect(self.previous_step)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setToolTip("Ctrl+P")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.next_button = QPushButton("Next ▶")
        self.next_button.setToolTip("Ctrl+Right")
        self.next_button.clicked.connect(self.next_step)
        finish = QPushButton("Finish interview")
        finish.clicked.connect(self.finish)
        controls = QHBoxLayout()
        for button in (self.previous_button, self.pause_button, self.next_button):
            controls.addWidget(button)
        controls.addStretch(1)
        controls.addWidget(finish)

        # The title has the centre's whole width; the two clocks share the row below it.
        clocks = QHBoxLayout()
        clocks.addWidget(self.step_clock, 1)
        clocks.addWidget(self.total_clock, 0, Qt.AlignmentFlag.AlignBottom)

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.step_title)
        centre_layout.addLayout(clocks)
        centre_layout.addWidget(self.status)
        centre_layout.addWidget(self.save_problem)
        centre_layout.addWidget(self.notes, 1)

        splitter = QSplitter(childrenCollapsible=False)
        splitter.addWidget(self.step_list)
        splitter.addWidget(centre)
        splitter.addWidget(side)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([270, 560, 300])

        layout = QVBoxLayout(self.running)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.question_label)
        layout.addWidget(splitter, 1)
        layout.addLayout(controls)
        return self.running

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The editor claims Ctrl+Left/Right (word moves) before shortcuts see them; the notes
        # have the focus while an interview runs, so the step keys would never work.
        if (watched is self.notes and event.type() == QEvent.Type.ShortcutOverride
                and isinstance(event, QKeyEvent)
                and event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
                == Qt.KeyboardModifier.ControlModifier
                and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right)):
            event.ignore()
            return True
        return super().eventFilter(watched, event)

    def run(self, session: InterviewSession) -> None:
        """Show the running screen for a new or resumed session."""
        self.session = session
        self.followup_text.clear()
        question = session.question
        self.question_label.setText(
            f"<b>{html.escape(question.title)}</b> — {html.escape(question.prompt)}")
        self.step_list.clear()
        for _ in session.steps:
            self.step_list.addItem(QListWidgetItem())
        self.stack.setCurrentWidget(self.running)
        self._show_step_notes()
        self.show_view(session.tick(self.clock()))
        self.timer.start()
        self.notes.setFocus()

    def tick(self) -> None:
        if self.session is None or self.session.finished:
            self.timer.stop()
            return
        now = self.clock()
        view = self.session.tick(now)
        self.show_view(view)
        self.autosave(now)

    def autosave(self, now: datetime, force: bool = False) -> None:
        session = self.session
        if session is None or session.interview_id is None:
            return
        if force or session.needs_save(now):
            try:
                saved.save_interview(self.store, session, now)
            except AppError as error:
                # The notes stay in the editor and the session; the session still needs a
                # save, so the next tick tries again.
                self._say_not_saved(f"Your notes are not saved: {error.message} They stay "
                                    "here, and saving is retried every second.")
                return
            self._say_not_saved("")

    def _say_not_saved(self, message: str) -> None:
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
                colour = {Level.SOFT: SOFT_COLOUR, Level.FIRM: FIRM_COLOUR}.get(step.level)
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
            colour = {Level.SOFT: SOFT_COLOUR, Level.FIRM: FIRM_COLOUR}.get(current.level)
            self.step_clock.setStyleSheet(f"color: {colour.name()}" if colour else "")
            self.total_clock.setText(f"Total left {clock_text(view.total_remaining_s)}")
            self.status.setText(view.message)
            self.status.setStyleSheet(f"color: {colour.name()}" if colour else "")
            self.pause_button.setText("Resume" if view.paused else "Pause")
            self.previous_button.setEnabled(view.current > 0)
            self.next_button.setEnabled(view.current < len(view.steps) - 1)
            self._render_rubric(current.rubric, current.covered, current.auto_covered)
            self.followup_button.setEnabled(bool(self.steps[view.current].followups))
        finally:
            self._rendering = False

    def _render_rubric(self, rubric: tuple[object, ...], covered: tuple[bool, ...],
                       auto: tuple[bool, ...]) -> None:
        if self.rubric.count() != len(rubric):
            self.rubric.clear()
            for _ in rubric:
                item = QListWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                self.rubric.addItem(item)
        for row, (entry, on, by_notes) in enumerate(zip(rubric, covered, auto, strict=True)):
            item = self.rubric.item(row)
            text = getattr(entry, "text", str(entry))
            terms = ", ".join(getattr(entry, "terms", ())[:6])
            item.setText(text if on == by_notes else f"{text} (ticked by hand)"
                         if on else f"{text} (unticked by hand)")
            item.setToolTip(as_rich_text(f"Counts when your notes mention: {terms}…"))
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _show_step_notes(self) -> None:
        session = self.session
        if session is None:
            return
        view = session.view(self.clock())
        self._rendering = True
        self.notes.setPlainText(view.steps[view.current].notes)
        # The step's outline as a hint; as placeholder it is never mistaken for an answer.
        template = notes_template(session.steps[view.current])
        self.notes.setPlaceholderText(template or "Your answer for this step, as you would "
                                      "say it…")
        self._rendering = False
        self.followup_text.clear()

    def _notes_changed(self) -> None:
        if self._rendering or self.session is None:
            return
        now = self.clock()
        self.session.set_notes(self.session.current, self.notes.toPlainText(), now)
        self.show_view(self.session.view(now))

    def _rubric_ticked(self, item: QListWidgetItem) -> None:
        if self._rendering or self.session is None:
            return
        index = self.session.current
        row = self.rubric.row(item)
        view = self.session.view(self.clock())
        auto = view.steps[index].auto_covered[row]
        checked = item.checkState() == Qt.CheckState.Checked
        self.session.set_override(index, row, None if checked == auto else checked)
        self.show_view(self.session.view(self.clock()))

    def _navigate(self, move: Callable[[datetime], object]) -> None:
        if self.session is None or self.session.finished:
            return
        now = self.clock()
        move(now)
        self._show_step_notes()
        self.show_view(self.session.view(now))
        self.autosave(now)  # a step change is always saved
        self.notes.setFocus()

    def next_step(self) -> None:
        if self.session is not None:
            self._navigate(self.session.next_step)

    def previous_step(self) -> None:
        if self.session is not None:
            self._navigate(self.session.previous_step)

    def jump(self, index: int) -> None:
        session = self.session
        if session is not None:
            self._navigate(lambda now: session.jump(index, now))

    def toggle_pause(self) -> None:
        session = self.session
        if session is None or session.finished:
            return
        now = self.clock()
        if session.paused:
            session.resume(now)
        else:
            session.pause(now)
        self.show_view(session.view(now))
        self.autosave(now, force=True)

    def ask_followup(self) -> None:
        if self.session is None:
            return
        question = self.session.followup(self.session.current)
        self.followup_text.setText(
            f"<i>Interviewer:</i> {html.escape(question)}" if question else
            "No more follow-ups for this step.")

    def finish(self) -> None:
        session = self.session
        if session is None:
            return
        now = self.clock()
        session.finish(now)
        self.timer.stop()
        try:
            saved.finish_interview(self.store, session, now)
        except AppError as error:
            # Stay on this screen: the notes are still in it, and Finish tries again (the
            # stored copy is the last autosave, still offered for resumption).
            self._say_not_saved(f"The interview is not saved as finished: {error.message} "
                                "Your notes are still here: press Finish interview again.")
            return
        self._say_not_saved("")
        self.show_summary(session.summary(), editable=True)

    def has_running_interview(self) -> bool:
        """Running, or finished but its final save failed (its screen is still up)."""
        session = self.session
        return session is not None and (not session.finished
                                        or self.stack.currentWidget() is self.running)

    def keep_for_later(self) -> bool:
        """Save and leave the running interview; it is offered again at the next start.

        False when the save failed: the person was told, and only the last save is kept.
        """
        session = self.session
        if session is None:
            return True
        now = self.clock()
        was_running = not session.paused
        if was_running:
            session.pause(now)
        self.timer.stop()
        try:
            saved.save_interview(self.store, session, now)
        except AppError as error:
            # Stay on the interview with everything typed: the window is not closed, and the
            # person can free space and close again, or copy the notes out.
            if was_running:
                session.resume(self.clock())
            self.timer.start()
            show_error(self, AppError(
                f"The interview could not be kept for later: {error.message} It stays open "
                "with your notes; free some space and close again, or copy your notes out."))
            return False
        self.session = None
        return True

    def discard(self) -> None:
        session = self.session
        self.timer.stop()
        if session is not None and session.interview_id is not None:
            saved.discard_interview(self.store, session.interview_id)
        self.session = None

    # --- summary ---------------------------------------------------------------------------------

    def _build_summary(self) -> QWidget:
        self.summary_page = QWidget()
        self.summary_title = QLabel(wordWrap=True)
        self.summary_title.setTextFormat(Qt.TextFormat.RichText)
        self.summary_table = QTableWidget(0, 4)
        self.summary_table.setHorizontalHeaderLabels(["Step", "Time / budget", "Rubric",
                                                      "Self-score"])
        self.summary_table.verticalHeader().setVisible(False)
        self.summary_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.summary_table.horizontalHeader()
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

        study = QPushButton("Study weak steps")
        study.setToolTip("Review the cards of the weakest steps now")
        study.clicked.connect(self.study_weak_steps)
        export = QPushButton("Export to Markdown…")
        export.clicked.connect(self.export_markdown)
        history = QPushButton("History…")
        history.clicked.connect(self.show_history)
        done = QPushButton("Back to outline")
        done.clicked.connect(self.on_close)
        buttons = QHBoxLayout()
        for button in (study, export, history):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(done)
        self.study_button = study

        layout = QVBoxLayout(self.summary_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary_title)
        layout.addWidget(self.summary_table, 1)
        layout.addWidget(self.overall)
        layout.addWidget(self.weakest)
        layout.addLayout(buttons)
        return self.summary_page

    def show_summary(self, summary: InterviewSummary, *, editable: bool) -> None:
        self.summary_data = summary
        self._summary_editable = editable
        minutes = summary.total_elapsed_s / 60
        self.summary_title.setText(
            f"<h2>{html.escape(summary.question.title)}</h2>"
            f"<p>{summary.started_at.astimezone(self.local):%Y-%m-%d %H:%M} · {minutes:.0f} of "
            f"{summary.budgets.total_minutes} min"
            + ("" if editable else " · read-only") + "</p>")
        self.summary_table.setRowCount(len(summary.steps))
        for row, step in enumerate(summary.steps):
            self.summary_table.setItem(row, 0, QTableWidgetItem(step.short_label))
            timing = QTableWidgetItem(f"{clock_text(step.elapsed_s)} / "
                                      f"{clock_text(step.budget_s)}")
            colour = {Level.SOFT: SOFT_COLOUR, Level.FIRM: FIRM_COLOUR}.get(step.level)
            if colour is not None:
                timing.setForeground(colour)
            self.summary_table.setItem(row, 1, timing)
            rubric = f"{sum(step.covered)}/{len(step.covered)}" if step.covered else "—"
            self.summary_table.setItem(row, 2, QTableWidgetItem(rubric))
            if step.is_step:
                combo = QComboBox()
                combo.addItem("–", None)
                for score, name in SCORE_NAMES.items():
                    combo.addItem(name, score)
                combo.setCurrentIndex(step.score or 0)
                combo.setEnabled(editable)
                combo.currentIndexChanged.connect(
                    lambda _i, r=row, c=combo: self._score_changed(r, c))
                self.summary_table.setCellWidget(row, 3, combo)
            else:
                self.summary_table.removeCellWidget(row, 3)
                self.summary_table.setItem(row, 3, QTableWidgetItem(""))
        self.overall.blockSignals(True)
        self.overall.setCurrentIndex(summary.overall or 0)
        self.overall.blockSignals(False)
        self.overall.setEnabled(editable)
        self._show_weakest(summary)
        self.stack.setCurrentWidget(self.summary_page)

    def _show_weakest(self, summary: InterviewSummary) -> None:
        names = [summary.steps[i].short_label for i in summary.weakest]
        self.weakest.setText("<b>Weakest steps:</b> " + html.escape(", ".join(names))
                             if names else "")
        self.study_button.setEnabled(bool(names))

    def _score_changed(self, row: int, combo: QComboBox) -> None:
        session = self.session
        if session is None or not self._summary_editable:
            return
        session.set_score(row, combo.currentData())
        self._resave_summary()

    def _overall_changed(self) -> None:
        session = self.session
        if session is None or not self._summary_editable:
            return
        session.set_overall(self.overall.currentData())
        self._resave_summary()

    def _resave_summary(self) -> None:
        session = self.session
        if session is None:
            return
        try:
            saved.finish_interview(self.store, session, self.clock())
        except AppError as error:
            show_error(self, error)
        self.summary_data = session.summary()
        self._show_weakest(self.summary_data)

    def study_weak_steps(self) -> None:
        if self.summary_data is None:
            return
        weak = [self.steps[i] for i in self.summary_data.weakest]
        self.on_study_steps(weak)

    def export_markdown(self, path: str | None = None) -> Path | None:
        if self.summary_data is None:
            return None
        if path is None:
            folder = str(self.settings.value("interview/export_folder", str(Path.home())))
            stamp = f"{self.summary_data.started_at.astimezone(self.local):%Y-%m-%d-%H%M}"
            path, _ = QFileDialog.getSaveFileName(
                self, "Export interview", str(Path(folder) / f"interview-{stamp}.md"),
                "Markdown (*.md)")
            if not path:
                return None
        target = Path(path)
        try:
            write_atomic(target, to_markdown(self.summary_data).encode("utf-8"))
        except OSError as error:
            show_error(self, AppError(f"Could not write {target}: {error.strerror or error}. "
                                      "Choose another folder."))
            return None
        self.settings.setValue("interview/export_folder", str(target.parent))
        return target

    # --- history ---------------------------------------------------------------------------------

    def _build_history(self) -> QWidget:
        self.history_page = QWidget()
        self.history_table = QTableWidget(0, 5)
        self.history_table.setHorizontalHeaderLabels(["Date", "Question", "Duration", "Overall",
                                                      "Rubric"])
        self.history_table.verticalHeader().setVisible(False)
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.history_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.history_table.cellActivated.connect(lambda row, _c: self.open_past(row))
        self.history_table.cellDoubleClicked.connect(lambda row, _c: self.open_past(row))
        self.trend = QTableWidget(0, 2)
        self.trend.setHorizontalHeaderLabels(["Step", "Self-scores, oldest → newest"])
        self.trend.verticalHeader().setVisible(False)
        self.trend.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.trend.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.trend.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
        self.history_empty = QLabel("No finished interviews yet: start one from "
                                    "Interview > New mock interview.")
        new = QPushButton("New interview")
        new.clicked.connect(self.show_setup)
        back = QPushButton("Back to outline")
        back.clicked.connect(self.on_close)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(new)
        layout = QVBoxLayout(self.history_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<h2>Interview history</h2>"))
        layout.addWidget(self.history_empty)
        layout.addWidget(self.history_table, 3)
        layout.addWidget(QLabel("<b>Score trend per step</b>"))
        layout.addWidget(self.trend, 2)
        layout.addLayout(buttons)
        return self.history_page

    def show_history(self) -> None:
        records = saved.history(self.store)
        self._history_ids = [r.id for r in records]
        self.history_table.setRowCount(len(records))
        for row, record in enumerate(records):
            overall = SCORE_NAMES.get(record.overall_score or 0, "–")
            coverage = "—" if record.coverage is None else f"{record.coverage:.0%}"
            started = record.started_at.astimezone(self.local)
            cells = [f"{started:%Y-%m-%d %H:%M}", record.question_title,
                     f"{record.duration_s / 60:.0f} min", overall, coverage]
            for column, text in enumerate(cells):
                self.history_table.setItem(row, column, QTableWidgetItem(text))
        self.history_empty.setVisible(not records)
        trend = saved.score_trend(self.store)
        steps = [s for s in self.steps if s.is_step]
        self.trend.setRowCount(len(steps))
        bars = {1: "▂", 2: "▄", 3: "▆", 4: "█"}
        for row, step in enumerate(steps):
            scores = trend.get(step.number, [])
            self.trend.setItem(row, 0, QTableWidgetItem(step.short_label))
            text = " ".join(f"{bars[s]}{s}" for s in scores) if scores else "no scores yet"
            self.trend.setItem(row, 1, QTableWidgetItem(text))
        self.stack.setCurrentWidget(self.history_page)
        self.history_table.setFocus()

    def open_past(self, row: int) -> None:
        if not 0 <= row < len(self._history_ids):
            return
        try:
            summary = saved.load_summary(self.store, self._history_ids[row],
                                         self.deck.questions, self.steps)
        except AppError as error:
            show_error(self, error)
            return
        self.session = None
        self.show_summary(summary, editable=False)


def ask_keep_or_discard(parent: QWidget) -> str:
    """'keep', 'discard' or 'cancel' for closing during a running interview."""
    box = QMessageBox(QMessageBox.Icon.Question, "Interview in progress",
                      "An interview is running. Keep it to resume later, or discard it?",
                      parent=parent)
    keep = box.addButton("Keep for later", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return "keep" if clicked is keep else "discard" if clicked is discard else "cancel"
