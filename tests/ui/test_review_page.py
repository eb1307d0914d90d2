"""The review screen driven from the keyboard, against a real store and a fixed clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QTextDocument
from pytestqt.qtbot import QtBot
from shared import FakeClock

from app.db.settings import load_study_settings
from app.decks.render import render_markdown
from app.plural import counted
from app.scheduling.scheduler import Grade
from app.ui.actions import REVIEW_GRADE
from app.ui.app import open_data
from app.ui.appearance import palette
from app.ui.dialogs.settings import SettingsDialog
from app.ui.main_window import MainWindow, settings_for
from app.ui.tree_model import DUE

pytestmark = pytest.mark.gui


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def study_window(qtbot: QtBot, data_dir: Path, clock: FakeClock) -> Iterator[MainWindow]:
    store, report = open_data(data_dir)
    window = MainWindow(store, report, settings_for(data_dir), clock=clock, local=UTC)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    store.close()


def _plain(markdown: str) -> str:
    """Deck Markdown as the review page's text shows it."""
    document = QTextDocument()
    document.setHtml(render_markdown(markdown))
    return document.toPlainText().strip()


def _study_now(qtbot: QtBot, window: MainWindow) -> None:
    """Study this branch, then Study now on its overview (Enter)."""
    window.start_review("study")
    assert type(window.pages.currentWidget()).__name__ == "OverviewPage"
    qtbot.keyClick(window.pages.currentWidget(), Qt.Key.Key_Return)


def _log_rows(data_dir: Path, table: str = "review_log") -> int:
    # A second connection: what it sees is committed.
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_space_reveal_grade_undo_and_back(qtbot: QtBot, study_window: MainWindow,
                                          data_dir: Path, clock: FakeClock) -> None:
    window = study_window
    assert window.open_key("ml-system-design/s2")
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)  # the branch's overview
    qtbot.keyClick(window.pages.currentWidget(), Qt.Key.Key_Return)  # Study now
    page = window.review
    assert window.pages.currentWidget() is page and page.hasFocus()
    first = page.view.card if page.view else None
    assert first is not None and first.topic_id == "s2"
    prompt, answer = _plain(first.prompt), _plain(first.answer)
    assert prompt and answer and answer not in prompt
    assert page.card_view.toPlainText().strip() == prompt  # the question, not the answer
    qtbot.keyClick(page, Qt.Key.Key_Space)  # reveal
    assert page.view is not None and page.view.revealed
    shown = page.card_view.toPlainText()
    assert shown.startswith(prompt) and shown.rstrip().endswith(answer)
    labels = [b.text() for b in page.grade_buttons.values()]
    assert labels[0] == "Again\n1m" and labels[2] == "Good\n10m"
    clock.advance(12.5)
    qtbot.keyClick(page, Qt.Key.Key_3)
    assert _log_rows(data_dir) == 1
    assert page.view is not None and page.view.card is not None
    assert page.view.card.id != first.id and not page.view.revealed
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        duration, rating = conn.execute("SELECT duration_ms, rating FROM review_log").fetchone()
    assert (duration, rating) == (12500, 3)

    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _log_rows(data_dir) == 0
    assert page.view is not None and page.view.card is not None
    assert page.view.card.id == first.id and not page.view.revealed

    qtbot.keyClick(page, Qt.Key.Key_Space)
    qtbot.keyClick(page, Qt.Key.Key_1)  # Again: the card goes to learning, due in 1 minute
    qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.splitter
    node = window.current_node
    assert node is not None and node.key == "ml-system-design/s2"
    step2 = window.outline.proxy.mapFromSource(window.model.index_of(node, DUE))
    assert step2.data() == "1"  # the card answered Again is due again today


def test_grading_needs_the_answer_shown_first(qtbot: QtBot, study_window: MainWindow,
                                              data_dir: Path) -> None:
    assert study_window.open_key("ml-system-design/s1")
    _study_now(qtbot, study_window)
    qtbot.keyClick(study_window.review, Qt.Key.Key_3)
    assert _log_rows(data_dir) == 0
    qtbot.keyClick(study_window.review, Qt.Key.Key_Return)
    qtbot.keyClick(study_window.review, Qt.Key.Key_Return)  # Enter on the answer means Good
    assert _log_rows(data_dir) == 1


@pytest.mark.parametrize("position", range(len(REVIEW_GRADE.keys)))
def test_each_grade_key_answers_with_the_grade_the_help_names(
        qtbot: QtBot, study_window: MainWindow, data_dir: Path, position: int) -> None:
    assert study_window.open_key("ml-system-design/s1")
    _study_now(qtbot, study_window)
    page = study_window.review
    qtbot.keyClick(page, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert page.view is not None and page.view.revealed  # the keypad's Enter reveals too
    qtbot.keyClicks(page, REVIEW_GRADE.keys[position])
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        [(rating,)] = conn.execute("SELECT rating FROM review_log").fetchall()
    named = REVIEW_GRADE.what.split(", ")[position]
    assert Grade(rating).name == named.upper()


def test_cram_changes_no_schedule(qtbot: QtBot, study_window: MainWindow,
                                  data_dir: Path) -> None:
    assert study_window.open_key("ml-system-design/s8")
    qtbot.keyClick(study_window.tree, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    page = study_window.review
    assert page.view is not None and page.view.mode == "cram"
    assert page.title.text().startswith("Cramming: Step 8")
    for _ in range(3):
        qtbot.keyClick(page, Qt.Key.Key_Space)
        qtbot.keyClick(page, Qt.Key.Key_4)
    assert _log_rows(data_dir, "cram_log") == 3
    assert _log_rows(data_dir) == 0
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM cards WHERE reps > 0").fetchone()[0] == 0


def test_finishing_shows_a_summary(qtbot: QtBot, study_window: MainWindow,
                                   clock: FakeClock) -> None:
    assert study_window.open_key("ml-system-design/s2-metric-tradeoffs")  # a leaf topic
    # Today the branch shows each card once, but only one card of a sibling group.
    cards, today = study_window.store.conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT CASE WHEN sibling_group = '' THEN id "
        "ELSE sibling_group END) FROM cards WHERE topic_id = 's2-metric-tradeoffs'").fetchone()
    _study_now(qtbot, study_window)
    page = study_window.review
    # The counts are what the session shows: one card per sibling group.
    assert page.view is not None and page.view.counts.new == today and cards >= today >= 1
    for _ in range(today):
        assert page.view is not None and page.view.card is not None
        qtbot.keyClick(page, Qt.Key.Key_Space)
        clock.advance(30)
        qtbot.keyClick(page, Qt.Key.Key_4)  # Easy: straight to review, nothing comes back today
    assert page.view is not None and page.view.finished
    assert page.pages.currentIndex() == 1
    text = page.summary.text()
    cards_word = counted(today, "card").split()[1]  # "1 card", "2 cards"
    assert f"This session: <b>{today}</b> {cards_word} answered" in text and "100%" in text
    # The clock is 15:00 UTC: the next study day starts at 04:00 tomorrow.
    assert "Next card due: <b>tomorrow at 04:00</b>" in text
    assert f"{today * 30 // 60}m {today * 30 % 60:02d}s" in text or f"{today * 30}s" in text
    qtbot.keyClick(page, Qt.Key.Key_Return)
    assert study_window.pages.currentWidget() is study_window.splitter


def test_suspend_and_bury_from_the_review_screen(qtbot: QtBot, study_window: MainWindow,
                                                 data_dir: Path) -> None:
    assert study_window.open_key("ml-system-design/s3")
    _study_now(qtbot, study_window)
    page = study_window.review
    assert page.view is not None and page.view.card is not None
    first = page.view.card.id
    qtbot.keyClicks(page, "@")
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        assert conn.execute("SELECT suspended FROM cards WHERE id = ?", [first]).fetchone() == (1,)
    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        assert conn.execute("SELECT suspended FROM cards WHERE id = ?", [first]).fetchone() == (0,)
    qtbot.keyClicks(page, "-")
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        assert conn.execute("SELECT buried_until FROM cards WHERE id = ?",
                            [first]).fetchone()[0] is not None


def test_settings_change_the_next_session_live(qtbot: QtBot, study_window: MainWindow) -> None:
    dialog = SettingsDialog(study_window.store, study_window)
    qtbot.addWidget(dialog)
    dialog.applied.connect(study_window._settings_applied)
    dialog.retention.setValue(85)
    dialog.new_per_day.setValue(7)
    dialog.reviews_per_day.setValue(150)
    dialog.accept()
    chosen = load_study_settings(study_window.store)
    assert (chosen.desired_retention, chosen.new_per_day, chosen.reviews_per_day) == \
        (0.85, 7, 150)
    assert study_window.open_key("ml-system-design/s6")
    _study_now(qtbot, study_window)
    assert study_window.review.view is not None
    assert study_window.review.view.counts.new == 7


# --- a full disk or a read-only database while reviewing -----------------------------------------

def _answered(data_dir: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        rows = conn.execute("SELECT card_id, rating FROM review_log ORDER BY id").fetchall()
    return [(str(card), int(rating)) for card, rating in rows]


def test_a_full_disk_keeps_the_card_says_why_and_answering_again_works(
        qtbot: QtBot, study_window: MainWindow, data_dir: Path, clock: FakeClock) -> None:
    window = study_window
    assert window.open_key("ml-system-design")
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)  # the branch's overview
    qtbot.keyClick(window.pages.currentWidget(), Qt.Key.Key_Return)  # Study now
    page = window.review
    store = window.store
    # The disk fills up: SQLite may not grow the file beyond its current size. VACUUM first: the
    # free pages a deck sync leaves (the search index's merges) would take answers for a while.
    # Two pages to spare, so that some answers are saved before it is full (whether the first
    # answer fits the packed pages depends on the deck's text).
    store.conn.execute("VACUUM")
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    acknowledged: list[tuple[str, int]] = []
    for _ in range(100):
        assert page.view is not None and page.view.card is not None
        card = page.view.card
        qtbot.keyClick(page, Qt.Key.Key_Space)
        clock.advance(4)
        qtbot.keyClick(page, Qt.Key.Key_3)
        if page.problem.isVisible():
            break
        acknowledged.append((card.id, 3))
    assert page.problem.isVisible(), "the disk never filled up"
    assert acknowledged  # it filled up mid-session
    text = page.problem.text()
    assert text.startswith("Your answer was not saved. The disk holding ")
    assert "is full" in text and "Free some space" in text and "answer it again" in text
    # Still the same card, answer shown, grade buttons up; the app is still on the review page.
    assert window.pages.currentWidget() is page
    assert page.view is not None and page.view.card == card and page.view.revealed
    assert page.bottom.currentIndex() == 1 and card.answer.split()[0] in \
        page.card_view.toPlainText()
    assert _answered(data_dir) == acknowledged

    qtbot.keyClick(page, Qt.Key.Key_1)  # still full: the same card stays
    assert page.problem.isVisible() and page.view.card == card
    store.conn.execute("PRAGMA max_page_count = 4294967294")  # space freed
    qtbot.keyClick(page, Qt.Key.Key_3)
    assert not page.problem.isVisible()
    assert page.view is not None and page.view.card != card and not page.view.revealed
    assert _answered(data_dir) == [*acknowledged, (card.id, 3)]


def test_a_read_only_database_refuses_undo_and_suspend_in_the_page(
        qtbot: QtBot, study_window: MainWindow, data_dir: Path) -> None:
    assert study_window.open_key("ml-system-design/s3")
    _study_now(qtbot, study_window)
    page = study_window.review
    assert page.view is not None and page.view.card is not None
    first = page.view.card
    qtbot.keyClick(page, Qt.Key.Key_Space)
    qtbot.keyClick(page, Qt.Key.Key_3)
    second = page.view.card
    assert second is not None and second != first
    study_window.store.conn.execute("PRAGMA query_only = ON")

    qtbot.keyClicks(page, "@")
    assert page.problem.isVisible()
    assert page.problem.text().startswith("The card was not suspended. ")
    assert "read-only" in page.problem.text()
    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.problem.text().startswith("The last answer was not undone. ")
    assert page.view.card == second and _answered(data_dir) == [(first.id, 3)]

    study_window.store.conn.execute("PRAGMA query_only = OFF")
    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not page.problem.isVisible()
    assert page.view.card is not None and page.view.card.id == first.id
    assert _answered(data_dir) == []


def test_study_cards_studies_exactly_those_cards_now(qtbot: QtBot, study_window: MainWindow,
                                                     data_dir: Path) -> None:
    window = study_window
    ids = ["ml-system-design/s2/explain", "ml-system-design/s3/explain"]
    window.study_cards(ids, "2 cards from the browser")
    page = window.review
    assert window.pages.currentWidget() is page and page.hasFocus()
    assert page.title.text() == "Studying: 2 cards from the browser"
    shown = []
    while page.view is not None and page.view.card is not None:
        shown.append(page.view.card.id)
        qtbot.keyClick(page, Qt.Key.Key_Space)
        qtbot.keyClick(page, Qt.Key.Key_4)
    assert sorted(shown) == ids and _log_rows(data_dir) == 2
    qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.outline


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def _contrast(first: QColor, second: QColor) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_cards_breadcrumb_is_muted_but_readable_in_both_themes(
        qtbot: QtBot, study_window: MainWindow, theme: str) -> None:
    """The topic path over each card: dimmer than the card's text, yet at least 3:1 against the
    window (a disabled label's grey was about 1.9:1 in the light theme)."""
    _study_now(qtbot, study_window)
    label = study_window.review.context
    label.setPalette(palette(theme))  # type: ignore[arg-type]
    shown = label.palette()
    text, window = shown.color(label.foregroundRole()), shown.color(QPalette.ColorRole.Window)
    if text.alphaF() < 1:  # drawn over the window colour
        text = QColor.fromRgbF(*(t * text.alphaF() + w * (1 - text.alphaF())
                                 for t, w in zip(text.getRgbF()[:3], window.getRgbF()[:3],
                                                 strict=True)))
    assert 3 <= _contrast(text, window) < _contrast(
        shown.color(QPalette.ColorRole.WindowText), window)
