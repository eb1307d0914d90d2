"""The statistics charts draw what the figures say: bar heights on a nice scale, labels that keep
apart, heatmap cells in their weekday row and week column under their month, dated score columns.

Geometry is checked at the default font and at 16 pt (the fonts the page must hold at)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.db.stats import DayCount
from app.ui.stats.charts import (
    ACCENT,
    GOOD,
    BarChart,
    BarLayout,
    bar_index_at,
    format_value,
    layout_bars,
    nice_ticks,
    overlapping,
    pad_for,
)
from app.ui.stats.heatmap import Heatmap, heat_level, layout_heatmap, week_columns
from app.ui.stats.score_grid import SCORE_COLOURS, ScoreGrid, layout_grid

pytestmark = pytest.mark.gui
WEDNESDAY = date(2026, 3, 4)


@pytest.fixture(params=[None, 16], ids=["default-font", "16pt"])
def metrics(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[QFontMetrics]:
    font = QFont(qapp.font())
    if request.param:
        font.setPointSize(request.param)
    yield QFontMetrics(font)


def _image(widget: QWidget) -> QImage:
    return widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def _is(image: QImage, x: int, y: int, colour: QColor) -> bool:
    return image.pixelColor(x, y).rgb() == colour.rgb()


# --- the scale -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("maximum", "count", "integer", "ticks"), [
    (23, 5, True, [0, 5, 10, 15, 20, 25]),
    (100, 5, False, [0, 20, 40, 60, 80, 100]),
    (100, 2, False, [0, 50, 100]),
    (0.37, 4, False, [0, 0.1, 0.2, 0.3, 0.4]),
    (3, 5, True, [0, 1, 2, 3]),
    (7, 5, True, [0, 2, 4, 6, 8]),
    (1234, 4, True, [0, 500, 1000, 1500]),
    (0, 5, True, [0, 1]),
])
def test_ticks_step_by_one_two_or_five_up_to_the_maximum(maximum: float, count: int,
                                                         integer: bool, ticks: list[float]
                                                         ) -> None:
    found = nice_ticks(maximum, count, integer)
    assert found == pytest.approx(ticks)
    step = found[1] - found[0]
    assert round(step / 10 ** math.floor(math.log10(step)), 6) in (1, 2, 5)
    assert (found[-1] >= maximum and found[-2] < max(maximum, 1e-9)) or maximum == 0


def test_values_are_written_whole_or_with_one_decimal() -> None:
    assert [format_value(v, s) for v, s in ((20, ""), (16.6, ""), (90.0, "%"), (0.25, ""))] == [
        "20", "16.6", "90%", "0.2"]


# --- bar chart geometry --------------------------------------------------------------------------

def _labels(layout: BarLayout) -> list[QRect]:
    return [label.rect for label in (*layout.tick_labels, *layout.x_labels,
                                     *layout.value_labels)] + [
        rect for swatch, label in layout.legend for rect in (swatch, label.rect)]


def _check_bars(layout: BarLayout, values: Sequence[float | None]) -> None:
    """Bars as tall as their value's share of the top tick, on one baseline, left to right."""
    top = layout.ticks[-1]
    assert len(layout.bars) == len(values)
    for bar, value in zip(layout.bars, values, strict=True):
        assert bar.height() == round(layout.plot.height() * min(1, (value or 0) / top)), value
        assert bar.top() + bar.height() == layout.baseline
        assert layout.plot.left() <= bar.left() and bar.right() <= layout.plot.right()
    lefts = [bar.left() for bar in layout.bars]
    assert lefts == sorted(lefts) and len(set(lefts)) == len(lefts)


def test_bars_follow_the_values_on_a_scale_whose_labels_match(metrics: QFontMetrics) -> None:
    values = [4, 0, 23, 8, None]
    layout = layout_bars(QRect(0, 0, 420, 260), metrics, list("abcde"), values, integer=True)
    _check_bars(layout, values)
    assert layout.ticks[-1] >= 23 and layout.ticks[0] == 0
    # Each tick's label reads its value and sits on its gridline; the gridlines are evenly spaced.
    assert [label.text for label in layout.tick_labels] == [format_value(t)
                                                            for t in layout.ticks]
    for label, y, tick in zip(layout.tick_labels, layout.tick_ys, layout.ticks, strict=True):
        assert abs(label.rect.center().y() - y) <= 1 and y == layout.y_of(tick)
        assert label.rect.right() < layout.plot.left()
    gaps = {b - a for a, b in zip(layout.tick_ys[1:], layout.tick_ys, strict=False)}
    assert max(gaps) - min(gaps) <= 1 and min(gaps) >= metrics.height()
    # Every bar is named below it, and every value but None is written above its bar.
    assert [(label.index, label.text) for label in layout.x_labels] == list(enumerate("abcde"))
    assert [(label.index, label.text) for label in layout.value_labels] == [
        (0, "4"), (1, "0"), (2, "23"), (3, "8")]
    for label in layout.value_labels:
        bar = layout.bars[label.index]
        assert label.rect.bottom() < bar.top() and abs(label.rect.center().x()
                                                       - bar.center().x()) <= 1
    for label in layout.x_labels:
        assert label.rect.top() > layout.baseline
    assert overlapping(_labels(layout)) == []


def test_a_given_maximum_is_the_top_tick_and_caps_larger_values(metrics: QFontMetrics) -> None:
    values = [50, 100, 120, 0, 25]
    layout = layout_bars(QRect(0, 0, 400, 300), metrics, list("vwxyz"), values, maximum=100,
                         suffix="%")
    assert layout.ticks[-1] == 100 and layout.tick_labels[-1].text == "100%"
    _check_bars(layout, values)
    assert layout.bars[2].height() == layout.bars[1].height() == layout.plot.height()


def test_dates_that_do_not_fit_are_labelled_every_few_bars_without_touching(
        metrics: QFontMetrics) -> None:
    """The weekly labels used to run together ('07 Sep14 Sep21 ...')."""
    days = [f"{d.day} {d:%b}" for d in (WEDNESDAY + timedelta(days=n) for n in range(30))]
    layout = layout_bars(QRect(0, 0, 360, 220), metrics, days, list(range(30)))
    shown = [label.index for label in layout.x_labels]
    assert shown[0] == 0 and len(shown) < 30
    assert len({b - a for a, b in itertools.pairwise(shown)}) == 1  # a steady stride
    assert [label.text for label in layout.x_labels] == [days[i] for i in shown]
    for left, right in zip(layout.x_labels, layout.x_labels[1:], strict=False):
        assert left.rect.right() + 3 <= right.rect.left()
    assert all(label.rect.left() >= 0 and label.rect.right() < 360 for label in layout.x_labels)
    # Not every value fits: the largest is written, and so is the bar asked for (the last).
    layout = layout_bars(QRect(0, 0, 360, 220), metrics, days, [*range(29), 5], always=-1)
    assert [(label.index, label.text) for label in layout.value_labels] == [(28, "28"),
                                                                            (29, "5")]
    assert overlapping(_labels(layout)) == []


def test_values_drop_their_unit_to_fit_and_many_bars_leave_zeros_unwritten(
        metrics: QFontMetrics) -> None:
    values = [89, 95, 0, 88, 90, 88, 90, 95, 96, 90, 100, None]
    # Slots wide enough for "100" but not "100%": the plot is the width less the tick labels.
    slot = metrics.horizontalAdvance("100") + 3
    assert slot < metrics.horizontalAdvance("100%") + 2
    width = 12 * slot + metrics.horizontalAdvance("100%") + 2 + 2 * pad_for(metrics) + 1
    layout = layout_bars(QRect(0, 0, width, 240), metrics, [""] * 12, values, maximum=100,
                         suffix="%")
    assert layout.tick_labels[-1].text == "100%"  # the scale keeps the unit
    written = {label.index: label.text for label in layout.value_labels}
    assert written == {i: format_value(v) for i, v in enumerate(values) if v}
    assert overlapping([label.rect for label in layout.value_labels]) == []
    # Wide enough for the unit: it stays; a few bars write their zeros.
    wide = layout_bars(QRect(0, 0, 1400, 240), metrics, [""] * 12, values, maximum=100,
                       suffix="%")
    assert [label.text for label in wide.value_labels][:3] == ["89%", "95%", "88%"]
    few = layout_bars(QRect(0, 0, 600, 240), metrics, list("abc"), [3, 0, 1], integer=True)
    assert [label.text for label in few.value_labels] == ["3", "0", "1"]


def test_short_labels_stand_in_when_the_long_ones_would_skip_bars(qapp: QApplication) -> None:
    metrics = QFontMetrics(qapp.font())
    long_labels = [f"Step {n}" for n in range(1, 10)]
    short = [str(n) for n in range(1, 10)]
    narrow = layout_bars(QRect(0, 0, 9 * metrics.horizontalAdvance("Step 1") // 2, 200),
                         metrics, long_labels, [1] * 9, short_labels=short)
    assert [label.text for label in narrow.x_labels] == short
    wide = layout_bars(QRect(0, 0, 1200, 200), metrics, long_labels, [1] * 9, short_labels=short)
    assert [label.text for label in wide.x_labels] == long_labels


def test_a_reference_line_brings_a_legend(metrics: QFontMetrics) -> None:
    layout = layout_bars(QRect(0, 0, 420, 240), metrics, ["w1", "w2"], [80, 95], maximum=100,
                         suffix="%", reference=90, legend=["passed", "target 90%"])
    assert [label.text for _, label in layout.legend] == ["passed", "target 90%"]
    assert layout.reference_y == layout.y_of(90)
    assert all(swatch.bottom() < layout.plot.top() for swatch, _ in layout.legend)
    assert overlapping(_labels(layout)) == []


def test_the_bar_under_the_mouse_is_the_one_drawn_there(qapp: QApplication) -> None:
    layout = layout_bars(QRect(0, 0, 300, 200), QFontMetrics(qapp.font()), list("abc"),
                         [3, 1, 2])
    assert [bar_index_at(bar.center().x(), 3, layout.plot) for bar in layout.bars] == [0, 1, 2]
    assert bar_index_at(layout.plot.right() + 5, 3, layout.plot) is None
    assert bar_index_at(0, 0, layout.plot) is None


# --- bar chart widget ----------------------------------------------------------------------------

def test_painted_bars_fill_exactly_their_height(qtbot: QtBot) -> None:
    """Pixels, not geometry alone: a zero bar paints nothing, the full one up to the top tick,
    the half one only its lower half; nothing in the label line under the baseline."""
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(300, 220)
    chart.set_data(["a", "b", "c"], [0, 10, 5])
    layout = chart.chart_layout()
    assert layout.ticks[-1] == 10
    image = _image(chart)
    zero, full, half = (bar.center().x() for bar in layout.bars)
    top, base = layout.plot.top(), layout.baseline
    middle = (top + base) // 2
    for y in (top + 2, middle, base - 2):
        assert not _is(image, zero, y, ACCENT)
        assert _is(image, full, y, ACCENT)
    assert _is(image, half, middle + 3, ACCENT) and _is(image, half, base - 2, ACCENT)
    assert not _is(image, half, middle - 3, ACCENT) and not _is(image, half, top + 2, ACCENT)
    assert not _is(image, full, base + 3, ACCENT)


def test_no_data_paints_no_bar_and_no_value_but_zero_percent_is_a_value(qtbot: QtBot) -> None:
    chart = BarChart("%", GOOD)
    qtbot.addWidget(chart)
    chart.resize(300, 220)
    chart.set_data(["w1", "w2", "w3"], [None, 100, 0], maximum=100)
    layout = chart.chart_layout()
    image = _image(chart)
    x = layout.bars[0].center().x()
    assert not any(_is(image, x, y, GOOD) for y in range(layout.plot.top(), layout.baseline))
    assert _is(image, layout.bars[1].center().x(), layout.plot.top() + 1, GOOD)
    assert [label.text for label in layout.value_labels] == ["100%", "0%"]
    assert chart.legend_texts() == []


# --- heatmap -------------------------------------------------------------------------------------

def _year(first: date = WEDNESDAY, reviews: dict[int, int] | None = None) -> list[DayCount]:
    reviews = reviews or {}
    return [DayCount(first + timedelta(days=n), reviews.get(n, 0), 60.0 * reviews.get(n, 0))
            for n in range(365)]


def test_heatmap_cells_sit_in_their_weekday_row_and_week_column(metrics: QFontMetrics) -> None:
    days = [d.day for d in _year()]
    layout = layout_heatmap(days, 900, metrics)
    assert len(layout.cells) == 365 and week_columns(days[0], 365) == 53
    origin = layout.cells[0].topLeft() - QPoint(0, days[0].weekday() * layout.step)
    monday = days[0] - timedelta(days=days[0].weekday())
    for day, cell in zip(days, layout.cells, strict=True):
        assert (cell.top() - origin.y()) == day.weekday() * layout.step
        assert (cell.left() - origin.x()) == (day - monday).days // 7 * layout.step
    assert overlapping(layout.cells[:60]) == []
    assert layout.cells[-1].right() < 900


def test_heatmap_names_its_months_over_their_first_day_and_mon_wed_fri(
        metrics: QFontMetrics) -> None:
    days = [d.day for d in _year()]
    layout = layout_heatmap(days, 900, metrics)
    months = layout.months
    assert len(months) >= 10
    for label in months:
        day = days[label.index]
        assert label.text == f"{day:%b}" and (day.day == 1 or label.index == 0)
        assert label.rect.left() == layout.cells[label.index].left()
        assert label.rect.bottom() < min(cell.top() for cell in layout.cells)
    assert [f"{days[m.index]:%b}" for m in months if days[m.index].day == 1][:3] == [
        "Apr", "May", "Jun"]
    assert [label.text for label in layout.weekdays] == ["Mon", "Wed", "Fri"]
    top = min(cell.top() for cell in layout.cells)
    for label in layout.weekdays:
        row_middle = top + label.index * layout.step + (layout.cells[0].height()) // 2
        assert abs(label.rect.center().y() - row_middle) <= 1
        assert label.rect.right() < min(cell.left() for cell in layout.cells)
    legend = [*layout.legend_swatches, *(label.rect for label in layout.legend_texts)]
    assert [label.text for label in layout.legend_texts] == ["Less", "More"]
    assert layout.legend_texts[0].rect.right() < layout.legend_swatches[0].left()
    assert layout.legend_swatches[-1].right() < layout.legend_texts[1].rect.left()
    assert all(rect.top() > max(cell.bottom() for cell in layout.cells) for rect in legend)
    everything = [*(m.rect for m in months), *(w.rect for w in layout.weekdays), *legend]
    assert overlapping(everything) == []
    assert layout.height > max(rect.bottom() for rect in legend)


def test_a_narrow_heatmap_drops_month_names_rather_than_overlap_them(qapp: QApplication) -> None:
    font = QFont(qapp.font())
    font.setPointSize(16)
    layout = layout_heatmap([d.day for d in _year()], 500, QFontMetrics(font))
    assert overlapping([m.rect for m in layout.months]) == []
    assert overlapping([w.rect for w in layout.weekdays]) == []
    assert all(m.rect.right() < 500 for m in layout.months)


@pytest.mark.parametrize(("reviews", "level"), [(0, 0.0), (1, 0.3875), (4, 0.65), (8, 1.0),
                                                 (12, 1.0)])
def test_heat_level_grows_with_reviews_up_to_the_busiest_day(reviews: int, level: float) -> None:
    assert heat_level(reviews, most=8) == pytest.approx(level)


def test_painted_heatmap_shows_the_busiest_day_full_and_quiet_days_faint(qtbot: QtBot) -> None:
    heatmap = Heatmap()
    qtbot.addWidget(heatmap)
    heatmap.set_days(_year(reviews={10: 8, 11: 4}))
    heatmap.resize(900, heatmap.heightForWidth(900))
    colours = heatmap.cell_colours()
    assert colours[10].rgb() == GOOD.rgb() and colours[10].alphaF() == pytest.approx(1.0)
    assert colours[11].alphaF() == pytest.approx(0.65, abs=0.01)
    image = _image(heatmap)
    cells = heatmap.cell_rects()
    assert _is(image, *cells[10].center().toTuple(), GOOD)
    half = image.pixelColor(cells[11].center())
    assert half.rgb() != GOOD.rgb() and half.green() > half.red() + 40  # a lighter green
    quiet = image.pixelColor(cells[12].center())
    assert abs(quiet.green() - quiet.red()) < 20  # grey, no green
    legend = heatmap.heat_layout().legend_swatches
    assert _is(image, *legend[-1].center().toTuple(), GOOD)  # "More" is the busiest colour
    assert heatmap.day_at(cells[11].center()) == heatmap.days[11]
    assert heatmap.day_at(QPoint(0, 0)) is None


def test_clicking_a_cell_selects_that_day(qtbot: QtBot) -> None:
    heatmap = Heatmap()
    qtbot.addWidget(heatmap)
    heatmap.set_days(_year(reviews={40: 3}))
    heatmap.resize(800, heatmap.heightForWidth(800))
    chosen: list[DayCount] = []
    heatmap.on_select = chosen.append
    heatmap.show()
    qtbot.waitExposed(heatmap)
    qtbot.mouseClick(heatmap, Qt.MouseButton.LeftButton, pos=heatmap.cell_rects()[40].center())
    assert chosen == [heatmap.days[40]] and heatmap.selected == heatmap.days[40]
    assert "3 reviews" in Heatmap.describe(chosen[0])


# --- interview scores ----------------------------------------------------------------------------

def test_score_grid_has_a_dated_column_per_interview_and_a_row_per_step(
        metrics: QFontMetrics) -> None:
    columns = ["2 Feb", "9 Feb", "1 Mar"]
    layout = layout_grid(columns, ["Step 1", "Step 2"], 600, metrics)
    assert layout.first_column == 0 and layout.coverage_fits
    assert [(h.index, h.text) for h in layout.headers] == list(enumerate(columns))
    cells = layout.cells
    for column, header in enumerate(layout.headers):
        for row in cells:
            cell = row[column]
            assert cell is not None
            assert abs(header.rect.center().x() - cell.center().x()) <= 2
            assert header.rect.bottom() < cell.top()
    assert cells[1][0] is not None and cells[0][0] is not None
    assert cells[1][0].top() > cells[0][0].bottom()  # rows apart, at any font
    for label, row in zip(layout.row_labels, cells, strict=True):
        assert row[0] is not None and label.rect.right() < row[0].left()
        assert abs(label.rect.center().y() - row[0].center().y()) <= 2
    flat = [c for row in cells for c in row if c is not None]
    labels = [*(h.rect for h in layout.headers), *(r.rect for r in layout.row_labels),
              *(lb.rect for _, lb in layout.legend)]
    assert overlapping(flat) == [] and overlapping(labels) == []
    assert all(r.top() > max(c.bottom() for c in flat) for _, lb in layout.legend
               for r in [lb.rect])
    assert [lb.text for _, lb in layout.legend][:4] == ["1 weak", "2 shaky", "3 solid",
                                                        "4 strong"]


def test_a_narrow_grid_keeps_the_latest_interviews(qapp: QApplication) -> None:
    metrics = QFontMetrics(qapp.font())
    columns = [f"{n} Jan" for n in range(1, 31)]
    layout = layout_grid(columns, ["Step 1"], 400, metrics)
    assert 0 < layout.first_column < 29
    assert layout.cells[0][:layout.first_column] == [None] * layout.first_column
    assert layout.cells[0][-1] is not None and layout.cells[0][-1].right() < 400
    assert layout.headers[-1].index == 29  # the latest is always dated
    assert overlapping([h.rect for h in layout.headers]) == []


def test_score_grid_paints_each_score_colour(qtbot: QtBot) -> None:
    grid = ScoreGrid()
    qtbot.addWidget(grid)
    grid.set_data(["2 Feb", "9 Feb", "1 Mar"], ["Step 1", "Step 2"],
                  [[(1, 0.5), (4, 1.0), None], [(2, None), None, (3, 0.25)]])
    grid.resize(500, grid.heightForWidth(500))
    rects = grid.cell_rects()
    image = _image(grid)

    def corner(row: int, column: int) -> tuple[int, int]:
        rect = rects[row][column]
        assert rect is not None
        return rect.left() + 2, rect.top() + 2

    assert _is(image, *corner(0, 0), SCORE_COLOURS[1])
    assert _is(image, *corner(0, 1), SCORE_COLOURS[4])
    assert _is(image, *corner(1, 0), SCORE_COLOURS[2])
    assert _is(image, *corner(1, 2), SCORE_COLOURS[3])
    assert not any(_is(image, *corner(0, 2), c) for c in SCORE_COLOURS.values())
