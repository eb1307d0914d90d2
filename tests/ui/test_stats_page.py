"""View > Statistics: figures computed off the GUI thread, drawn as the data says, saved as PNG."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtGui import QColor, QFont, QImage
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
from app.decks.tree import TreeNode
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings
from app.ui.app import open_data
from app.ui.main_window import MainWindow, settings_for
from app.ui.stats.charts import ACCENT, GOOD, BarChart, overlapping
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
    """One bar per value, each as tall as its share of the chart's top tick, within a pixel,
    left to right; and the chart's labels keep apart."""
    assert chart.values == list(values)
    layout = chart.chart_layout()
    assert len(layout.bars) == len(values)
    top = layout.ticks[-1]
    assert top >= (chart.maximum or max(v or 0 for v in values))
    for bar, value in zip(layout.bars, values, strict=True):
        assert abs(bar.height() - layout.plot.height() * min(1.0, (value or 0) / top)) <= 1, (
            bar, value)
    assert [bar.left() for bar in layout.bars] == sorted(bar.left() for bar in layout.bars)
    labels = [label.rect for label in (*layout.tick_labels, *layout.x_labels,
                                       *layout.value_labels)]
    assert overlapping(labels) == []


def test_empty_history_says_what_to_do_and_draws_no_bars(qtbot: QtBot, data_dir: Path) -> None:
    window = _window(qtbot, data_dir)
    page = _open_stats(qtbot, window)
    assert page.figures is not None
    assert page.figures.total_reviews == 0
    assert page.empty.isVisibleTo(page) and "press Space" in page.empty.text()
    assert not page.interviews.isVisibleTo(page)
    assert "No finished interviews yet" in page.boxes[6].note.text()
    assert len(page.heatmap.days) == len(page.heatmap.cell_rects()) == 365
    image = page.heatmap.grab().toImage()
    assert not any(image.pixelColor(cell.center()).rgb() == GOOD.rgb()
                   for cell in page.heatmap.cell_rects())
    more = page.heatmap.heat_layout().legend_swatches[-1]
    assert _painted(page.heatmap, GOOD) == more.width() * more.height()  # the legend's only
    assert _painted(page.study_time, ACCENT) == 0
    assert [bar.height() for bar in page.study_time.bar_rects()] == [0] * 30
    assert page.filter.currentText() == "Machine Learning System Design"  # the selected deck
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
    assert [label.text for label in page.states.chart_layout().value_labels] == [
        f"{deck_cards - 5}", "0", "5", "0"]
    assert page.tiles["reviews"].value.text() == "5" and page.tiles["days"].value.text() == "1"
    _assert_heights_follow(page.states, [deck_cards - 5, 0, 5, 0])
    assert len(page.forecast.bar_rects()) == len(figures.forecast) == 30
    _assert_heights_follow(page.forecast, [n for _, n in figures.forecast])
    assert sum(n for _, n in figures.forecast) > 0
    study = [round(d.seconds / 60, 1) for d in figures.study_time]
    _assert_heights_follow(page.study_time, study)
    study_layout = page.study_time.chart_layout()
    [minutes] = [m for m in study if m]  # one study day
    assert [h for h in (b.height() for b in study_layout.bars) if h] == [
        study_layout.y_of(0) - study_layout.y_of(minutes)]
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
        interviews=[InterviewPoint(datetime(2026, 3, 1, 12, tzinfo=UTC), 2, 3, 2, 4),
                    InterviewPoint(datetime(2026, 3, 1, 12, tzinfo=UTC), 1, None, 0, 0),
                    InterviewPoint(datetime(2026, 2, 20, 12, tzinfo=UTC), 2, 4, 4, 4)],
        total_reviews=3,
        desired_retention=0.85,
    )


def _page(qtbot: QtBot, tmp_path: Path) -> StatsPage:
    page = StatsPage(QSettings(str(tmp_path / "stats.ini"), QSettings.Format.IniFormat),
                     lambda: None)
    qtbot.addWidget(page)
    return page


def test_each_chart_draws_its_own_figures(qtbot: QtBot, tmp_path: Path) -> None:
    page = _page(qtbot, tmp_path)
    page.resize(1120, 740)
    page.show()
    figures = _figures()
    page.show_figures(figures)
    assert page.status.text() == "" and not page.empty.isVisibleTo(page)
    _assert_heights_follow(page.forecast, [7, 0, 14, 3] * 3 + [7, 0])
    assert page.forecast.labels[:3] == ["today", "3 Mar", "4 Mar"]
    _assert_heights_follow(page.retention, [None, 75])  # an empty week is no data, not 0 %
    assert page.retention.reference == (85.0, "target 85%")
    assert page.retention.legend_texts() == ["passed", "target 85%"]
    layout = page.retention.chart_layout()
    assert layout.reference_y == layout.y_of(85)
    assert [label.text for label in layout.value_labels] == ["75%"]
    _assert_heights_follow(page.states, [40, 2, 20, 1])
    _assert_heights_follow(page.study_time, [10.0, 25.0])
    _assert_heights_follow(page.mastery, [50.0, 0.0])
    assert [label.text for label in page.mastery.chart_layout().value_labels] == ["50%", "0%"]
    assert page.retention.maximum == page.mastery.maximum == 100
    # The interview grid: a dated column per interview, oldest first, a row per step.
    assert page.interviews.columns == ["20 Feb", "1 Mar"]
    assert page.interviews.rows == ["Step 1", "Step 2"]
    assert page.interviews.cells == [[None, (None, None)], [(4, 1.0), (3, 0.5)]]
    assert [h.text for h in page.interviews.grid_layout().headers] == ["20 Feb", "1 Mar"]
    busy = [c.alphaF() for c in page.heatmap.cell_colours() if c.rgb() == GOOD.rgb()]
    assert busy == [pytest.approx(1.0)]
    tiles = {key: tile.value.text() for key, tile in page.tiles.items()}
    assert tiles == {"due": "7", "reviews": "3", "days": "1", "streak": "0",
                     "retention": "75%", "time": "35 min"}
    assert page.boxes[1].note.text().startswith("79 cards due in 14 days · 7 today")
    assert "3 of 4 passed (75%)" in page.boxes[2].note.text()
    # The tallest forecast bar (14 of a 15 top tick) is painted to its top; a zero one not at all.
    image = page.forecast.grab().toImage()
    layout = page.forecast.chart_layout()
    tall, empty = layout.bars[2], layout.bars[1]
    assert tall.top() == layout.y_of(14)
    for y in (tall.top() + 1, tall.center().y(), tall.bottom() - 1):
        assert image.pixelColor(tall.center().x(), y).rgb() == ACCENT.rgb()
        assert image.pixelColor(empty.center().x(), y).rgb() != ACCENT.rgb()
    assert image.pixelColor(tall.center().x(), tall.top() - 2).rgb() != ACCENT.rgb()


def _in_page(page: StatsPage, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(page, QPoint(0, 0)), widget.size())


@pytest.mark.parametrize(("size", "points"), [((1120, 740), None), ((800, 600), None),
                                               ((800, 600), 16)],
                         ids=["default", "800x600", "800x600-16pt"])
def test_the_page_holds_at_16pt_and_800x600(qtbot: QtBot, tmp_path: Path,
                                            size: tuple[int, int], points: int | None) -> None:
    """The charts' labels keep apart, no chart runs under its Save button or into another box,
    the grid's rows keep apart, and the page scrolls down rather than across."""
    page = _page(qtbot, tmp_path)
    if points:
        font = QFont(page.font())
        font.setPointSize(points)
        page.setFont(font)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    page.show_figures(_figures())
    qtbot.wait(1)  # let the layouts settle (no timing involved)
    content = page.boxes[0].parentWidget()
    scroll = content.parentWidget().parentWidget()
    assert content.width() <= scroll.width()  # no sideways scrolling
    charts = [page.heatmap, page.forecast, page.retention, page.study_time, page.states,
              page.mastery, page.interviews]
    for box, chart in zip(page.boxes, charts, strict=True):
        chart_rect = _in_page(page, chart)
        button = _in_page(page, box.save_button)
        assert not chart_rect.intersects(button), box.title.text()
        assert not chart_rect.intersects(_in_page(page, box.note)), box.title.text()
        assert _in_page(page, box).contains(button)
        assert chart.width() >= chart.minimumSizeHint().width() - 1
    assert overlapping([_in_page(page, box) for box in page.boxes]) == []
    for chart in charts[1:6]:
        assert isinstance(chart, BarChart)
        layout = chart.chart_layout()
        assert overlapping([label.rect for label in (*layout.tick_labels, *layout.x_labels,
                                                     *layout.value_labels)]) == []
        assert all(chart.rect().contains(label.rect) for label in layout.x_labels)
    heat = page.heatmap.heat_layout()
    assert page.heatmap.height() >= heat.height
    assert overlapping([label.rect for label in (*heat.months, *heat.weekdays)]) == []
    grid = page.interviews.grid_layout()
    rows = [row[-1] for row in grid.cells]
    assert all(r is not None for r in rows)
    assert overlapping([r for r in rows if r is not None]) == []
    assert page.interviews.height() >= grid.height
    two_columns = page.boxes[1].y() == page.boxes[2].y()
    assert two_columns == (points is None)  # at 16 pt on 800 px the charts stack


def test_the_show_box_narrows_the_figures_to_a_deck_or_the_selected_branch(
        qtbot: QtBot, data_dir: Path) -> None:
    window = _window(qtbot, data_dir)
    root = window.outline.roots[0]
    first, second = root.children[0], root.children[1]

    def study(node_scope: Scope, answers: int, days_ago: int) -> None:
        moment = NOW - timedelta(days=days_ago)
        session = ReviewSession(window.store, Fsrs(SchedulerSettings(fuzz=False)), node_scope,
                                moment, UTC)
        for minute in range(answers):
            at = moment + timedelta(minutes=minute)
            session.reveal(at)
            session.answer(Grade.GOOD, at + timedelta(seconds=20))

    def branch(node: TreeNode) -> Scope:
        return Scope(deck_id=node.deck_id, topic_ids=frozenset(
            n.topic_id for n in node.walk() if n.topic_id is not None))

    study(branch(first), 3, 2)
    study(branch(second), 4, 1)
    assert window.open_key(second.key)
    page = _open_stats(qtbot, window)
    labels = [page.filter.itemText(i) for i in range(page.filter.count())]
    assert labels == ["All decks", root.title, f"Branch: {second.label}"]
    assert page.filter.currentText() == f"Branch: {second.label}"
    assert page.figures is not None and page.figures.total_reviews == 4
    assert [m.step for m in page.figures.mastery] == [second.step]
    assert page.tiles["reviews"].value.text() == "4"
    assert window.page_status.text().startswith("Alt+O: show every deck, a deck or the "
                                                "selected branch · Esc")

    # By keys, as a user would: Alt+O focuses the Show box, Home picks "All decks".
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(page, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert page.filter.hasFocus()
    qtbot.keyClick(page.filter, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: page.figures is not None and page.figures.total_reviews == 7,
                    timeout=20_000)
    assert page.tiles["reviews"].value.text() == "7"
    assert len(page.figures.mastery) == 9
    qtbot.keyClick(page.filter, Qt.Key.Key_Down)  # the deck: the same seven answers
    qtbot.waitUntil(lambda: page.status.isHidden(), timeout=20_000)
    assert page.filter.currentText() == root.title and page.figures.total_reviews == 7
    window.close()
    window.store.close()


def test_interviews_that_do_not_fit_are_counted_under_the_grid(qtbot: QtBot,
                                                               tmp_path: Path) -> None:
    page = _page(qtbot, tmp_path)
    page.resize(800, 600)
    page.show()
    qtbot.waitExposed(page)
    days = [datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=5 * n) for n in range(16)]
    figures = _figures()
    page.show_figures(Figures(**{**figures.__dict__, "interviews": [
        InterviewPoint(day, step, 1 + (n + step) % 4, step, 9)
        for n, day in enumerate(days) for step in (1, 2, 3)]}))
    qtbot.wait(1)
    layout = page.interviews.grid_layout()
    shown = 16 - layout.first_column
    assert 0 < shown < 16
    assert page.boxes[6].note.text() == f"The latest {shown} of 16 interviews."
    assert [h.index for h in layout.headers][-1] == 15
    assert page.interviews.columns[-1] == "17 Mar"  # 1 Jan + 75 days
    page.resize(1400, 700)  # wider: more fit, and the note follows
    qtbot.waitUntil(lambda: page.interviews.grid_layout().first_column < layout.first_column)
    wider = 16 - page.interviews.grid_layout().first_column
    assert page.boxes[6].note.text() in (f"The latest {wider} of 16 interviews.", "")
