"""The mock-interview screens driven from the keyboard, against a real store and a fake clock."""

from __future__ import annotations

import html
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from shared import FakeClock

import app.ui.interview.page as interview_page
import app.ui.main_window as main_window
from app.db import interviews as interview_store
from app.db.store import Store
from app.decks.tree import find
from app.errors import AppError, StoreError
from app.interview.budgets import default_budgets
from app.interview.questions import deal_question
from app.interview.steps import SEGMENTS, notes_template
from app.model import STEP_COUNT
from app.ui.app import open_data
from app.ui.interview.display import FIRM_COLOUR, SOFT_COLOUR, clock_text
from app.ui.interview.page import InterviewPage
from app.ui.main_window import MainWindow, settings_for

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
PRESETS = {
    30: (4, 2, 2, 3, 3, 7, 3, 2, 3, 1),
    45: (6, 3, 3, 5, 5, 10, 4, 3, 4, 2),
    60: (7, 4, 4, 6, 6, 13, 5, 4, 7, 4),
}
DECK = "ml-system-design"
VIDEO = "q-video-recommendation"
STEP1_GOAL = "Business goal: grow long-term engagement"  # rubric item 0 of s1: "engagement"
STEP1_SCALE = "Scale: 100 million DAU"  # rubric item 1 of s1: "million", "dau"
STEP2_HEADINGS = ("## Offline metrics", "## Online metrics", "## Trade-offs b/w metrics")


class Windows:
    """Opens main windows on one data folder; each closes (keeping any interview) at the end."""

    def __init__(self, qtbot: QtBot, data_dir: Path, clock: FakeClock) -> None:
        self.qtbot = qtbot
        self.data_dir = data_dir
        self.clock = clock
        self.stores: list[Store] = []

    def open(self, *, crashes: bool = False) -> MainWindow:
        """A shown window; one that ``crashes`` is not handed to qtbot, which would close it."""
        store, report = open_data(self.data_dir)
        self.stores.append(store)
        window = MainWindow(store, report, settings_for(self.data_dir), clock=self.clock,
                            local=UTC)
        window.ask_interview_close = lambda _parent: "keep"  # never a modal box in a test
        if not crashes:
            self.qtbot.addWidget(window, before_close_func=_keep_on_close)
        # Menu shortcuts (Ctrl+I, Ctrl+H) reach only the active window; offscreen, showing a
        # window does not always activate it.
        with self.qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        return window

    def close(self, window: MainWindow) -> bool:
        """Close as a person does (through closeEvent); the store closes with the window."""
        closed = window.close()
        if closed:
            window.store.close()
        return closed

    def crash(self, window: MainWindow) -> None:
        """Gone without closeEvent: no keep/discard question, no final save."""
        if window.interview is not None:
            window.interview.timer.stop()
        window.store.close()
        shiboken6.delete(window)

    def close_all(self) -> None:
        for store in self.stores:
            store.close()


def _keep_on_close(window: QWidget) -> None:
    if isinstance(window, MainWindow):
        window.ask_interview_close = lambda _parent: "keep"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Error messages shown, instead of a modal box; a test that expects one empties the list."""
    shown: list[str] = []

    def record(_parent: QWidget | None, error: AppError, title: str = "MLSD Study") -> None:
        shown.append(error.message)

    monkeypatch.setattr(interview_page, "show_error", record)
    monkeypatch.setattr(main_window, "show_error", record)
    yield shown
    assert shown == [], "unexpected error messages"


@pytest.fixture
def windows(qtbot: QtBot, data_dir: Path, clock: FakeClock,
            errors: list[str]) -> Iterator[Windows]:
    opened = Windows(qtbot, data_dir, clock)
    yield opened
    opened.close_all()


@pytest.fixture
def window(windows: Windows) -> MainWindow:
    return windows.open()


# --- helpers -------------------------------------------------------------------------------------

def button(parent: QWidget, text: str) -> QPushButton:
    found = [b for b in parent.findChildren(QPushButton) if b.text() == text]
    assert len(found) == 1, f"{len(found)} buttons say {text!r}"
    return found[0]


def click(qtbot: QtBot, widget: QPushButton) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.text()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def open_setup(qtbot: QtBot, window: MainWindow) -> InterviewPage:
    qtbot.keyClick(window, Qt.Key.Key_I, CTRL)
    page = window.interview
    assert page is not None and window.pages.currentWidget() is page
    assert page.stack.currentWidget() is page.setup
    return page


def start(qtbot: QtBot, window: MainWindow, question_id: str = VIDEO) -> InterviewPage:
    page = open_setup(qtbot, window)
    page.setup.select_question(question_id)
    qtbot.keyClick(page.setup.question_tree, Qt.Key.Key_Return, CTRL)
    assert page.stack.currentWidget() is page.running
    assert page.session is not None and page.session.question.id == question_id
    return page


def type_line(qtbot: QtBot, page: InterviewPage, text: str) -> None:
    qtbot.keyClicks(page.running.notes, text)
    qtbot.keyClick(page.running.notes, Qt.Key.Key_Return)


def checked(page: InterviewPage) -> list[bool]:
    return [page.running.rubric.item(row).checkState() == Qt.CheckState.Checked
            for row in range(page.running.rubric.count())]


def ticked(rubric_size: int, *rows: int) -> list[bool]:
    """The rubric's check states with only ``rows`` ticked."""
    return [row in rows for row in range(rubric_size)]


def spins(page: InterviewPage) -> tuple[int, ...]:
    return tuple(spin.value() for spin in page.setup.budget_spins)


def elapsed(page: InterviewPage, index: int, clock: FakeClock) -> float:
    assert page.session is not None
    return page.session.elapsed_s(index, clock())


def score_combo(page: InterviewPage, row: int) -> QComboBox:
    combo = page.summary.table.cellWidget(row, 3)
    assert isinstance(combo, QComboBox)
    return combo


def topics_under(window: MainWindow, topic: str) -> set[str]:
    node = find(window.model.roots, f"{DECK}/{topic}")
    assert node is not None
    return {n.topic_id for n in node.walk() if n.topic_id is not None}


def stored_steps(data_dir: Path) -> dict[int, tuple[str, int, int | None]]:
    """Step number -> (notes, elapsed_ms, score) of the only interview, read by a second
    connection (so only what is committed)."""
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        rows = conn.execute("SELECT step, notes, elapsed_ms, score FROM interview_steps").fetchall()
    return {step: (notes, ms, score) for step, notes, ms, score in rows}


def statuses(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        return [s for (s,) in conn.execute("SELECT status FROM interviews ORDER BY id")]


# --- 1. the whole interview from the keyboard ----------------------------------------------------

def test_an_interview_end_to_end_from_the_keyboard(qtbot: QtBot, window: MainWindow,
                                                   clock: FakeClock, data_dir: Path) -> None:
    page = open_setup(qtbot, window)
    first = page.setup.selected_question()
    assert first is not None and page.setup.start_button.isEnabled()
    assert first.title in page.setup.question_prompt.toPlainText()
    assert page.setup.duration_buttons.checkedId() == 45
    assert spins(page) == PRESETS[45]
    assert page.setup.budget_total.text() == "Total: 45 min"

    questions = page.deck.questions
    seed = next(s for s in range(100)
                if deal_question(questions, {}, random.Random(s)).id != first.id)
    dealt = deal_question(questions, {}, random.Random(seed))
    page.rng = random.Random(seed)
    click(qtbot, button(page.setup, "Deal me a question"))
    chosen = page.setup.selected_question()
    assert chosen == dealt and dealt.title in page.setup.question_prompt.toPlainText()

    qtbot.keyClick(page.setup.question_tree, Qt.Key.Key_Return, CTRL)
    session = page.session
    assert session is not None and session.question == dealt
    assert page.stack.currentWidget() is page.running and page.running.notes.hasFocus()
    assert page.running.step_title.text() == "Step 1 · Problem Formulation"
    assert page.running.step_clock.text() == "6:00"
    assert page.running.total_clock.text() == "Total left 45:00"
    assert page.running.status.text() == ""

    # Step 1: the rubric ticks itself as the notes name what it listens for.
    rubric1, rubric2 = len(session.steps[0].rubric), len(session.steps[1].rubric)
    assert rubric1 > 2 and rubric2 > 0 and page.running.rubric.count() == rubric1
    assert checked(page) == ticked(rubric1)
    type_line(qtbot, page, STEP1_GOAL)
    assert checked(page) == ticked(rubric1, 0)
    qtbot.keyClicks(page.running.notes, STEP1_SCALE)
    assert checked(page) == ticked(rubric1, 0, 1)
    assert page.running.step_list.item(0).text().endswith(f"✓2/{rubric1}")
    step1_notes = f"{STEP1_GOAL}\n{STEP1_SCALE}"
    assert session.notes(0) == step1_notes
    clock.advance(90)
    page.tick()
    assert page.running.step_clock.text() == "4:30"
    assert page.running.total_clock.text() == "Total left 43:30"

    # Step 2: an empty editor whose placeholder is the step's outline; headings earn nothing.
    qtbot.keyClick(page.running.notes, Qt.Key.Key_Right, CTRL)
    assert session.current == 1, "Ctrl+Right in the notes did not move to step 2"
    assert page.running.step_title.text() == "Step 2 · Metrics (Offline and Online)"
    assert page.running.notes.toPlainText() == ""
    placeholder = page.running.notes.placeholderText()
    assert placeholder == notes_template(session.steps[1])
    assert "## Offline metrics" in placeholder and "## Online metrics" in placeholder
    assert page.running.notes.hasFocus()
    for heading in STEP2_HEADINGS:
        type_line(qtbot, page, heading)
    assert session.notes(1) == "\n".join(STEP2_HEADINGS) + "\n"
    assert checked(page) == ticked(rubric2)

    # The clock: under budget, then a soft warning past 100%, a firm one past 150%.
    clock.advance(179)
    page.tick()
    assert page.running.status.text() == "" and page.running.step_clock.text() == "0:01"
    clock.advance(2)
    page.tick()
    assert page.running.status.text() == ("Step 2 Metrics (Offline and Online) is over its 3 "
                                          "min budget")
    assert page.running.step_clock.text() == "-0:01"
    assert page.running.step_list.item(1).foreground().color() == SOFT_COLOUR
    clock.advance(90)
    page.tick()
    assert page.running.status.text() == ("Step 2 Metrics (Offline and Online) is 50% over its "
                                          "3 min budget: move on")
    assert page.running.step_clock.text() == "-1:31"
    assert page.running.step_list.item(1).foreground().color() == FIRM_COLOUR
    assert elapsed(page, 1, clock) == 271

    # Ctrl+P: no time accrues while paused.
    qtbot.keyClick(page.running.notes, Qt.Key.Key_P, CTRL)
    assert session.paused and page.running.step_title.text().endswith("(paused)")
    assert page.running.pause_button.text() == "Resume"
    clock.advance(600)
    page.tick()
    assert elapsed(page, 1, clock) == 271 and page.running.step_clock.text() == "-1:31"
    qtbot.keyClick(page.running.notes, Qt.Key.Key_P, CTRL)
    assert not session.paused and page.running.pause_button.text() == "Pause"
    clock.advance(9)
    page.tick()
    assert elapsed(page, 1, clock) == 280

    # Ctrl+Left: back on step 1, its notes as they were.
    qtbot.keyClick(page.running.notes, Qt.Key.Key_Left, CTRL)
    assert session.current == 0, "Ctrl+Left in the notes did not move back to step 1"
    assert page.running.notes.toPlainText() == step1_notes
    assert checked(page) == ticked(rubric1, 0, 1)
    assert elapsed(page, 0, clock) == 90
    clock.advance(30)
    page.tick()
    assert elapsed(page, 0, clock) == 120 and elapsed(page, 1, clock) == 280

    # Follow-ups: each once, then none left.
    ask = button(page.running, "Ask me a follow-up")
    asked: list[str] = []
    for _ in session.steps[0].followups:
        click(qtbot, ask)
        text = page.running.followup_text.text()
        assert text.startswith("<i>Interviewer:</i> ")
        asked.append(text.removeprefix("<i>Interviewer:</i> "))
    assert len(set(asked)) == len(asked) == len(session.steps[0].followups) > 1
    assert set(asked) == {html.escape(f) for f in session.steps[0].followups}
    click(qtbot, ask)
    assert page.running.followup_text.text() == "No more follow-ups for this step."

    # Ticking by hand beats the notes, until the tick agrees with them again.
    page.running.rubric.setFocus()
    page.running.rubric.setCurrentRow(0)
    qtbot.keyClick(page.running.rubric, Qt.Key.Key_Space)
    assert checked(page)[0] is False
    assert page.running.rubric.item(0).text().endswith("(unticked by hand)")
    last = rubric1 - 1
    page.running.rubric.setCurrentRow(last)
    qtbot.keyClick(page.running.rubric, Qt.Key.Key_Space)
    assert checked(page)[last] is True
    assert page.running.rubric.item(last).text().endswith("(ticked by hand)")
    page.running.notes.setFocus()
    page.running.notes.moveCursor(page.running.notes.textCursor().MoveOperation.End)
    qtbot.keyClicks(page.running.notes, ", retention too")  # the notes still say "engagement"
    assert checked(page) == ticked(rubric1, 1, last)
    assert page.running.step_list.item(0).text().endswith(f"✓2/{rubric1}")

    # Finish: the summary shows time against budget and coverage per step.
    click(qtbot, button(page.running, "Finish interview"))
    assert page.stack.currentWidget() is page.summary
    assert dealt.title in page.summary.title.text()
    table = page.summary.table
    assert table.rowCount() == SEGMENTS
    assert table.item(0, 1).text() == "2:00 / 6:00" and table.item(0, 2).text() == f"2/{rubric1}"
    assert table.item(1, 1).text() == "4:40 / 3:00" and table.item(1, 2).text() == f"0/{rubric2}"
    assert table.item(1, 1).foreground().color() == FIRM_COLOUR
    assert table.item(2, 1).text() == "0:00 / 3:00"
    assert table.item(9, 0).text() == "Wrap-up" and table.item(9, 2).text() == "—"
    assert table.cellWidget(9, 3) is None
    for row in range(9):
        combo = score_combo(page, row)
        assert combo.isEnabled() and combo.currentData() is None
    assert page.summary.overall.isEnabled()
    assert statuses(data_dir) == ["finished"]

    # Weakest: the least covered, the step furthest over budget first; scores move them.
    assert page.summary_data is not None and page.summary_data.weakest == (1, 2, 7)
    assert page.summary.weakest.text().startswith("<b>Weakest steps:</b> 2. Metrics")
    for row in (1, 2, 7):
        score_combo(page, row).setCurrentIndex(4)  # 4 strong
    page.summary.overall.setCurrentIndex(3)
    assert page.summary_data.weakest == (6, 8, 3)
    assert page.summary.weakest.text() == (
        "<b>Weakest steps:</b> 7. Prediction Service, 9. Scaling, Monitoring, and Updates, "
        "4. Data Collection and Preparation")
    assert stored_steps(data_dir)[2][2] == 4
    assert interview_store.history(window.store)[0].overall_score == 3

    # Study weak steps: a review of the cards under those steps.
    click(qtbot, button(page.summary, "Study weak steps"))
    review = window.review
    assert window.pages.currentWidget() is review
    assert review.title.text() == "Studying: weak steps (Step 7, Step 9, Step 4)"
    assert review.view is not None and review.view.card is not None
    subtree = {t for topic in ("s7", "s9", "s4") for t in topics_under(window, topic)}
    assert review.view.card.topic_id in subtree


def test_clicking_a_step_jumps_there_and_the_ends_disable_their_buttons(
        qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    page = start(qtbot, window)
    session = page.session
    assert session is not None
    running = page.running
    assert not running.previous_button.isEnabled() and running.next_button.isEnabled()
    assert running.followup_button.isEnabled()  # step 1 has follow-ups
    clock.advance(20)
    wrap_up = running.step_list.item(SEGMENTS - 1)
    qtbot.mouseClick(running.step_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=running.step_list.visualItemRect(wrap_up).center())
    assert session.current == SEGMENTS - 1 and running.notes.hasFocus()
    assert running.step_title.text() == "Wrap-up"
    assert running.previous_button.isEnabled() and not running.next_button.isEnabled()
    assert not running.followup_button.isEnabled()  # the wrap-up has none
    assert running.step_list.item(0).text() == (
        f"{session.steps[0].short_label}\n0:20 / 6:00  ✓0/{len(session.steps[0].rubric)}")
    assert wrap_up.text() == "Wrap-up\n0:00 / 2:00" and wrap_up.font().bold()
    assert not running.step_list.item(0).font().bold()
    qtbot.keyClick(running.notes, Qt.Key.Key_Right, CTRL)  # at the wrap-up: stays
    assert session.current == SEGMENTS - 1
    click(qtbot, running.previous_button)  # a click moves, and the notes keep the keyboard
    assert session.current == SEGMENTS - 2 and running.notes.hasFocus()


# --- 2. budgets ----------------------------------------------------------------------------------

def test_presets_and_a_custom_duration(qtbot: QtBot, window: MainWindow) -> None:
    page = open_setup(qtbot, window)
    for minutes in (30, 60, 45):
        qtbot.mouseClick(page.setup.duration_buttons.button(minutes), Qt.MouseButton.LeftButton)
        assert spins(page) == PRESETS[minutes]
        assert page.setup.budget_total.text() == f"Total: {minutes} min"
        assert not page.setup.custom_minutes.isEnabled()
    qtbot.mouseClick(page.setup.duration_buttons.button(0), Qt.MouseButton.LeftButton)
    assert page.setup.duration_buttons.checkedId() == 0
    assert page.setup.custom_minutes.isEnabled()
    page.setup.custom_minutes.setValue(90)
    assert spins(page) == default_budgets(90).minutes
    assert sum(spins(page)) == 90 and page.setup.budget_total.text() == "Total: 90 min"
    assert spins(page)[5] == max(spins(page))  # model development stays the longest step
    assert all(b >= a for a, b in zip(PRESETS[45], spins(page), strict=True))
    page.setup.custom_minutes.setValue(12)
    assert sum(spins(page)) == 12 and min(spins(page)) >= 1


def test_an_edited_split_is_remembered_for_its_duration(qtbot: QtBot, window: MainWindow,
                                                        clock: FakeClock) -> None:
    page = open_setup(qtbot, window)
    model_dev = page.setup.budget_spins[5]
    model_dev.setFocus()
    qtbot.keyClick(model_dev, Qt.Key.Key_Up)
    qtbot.keyClick(model_dev, Qt.Key.Key_Up)
    assert model_dev.value() == 12 and page.setup.budget_total.text() == "Total: 47 min"
    qtbot.keyClick(model_dev, Qt.Key.Key_Return, CTRL)
    session = page.session
    assert session is not None
    assert session.budgets.minutes == (6, 3, 3, 5, 5, 12, 4, 3, 4, 2)
    assert session.budgets.total_minutes == 47
    assert page.running.total_clock.text() == "Total left 47:00"
    clock.advance(60)
    page.finish()

    page = open_setup(qtbot, window)
    assert page.setup.duration_buttons.checkedId() == 0 and page.setup.custom_minutes.value() == 47
    assert spins(page) == (6, 3, 3, 5, 5, 12, 4, 3, 4, 2)
    assert page.setup.budget_total.text() == "Total: 47 min"
    qtbot.mouseClick(page.setup.duration_buttons.button(45), Qt.MouseButton.LeftButton)
    assert spins(page) == PRESETS[45]  # the preset itself is untouched

    # A split that keeps the total is remembered for the duration chosen.
    page.setup.budget_spins[0].setValue(8)
    page.setup.budget_spins[5].setValue(8)
    click(qtbot, page.setup.start_button)
    page.finish()
    page = open_setup(qtbot, window)
    assert page.setup.duration_buttons.checkedId() == 45
    assert spins(page) == (8, 3, 3, 5, 5, 8, 4, 3, 4, 2)
    click(qtbot, button(page.setup, "Reset to defaults"))
    assert spins(page) == PRESETS[45]


def test_a_step_without_minutes_is_refused(qtbot: QtBot, window: MainWindow,
                                           errors: list[str]) -> None:
    page = open_setup(qtbot, window)
    page.setup.budget_spins[9].setValue(0)
    qtbot.keyClick(page.setup.question_tree, Qt.Key.Key_Return, CTRL)
    assert errors == ["every step of an interview needs at least 1 minute"]
    errors.clear()
    assert page.session is None and page.stack.currentWidget() is page.setup
    assert interview_store.unfinished_interviews(window.store) == []


# --- 3. autosave and resume after a crash --------------------------------------------------------

def _crashed_interview(qtbot: QtBot, windows: Windows, clock: FakeClock,
                       data_dir: Path) -> None:
    """An interview on step 2, autosaved, then the process dies."""
    window = windows.open(crashes=True)
    page = start(qtbot, window)
    type_line(qtbot, page, STEP1_GOAL)
    clock.advance(20)
    qtbot.keyClick(page.running.notes, Qt.Key.Key_Right, CTRL)  # a step change saves at once
    qtbot.keyClicks(page.running.notes, "Offline: recall@100 and nDCG@10")
    clock.advance(3)
    page.tick()
    assert stored_steps(data_dir)[2][0] == "", "saved before 4 s passed"
    clock.advance(3)
    page.tick()  # 6 s since the step change: saved (due one 1-s tick short of 5 s)
    saved = stored_steps(data_dir)
    assert saved[1] == (f"{STEP1_GOAL}\n", 20_000, None)
    assert saved[2] == ("Offline: recall@100 and nDCG@10", 6_000, None)
    qtbot.keyClicks(page.running.notes, ", log loss")  # typed after the last save: lost
    clock.advance(3)
    windows.crash(window)
    clock.advance(3600)  # the app is restarted an hour later


def test_resume_after_a_crash(qtbot: QtBot, windows: Windows, clock: FakeClock,
                              data_dir: Path) -> None:
    _crashed_interview(qtbot, windows, clock, data_dir)
    window = windows.open()
    assert window.resume_bar.isVisible()
    assert "Video recommendation (Netflix, YouTube)" in window.resume_text.text()
    window.resume_interview()
    page = window.interview
    assert page is not None and window.pages.currentWidget() is page
    assert page.stack.currentWidget() is page.running
    assert not window.resume_bar.isVisible()
    session = page.session
    assert session is not None and session.paused and session.current == 1
    assert page.running.notes.toPlainText() == "Offline: recall@100 and nDCG@10"
    assert session.notes(0) == f"{STEP1_GOAL}\n"
    assert page.running.step_title.text() == "Step 2 · Metrics (Offline and Online)  (paused)"
    assert elapsed(page, 0, clock) == 20 and elapsed(page, 1, clock) == 6
    assert page.running.step_clock.text() == "2:54"
    clock.advance(120)
    page.tick()
    assert elapsed(page, 1, clock) == 6  # paused until the person resumes
    qtbot.keyClick(page.running.notes, Qt.Key.Key_P, CTRL)
    clock.advance(10)
    page.tick()
    assert elapsed(page, 1, clock) == 16
    qtbot.keyClick(page.running.notes, Qt.Key.Key_Left, CTRL)
    assert page.running.notes.toPlainText() == f"{STEP1_GOAL}\n"
    assert checked(page)[0] is True


def test_discarding_an_unfinished_interview(qtbot: QtBot, windows: Windows, clock: FakeClock,
                                            data_dir: Path) -> None:
    _crashed_interview(qtbot, windows, clock, data_dir)
    window = windows.open()
    assert window.resume_bar.isVisible()
    window.discard_unfinished()
    assert not window.resume_bar.isVisible()
    assert interview_store.unfinished_interviews(window.store) == []
    assert statuses(data_dir) == ["discarded"]
    assert windows.close(window)
    again = windows.open()
    assert not again.resume_bar.isVisible()


def test_resume_bar_while_another_interview_runs(qtbot: QtBot, windows: Windows,
                                                 clock: FakeClock, data_dir: Path) -> None:
    _crashed_interview(qtbot, windows, clock, data_dir)
    window = windows.open()
    page = start(qtbot, window, "q-people-you-may-know")
    running = page.session
    type_line(qtbot, page, "typed a second ago")
    window.resume_interview()
    assert page.session is running
    assert page.running.notes.toPlainText() == "typed a second ago\n"


def test_pausing_and_resuming_are_saved_at_once(qtbot: QtBot, window: MainWindow,
                                               clock: FakeClock, data_dir: Path) -> None:
    page = start(qtbot, window)
    clock.advance(2)  # well short of the 5 s autosave
    qtbot.keyClick(page.running.notes, Qt.Key.Key_P, CTRL)
    assert stored_steps(data_dir)[1][1] == 2_000
    assert statuses(data_dir) == ["running"]
    clock.advance(60)
    qtbot.keyClick(page.running.notes, Qt.Key.Key_P, CTRL)
    clock.advance(1)
    qtbot.keyClick(page.running.notes, Qt.Key.Key_P, CTRL)
    assert stored_steps(data_dir)[1][1] == 3_000


def test_the_countdown_rounds_to_the_nearest_second() -> None:
    assert [clock_text(s) for s in (360, 359.6, 359.4, 0.4, 0)] == \
        ["6:00", "6:00", "5:59", "0:00", "0:00"]
    # Over time it counts up from the moment the budget is spent: -0:00 for the first second.
    assert [clock_text(s) for s in (-0.6, -1, -90.9)] == ["-0:00", "-0:01", "-1:30"]


def test_a_failed_autosave_says_so(qtbot: QtBot, window: MainWindow, clock: FakeClock,
                                   data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = start(qtbot, window)
    type_line(qtbot, page, STEP1_GOAL)

    def locked(*_args: object) -> None:
        raise StoreError("The database is locked by another program.")

    with monkeypatch.context() as patch:
        patch.setattr(interview_store, "save_interview", locked)
        clock.advance(6)
        page.tick()
        assert page.running.save_problem.isVisible()
        assert page.running.save_problem.text().startswith(
            "Your notes are not saved: The database is locked by another program.")
    clock.advance(1)
    page.tick()  # the next tick tries again
    assert not page.running.save_problem.isVisible()
    assert stored_steps(data_dir)[1] == (f"{STEP1_GOAL}\n", 7_000, None)


# Pasted notes long enough to need new pages in the database file.
LONG_NOTES = "".join(f"- idea {i}: rank by predicted watch time, dedupe, diversify\n"
                     for i in range(1200))


def fill_disk(window: MainWindow) -> None:
    """The disk is full: SQLite may not grow the file beyond its current size."""
    pages = window.store.conn.execute("PRAGMA page_count").fetchone()[0]
    window.store.conn.execute(f"PRAGMA max_page_count = {pages}")


def free_space(window: MainWindow) -> None:
    window.store.conn.execute("PRAGMA max_page_count = 4294967294")


def test_a_full_disk_keeps_the_notes_in_the_page_and_saving_resumes(
        qtbot: QtBot, window: MainWindow, clock: FakeClock, data_dir: Path) -> None:
    page = start(qtbot, window)
    type_line(qtbot, page, STEP1_GOAL)
    clock.advance(6)
    page.tick()
    assert stored_steps(data_dir)[1][0] == f"{STEP1_GOAL}\n"
    fill_disk(window)
    page.running.notes.insertPlainText(LONG_NOTES)  # pasted
    for _ in range(3):  # every tick tries again, and says so until a save works
        clock.advance(6)
        page.tick()
        assert page.running.save_problem.isVisible()
        text = page.running.save_problem.text()
        assert text.startswith("Your notes are not saved: The disk holding ")
        assert "is full" in text and "Free some space" in text
        assert page.running.notes.toPlainText() == f"{STEP1_GOAL}\n{LONG_NOTES}"
        assert stored_steps(data_dir)[1][0] == f"{STEP1_GOAL}\n"
    qtbot.keyClicks(page.running.notes, "typed while full")
    assert page.running.save_problem.isVisible()  # redrawing the page does not hide it

    free_space(window)
    clock.advance(1)
    page.tick()
    assert not page.running.save_problem.isVisible()
    assert stored_steps(data_dir)[1][0] == f"{STEP1_GOAL}\n{LONG_NOTES}typed while full"


def test_finishing_on_a_full_disk_stays_on_the_notes_until_it_is_saved(
        qtbot: QtBot, window: MainWindow, clock: FakeClock, data_dir: Path) -> None:
    page = start(qtbot, window)
    type_line(qtbot, page, STEP1_GOAL)
    clock.advance(30)
    fill_disk(window)
    page.running.notes.insertPlainText(LONG_NOTES)
    click(qtbot, button(page.running, "Finish interview"))
    assert page.stack.currentWidget() is page.running
    assert page.running.save_problem.isVisible()
    assert page.running.save_problem.text().startswith(
        "The interview is not saved as finished: The disk holding ")
    assert "press Finish interview again" in page.running.save_problem.text()
    assert page.running.notes.toPlainText() == f"{STEP1_GOAL}\n{LONG_NOTES}"
    assert statuses(data_dir) == ["running"]  # the last autosave, offered for resumption
    assert page.has_running_interview()  # closing the window still asks keep or discard

    free_space(window)
    clock.advance(10)
    click(qtbot, button(page.running, "Finish interview"))
    assert page.stack.currentWidget() is page.summary
    assert not page.running.save_problem.isVisible() and not page.has_running_interview()
    assert statuses(data_dir) == ["finished"]
    assert stored_steps(data_dir)[1] == (f"{STEP1_GOAL}\n{LONG_NOTES}", 30_000, None)


def test_closing_on_a_full_disk_keeps_the_window_and_the_notes_until_space_is_freed(
        qtbot: QtBot, windows: Windows, clock: FakeClock, data_dir: Path,
        errors: list[str]) -> None:
    window = windows.open()
    page = start(qtbot, window)
    type_line(qtbot, page, STEP1_GOAL)
    clock.advance(6)
    page.tick()
    fill_disk(window)
    page.running.notes.insertPlainText(LONG_NOTES)
    window.ask_interview_close = lambda _parent: "keep"
    assert not windows.close(window), "a failed save keeps the window open"
    [message] = errors
    assert message.startswith("The interview could not be kept for later: The disk holding ")
    assert "stays open with your notes" in message
    errors.clear()
    assert stored_steps(data_dir)[1][0] == f"{STEP1_GOAL}\n"
    assert page.has_running_interview() and page.timer.isActive()
    assert page.running.notes.toPlainText().endswith(LONG_NOTES)
    free_space(window)
    assert windows.close(window)
    assert stored_steps(data_dir)[1][0] == f"{STEP1_GOAL}\n{LONG_NOTES}"
    assert statuses(data_dir) == ["running"]


# --- 4. closing the window mid-interview ---------------------------------------------------------

def test_closing_mid_interview_keep_discard_or_cancel(qtbot: QtBot, windows: Windows,
                                                      clock: FakeClock, data_dir: Path) -> None:
    window = windows.open()
    page = start(qtbot, window)
    type_line(qtbot, page, STEP1_GOAL)
    clock.advance(42)
    window.ask_interview_close = lambda _parent: "cancel"
    assert not windows.close(window)
    assert window.isVisible() and page.has_running_interview()
    assert page.session is not None and not page.session.paused

    window.ask_interview_close = lambda _parent: "keep"
    assert windows.close(window)
    assert statuses(data_dir) == ["running"]
    clock.advance(600)
    window = windows.open()
    assert window.resume_bar.isVisible()
    window.resume_interview()
    page = window.interview
    assert page is not None and page.session is not None and page.session.paused
    assert page.running.notes.toPlainText() == f"{STEP1_GOAL}\n"
    assert elapsed(page, 0, clock) == 42

    window.ask_interview_close = lambda _parent: "discard"
    assert windows.close(window)
    assert statuses(data_dir) == ["discarded"]
    window = windows.open()
    assert not window.resume_bar.isVisible()
    assert interview_store.unfinished_interviews(window.store) == []


def test_closing_without_an_interview_asks_nothing(qtbot: QtBot, windows: Windows,
                                                   clock: FakeClock) -> None:
    window = windows.open()
    page = start(qtbot, window)
    clock.advance(30)
    click(qtbot, button(page.running, "Finish interview"))

    def ask(_parent: QWidget) -> str:
        raise AssertionError("asked although no interview runs")

    window.ask_interview_close = ask
    assert windows.close(window)


# --- 5. Markdown export --------------------------------------------------------------------------

def _finished(qtbot: QtBot, window: MainWindow, clock: FakeClock,
              question_id: str = VIDEO) -> InterviewPage:
    page = start(qtbot, window, question_id)
    type_line(qtbot, page, STEP1_GOAL)
    clock.advance(90)
    click(qtbot, button(page.running, "Finish interview"))
    return page


def test_export_to_markdown(qtbot: QtBot, window: MainWindow, clock: FakeClock,
                            tmp_path: Path) -> None:
    page = _finished(qtbot, window, clock)
    score_combo(page, 0).setCurrentIndex(3)
    target = tmp_path / "x.md"
    assert page.export_markdown(str(target)) == target
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Mock interview: Video recommendation (Netflix, YouTube)\n")
    assert STEP1_GOAL in text
    assert "## Step 1 Problem Formulation\n\n- Time: 1:30 of 6:00\n- Score: 3/4\n" in text
    rubric = page.steps[0].rubric
    assert f"- Coverage: 1/{len(rubric)} items\n  - [x] {rubric[0].text}\n" in text
    assert "## Step 2 Metrics (Offline and Online)\n\n- Time: 0:00 of 3:00" in text
    assert "1:30 of 45:00" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "x.md"]
    assert page.settings.value("interview/export_folder") == str(tmp_path)


def test_export_into_a_missing_folder_shows_an_error(qtbot: QtBot, window: MainWindow,
                                                     clock: FakeClock, tmp_path: Path,
                                                     errors: list[str]) -> None:
    page = _finished(qtbot, window, clock)
    target = tmp_path / "missing" / "x.md"
    assert page.export_markdown(str(target)) is None
    assert len(errors) == 1
    assert errors[0].startswith(f"Could not write {target}: ")
    assert errors[0].endswith("Choose another folder.")
    errors.clear()
    assert not target.parent.exists()
    # A target that cannot be replaced (a folder) leaves no temporary file behind either.
    folder = tmp_path / "taken.md"
    folder.mkdir()
    assert page.export_markdown(str(folder)) is None
    assert len(errors) == 1
    errors.clear()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "taken.md"]
    assert list(folder.iterdir()) == []


# --- 6. history ----------------------------------------------------------------------------------

def test_history_lists_newest_first_and_opens_read_only(qtbot: QtBot, window: MainWindow,
                                                        clock: FakeClock) -> None:
    page = _finished(qtbot, window, clock)
    score_combo(page, 0).setCurrentIndex(2)
    page.summary.overall.setCurrentIndex(3)
    clock.advance(3600)
    page = _finished(qtbot, window, clock, "q-people-you-may-know")
    score_combo(page, 0).setCurrentIndex(3)
    score_combo(page, 5).setCurrentIndex(1)

    qtbot.keyClick(window, Qt.Key.Key_H, CTRL)
    assert window.pages.currentWidget() is page
    assert page.stack.currentWidget() is page.history
    table = page.history.table
    assert table.rowCount() == 2 and not page.history.empty.isVisible()
    assert table.item(0, 1).text() == "People you may know (LinkedIn)"
    assert table.item(1, 1).text() == "Video recommendation (Netflix, YouTube)"
    assert table.item(0, 3).text() == "–" and table.item(1, 3).text() == "3 solid"
    assert table.item(1, 2).text() == "2 min"  # 90 s
    # 1 rubric item covered of all those of steps 1..9
    items = sum(len(step.rubric) for step in page.steps if step.is_step)
    assert table.item(1, 4).text() == f"{1 / items:.0%}"

    trend = page.history.trend
    assert trend.rowCount() == STEP_COUNT
    assert trend.item(0, 0).text() == "1. Problem Formulation"
    assert trend.item(0, 1).text() == "▄2 ▆3"
    assert trend.item(5, 1).text() == "▂1"
    assert trend.item(1, 1).text() == "no scores yet"

    table.setFocus()
    table.setCurrentCell(1, 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert page.stack.currentWidget() is page.summary
    assert "Video recommendation" in page.summary.title.text()
    assert "read-only" in page.summary.title.text()
    assert score_combo(page, 0).currentData() == 2
    assert not any(score_combo(page, row).isEnabled() for row in range(9))
    assert not page.summary.overall.isEnabled() and page.summary.overall.currentData() == 3
    assert page.summary.table.item(0, 1).text() == "1:30 / 6:00"


def test_history_when_empty(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_H, CTRL)
    page = window.interview
    assert page is not None and page.stack.currentWidget() is page.history
    assert page.history.table.rowCount() == 0 and page.history.empty.isVisible()
    assert page.history.trend.item(0, 1).text() == "no scores yet"
    click(qtbot, button(page.history, "New interview"))
    assert page.stack.currentWidget() is page.setup


# --- 7. screenshots ------------------------------------------------------------------------------

def screenshot(window: MainWindow, path: Path) -> QImage:
    QApplication.processEvents()  # lay out the texts just set, as the event loop would
    assert window.grab().save(str(path))
    return QImage(str(path))


def test_screenshots(qtbot: QtBot, window: MainWindow, clock: FakeClock, tmp_path: Path) -> None:
    """PNGs of the three screens (under tmp_path, for a person to look at when one fails): each
    is the whole window and shows its own screen."""
    page = open_setup(qtbot, window)
    shots = {"setup": screenshot(window, tmp_path / "setup.png")}
    page.setup.select_question(VIDEO)
    qtbot.keyClick(page.setup.question_tree, Qt.Key.Key_Return, CTRL)
    type_line(qtbot, page, STEP1_GOAL)
    type_line(qtbot, page, STEP1_SCALE)
    clock.advance(300)
    qtbot.keyClick(page.running.notes, Qt.Key.Key_Right, CTRL)
    type_line(qtbot, page, "## Offline metrics")
    type_line(qtbot, page, "- nDCG@10 and log loss for the ranker")
    clock.advance(290)
    page.tick()
    assert page.running.status.text().endswith("move on")
    click(qtbot, button(page.running, "Ask me a follow-up"))
    shots["running"] = screenshot(window, tmp_path / "running.png")
    click(qtbot, button(page.running, "Finish interview"))
    score_combo(page, 0).setCurrentIndex(3)
    score_combo(page, 1).setCurrentIndex(2)
    shots["summary"] = screenshot(window, tmp_path / "summary.png")
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["running.png", "setup.png",
                                                               "summary.png"]
    size = window.size() * window.devicePixelRatio()
    assert all(image.size() == size for image in shots.values())
    assert shots["setup"] != shots["running"] != shots["summary"] != shots["setup"]
