"""The mock-interview page: switches between the four screens and connects them to the store."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QFileDialog, QVBoxLayout, QWidget

import app.db.interviews as saved
from app.db.settings import load_settings, remember_interview_minutes
from app.db.store import Store
from app.errors import AppError
from app.files import write_atomic
from app.interview.budgets import Budgets, check_fits, default_budgets
from app.interview.flow import InterviewPlan, even_budgets, interview_plan
from app.interview.questions import deal_question
from app.interview.report import InterviewSummary, finish_early_reason, to_markdown
from app.interview.review import StepReview, missed_topics, review_steps
from app.interview.session import TICK, InterviewSession
from app.interview.steps import StepInfo, interview_steps, notes_template
from app.model import Deck, TopicId
from app.ui.errors import show_error
from app.ui.interview.display import confirm, least_height
from app.ui.interview.history import HistoryScreen
from app.ui.interview.running import RunningScreen
from app.ui.interview.setup import SetupScreen
from app.ui.interview.summary import SummaryScreen
from app.ui.pages import PageStack


class InterviewPage(QWidget):
    """Set up, run and review mock interviews; ``on_close`` returns to the outline.

    The session (app/interview/session.py) decides everything and is driven with ``now``; a
    QTimer only ticks it once a second. Notes are autosaved when the session says so (at most
    every 5 s and at each step change). The screens only show values and report what the
    person does; this page changes the session and saves it.
    """

    def __init__(self, store: Store, deck: Deck, clock: Callable[[], datetime],
                 settings: QSettings, on_close: Callable[[], None],
                 on_study_steps: Callable[[list[StepInfo], str], None],
                 parent: QWidget | None = None, local: tzinfo | None = None,
                 decks: Sequence[Deck] = ()) -> None:
        super().__init__(parent)
        self.local = local  # the zone dates are shown in (None: the system's)
        self.store = store
        # ``deck`` is the built-in flow's; ``decks`` those the set-up offers (``deck`` first).
        self.flow = deck
        self.decks = tuple(decks) or (deck,)
        # The built-in deck is the flow by definition, whatever its titles.
        self.plan = InterviewPlan(deck, interview_steps(deck), deck.questions, True)
        self.deck = deck
        self.clock = clock
        self.settings = settings
        self.on_close = on_close
        self.on_study_steps = on_study_steps
        self.steps = self.plan.steps
        self.session: InterviewSession | None = None
        self.summary_data: InterviewSummary | None = None
        self.reviews: tuple[StepReview, ...] = ()
        self.past_id: int | None = None  # the interview reviewed from the history
        self.rng = random.Random()

        self.setup = self._build_setup()
        self.running = self._build_running()
        self.summary = self._build_summary()
        self.history = self._build_history()
        self.stack = PageStack()  # sized by the screen shown, not the largest one
        for screen in (self.setup, self.running, self.summary, self.history):
            self.stack.addWidget(screen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.stack)

        self.timer = QTimer(self)
        self.timer.setInterval(int(TICK / timedelta(milliseconds=1)))
        self.timer.timeout.connect(self.tick)

    def heightForWidth(self, width: int) -> int:
        # The shown screen's least height: the window scrolls only when shorter than that.
        return least_height(self, self.stack, width)

    # --- the screens -----------------------------------------------------------------------------

    def _build_setup(self) -> SetupScreen:
        setup = SetupScreen(self.deck.questions, self.steps, self._load_budgets,
                            deck_titles=[deck.title for deck in self.decks])
        setup.deck_chosen.connect(self.choose_deck)
        setup.default_budgets = self._default_budgets
        setup.start_requested.connect(self.start)
        setup.deal_requested.connect(self.deal)
        setup.history_requested.connect(self.show_history)
        setup.back_requested.connect(self.on_close)
        return setup

    def _build_running(self) -> RunningScreen:
        running = RunningScreen(self.steps)
        running.next_requested.connect(self.next_step)
        running.previous_requested.connect(self.previous_step)
        running.jump_requested.connect(self.jump)
        running.pause_requested.connect(self.toggle_pause)
        running.finish_requested.connect(self.confirm_finish)
        running.followup_requested.connect(self.ask_followup)
        running.notes_edited.connect(self._notes_edited)
        running.rubric_ticked.connect(self._rubric_ticked)
        return running

    def _build_summary(self) -> SummaryScreen:
        summary = SummaryScreen(self.local)
        summary.score_changed.connect(self._score_changed)
        summary.overall_changed.connect(self._overall_changed)
        summary.study_requested.connect(self.study_weak_steps)
        summary.study_missed_requested.connect(self.study_missed)
        summary.topic_requested.connect(self.study_topic)
        summary.export_requested.connect(self.export_markdown)
        summary.history_requested.connect(self.show_history)
        summary.delete_requested.connect(
            lambda: self.delete_past(self.past_id) if self.past_id is not None else None)
        summary.back_requested.connect(self.leave_review)
        return summary

    def _build_history(self) -> HistoryScreen:
        history = HistoryScreen(self.local)
        history.open_requested.connect(self.open_past)
        history.delete_requested.connect(self.delete_past)
        history.new_requested.connect(self.show_setup)
        history.back_requested.connect(self.on_close)
        return history

    # --- set-up ----------------------------------------------------------------------------------

    def show_setup(self) -> None:
        # The last length run, or the one set in Settings.
        self.setup.prepare(load_settings(self.store).interview.minutes)
        self.stack.setCurrentWidget(self.setup)
        self.setup.setFocus()

    def choose_deck(self, index: int) -> None:
        """Interview on ``self.decks[index]``: the flow's rubric on its steps if they are the
        flow's, else even time budgets and no rubric (the set-up says so)."""
        if not 0 <= index < len(self.decks):
            return
        self.plan = interview_plan(self.decks[index], self.flow)
        self.deck = self.plan.deck
        self.steps = self.plan.steps
        self.setup.show_deck(self.plan.questions, self.steps, self.plan.note,
                             remembered=self.plan.follows_flow)

    def use_deck_of(self, interview_id: int) -> None:
        """Run or show the stored interview ``interview_id`` on the deck it was held on (the
        built-in one when that deck is gone)."""
        records = [*saved.unfinished_interviews(self.store), *saved.history(self.store)]
        deck_id = next((r.deck_id for r in records if r.id == interview_id), None)
        index = next((i for i, deck in enumerate(self.decks) if deck.id == deck_id), 0)
        if self.setup.deck_box.currentIndex() != index:
            self.setup.deck_box.setCurrentIndex(index)  # choose_deck follows

    def _default_budgets(self, minutes: int) -> Budgets:
        """The preset split on the flow's steps; even budgets on another deck's."""
        if self.plan.follows_flow:
            return default_budgets(minutes)
        return even_budgets(minutes, self.steps)

    def _load_budgets(self, minutes: int) -> Budgets:
        """The split remembered for the flow's steps (another deck's is never remembered)."""
        return (saved.load_budgets(self.store, minutes) if self.plan.follows_flow
                else self._default_budgets(minutes))

    def deal(self) -> None:
        if not self.plan.questions:
            return
        question = deal_question(self.plan.questions, saved.category_counts(self.store),
                                 self.rng)
        self.setup.select_question(question.id)

    def start(self) -> None:
        question = self.setup.selected_question()
        if question is None:
            return
        try:
            budgets = self.setup.current_budgets()
            check_fits(budgets, self.steps)  # before it is remembered
            if self.plan.follows_flow:  # the remembered split is the flow's steps'
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

    def run(self, session: InterviewSession) -> None:
        """Show the running screen for a new or resumed session."""
        self.session = session
        # The steps as this question runs them: its own follow-ups and rubric items added.
        self.running.steps = session.steps
        self.running.begin(session.question)
        self.stack.setCurrentWidget(self.running)
        self._show_step_notes()
        self.running.show_view(session.tick(self.clock()))
        self.timer.start()
        self.running.setFocus()

    def tick(self) -> None:
        if self.session is None or self.session.finished:
            self.timer.stop()
            return
        now = self.clock()
        self.running.show_view(self.session.tick(now))
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
                self.running.say_not_saved(f"Your notes are not saved: {error.message} They "
                                           "stay here, and saving is retried every second.")
                return
            self.running.say_not_saved("")

    def _show_step_notes(self) -> None:
        session = self.session
        if session is None:
            return
        view = session.view(self.clock())
        self.running.show_notes(view.steps[view.current].notes,
                                notes_template(session.steps[view.current]))

    def _notes_edited(self, text: str) -> None:
        if self.session is None:
            return
        now = self.clock()
        self.session.set_notes(self.session.current, text, now)
        self.running.show_view(self.session.view(now))

    def _rubric_ticked(self, row: int, checked: bool) -> None:
        if self.session is None:
            return
        index = self.session.current
        auto = self.session.view(self.clock()).steps[index].auto_covered[row]
        self.session.set_override(index, row, None if checked == auto else checked)
        self.running.show_view(self.session.view(self.clock()))

    def _navigate(self, move: Callable[[datetime], object]) -> None:
        if self.session is None or self.session.finished:
            return
        now = self.clock()
        move(now)
        self._show_step_notes()
        self.running.show_view(self.session.view(now))
        self.autosave(now)  # a step change is always saved
        self.running.setFocus()

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
        self.running.show_view(session.view(now))
        self.autosave(now, force=True)

    def ask_followup(self) -> None:
        if self.session is not None:
            self.running.show_followup(self.session.followup(self.session.current))
            self.running.notes.setFocus()  # the answer is typed next, not another press

    def confirm_finish(self) -> None:
        """Finish, after asking when time is left or steps were never opened."""
        session = self.session
        reason = ("" if session is None else
                  finish_early_reason(session.view(self.clock()), session.budgets.total_minutes))
        if reason and not confirm(self, "Finish the interview?",
                                  f"{reason[0].upper()}{reason[1:]}. Finish the interview "
                                  "now and go to the review?", "Finish"):
            self.running.setFocus()
            return
        self.finish()

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
            self.running.say_not_saved(f"The interview is not saved as finished: "
                                       f"{error.message} Your notes are still here: press "
                                       "Finish interview again.")
            return
        self.running.say_not_saved("")
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

    def show_summary(self, summary: InterviewSummary, *, editable: bool) -> None:
        self.summary_data = summary
        self.reviews = review_steps(summary, self.steps, self.deck)
        if editable:
            self.past_id = None
        self.summary.show_summary(summary, editable=editable, reviews=self.reviews)
        self.stack.setCurrentWidget(self.summary)
        self.summary.setFocus()

    def leave_review(self) -> None:
        """Back to the history for an interview opened from it, else to the outline."""
        if self.past_id is not None:
            self.show_history()
        else:
            self.on_close()

    def _score_changed(self, index: int, score: int | None) -> None:
        if self.session is not None:
            self.session.set_score(index, score)
            self._resave_summary()

    def _overall_changed(self, score: int | None) -> None:
        if self.session is not None:
            self.session.set_overall(score)
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
        self.reviews = review_steps(self.summary_data, self.steps, self.deck)
        self.summary.show_weakest(self.summary_data)
        # The step shown says its new score too.
        self.summary.reviews = tuple(self.reviews)
        self.summary.show_step(self.summary.table.currentRow())

    def study_weak_steps(self) -> None:
        if self.summary_data is None:
            return
        weak = [self.steps[i] for i in self.summary_data.weakest]
        self.on_study_steps(weak, "weak steps")

    def study_missed(self) -> None:
        """Review the cards of the topics that teach the criteria missed."""
        self.study_topics(list(missed_topics(self.reviews)))

    def study_topic(self, topic: str) -> None:
        """Review the cards of one topic a criterion links to."""
        title = next((t.title for t, _ in self.deck.walk() if t.id == topic), topic)
        self.study_topics([TopicId(topic)], title)

    def study_topics(self, topics: list[TopicId], what: str = "what I missed") -> None:
        """Review the cards of ``topics`` and their subtopics; ``what`` names them."""
        # Each topic as a step to study, so the window's "Study weak steps" path studies
        # its cards (and those of its subtopics).
        found = {topic.id: (topic.title, next((a.step for a in (topic, *reversed(above))
                                                if a.step), 0))
                 for topic, above in self.deck.walk()}
        chosen = sorted((StepInfo(found[t][1], found[t][0], t, (), (), ()) for t in topics
                         if t in found), key=lambda step: step.number)
        if chosen:
            self.on_study_steps(chosen, what)

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
            write_atomic(target, to_markdown(self.summary_data, self.reviews).encode("utf-8"))
        except OSError as error:
            show_error(self, AppError(f"Could not write {target}: {error.strerror or error}. "
                                      "Choose another folder."))
            return None
        self.settings.setValue("interview/export_folder", str(target.parent))
        return target

    # --- history ---------------------------------------------------------------------------------

    def show_history(self) -> None:
        self.history.show_history(saved.history(self.store), saved.score_trend(self.store),
                                  self.steps)
        self.stack.setCurrentWidget(self.history)
        self.history.setFocus()

    def open_past(self, interview_id: int) -> None:
        self.use_deck_of(interview_id)
        try:
            summary = saved.load_summary(self.store, interview_id, self.deck.questions,
                                         self.steps)
        except AppError as error:
            show_error(self, error)
            return
        self.session = None
        self.show_summary(summary, editable=False)
        self.past_id = interview_id

    def delete_past(self, interview_id: int) -> None:
        """Delete a finished interview, after asking and after a backup of the database."""
        title = next((r.question_title for r in saved.history(self.store)
                      if r.id == interview_id), "this interview")
        if not confirm(self, "Delete interview?",
                       f"Delete the mock interview “{title}” with its notes and scores? A "
                       "backup of the database is made first (File > Restore backup… brings "
                       "it back).", "Delete"):
            return
        data_dir = self.store.path.parent if self.store.path is not None else None
        try:
            saved.delete_interview(self.store, interview_id, data_dir, self.clock())
        except AppError as error:
            show_error(self, error)
            return
        self.past_id = None
        self.show_history()
