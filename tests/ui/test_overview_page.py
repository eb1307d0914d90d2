"""Studying a branch by keys, as a user would: the overview, Study now, the finished screen with
when the next card is due, custom study from both, unbury, the review notices and cloze backs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from shared import FakeClock

from app.db.settings import load_study_settings, save_study_settings
from app.decks.render import CLOZE_COLOUR
from app.plural import counted
from app.ui.app import open_data
from app.ui.dialogs.custom_study import CustomStudyDialog
from app.ui.main_window import MainWindow, settings_for
from app.ui.overview_page import OverviewPage
from app.ui.review_page import ReviewPage
from app.ui.study_flow import StudyFlow

pytestmark = pytest.mark.gui

LEAF = "ml-system-design/s2-metric-tradeoffs"
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()  # 2026-03-02 15:00 UTC; the window's local zone is UTC


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, clock: FakeClock) -> Iterator[MainWindow]:
    store, report = open_data(data_dir)
    save_study_settings(store, replace(load_study_settings(store), new_per_day=3))
    main = MainWindow(store, report, settings_for(data_dir), clock=clock, local=UTC)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()
    store.close()


def overview_of(window: MainWindow) -> OverviewPage:
    page = window.pages.currentWidget()
    assert isinstance(page, OverviewPage)
    return page


def numbers(page: OverviewPage) -> tuple[str, str, str]:
    return (page.numbers["New"].text(), page.numbers["Learning"].text(),
            page.numbers["Due"].text())


def answer_all(qtbot: QtBot, page: ReviewPage, clock: FakeClock, key: Qt.Key = Qt.Key.Key_4
               ) -> list[str]:
    shown: list[str] = []
    while page.view is not None and page.view.card is not None:
        shown.append(page.view.card.id)
        assert len(shown) < 40
        qtbot.keyClick(page, Qt.Key.Key_Space)
        clock.advance(10)
        qtbot.keyClick(page, key)
    return shown


def log_count(data_dir: Path, table: str = "review_log") -> int:
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def custom_study_by_keys(qtbot: QtBot, window: MainWindow, option: Qt.Key, amount: str
                         ) -> list[str]:
    """Answer the next custom-study dialog by keys: Alt+<option>, the amount, Enter. Returns
    what its found-label said, once shown and once after typing."""
    said: list[str] = []

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, CustomStudyDialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        said.append(dialog.found.text())
        qtbot.keyClick(dialog, option, ALT)  # focuses the option; its click comes just after
        radio = dialog.focusWidget()
        assert radio in dialog.radios.values()
        qtbot.waitUntil(radio.isChecked)  # type: ignore[union-attr]
        dialog.amount.setFocus()
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, amount)
        said.append(dialog.found.text())
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
        return dialog.result() == QDialog.DialogCode.Accepted

    StudyFlow.of(window).run_dialog = drive
    return said


def test_space_shows_the_overview_enter_studies_and_the_end_says_when_next(
        qtbot: QtBot, window: MainWindow, clock: FakeClock, data_dir: Path) -> None:
    assert window.open_key(LEAF)
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    page = overview_of(window)
    assert page.hasFocus() and page.title.text() == window.current_node.label  # type: ignore[union-attr]
    assert numbers(page) == ("3", "0", "0")  # the daily limit of 3, as the session will show
    assert page.study_button.isEnabled() and page.unbury_button.isHidden()
    assert "today's limit has room for 3 more" in page.details.text()

    qtbot.keyClick(page, Qt.Key.Key_Return)
    review = window.review
    assert window.pages.currentWidget() is review
    answered = answer_all(qtbot, review, clock)
    # Three new cards today; a card's sibling is buried for the day when it is answered.
    assert 2 <= len(answered) <= 3 and log_count(data_dir) == len(answered)
    text = review.summary.text()
    assert "Next card due: <b>tomorrow at 04:00</b> (Tue 03 Mar 2026, 04:00)" in text
    assert f"This session: <b>{len(answered)}</b> cards answered" in text
    assert review.custom_button.isVisible()

    qtbot.keyClick(review, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.outline
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    page = overview_of(window)
    assert numbers(page) == ("0", "0", "0") and not page.study_button.isEnabled()
    assert "Next card due: <b>tomorrow at 04:00</b>" in page.details.text()
    qtbot.keyClick(page, Qt.Key.Key_Return)  # nothing to study: stays
    assert window.pages.currentWidget() is page
    qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.outline and window.tree.hasFocus()


def test_the_overview_says_why_fewer_new_cards_come_today_than_there_are(
        qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    """Revenue lift has two new cards, its explanation and its "name the term": one fact, so
    one of them comes today. The overview's 1 beside "2 new cards here" is explained."""
    assert window.open_key("ml-system-design/s2-revenue-lift")
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    page = overview_of(window)
    assert numbers(page) == ("1", "0", "0")
    said = page.details.text()
    assert said.startswith("2 new cards here, 1 of them today: the other asks a fact another "
                           "card asks, so it waits for a later day."), said
    assert "Today's limit has room for 3 more." in said
    qtbot.keyClick(page, Qt.Key.Key_Return)
    assert answer_all(qtbot, window.review, clock) != []
    # Answered: the other waits for tomorrow, buried, and the overview no longer counts it
    # as waiting for that reason.
    assert window.open_key("ml-system-design/s2-revenue-lift")
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    page = overview_of(window)
    assert "of them today" not in page.details.text()
    assert "1 card buried until tomorrow." in page.details.text()


def test_custom_study_review_ahead_from_the_finished_screen(
        qtbot: QtBot, window: MainWindow, clock: FakeClock, data_dir: Path) -> None:
    assert window.open_key(LEAF)
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    qtbot.keyClick(overview_of(window), Qt.Key.Key_Return)
    review = window.review
    studied = answer_all(qtbot, review, clock)  # Easy: due in days
    said = custom_study_by_keys(qtbot, window, Qt.Key.Key_A, "30")
    qtbot.keyClick(review, Qt.Key.Key_C)  # Custom study on the finished screen
    assert said[1] == f"{counted(len(studied), 'card')} to study."
    assert window.pages.currentWidget() is review
    assert review.title.text().endswith("review ahead 30 days")
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        due_before = dict(conn.execute("SELECT id, due FROM cards WHERE reps > 0").fetchall())
    again = answer_all(qtbot, review, clock, Qt.Key.Key_3)
    assert sorted(again) == sorted(studied) and log_count(data_dir) == 2 * len(studied)
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        due_after = dict(conn.execute("SELECT id, due FROM cards WHERE reps > 0").fetchall())
    assert due_after.keys() == due_before.keys() and due_after != due_before  # rescheduled
    assert review.view is not None and review.view.finished


def test_more_new_cards_today_shows_on_the_overview(qtbot: QtBot, window: MainWindow,
                                                    clock: FakeClock) -> None:
    assert window.open_key("ml-system-design/s2")  # plenty of new cards
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    qtbot.keyClick(overview_of(window), Qt.Key.Key_Return)
    answer_all(qtbot, window.review, clock)
    qtbot.keyClick(window.review, Qt.Key.Key_Escape)
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    page = overview_of(window)
    assert numbers(page)[0] == "0"
    said = custom_study_by_keys(qtbot, window, Qt.Key.Key_N, "2")
    qtbot.keyClick(page, Qt.Key.Key_C)
    assert said[0].endswith(" here.") and "new card" in said[0]
    page = overview_of(window)
    assert numbers(page) == ("2", "0", "0")
    qtbot.keyClick(page, Qt.Key.Key_Space)  # Space studies too
    assert len(answer_all(qtbot, window.review, clock)) == 2
    # For today only: the next study day has the usual limit.
    clock.advance(24 * 3600)
    qtbot.keyClick(window.review, Qt.Key.Key_Escape)
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    assert numbers(overview_of(window))[0] == "3"


def test_preview_new_cards_schedules_nothing(qtbot: QtBot, window: MainWindow,
                                             clock: FakeClock, data_dir: Path) -> None:
    assert window.open_key(LEAF)
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    custom_study_by_keys(qtbot, window, Qt.Key.Key_P, "2")
    qtbot.keyClick(overview_of(window), Qt.Key.Key_C)
    review = window.review
    assert review.title.text().startswith("Cramming: preview of 2 new cards")
    assert len(answer_all(qtbot, review, clock)) == 2
    assert log_count(data_dir) == 0 and log_count(data_dir, "cram_log") == 2


def test_forgotten_cards_and_a_dialog_that_finds_nothing(qtbot: QtBot, window: MainWindow,
                                                         clock: FakeClock) -> None:
    assert window.open_key(LEAF)
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    said = custom_study_by_keys(qtbot, window, Qt.Key.Key_F, "7")
    qtbot.keyClick(overview_of(window), Qt.Key.Key_C)
    assert said[1] == "No cards match: choose another option or a larger number."
    assert isinstance(window.pages.currentWidget(), OverviewPage)  # Enter refused: no cards
    qtbot.keyClick(overview_of(window), Qt.Key.Key_Return)
    review = window.review
    first = review.view.card.id if review.view and review.view.card else ""
    qtbot.keyClick(review, Qt.Key.Key_Space)
    qtbot.keyClick(review, Qt.Key.Key_1)  # Again
    qtbot.keyClick(review, Qt.Key.Key_Escape)
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    said = custom_study_by_keys(qtbot, window, Qt.Key.Key_F, "1")
    qtbot.keyClick(overview_of(window), Qt.Key.Key_C)
    assert said[1] == "1 card to study."
    assert review.view is not None and review.view.card is not None
    assert review.view.card.id == first


def test_bury_and_suspend_say_so_and_unbury_from_the_overview(
        qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    assert window.open_key(LEAF)
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    qtbot.keyClick(overview_of(window), Qt.Key.Key_Return)
    review = window.review
    assert review.view is not None and review.view.card is not None
    buried = review.view.card.id
    qtbot.keyClicks(review, "-")
    assert review.notice.isVisible() and review.notice.text() == (
        "Card buried until tomorrow (Ctrl+Z undoes).")
    assert review.notice_timer.isActive()
    assert review.view.card is not None and review.view.card.id != buried
    review.notice_timer.timeout.emit()  # the few seconds pass
    assert review.notice.isHidden()
    suspended = review.view.card.id
    qtbot.keyClicks(review, "@")
    assert review.notice.text() == "Card suspended (Ctrl+Z undoes)."
    assert review.view.card is not None and review.view.card.id not in (buried, suspended)
    qtbot.keyClick(review, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert review.notice.text().startswith("Undid: suspension on “")
    assert review.view.card is not None and review.view.card.id == suspended
    qtbot.keyClick(review, Qt.Key.Key_Space)
    qtbot.keyClick(review, Qt.Key.Key_4)
    assert review.notice.isHidden()  # an answer clears it
    answer_all(qtbot, review, clock)
    assert "U: unbury" in review.summary.text() and review.unbury_button.isVisible()
    qtbot.keyClick(review, Qt.Key.Key_U)  # unbury: back to the overview, the card counted
    page = overview_of(window)
    assert page.unbury_button.isHidden() and page.overview is not None
    assert page.overview.buried == 0 and "buried" not in page.details.text()


def test_a_cloze_answer_fills_its_gap_in_place(qtbot: QtBot, window: MainWindow) -> None:
    card = "ml-system-design/s1-performance/cloze/0/c1"
    window.study_cards([card], "one cloze card")
    review = window.review
    assert "[...]" in review.card_view.toPlainText()
    qtbot.keyClick(review, Qt.Key.Key_Space)
    assert review.view is not None and review.view.card is not None
    shown = review.card_view.toPlainText()
    assert "[...]" not in shown and "—" not in shown
    assert CLOZE_COLOUR in review.card_view._html
    assert review.view.card.answer.replace("**", "")[:20] in shown


@pytest.mark.parametrize("action", ["custom", "unbury"])
def test_the_finished_screen_buttons_match_its_keys(qtbot: QtBot, window: MainWindow,
                                                    action: str) -> None:
    seen: list[str] = []
    review = window.review
    review.custom_study_requested.connect(lambda: seen.append("custom"))
    review.unbury_requested.connect(lambda: seen.append("unbury"))
    button: Callable[[], None] = (review.custom_button.click if action == "custom"
                                  else review.unbury_button.click)
    StudyFlow.of(window).run_dialog = lambda _dialog: False
    button()
    assert seen == [action]


def test_the_status_line_lists_the_overviews_keys_that_work_now(qtbot: QtBot,
                                                                window: MainWindow) -> None:
    assert window.open_key(LEAF)
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    line = window.page_status.text()
    assert line.startswith("Enter, Space: Study now") and "C: Custom study" in line
    assert "Unbury" not in line and "Esc: Back to the outline" in line


def test_the_status_line_follows_the_review_onto_the_finished_screen_and_back(
        qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    assert window.open_key(LEAF)
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)
    qtbot.keyClick(overview_of(window), Qt.Key.Key_Return)
    reviewing = window.page_status.text()
    assert reviewing.startswith("Space, Enter: Show the answer")
    answer_all(qtbot, window.review, clock)
    finished = window.page_status.text()
    assert finished.startswith("Esc: Back to the outline · C: Custom study")
    assert "Ctrl+Z: Undo the last answer" in finished
    qtbot.keyClick(window.review, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.page_status.text() == reviewing
