"""The running interview from the keyboard: clocks, warnings, rubric, follow-ups, steps."""

from __future__ import annotations

import html
import random
from pathlib import Path

import pytest
from interview_screens import (
    CTRL,
    DECK,
    PRESETS,
    STEP1_GOAL,
    STEP1_SCALE,
    STEP2_HEADINGS,
    VIDEO,
    button,
    checked,
    click,
    elapsed,
    open_setup,
    score_combo,
    spins,
    start,
    statuses,
    stored_steps,
    ticked,
    type_line,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shared import FakeClock

from app.db import interviews as interview_store
from app.decks.tree import find
from app.interview.questions import deal_question
from app.interview.steps import SEGMENTS, notes_template
from app.ui.interview.display import FIRM_COLOUR, SOFT_COLOUR, clock_text
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def topics_under(window: MainWindow, topic: str) -> set[str]:
    node = find(window.model.roots, f"{DECK}/{topic}")
    assert node is not None
    return {n.topic_id for n in node.walk() if n.topic_id is not None}


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


def test_the_countdown_rounds_to_the_nearest_second() -> None:
    assert [clock_text(s) for s in (360, 359.6, 359.4, 0.4, 0)] == \
        ["6:00", "6:00", "5:59", "0:00", "0:00"]
    # Over time it counts up from the moment the budget is spent: -0:00 for the first second.
    assert [clock_text(s) for s in (-0.6, -1, -90.9)] == ["-0:00", "-0:01", "-1:30"]


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
