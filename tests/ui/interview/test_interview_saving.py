"""Saving a running interview: autosave, resume after a crash, a full disk, closing the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from interview_screens import (
    CTRL,
    STEP1_GOAL,
    Questions,
    Windows,
    button,
    checked,
    click,
    elapsed,
    start,
    statuses,
    stored_steps,
    type_line,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from shared import FakeClock

from app.db import interviews as interview_store
from app.errors import StoreError
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


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
    assert "Video recommendation (Netflix, YouTube)" in window.resume_bar.text.text()
    click(qtbot, button(window.resume_bar, "Resume"))
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
                                            data_dir: Path, questions: Questions) -> None:
    _crashed_interview(qtbot, windows, clock, data_dir)
    window = windows.open()
    assert window.resume_bar.isVisible()
    questions.answer = False  # Discard asks first; Cancel keeps it
    click(qtbot, button(window.resume_bar, "Discard"))
    assert questions.asked == ["Discard interview? "]
    assert window.resume_bar.isVisible() and statuses(data_dir) == ["running"]
    questions.answer = True
    click(qtbot, button(window.resume_bar, "Discard"))
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
