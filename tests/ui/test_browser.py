"""The card browser driven by keys on the real window and store: search, select, act, leave."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox, QTableView
from pytestqt.qtbot import QtBot
from shipped_deck import ShippedDeck

from app.db import browse, study
from app.db.search import CardRow, find_cards
from app.db.settings import load_study_settings
from app.scheduling.scheduler import Fsrs, Grade, Queue, study_day
from app.ui.actions import shortcut_rows
from app.ui.browser.model import CHUNK, COLUMNS, FLAG_COLOURS, SUSPENDED_COLOUR
from app.ui.browser.page import GIVE_WAY, BrowserPage
from app.ui.card_info import CardInfoDialog
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

CTRL, SHIFT, ALT = (Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier,
                    Qt.KeyboardModifier.AltModifier)


def open_browser(qtbot: QtBot, window: MainWindow) -> BrowserPage:
    qtbot.keyClick(window.tree, Qt.Key.Key_B, CTRL)
    page = window.pages.currentWidget()
    assert isinstance(page, BrowserPage)
    return page


def search(qtbot: QtBot, page: BrowserPage, text: str) -> None:
    """Ctrl+F, type the query over the old one, Enter; then the list has the focus, as after a
    click into it."""
    qtbot.keyClick(page.table, Qt.Key.Key_F, CTRL)
    assert page.search_box.hasFocus()
    qtbot.keyClick(page.search_box, Qt.Key.Key_Backspace)  # the old query, all selected
    qtbot.keyClicks(page.search_box, text)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    page.table.setFocus()


def found(window: MainWindow, query: str, order: str | None = "outline",
          descending: bool = False) -> list[str]:
    now = window.clock()
    return list(find_cards(window.store, query, now, study_day(now, window.local), order,
                           descending))  # type: ignore[arg-type]


def shown_ids(page: BrowserPage) -> list[str]:
    return [page.model.card_id(row) for row in range(page.model.rowCount())]


def rows(window: MainWindow, ids: list[str]) -> list[CardRow]:
    return browse.card_rows(window.store, ids, window.clock())


def select_first(qtbot: QtBot, page: BrowserPage, count: int) -> list[str]:
    """Ctrl+Home, then Shift+Down to take ``count`` rows, as a person selects with keys."""
    qtbot.keyClick(page.table, Qt.Key.Key_Home, CTRL)
    for _ in range(count - 1):
        qtbot.keyClick(page.table, Qt.Key.Key_Down, SHIFT)
    ids = page.selected_ids()
    assert len(ids) == count
    return ids


def answer_modal(qtbot: QtBot, action: Callable[[], None], reply: Callable[[], None]) -> None:
    """Run ``action``, which opens a modal dialog, and answer it with ``reply`` by keys; then
    the window is active again, as it is for a person when a dialog closes."""
    def guarded() -> None:
        try:
            reply()
        finally:  # a failed check must not leave the test waiting on the dialog
            left = QApplication.activeModalWidget()
            if left is not None:
                left.close()
    QTimer.singleShot(0, guarded)
    action()
    window = QApplication.topLevelWidgets()
    main = next(w for w in window if isinstance(w, MainWindow) and w.isVisible())
    main.activateWindow()
    qtbot.wait_until(main.isActiveWindow)


def test_ctrl_b_opens_every_card_and_enter_searches(qtbot: QtBot, window: MainWindow,
                                                    shipped: ShippedDeck) -> None:
    page = open_browser(qtbot, window)
    assert page.search_box.hasFocus()
    assert len(page.model.ids) == len(shipped.cards)
    assert page.count.text() == f"{len(shipped.cards):,} cards"
    # Rows are handed to the view a chunk at a time, in the outline's order.
    assert page.model.rowCount() == min(CHUNK, len(shipped.cards))
    assert shown_ids(page) == found(window, "")[:CHUNK]
    search(qtbot, page, "latency -is:review")
    assert page.model.ids == found(window, "latency -is:review")
    assert 0 < len(page.model.ids) < len(shipped.cards)
    assert page.table.currentIndex().row() == 0  # the first card is current and previewed
    assert page.preview.toPlainText().strip().startswith(
        rows(window, page.model.ids[:1])[0].front[:20])


def test_the_view_fetches_more_rows_as_it_scrolls(qtbot: QtBot, window: MainWindow,
                                                  shipped: ShippedDeck) -> None:
    page = open_browser(qtbot, window)
    assert page.table.model().canFetchMore(page.table.rootIndex())
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_End, CTRL)  # the view asks for more at the bottom
    qtbot.wait_until(lambda: page.model.rowCount() > CHUNK)
    assert page.model.rowCount() <= len(shipped.cards)


def test_a_mistake_is_shown_and_the_list_stays(qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    before = list(page.model.ids)
    search(qtbot, page, "latency prop:ivl>x")
    assert page.problem.isVisible()
    assert page.problem.text() == ("search: 'prop:ivl>x' at column 9: prop:ivl compares with "
                                   "a whole number")
    assert page.model.ids == before
    search(qtbot, page, "")
    assert not page.problem.isVisible()


def test_the_help_lists_the_syntax(qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    card = page.preview.toPlainText()
    page.help_button.click()  # the help shows where the card was
    help_text = page.preview.toPlainText()
    for term in ("is:due", "flag:1", "prop:ivl>10", "rated:N", "deck:ID", "step:N", "-term"):
        assert term in help_text and term in page.help_button.toolTip().replace("&gt;", ">")
    page.help_button.click()
    assert page.preview.toPlainText() == card


@pytest.mark.parametrize("column", range(len(COLUMNS)))
def test_each_column_sorts_in_sql_both_ways(qtbot: QtBot, window: MainWindow,
                                            column: int) -> None:
    page = open_browser(qtbot, window)
    study.record_answer(  # one reviewed card, so due, interval and memory differ
        window.store, study.get_card(window.store, page.model.ids[5]) or pytest.fail(),
        Grade.GOOD, Fsrs().answer(study.get_card(window.store, page.model.ids[5]).state,  # type: ignore[union-attr]
                                  Grade.GOOD, window.clock()), window.clock(), 1000, None)
    key = COLUMNS[column][1]
    page.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    assert page.model.ids == found(window, "", key)
    page.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    assert page.model.ids == found(window, "", key, descending=True)


def test_ctrl_j_suspends_the_selection_and_again_unsuspends(qtbot: QtBot,
                                                            window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    search(qtbot, page, "latency")
    ids = select_first(qtbot, page, 3)
    qtbot.keyClick(page.table, Qt.Key.Key_J, CTRL)
    assert set(found(window, "is:suspended")) == set(ids)
    assert all(row.suspended for row in rows(window, ids))
    index = page.model.index(0, 0)
    assert page.model.data(index, Qt.ItemDataRole.BackgroundRole).name() == SUSPENDED_COLOUR
    assert page.model.data(page.model.index(0, 2)).startswith("(")  # Anki's (due)
    assert "Suspended 3 cards" in window.statusBar().currentMessage()
    # The current card is suspended: the same key unsuspends the selection.
    qtbot.keyClick(page.table, Qt.Key.Key_J, CTRL)
    assert found(window, "is:suspended") == []
    assert page.model.data(index, Qt.ItemDataRole.BackgroundRole) is None


def test_ctrl_shift_j_buries_until_tomorrow(qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    [card] = select_first(qtbot, page, 1)
    qtbot.keyClick(page.table, Qt.Key.Key_J, CTRL | SHIFT)
    assert found(window, "is:buried") == [card]
    tomorrow = window.clock() + timedelta(days=1)
    assert not browse.card_rows(window.store, [card], tomorrow)[0].buried
    qtbot.keyClick(page.table, Qt.Key.Key_J, CTRL | SHIFT)
    assert found(window, "is:buried") == []


def test_flag_keys_colour_rows_and_the_same_key_removes_the_flag(qtbot: QtBot,
                                                                 window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    ids = select_first(qtbot, page, 2)
    qtbot.keyClick(page.table, Qt.Key.Key_1, CTRL)
    assert found(window, "flag:1") == ids
    colour = page.model.data(page.model.index(1, 3), Qt.ItemDataRole.BackgroundRole)
    assert colour.name() == FLAG_COLOURS[1]
    qtbot.keyClick(page.table, Qt.Key.Key_3, CTRL)
    assert found(window, "flag:3") == ids and found(window, "flag:1") == []
    qtbot.keyClick(page.table, Qt.Key.Key_3, CTRL)  # the current card has it: off
    assert found(window, "flag:0")[:2] == ids
    assert [row.flag for row in rows(window, ids)] == [0, 0]


def test_forget_asks_then_makes_the_cards_new_keeping_their_history(
        qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    [card] = select_first(qtbot, page, 1)
    stored = study.get_card(window.store, card)
    assert stored is not None
    now = window.clock()
    study.record_answer(window.store, stored, Grade.GOOD, Fsrs().answer(stored.state,
                        Grade.GOOD, now), now, 2000, None)
    assert rows(window, [card])[0].queue != Queue.NEW

    def cancel() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and "Make 1 card new again" in box.text()
        qtbot.keyClick(box, Qt.Key.Key_Escape)

    answer_modal(qtbot, lambda: qtbot.keyClick(page.table, Qt.Key.Key_N, CTRL | ALT), cancel)
    assert rows(window, [card])[0].queue != Queue.NEW

    def accept() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        qtbot.keyClick(box, Qt.Key.Key_Return)

    answer_modal(qtbot, lambda: qtbot.keyClick(page.table, Qt.Key.Key_N, CTRL | ALT), accept)
    row = rows(window, [card])[0]
    assert (row.queue, row.stability, row.reviews) == (Queue.NEW, None, 1)
    assert len(browse.card_history(window.store, card)) == 1
    assert page.model.data(page.model.index(0, 2)) == "New"


def test_set_due_date_by_keys(qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    ids = select_first(qtbot, page, 3)
    now = window.clock()
    for card_id in ids[:2]:  # two cards with a memory state; the third is new
        stored = study.get_card(window.store, card_id)
        assert stored is not None
        study.record_answer(window.store, stored, Grade.GOOD,
                            Fsrs().answer(stored.state, Grade.GOOD, now), now, 2000, None)

    def type_days() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        field = dialog.findChild(QLineEdit)
        assert field is not None and field.text() == "0"
        field.selectAll()
        qtbot.keyClicks(field, "3")
        qtbot.keyClick(field, Qt.Key.Key_Return)

    answer_modal(qtbot, lambda: qtbot.keyClick(page.table, Qt.Key.Key_D, CTRL | SHIFT),
                 type_days)
    rollover = load_study_settings(window.store).rollover_hour
    in_three = study_day(now + timedelta(days=3), window.local, rollover).start
    assert [(r.queue, r.due) for r in rows(window, ids)] == [(Queue.REVIEW, in_three)] * 3
    made = rows(window, ids)[2]  # the new card: a review card with a memory state of 3 days
    assert (made.stability, made.reviews) == (3.0, 0)
    assert made.difficulty == pytest.approx(browse.initial_difficulty_good())
    assert window.statusBar().currentMessage() == (
        "3 cards due in 3 days; 1 of them new, now review cards.")


def test_card_info_lists_every_answer_and_esc_closes_it(qtbot: QtBot,
                                                       window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    [card] = select_first(qtbot, page, 1)
    now = window.clock()
    for days_ago in (9, 2):
        stored = study.get_card(window.store, card)
        assert stored is not None
        at = now - timedelta(days=days_ago)
        study.record_answer(window.store, stored, Grade.GOOD,
                            Fsrs().answer(stored.state, Grade.GOOD, at), at, 2000, None)
    qtbot.keyClick(page.table, Qt.Key.Key_I, CTRL | SHIFT)
    dialog = page.findChild(CardInfoDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(1, 2).text() == "Good"
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_go_to_topic_selects_it_in_the_tree(qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    search(qtbot, page, "step:7")
    page.select_row(4)
    row = rows(window, [page.model.card_id(4)])[0]
    qtbot.keyClick(page.table, Qt.Key.Key_G, CTRL)
    assert window.pages.currentWidget() is window.outline
    node = window.current_node
    assert node is not None and node.key == f"{row.deck_id}/{row.topic_id}"


def test_study_these_cards_starts_a_session_on_them(qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    search(qtbot, page, "latency")
    qtbot.keyClick(page.table, Qt.Key.Key_Return, CTRL)
    review = window.review
    assert window.pages.currentWidget() is review
    assert review.title.text() == "Studying: Browser: “latency”"
    shown = review.view.card if review.view is not None else None
    assert shown is not None and shown.id in page.model.ids


def test_esc_and_back_from_studying_return_to_the_browser_and_its_search(
        qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    search(qtbot, page, "latency")
    page.select_row(2)
    current = page.current_id()
    qtbot.keyClick(page.table, Qt.Key.Key_Return, CTRL)
    review = window.review
    assert window.pages.currentWidget() is review
    assert "Esc: Back to the browser" in window.page_status.text()
    qtbot.keyClick(review, Qt.Key.Key_Space)
    qtbot.keyClick(review, Qt.Key.Key_Escape)  # Esc, mid-session: the browser as it was
    assert window.pages.currentWidget() is page
    assert page.search_box.text() == "latency" and page.current_id() == current
    assert page.table.hasFocus()

    # Studied to the end: the finished screen's Back (and its key line) lead to the browser.
    ids = select_first(qtbot, page, 2)
    qtbot.keyClick(page.table, Qt.Key.Key_Return, CTRL)
    for _ in ids:
        qtbot.keyClick(review, Qt.Key.Key_Space)
        qtbot.keyClick(review, Qt.Key.Key_4)
    assert review.view is not None and review.view.finished
    assert review.back_button.text() == "Back to the browser"
    assert "Esc or Enter: back to the browser" in review.summary.text()
    review.back_button.click()
    assert window.pages.currentWidget() is page and page.search_box.text() == "latency"
    assert [r.reviews for r in rows(window, ids)] == [1, 1]  # the rows read again

    # A session started anywhere else goes back to the outline, as before.
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    window.outline.focus_tree()
    qtbot.keyClick(window.tree, Qt.Key.Key_Space, SHIFT)  # cram the branch
    assert window.pages.currentWidget() is review
    assert review.back_button.text() == "Back to the outline"
    qtbot.keyClick(review, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.outline


def test_a_browser_session_that_does_not_start_leaves_nothing_armed(
        qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    window.study_cards = lambda _ids, _title: None  # type: ignore[method-assign]
    qtbot.keyClick(page.table, Qt.Key.Key_Return, CTRL)  # refused: no session started
    window.outline.focus_tree()
    del window.study_cards
    qtbot.keyClick(window.tree, Qt.Key.Key_Space, SHIFT)
    assert window.review.back_to == "outline"


def test_studying_two_selected_cards_shows_only_them(qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    ids = select_first(qtbot, page, 2)
    qtbot.keyClick(page.table, Qt.Key.Key_Enter, CTRL | Qt.KeyboardModifier.KeypadModifier)
    review = window.review
    assert review.title.text() == "Studying: Browser: 2 selected cards"
    seen = []
    for _ in ids:
        assert review.view is not None and review.view.card is not None
        seen.append(review.view.card.id)
        qtbot.keyClick(review, Qt.Key.Key_Space)
        qtbot.keyClick(review, Qt.Key.Key_4)  # Easy: out of today's session
    assert sorted(seen) == sorted(ids)


def test_esc_goes_back_from_the_list_and_the_search_box(qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.outline
    page = open_browser(qtbot, window)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.outline


def test_the_context_menu_holds_the_actions(qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    menu = page.cards_menu(page)
    texts = [a.text().replace("&", "") for a in menu.actions() if a.text()]
    assert texts[:4] == ["Toggle suspend", "Toggle bury", "Forget…", "Set due date…"]
    assert {"Card info", "Go to topic", "Study these cards", "Flag"} <= set(texts)
    flags = next(a.menu() for a in menu.actions() if a.menu() is not None)
    assert [a.text().replace("&", "") for a in flags.actions()] == [
        "Red", "Orange", "Green", "Blue"]
    assert page.cards_button.menu() is not None


def test_the_model_passes_qt_checks_and_f1_lists_the_keys(qtbot: QtBot, window: MainWindow,
                                                          qtmodeltester: object) -> None:
    page = open_browser(qtbot, window)
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]
    listed = {(keys, what) for where, keys, what in shortcut_rows()
              if where == "In the card browser"}
    assert ("Ctrl+J", "Suspend or unsuspend the selected cards") in listed
    assert ("Ctrl+1, Ctrl+2, Ctrl+3, Ctrl+4",
            "Red, orange, green, blue flag (the same again removes it)") in listed
    assert ("View menu", "Ctrl+B", "Browse cards") in shortcut_rows()


def test_rows_selected_beyond_the_first_chunk(qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    last = len(page.model.ids) - 1
    page.select_row(last)
    assert page.model.rowCount() == len(page.model.ids)
    assert page.selected_ids() == [page.model.ids[last]]
    page.table.selectionModel().select(
        page.model.index(0, 0), QItemSelectionModel.SelectionFlag.Select
        | QItemSelectionModel.SelectionFlag.Rows)
    assert page.selected_ids() == [page.model.ids[0], page.model.ids[last]]
    assert isinstance(page.table, QTableView)


def test_a_narrow_list_drops_the_columns_the_preview_shows_instead_of_squeezing(
        qtbot: QtBot, window: MainWindow) -> None:
    page = open_browser(qtbot, window)
    header = page.table.horizontalHeader()
    assert not any(header.isSectionHidden(c) for c in range(len(COLUMNS)))  # 1120 wide
    window.resize(800, 600)
    font = page.table.font()
    font.setPointSizeF(16)
    page.table.setFont(font)  # as a 16 pt application font does
    qtbot.wait_until(lambda: header.isSectionHidden(GIVE_WAY[0]))
    hidden = [c for c in range(len(COLUMNS)) if header.isSectionHidden(c)]
    assert hidden and sorted(hidden) == sorted(GIVE_WAY[:len(hidden)])  # least used first
    assert not any(header.isSectionHidden(c) for c in (0, 1, 2))  # front, topic, due stay
    assert header.sectionSize(0) >= page.table.viewport().width() * 2 // 5 - 1
