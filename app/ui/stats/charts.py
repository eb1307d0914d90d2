"""Statistics charts: geometry as pure functions of the figures, and the widgets painting it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.db.stats import DayCount

ACCENT = QColor("#3b82f6")
GOOD = QColor("#30a46c")
SCORE_COLOURS = {1: QColor("#e5484d"), 2: QColor("#f59e0b"), 3: QColor("#84cc16"),
                 4: QColor("#30a46c")}

HEAT_CELL = 11
_HEAT_STEP = HEAT_CELL + 2  # a cell and the gap after it
_HEAT_MARGIN = 5
SCORE_LABEL_WIDTH = 70
SCORE_ROW_HEIGHT = 18


# --- geometry ------------------------------------------------------------------------------------

def plot_area(bounds: QRect) -> QRect:
    """Where a bar chart's bars stand inside its widget, leaving a line below for the labels."""
    return bounds.adjusted(6, 6, -6, -22)


def bar_rects(values: Sequence[float | None], area: QRect,
              maximum: float | None = None) -> list[QRect]:
    """One bar per value, left to right in equal slots, standing on the bottom of ``area``.

    A bar's height is its value's share of ``maximum`` (or of the largest value when there is
    none) of the area's height, capped at the full height; 0 and None give zero height.
    """
    slot = area.width() / max(1, len(values))
    top = maximum or max((v or 0 for v in values), default=0) or 1
    rects = []
    for index, value in enumerate(values):
        height = int(area.height() * min(1.0, (value or 0) / top))
        left = area.left() + int(index * slot)
        rects.append(QRect(left + 1, area.bottom() - height, max(1, int(slot) - 2), height))
    return rects


def bar_index_at(x: float, count: int, area: QRect) -> int | None:
    """Which of ``count`` bars the horizontal position ``x`` is over, if any."""
    index = int((x - area.left()) / max(1, area.width()) * count)
    return index if 0 <= index < count else None


def heatmap_cells(first: date, count: int) -> list[QRect]:
    """Cells for ``count`` days from ``first``: a column per Monday-started week, a row per
    weekday (Monday on top)."""
    cells = []
    for index in range(count):
        column, row = divmod(index + first.weekday(), 7)
        cells.append(QRect(_HEAT_MARGIN + column * _HEAT_STEP, _HEAT_MARGIN + row * _HEAT_STEP,
                           HEAT_CELL, HEAT_CELL))
    return cells


def heat_level(reviews: int, most: int) -> float:
    """How strongly a day is coloured: 0 without reviews, else from 0.3 up to 1 for the busiest
    day (``most`` reviews)."""
    if reviews == 0:
        return 0.0
    return 0.3 + 0.7 * min(1.0, reviews / max(1, most))


def score_column_width(columns: int, width: int) -> float:
    """The width of one interview's column in a score grid ``width`` pixels wide."""
    return (width - SCORE_LABEL_WIDTH - 6) / max(1, columns)


def score_row_top(row: int) -> int:
    """Where a score grid's row starts."""
    return 4 + row * SCORE_ROW_HEIGHT


def score_cells(cells: Sequence[Sequence[object]], width: int) -> list[list[QRect]]:
    """A rectangle per score cell, row by row, in a score grid ``width`` pixels wide."""
    column_width = score_column_width(max((len(r) for r in cells), default=0), width)
    return [[QRect(SCORE_LABEL_WIDTH + int(column * column_width),
                   score_row_top(row) + 1, max(2, int(column_width) - 2),
                   SCORE_ROW_HEIGHT - 2)
             for column in range(len(cells[row]))] for row in range(len(cells))]


# --- widgets -------------------------------------------------------------------------------------

def _text_colour(widget: QWidget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.WindowText)


class BarChart(QWidget):
    """Vertical bars with a value label on hover; ``values`` may hold None for 'no data'."""

    def __init__(self, unit: str = "", colour: QColor = ACCENT,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit = unit
        self.colour = colour
        self.labels: list[str] = []
        self.values: list[float | None] = []
        self.maximum: float | None = None
        self.setMinimumSize(QSize(260, 140))
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_data(self, labels: Sequence[str], values: Sequence[float | None],
                 maximum: float | None = None) -> None:
        self.labels, self.values, self.maximum = list(labels), list(values), maximum
        self.update()

    def bar_rects(self) -> list[QRect]:
        """The bars at the widget's current size (a None value has a zero-height bar)."""
        return bar_rects(self.values, plot_area(self.rect()), self.maximum)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = _text_colour(self)
        bars = self.bar_rects()
        for bar, value in zip(bars, self.values, strict=True):
            if value is not None:
                painter.fillRect(bar, self.colour)
        painter.setPen(text)
        metrics = painter.fontMetrics()
        fits = self.labels and all(metrics.horizontalAdvance(label) <= bar.width() - 4
                                   for bar, label in zip(bars, self.labels, strict=False))
        if fits:  # room under every bar: name each one
            for bar, label in zip(bars, self.labels, strict=False):
                painter.drawText(QRect(bar.left() - 20, self.height() - 20, bar.width() + 40,
                                       18), Qt.AlignmentFlag.AlignCenter, label)
        elif self.labels:
            first, last = self.labels[0], self.labels[-1]
            bottom = self.rect().adjusted(6, 0, -6, -4)
            painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                             first)
            painter.drawText(bottom, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                             last)
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = bar_index_at(event.position().x(), len(self.values), plot_area(self.rect()))
        if index is not None:
            value = self.values[index]
            shown = "no data" if value is None else f"{value:g}{self.unit}"
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{self.labels[index]}: {shown}", self)


class Heatmap(QWidget):
    """A year of study days as a GitHub-style grid; hover or click a day for its figures."""

    CELL = HEAT_CELL

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[DayCount] = []
        self.selected: DayCount | None = None
        self.on_select: Callable[[DayCount], None] | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(QSize(54 * _HEAT_STEP + 10, 7 * _HEAT_STEP + 10))

    def set_days(self, days: list[DayCount]) -> None:
        self.days = days
        self.update()

    def cell_rects(self) -> list[QRect]:
        """A cell per day, in the order of ``days``."""
        return heatmap_cells(self.days[0].day, len(self.days)) if self.days else []

    def cell_colours(self) -> list[QColor]:
        """The colour each day's cell is filled with, in the order of ``days``."""
        most = max((d.reviews for d in self.days), default=0)
        empty = self.palette().color(QPalette.ColorRole.Mid)
        empty.setAlpha(70)
        colours = []
        for day in self.days:
            level = heat_level(day.reviews, most)
            colour = QColor(GOOD) if level else QColor(empty)
            if level:
                colour.setAlphaF(level)
            colours.append(colour)
        return colours

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        cells = self.cell_rects()
        for cell, colour in zip(cells, self.cell_colours(), strict=True):
            painter.fillRect(cell, colour)
        if self.selected is not None and self.selected in self.days:
            painter.setPen(_text_colour(self))
            painter.drawRect(cells[self.days.index(self.selected)].adjusted(-1, -1, 0, 0))
        painter.end()

    def day_at(self, point: QPoint) -> DayCount | None:
        for cell, day in zip(self.cell_rects(), self.days, strict=True):
            if cell.contains(point):
                return day
        return None

    @staticmethod
    def describe(day: DayCount) -> str:
        return (f"{day.day:%a %d %b %Y}: {day.reviews} review(s), "
                f"{day.seconds / 60:.0f} min")

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        day = self.day_at(event.position().toPoint())
        if day is not None:
            QToolTip.showText(event.globalPosition().toPoint(), self.describe(day), self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        day = self.day_at(event.position().toPoint())
        if day is not None:
            self.selected = day
            self.update()
            if self.on_select is not None:
                self.on_select(day)


class ScoreGrid(QWidget):
    """Interview self-scores per step (rows) over time (columns), coloured 1 red .. 4 green,
    with the rubric coverage written in each cell."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[str] = []
        self.cells: list[list[tuple[int | None, float | None]]] = []
        self.setMinimumSize(QSize(300, 9 * SCORE_ROW_HEIGHT + 10))

    def set_data(self, rows: list[str], cells: list[list[tuple[int | None, float | None]]]
                 ) -> None:
        self.rows, self.cells = rows, cells
        self.update()

    def cell_rects(self) -> list[list[QRect]]:
        """A rectangle per cell at the widget's current width, row by row."""
        return score_cells(self.cells, self.width())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        text = _text_colour(self)
        columns = max((len(r) for r in self.cells), default=0)
        wide = score_column_width(columns, self.width()) > 28  # room for "100%"
        rows = zip(self.rows, self.cells, self.cell_rects(), strict=True)
        for index, (name, row, rects) in enumerate(rows):
            painter.setPen(text)
            painter.drawText(QRect(2, score_row_top(index), SCORE_LABEL_WIDTH - 4,
                                   SCORE_ROW_HEIGHT), Qt.AlignmentFlag.AlignVCenter, name)
            for cell, (score, coverage) in zip(rects, row, strict=True):
                if score is not None:
                    painter.fillRect(cell, SCORE_COLOURS[score])
                if coverage is not None and wide:
                    painter.setPen(text)
                    painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, f"{coverage:.0%}")
        painter.end()
