"""View > Statistics: figures computed off the GUI thread, drawn, saved as PNG."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.db.study import Scope
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings
from app.ui.app import open_data
from app.ui.main_window import MainWindow, settings_for

pytestmark = pytest.mark.gui
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _window(qtbot: QtBot, data_dir: Path) -> MainWindow:
    store, report = open_data(data_dir)
    window = MainWindow(store, report, settings_for(data_dir), clock=lambda: NOW, local=UTC)
    qtbot.addWidget(window)
    window.show()
    return window


def _open_stats(qtbot: QtBot, window: MainWindow) -> None:
    window.show_statistics()
    page = window.stats_page
    assert page is not None and window.pages.currentWidget() is page
    qtbot.waitUntil(lambda: page.figures is not None or "Could not" in page.status.text(),
                    timeout=20_000)
    assert page.figures is not None, page.status.text()


def test_empty_history_says_what_to_do(qtbot: QtBot, data_dir: Path) -> None:
    window = _window(qtbot, data_dir)
    _open_stats(qtbot, window)
    page = window.stats_page
    assert page is not None and page.figures is not None
    assert page.figures.total_reviews == 0
    assert page.empty.isVisibleTo(page) and "press Space" in page.empty.text()
    assert page.interviews_empty.isVisibleTo(page)
    assert len(page.heatmap.days) == 365
    window.stats_page.grab()  # paints without data
    window.close()
    window.store.close()


def test_reviews_show_up_in_the_charts_and_a_chart_saves_as_png(qtbot: QtBot, data_dir: Path,
                                                               tmp_path: Path) -> None:
    window = _window(qtbot, data_dir)
    session = ReviewSession(window.store, Fsrs(SchedulerSettings(fuzz=False)), Scope(),
                            NOW - timedelta(days=2), UTC)
    for minute in range(5):
        moment = NOW - timedelta(days=2) + timedelta(minutes=minute)
        session.reveal(moment)
        session.answer(Grade.EASY, moment + timedelta(seconds=30))
    _open_stats(qtbot, window)
    page = window.stats_page
    assert page is not None and page.figures is not None
    assert page.figures.total_reviews == 5
    assert not page.empty.isVisibleTo(page)
    two_days_ago = [d for d in page.heatmap.days if d.reviews]
    assert [(d.day, d.reviews) for d in two_days_ago] == [((NOW - timedelta(days=2)).date(), 5)]
    assert page.states.values == [842, 0, 5, 0]
    assert len(page.mastery.values) == 9
    target = page.save_png(page.boxes[0], "heatmap", str(tmp_path / "heatmap.png"))
    assert target is not None and not QImage(str(target)).isNull()
    assert window.settings.value("stats/folder") == str(tmp_path)
    window.close_review()
    assert window.pages.currentWidget() is window.splitter
    window.close()
    window.store.close()
