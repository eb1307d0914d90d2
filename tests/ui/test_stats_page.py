"""View > Statistics: figures computed off the GUI thread, drawn as the data says, saved as PNG."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.db.stats import (
    DayCount,
    Figures,
    InterviewPoint,
    StateCounts,
    StepMastery,
    WeekRetention,
)
from app.db.study import Scope
from app.decks.cards import generate_cards
from app.decks.loader import load_path
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings
from app.ui.app import open_data
from app.ui.main_window import MainWindow, settings_for
from app.ui.stats.charts import ACCENT, GOOD, BarChart, plot_area
from app.ui.stats.page import StatsPage

pytestmark = pytest.mark.gui
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _window(qtbot: QtBot, data_dir: Path) -> MainWindow:
    store, report = open_data(data_dir)
    window = MainWindow(store, report, settings_for(data_dir), clock=lambda: NOW, local=UTC)
    qtbot.addWidget(window)
    window.show()
    return window


def _open_stats(qtbot: QtBot, window: MainWindow) -> StatsPage:
    window.show_statistics()
    page = window.stats_page
    assert page is not None and window.pages.currentWidget() is page
    qtbot.waitUntil(lambda: page.figures is not None or "Could not" in page.status.text(),
                    timeout=20_000)
    assert page.figures is not None, page.status.text()
    return page


def _pixels(image: QImage) -> list[int]:
    """Every pixel as 0xffRRGGBB."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    return list(memoryview(image.constBits()).cast("I"))


def _painted(widget: QWidget, colour: QColor) -> int:
    """How many pixels of ``widget`` are exactly ``colour``."""
    return _pixels(widget.grab().toImage()).count(colour.rgb())


def _assert_heights_follow(chart: BarChart, values: Sequence[float | None]) -> None:
    """One bar per value, each as tall as its share of the chart's top, within a pixel."""
    assert chart.values == list(values)
    bars = chart.bar_rects()
    assert len(bars) == len(values)
    area = plot_area(chart.rect())
    top = chart.maximum or max(v or 0 for v in values) or 1
    for bar, value in zip(bars, values, strict=True):
        assert abs(bar.height() - area.height() * min(1.0, (value or 0) / top)) < 1, (bar, value)
    assert [bar.left() for bar in bars] == sorted(bar.left() for bar in bars)


def test_empty_history_says_what_to_do_and_draws_no_bars(qtbot: QtBot, data_dir: Path) -> None:
    window = _window(qtbot, data_dir)
    page = _open_stats(qtbot, window)
    assert page.figures is not None
    assert page.figures.total_reviews == 0
    assert page.empty.isVisibleTo(page) and "press Space" in page.empty.text()
    assert page.interviews_empty.isVisibleTo(page)
    assert len(page.heatmap.days) == len(page.heatmap.cell_rects()) == 365
    assert _painted(page.heatmap, GOOD) == 0 and _painted(page.study_time, ACCENT) == 0
    assert [bar.height() for bar in page.study_time.bar_rects()] == [0] * 30
    window.close()
    window.store.close()


def test_reviews_show_up_in_the_charts_and_a_chart_saves_as_png(qtbot: QtBot, data_dir: Path,
                                                               tmp_path: Path) -> None:
    window = _window(qtbot, data_dir)
    deck_cards = sum(len(generate_cards(load_path(d.path))) for d in window.store.decks())
    session = ReviewSession(window.store, Fsrs(SchedulerSettings(fuzz=False)), Scope(),
                            NOW - timedelta(days=2), UTC)
    for minute in range(5):
        moment = NOW - timedelta(days=2) + timedelta(minutes=minute)
        session.reveal(moment)
        session.answer(Grade.EASY, moment + timedelta(seconds=30))
    page = _open_stats(qtbot, window)
    figures = page.figures
    assert figures is not None
    assert figures.total_reviews == 5
    assert not page.empty.isVisibleTo(page)
    reviewed = [i for i, d in enumerate(page.heatmap.days) if d.reviews]
    two_days_ago = (NOW - timedelta(days=2)).date()
    assert [(page.heatmap.days[i].day, page.heatmap.days[i].reviews) for i in reviewed] == [
        (two_days_ago, 5)]
    assert page.states.values == [deck_cards - 5, 0, 5, 0]
    _assert_heights_follow(page.states, [deck_cards - 5, 0, 5, 0])
    assert len(page.forecast.bar_rects()) == len(figures.forecast) == 30
    _assert_heights_follow(page.forecast, [n for _, n in figures.forecast])
    assert sum(n for _, n in figures.forecast) > 0
    study = [round(d.seconds / 60, 1) for d in figures.study_time]
    _assert_heights_follow(page.study_time, study)
    assert [h for h in (b.height() for b in page.study_time.bar_rects()) if h] == [
        plot_area(page.study_time.rect()).height()]  # one study day, the full height
    assert len(page.mastery.values) == 9

    target = page.save_png(page.boxes[0], "heatmap", str(tmp_path / "heatmap.png"))
    assert target is not None and target.parent == tmp_path
    saved = QImage(str(target))
    assert saved.size() == page.boxes[0].size()
    cell = page.heatmap.cell_rects()[reviewed[0]].center()
    busy = page.heatmap.mapTo(page.boxes[0], cell)
    quiet = page.heatmap.mapTo(page.boxes[0], page.heatmap.cell_rects()[reviewed[0] - 1].center())
    assert saved.pixelColor(busy).rgb() == GOOD.rgb()  # the only (so busiest) day, full colour
    assert saved.pixelColor(quiet).rgb() != GOOD.rgb()
    assert window.settings.value("stats/folder") == str(tmp_path)
    window.close_review()
    assert window.pages.currentWidget() is window.splitter
    window.close()
    window.store.close()


def _figures() -> Figures:
    start = date(2026, 3, 2)
    return Figures(
        heatmap=[DayCount(start - timedelta(days=364 - n), 3 if n == 360 else 0, 90.0)
                 for n in range(365)],
        forecast=[(start + timedelta(days=n), [7, 0, 14, 3][n % 4]) for n in range(14)],
        retention=[WeekRetention(date(2026, 2, 16), 0, 0), WeekRetention(date(2026, 2, 23), 4, 3)],
        states=StateCounts(new=40, learning=2, review=20, suspended=1),
        study_time=[DayCount(start - timedelta(days=1 - n), 0, [600.0, 1500.0][n])
                    for n in range(2)],
        mastery=[StepMastery(1, "One", 1, 2), StepMastery(2, "Two", 0, 5)],
        interviews=[InterviewPoint(datetime(2026, 3, 1, tzinfo=UTC), 2, 3, 2, 4),
                    InterviewPoint(datetime(2026, 3, 1, tzinfo=UTC), 1, None, 0, 0)],
        total_reviews=3,
    )


def test_each_chart_draws_its_own_figures(qtbot: QtBot, tmp_path: Path) -> None:
    page = StatsPage(QSettings(str(tmp_path / "stats.ini"), QSettings.Format.IniFormat),
                     lambda: None)
    qtbot.addWidget(page)
    page.resize(1120, 740)
    page.show()
    figures = _figures()
    page.show_figures(figures)
    assert page.status.text() == "" and not page.empty.isVisibleTo(page)
    _assert_heights_follow(page.forecast, [7, 0, 14, 3] * 3 + [7, 0])
    assert page.forecast.labels[:2] == ["02 Mar", "03 Mar"]
    _assert_heights_follow(page.retention, [None, 75.0])  # an empty week is no data, not 0 %
    _assert_heights_follow(page.states, [40, 2, 20, 1])
    _assert_heights_follow(page.study_time, [10.0, 25.0])
    _assert_heights_follow(page.mastery, [50.0, 0.0])
    assert page.retention.maximum == page.mastery.maximum == 100
    assert page.interviews.rows == ["Step 1", "Step 2"]
    assert page.interviews.cells == [[(None, None)], [(3, 0.5)]]
    assert not page.interviews_empty.isVisibleTo(page)
    busy = [c.alphaF() for c in page.heatmap.cell_colours() if c.rgb() == GOOD.rgb()]
    assert busy == [pytest.approx(1.0)]
    assert page.summary.text().startswith("3 reviews in the last year · 20 cards in review, "
                                          "40 new, 1 suspended")
    # The tallest forecast bar (14 of 14) is painted the whole plot height; a zero one not at all.
    image = page.forecast.grab().toImage()
    bars, area = page.forecast.bar_rects(), plot_area(page.forecast.rect())
    tall, empty = bars[2], bars[1]
    for y in (area.top() + 2, area.center().y(), area.bottom() - 2):
        assert image.pixelColor(tall.center().x(), y).rgb() == ACCENT.rgb()
        assert image.pixelColor(empty.center().x(), y).rgb() != ACCENT.rgb()
