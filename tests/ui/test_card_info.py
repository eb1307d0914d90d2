"""Card info: the card's facts and every answer, from the review page (I) and on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.db import browse, study
from app.db.store import Store
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings
from app.ui.card_info import HISTORY_COLUMNS, CardInfoDialog, show_card_info
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CARD = "ml-system-design/s1/explain"


def answer(store: Store, card_id: str, grade: Grade, at: datetime) -> None:
    card = study.get_card(store, card_id)
    assert card is not None
    after = Fsrs(SchedulerSettings(fuzz=False)).answer(card.state, grade, at)
    study.record_answer(store, card, grade, after, at, 6500, None)


def cells(dialog: CardInfoDialog, row: int) -> list[str]:
    return [dialog.table.item(row, column).text() for column in range(len(HISTORY_COLUMNS))]


def test_every_answer_is_a_row_with_its_memory_state(qtbot: QtBot, store: Store) -> None:
    answer(store, CARD, Grade.GOOD, NOW - timedelta(days=30))
    answer(store, CARD, Grade.GOOD, NOW - timedelta(days=29))
    answer(store, CARD, Grade.AGAIN, NOW - timedelta(days=5))
    browse.set_flag(store, [CARD], 2)
    dialog = show_card_info(None, store, CARD, NOW, UTC)
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.windowTitle() == "Card info"
    history = browse.card_history(store, CARD)
    assert dialog.table.rowCount() == len(history) == 3
    first, _, last = (cells(dialog, row) for row in range(3))
    assert first[:3] == ["2026-01-31 15:00", "Learn", "Good"]
    assert first[4] == "—"  # a new card has no chance of recall to speak of
    assert first[7] == "6.5s"
    assert last[:3] == ["2026-02-25 15:00", "Review", "Again"]
    assert last[4] == f"{history[2].retrievability:.0%}"
    assert last[5] == f"{history[2].stability:.1f}d" and last[6] == f"{history[2].difficulty:.1f}"
    facts = dict(dialog.facts)
    assert facts["Reviews"] == "3" and facts["Lapses"] == "1"
    assert facts["First review"] == "2026-01-31" and facts["Latest review"] == "2026-02-25"
    assert facts["Flag"] == "Orange" and facts["Card id"] == CARD
    assert facts["State"] == "Relearning"
    details = browse.card_details(store, CARD)
    assert details is not None
    expected = browse.retrievability(details.stability, details.last_review, NOW)
    assert expected is not None and facts["Retrievability now"] == f"{expected:.0%}"
    assert "Step 1 Problem Formulation" in dialog.card.toPlainText()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_new_card_says_so(qtbot: QtBot, store: Store) -> None:
    dialog = show_card_info(None, store, CARD, NOW, UTC)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0
    facts = dict(dialog.facts)
    assert (facts["State"], facts["Due"], facts["Stability"], facts["Retrievability now"]) == (
        "New", "New", "—", "—")


def test_a_card_gone_from_the_store_is_named(qtbot: QtBot, store: Store) -> None:
    dialog = show_card_info(None, store, "nope/x/qa/0", NOW, UTC)
    qtbot.addWidget(dialog)
    assert "No card 'nope/x/qa/0'" in dialog.card.toPlainText()


def test_i_on_the_review_page_opens_card_info_for_the_card_shown(qtbot: QtBot,
                                                                 window: MainWindow) -> None:
    window.study_cards([CARD, "ml-system-design/s2/explain"], "two cards")
    review = window.review
    assert window.pages.currentWidget() is review
    assert review.view is not None and review.view.card is not None
    shown = review.view.card.id
    qtbot.keyClick(review, Qt.Key.Key_Space)
    qtbot.keyClick(review, Qt.Key.Key_3)  # one answer, so the next card... and back to it
    assert review.view is not None and review.view.card is not None
    current = review.view.card.id
    qtbot.keyClick(review, Qt.Key.Key_I)
    dialog = review.findChild(CardInfoDialog)
    assert dialog is not None and dialog.isVisible()
    assert dict(dialog.facts)["Card id"] == current
    assert dialog.table.rowCount() == len(browse.card_history(window.store, current))
    assert shown != current or dialog.table.rowCount() == 1
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    # Shift+I is not the key: nothing opens.
    qtbot.keyClick(review, Qt.Key.Key_I, Qt.KeyboardModifier.ShiftModifier)
    assert all(not d.isVisible() for d in review.findChildren(CardInfoDialog))
