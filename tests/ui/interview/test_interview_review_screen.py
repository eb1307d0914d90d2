"""The review after an interview and from the history, driven by keys; the fixes of issue 16."""

from __future__ import annotations

from pathlib import Path

import pytest
from interview_screens import (
    CTRL,
    DECK,
    STEP1_GOAL,
    STEP1_SCALE,
    VIDEO,
    Questions,
    button,
    click,
    open_setup,
    statuses,
    type_line,
)
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot
from shared import FakeClock

from app.db import interviews as interview_store
from app.db.backup import backup_entries
from app.decks.tree import find
from app.ui.interview.page import InterviewPage
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui
SHIFT = Qt.KeyboardModifier.ShiftModifier
ANSWER = "I would ask for the catalogue size and the request rate at peak."


def _finish_by_keys(qtbot: QtBot, window: MainWindow, clock: FakeClock,
                    questions: Questions) -> InterviewPage:
    """Set-up to review by keys: step 1 notes, a follow-up answered, finished early."""
    page = open_setup(qtbot, window)
    page.setup.select_question(VIDEO)
    qtbot.keyClick(page.setup.question_tree, Qt.Key.Key_Return, CTRL)
    running = page.running
    assert page.stack.currentWidget() is running and running.notes.hasFocus()
    type_line(qtbot, page, STEP1_GOAL)
    type_line(qtbot, page, STEP1_SCALE)

    # Hovering a ticked criterion shows the sentence that ticked it.
    goal = running.rubric.item(0)
    assert goal.checkState() == Qt.CheckState.Checked
    assert f"Met by: “{STEP1_GOAL}”" in goal.toolTip()
    assert "Counts when your notes say it" in running.rubric.item(2).toolTip()

    # The follow-up button gives the focus back to the notes: the answer is typed there (a
    # Space no longer presses the button again).
    click(qtbot, running.followup_button)
    assert page.session is not None
    [asked] = page.session.asked(0)
    assert asked in running.followup_text.text()
    assert running.notes.hasFocus()
    type_line(qtbot, page, ANSWER)
    # ... and its key asks the next one.
    qtbot.keyClick(running.notes, Qt.Key.Key_A, CTRL | SHIFT)
    assert len(page.session.asked(0)) == 2 and running.notes.hasFocus()
    clock.advance(14 * 60)
    page.tick()

    # Finishing with time left and steps never opened asks first; No keeps it running.
    questions.answer = False
    qtbot.keyClick(running.notes, Qt.Key.Key_Return, CTRL | SHIFT)
    assert page.stack.currentWidget() is running and not page.session.finished
    [question] = questions.asked
    assert "31:00 of 45:00 are left and 8 steps never opened (2, 3, 4, 5, 6, 7, 8, 9)" \
        in question
    questions.answer = True
    qtbot.keyClick(running.notes, Qt.Key.Key_Return, CTRL | SHIFT)
    assert page.stack.currentWidget() is page.summary
    return page


def test_from_set_up_to_the_review_by_keys(qtbot: QtBot, window: MainWindow, clock: FakeClock,
                                          questions: Questions) -> None:
    # Esc leaves the set-up.
    page = open_setup(qtbot, window)
    qtbot.keyClick(page.setup.question_tree, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is not page

    page = _finish_by_keys(qtbot, window, clock, questions)
    summary = page.summary
    assert summary.table.hasFocus() and summary.table.currentRow() == 0
    notes = summary.notes.toPlainText()
    assert notes == f"{STEP1_GOAL}\n{STEP1_SCALE}\n{ANSWER}"
    shown = summary.comparison.toPlainText()
    assert "Time 14:00 of 6:00 · Self-score not scored" in shown
    assert page.session is not None
    reference = page.session.question.reference.get(1, ())
    for bullet in reference:
        assert bullet in shown
    if not reference:
        assert "No reference answer for this step." in shown
    review = page.reviews[0]
    assert [c.met for c in review.criteria][:2] == [True, True]
    assert f"Criteria met ({len(review.met)} of {len(review.criteria)})" in shown
    assert f"“{STEP1_GOAL}”" in shown and f"“{STEP1_SCALE}”" in shown
    assert f"Missed ({len(review.missed)})" in shown
    for criterion in review.missed:
        assert criterion.text in shown
        assert "Study: " + ", ".join(criterion.topic_titles) in shown
    first, second = page.session.asked(0)
    assert f"Follow-ups asked\n{first}\n{ANSWER}\n{second}\nNothing written after it." \
        in shown

    # Down moves to step 2: never opened.
    qtbot.keyClick(summary.table, Qt.Key.Key_Down)
    assert summary.notes.toPlainText() == "(no notes)"
    assert "Criteria met (0 of" in summary.comparison.toPlainText()

    # Study what I missed: a review of the cards of the topics that teach the missed criteria.
    missed = {t for r in page.reviews for c in r.missed for t in c.topics}
    click(qtbot, button(summary, "Study what I missed"))
    studying = window.review
    assert window.pages.currentWidget() is studying
    assert studying.view is not None and studying.view.card is not None
    subtree = set()
    for topic in missed:
        node = find(window.model.roots, f"{DECK}/{topic}")
        assert node is not None
        subtree |= {n.topic_id for n in node.walk()}
    assert studying.view.card.topic_id in subtree
    title = studying.title.text()
    assert title.startswith("Studying: what I missed (Step ") and title.endswith(")")
    numbers = [int(name.removeprefix("Step ")) for name in
               title.removeprefix("Studying: what I missed (").removesuffix(")").split(", ")]
    assert 1 in numbers and numbers == sorted(set(numbers))  # each step once, in order


def test_a_criterion_links_to_the_topic_that_teaches_it(
        qtbot: QtBot, window: MainWindow, clock: FakeClock, questions: Questions) -> None:
    page = _finish_by_keys(qtbot, window, clock, questions)
    criterion = page.reviews[0].missed[0]
    topic, title = criterion.topics[0], criterion.topic_titles[0]
    page.summary.comparison.anchorClicked.emit(QUrl(f"topic:{topic}"))
    studying = window.review
    assert window.pages.currentWidget() is studying
    assert studying.title.text().startswith(f"Studying: {title} (Step 1")
    node = find(window.model.roots, f"{DECK}/{topic}")
    assert node is not None and studying.view is not None and studying.view.card is not None
    assert studying.view.card.topic_id in {n.topic_id for n in node.walk()}


def test_the_review_fits_800x600(qtbot: QtBot, window: MainWindow, clock: FakeClock,
                                questions: Questions) -> None:
    page = _finish_by_keys(qtbot, window, clock, questions)
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() <= 800)
    summary = page.summary
    frame = window.rect()
    for widget in (summary.missed_button, summary.study_button, summary.table,
                   summary.notes, summary.comparison,
                   button(summary, "Back"), button(summary, "Export to Markdown…")):
        assert widget.isVisible()
        corner = widget.mapTo(window, widget.rect().bottomRight())
        assert frame.contains(corner), (widget, corner)
    assert summary.comparison.height() >= 150 and summary.table.height() >= 100


def test_esc_leaves_the_review(qtbot: QtBot, window: MainWindow, clock: FakeClock,
                               questions: Questions) -> None:
    page = _finish_by_keys(qtbot, window, clock, questions)
    qtbot.keyClick(page.summary.table, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is not page


def test_the_history_opens_the_review_read_only_and_deletes_after_a_backup(
        qtbot: QtBot, window: MainWindow, clock: FakeClock, questions: Questions,
        data_dir: Path, tmp_path: Path) -> None:
    page = _finish_by_keys(qtbot, window, clock, questions)
    questions.asked.clear()
    qtbot.keyClick(window, Qt.Key.Key_H, CTRL)
    history = page.history
    assert page.stack.currentWidget() is history and history.table.hasFocus()
    qtbot.keyClick(history.table, Qt.Key.Key_Return)
    summary = page.summary
    assert page.stack.currentWidget() is summary
    assert "read-only" in summary.title.text()
    assert summary.notes.toPlainText() == f"{STEP1_GOAL}\n{STEP1_SCALE}\n{ANSWER}"
    assert ANSWER in summary.comparison.toPlainText()  # the follow-up's answer is kept
    target = tmp_path / "review.md"
    assert page.export_markdown(str(target)) == target
    text = target.read_text(encoding="utf-8")
    assert f": “{STEP1_GOAL}”" in text and f"  > {ANSWER}" in text
    assert "(study: " in text
    # The Delete key in the read-only review asks too.
    questions.answer = False
    qtbot.keyClick(summary.table, Qt.Key.Key_Delete)
    assert len(questions.asked) == 1 and len(interview_store.history(window.store)) == 1
    questions.asked.clear()

    # Esc goes back to the history it was opened from; Delete asks, backs up, then deletes.
    qtbot.keyClick(summary.table, Qt.Key.Key_Escape)
    assert page.stack.currentWidget() is history
    questions.answer = False
    qtbot.keyClick(history.table, Qt.Key.Key_Delete)
    assert len(questions.asked) == 1 and "Delete the mock interview" in questions.asked[0]
    assert len(interview_store.history(window.store)) == 1
    assert backup_entries(data_dir) == []
    questions.answer = True
    qtbot.keyClick(history.table, Qt.Key.Key_Delete)
    assert interview_store.history(window.store) == [] and statuses(data_dir) == []
    assert history.table.rowCount() == 0 and history.empty.isVisible()
    [entry] = backup_entries(data_dir)
    assert "before-deleting-interview" in entry.path.name
    qtbot.keyClick(history.table, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is not page
