"""The statistics charts draw what the figures say: bar heights, heatmap cells and their colours."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.db.stats import DayCount
from app.ui.stats.charts import (
    ACCENT,
    GOOD,
    SCORE_COLOURS,
    BarChart,
    Heatmap,
    ScoreGrid,
    bar_index_at,
    bar_rects,
    heat_level,
    heatmap_cells,
    plot_area,
    score_cells,
)

pytestmark = pytest.mark.gui
WEDNESDAY = date(2026, 3, 4)


def _image(widget: QWidget) -> QImage:
    return widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def _is(image: QImage, x: int, y: int, colour: QColor) -> bool:
    return image.pixelColor(x, y).rgb() == colour.rgb()


# --- bars ----------------------------------------------------------------------------------------

def test_bar_heights_are_the_values_share_of_the_largest_in_order() -> None:
    area = QRect(10, 20, 400, 200)
    bars = bar_rects([4, 0, 8, 2, None], area)
    assert [bar.height() for bar in bars] == [100, 0, 200, 50, 0]
    # All stand on the same baseline, left to right in equal slots, inside the area.
    assert {bar.top() + bar.height() for bar in bars} == {area.bottom()}
    assert [bar.left() for bar in bars] == [11, 91, 171, 251, 331]
    assert {bar.width() for bar in bars} == {78}
    assert all(area.left() <= bar.left() and bar.right() <= area.right() for bar in bars)


def test_a_given_maximum_is_full_height_and_caps_larger_values() -> None:
    bars = bar_rects([50, 100, 120, 0, 25], QRect(0, 0, 100, 160), maximum=100)
    assert [bar.height() for bar in bars] == [80, 160, 160, 0, 40]


def test_all_zero_or_no_values_draw_nothing() -> None:
    assert [bar.height() for bar in bar_rects([0, 0, None], QRect(0, 0, 90, 50))] == [0, 0, 0]
    assert bar_rects([], QRect(0, 0, 90, 50)) == []


def test_the_bar_under_the_mouse_is_the_one_drawn_there() -> None:
    area = QRect(6, 6, 288, 172)
    bars = bar_rects([3, 1, 2], area)
    assert [bar_index_at(bar.center().x(), 3, area) for bar in bars] == [0, 1, 2]
    assert bar_index_at(area.right() + 5, 3, area) is None
    assert bar_index_at(0, 0, area) is None


def test_bar_chart_widget_uses_its_size_and_data(qtbot: QtBot) -> None:
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(406, 228)
    chart.set_data(["a", "b", "c"], [0, 30, 15])
    area = plot_area(chart.rect())
    assert area == QRect(6, 6, 394, 200)
    assert [bar.height() for bar in chart.bar_rects()] == [0, 200, 100]


def test_painted_bars_fill_exactly_their_height(qtbot: QtBot) -> None:
    """Pixels, not geometry: a zero bar paints nothing, a full one the whole plot, a half one
    the lower half only. Positions are worked out here from the widget size, not by bar_rects."""
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(300, 200)  # plot area x 6..293, y 6..177: three slots of 96 px, 172 px high
    chart.set_data(["a", "b", "c"], [0, 10, 5])
    image = _image(chart)
    zero, full, half = 54, 150, 246  # slot centres
    for y in (10, 90, 170):
        assert not _is(image, zero, y, ACCENT)
        assert _is(image, full, y, ACCENT)
    assert _is(image, half, 100, ACCENT) and _is(image, half, 170, ACCENT)
    assert not _is(image, half, 80, ACCENT) and not _is(image, half, 10, ACCENT)
    assert not _is(image, full, 185, ACCENT)  # nothing below the baseline, in the labels


def test_no_data_paints_no_bar_but_zero_percent_is_a_value(qtbot: QtBot) -> None:
    chart = BarChart("%", GOOD)
    qtbot.addWidget(chart)
    chart.resize(300, 200)
    chart.set_data(["w1", "w2", "w3"], [None, 100, 40], maximum=100)
    image = _image(chart)
    assert not any(_is(image, 54, y, GOOD) for y in range(6, 178, 4))
    assert _is(image, 150, 10, GOOD)
    assert _is(image, 246, 170, GOOD) and not _is(image, 246, 90, GOOD)


# --- heatmap -------------------------------------------------------------------------------------

def test_heatmap_puts_each_day_in_its_weekday_row_and_week_column() -> None:
    days = [WEDNESDAY + timedelta(days=n) for n in range(20)]
    cells = heatmap_cells(WEDNESDAY, len(days))
    assert len(cells) == 20
    monday = WEDNESDAY - timedelta(days=WEDNESDAY.weekday())
    for day, cell in zip(days, cells, strict=True):
        assert cell.size().width() == cell.size().height() == Heatmap.CELL
        assert (cell.top() - cells[0].top()) // (Heatmap.CELL + 2) == day.weekday() - 2
        assert (cell.left() - cells[0].left()) // (Heatmap.CELL + 2) == (day - monday).days // 7
    assert len({(c.left(), c.top()) for c in cells}) == 20
    assert not any(a.intersects(b) for i, a in enumerate(cells) for b in cells[i + 1:])


@pytest.mark.parametrize(("reviews", "level"), [(0, 0.0), (1, 0.3875), (4, 0.65), (8, 1.0),
                                                 (12, 1.0)])
def test_heat_level_grows_with_reviews_up_to_the_busiest_day(reviews: int, level: float) -> None:
    assert heat_level(reviews, most=8) == pytest.approx(level)


def _year(reviews: dict[int, int]) -> list[DayCount]:
    return [DayCount(WEDNESDAY + timedelta(days=n), reviews.get(n, 0), 60.0 * reviews.get(n, 0))
            for n in range(365)]


def test_heatmap_colours_each_day_by_its_reviews(qtbot: QtBot) -> None:
    heatmap = Heatmap()
    qtbot.addWidget(heatmap)
    heatmap.set_days(_year({3: 2, 10: 8, 11: 4}))
    colours = heatmap.cell_colours()
    assert len(colours) == len(heatmap.cell_rects()) == 365
    assert colours[10].rgb() == GOOD.rgb() and colours[10].alphaF() == pytest.approx(1.0)
    assert colours[11].rgb() == GOOD.rgb() and colours[11].alphaF() == pytest.approx(0.65, abs=0.01)
    assert colours[3].alphaF() == pytest.approx(0.475, abs=0.01)
    assert colours[0].rgb() != GOOD.rgb() and colours[0].alpha() == 70
    assert {c.rgba() for i, c in enumerate(colours) if i not in (3, 10, 11)} == {colours[0].rgba()}


def test_painted_heatmap_shows_the_busiest_day_full_and_quiet_days_faint(qtbot: QtBot) -> None:
    heatmap = Heatmap()
    qtbot.addWidget(heatmap)
    heatmap.resize(heatmap.minimumSize())
    heatmap.set_days(_year({10: 8, 11: 4}))
    image = _image(heatmap)
    cells = heatmap.cell_rects()
    assert _is(image, *cells[10].center().toTuple(), GOOD)
    half = image.pixelColor(cells[11].center())
    assert half.rgb() != GOOD.rgb() and half.green() > half.red() + 40  # a lighter green
    quiet = image.pixelColor(cells[12].center())
    assert abs(quiet.green() - quiet.red()) < 20  # grey, no green
    assert heatmap.day_at(cells[11].center()) == heatmap.days[11]
    assert heatmap.day_at(QPoint(0, 0)) is None


def test_clicking_a_cell_selects_that_day(qtbot: QtBot) -> None:
    heatmap = Heatmap()
    qtbot.addWidget(heatmap)
    heatmap.resize(heatmap.minimumSize())
    heatmap.set_days(_year({40: 3}))
    chosen: list[DayCount] = []
    heatmap.on_select = chosen.append
    heatmap.show()
    qtbot.waitExposed(heatmap)
    qtbot.mouseClick(heatmap, Qt.MouseButton.LeftButton, pos=heatmap.cell_rects()[40].center())
    assert chosen == [heatmap.days[40]] and heatmap.selected == heatmap.days[40]
    assert "3 review(s)" in Heatmap.describe(chosen[0])


# --- interview scores ----------------------------------------------------------------------------

def test_score_grid_has_a_cell_per_interview_coloured_by_its_score(qtbot: QtBot) -> None:
    grid = ScoreGrid()
    qtbot.addWidget(grid)
    grid.resize(376, 180)  # 300 px for cells after the labels: 100 per interview
    grid.set_data(["Step 1", "Step 2"], [[(1, 0.5), (4, 1.0), (None, None)], [(2, None)]])
    rects = grid.cell_rects()
    assert [len(row) for row in rects] == [3, 1]
    assert [r.left() for r in rects[0]] == [70, 170, 270] and rects[1][0].left() == 70
    assert rects[1][0].top() > rects[0][0].bottom()
    assert score_cells([], 376) == []
    image = _image(grid)
    corner = [r.topLeft() + QPoint(3, 3) for r in rects[0]]
    assert _is(image, corner[0].x(), corner[0].y(), SCORE_COLOURS[1])
    assert _is(image, corner[1].x(), corner[1].y(), SCORE_COLOURS[4])
    assert not any(_is(image, corner[2].x(), corner[2].y(), c) for c in SCORE_COLOURS.values())
