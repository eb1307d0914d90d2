"""The year of study days as a calendar heatmap: month labels on top, Mon/Wed/Fri on the left,
a colour legend below; the geometry a pure function of the days, the width and the font."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.db.stats import DayCount
from app.plural import counted
from app.ui.stats.charts import GOOD, Label, pad_for, spaced

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LEGEND_LEVELS = (0.0, 0.3, 0.533, 0.767, 1.0)  # heat_level's range in four even steps


def heat_level(reviews: int, most: int) -> float:
    """How strongly a day is coloured: 0 without reviews, else from 0.3 up to 1 for the busiest
    day (``most`` reviews)."""
    if reviews == 0:
        return 0.0
    return 0.3 + 0.7 * min(1.0, reviews / max(1, most))


@dataclass(frozen=True)
class HeatLayout:
    """Everything the heatmap draws, in widget coordinates."""

    step: int                  # a cell and the gap after it
    cells: list[QRect]         # one per day, in the order of the days
    months: list[Label]        # index: the day (the month's 1st, or the first day shown)
    weekdays: list[Label]      # index: the row (0 Monday)
    legend_swatches: list[QRect]
    legend_texts: list[Label]  # "Less" and "More"
    height: int


def week_columns(first: date, count: int) -> int:
    """Monday-started weeks that ``count`` days from ``first`` touch."""
    return (first.weekday() + count - 1) // 7 + 1 if count else 0


def layout_heatmap(days: Sequence[date], width: int, metrics: QFontMetrics) -> HeatLayout:
    """A column per Monday-started week and a row per weekday (Monday on top), cells as large as
    the width allows (up to a line of text); month names over the column holding each 1st."""
    line, pad = metrics.height(), pad_for(metrics)
    label_width = max(metrics.horizontalAdvance(d) for d in WEEKDAYS[:5:2]) + 2
    left = label_width + pad
    columns = max(1, week_columns(days[0], len(days)) if days else 53)
    step = max(6, min(max(14, line + 3), (width - left - pad) // columns))
    cell = step - max(1, step // 7)
    top = pad + line + pad // 2
    first_weekday = days[0].weekday() if days else 0
    cells = []
    for index in range(len(days)):
        column, row = divmod(index + first_weekday, 7)
        cells.append(QRect(left + column * step, top + row * step, cell, cell))
    months = []
    for index, day in enumerate(days):
        if day.day == 1 or index == 0:
            text = f"{day:%b}"
            months.append(Label(QRect(cells[index].left(), pad, metrics.horizontalAdvance(text)
                                      + 2, line), text, index))
    # The first (partial) month only when its name clears the next one; none past the width,
    # none that would run into the one before.
    if len(months) > 1 and months[0].rect.right() + pad >= months[1].rect.left():
        months.pop(0)
    months = spaced([m for m in months if m.rect.right() < width], pad)
    rows = [0, 2, 4] if 2 * step >= line else [0, 4] if 4 * step >= line else [0]
    weekdays = [Label(QRect(0, top + row * step + (cell - line) // 2, label_width, line),
                      WEEKDAYS[row], row) for row in rows]
    legend_top = top + 7 * step + pad
    right = min(width, left + columns * step) - pad
    more = metrics.horizontalAdvance("More") + 2
    less = metrics.horizontalAdvance("Less") + 2
    swatch_top = legend_top + max(0, (line - cell) // 2)
    swatches = [QRect(right - more - pad - (len(LEGEND_LEVELS) - i) * step, swatch_top, cell, cell)
                for i in range(len(LEGEND_LEVELS))]
    texts = [Label(QRect(swatches[0].left() - pad - less, legend_top, less, line), "Less"),
             Label(QRect(right - more, legend_top, more, line), "More")]
    return HeatLayout(step, cells, months, weekdays, swatches, texts,
                      legend_top + max(line, cell) + pad)


class Heatmap(QWidget):
    """A year of study days as a calendar grid; hover or click a day for its figures."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[DayCount] = []
        self.selected: DayCount | None = None
        self.on_select: Callable[[DayCount], None] | None = None
        self.setMouseTracking(True)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_days(self, days: list[DayCount]) -> None:
        self.days = days
        self.updateGeometry()
        self.update()

    def heat_layout(self, width: int | None = None) -> HeatLayout:
        return layout_heatmap([d.day for d in self.days], self.width() if width is None
                              else width, self.fontMetrics())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.heat_layout(width).height

    def resizeEvent(self, event: QResizeEvent) -> None:
        # The cells grow with the width and the rows with them; not every layout (a scroll
        # area's) asks heightForWidth, so the height needed is made the minimum.
        self.setMinimumHeight(self.heightForWidth(event.size().width()))
        super().resizeEvent(event)

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        width = metrics.horizontalAdvance("Wed") + 54 * 6 + 4 * pad_for(metrics)
        return QSize(width, self.heightForWidth(width))

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        width = metrics.horizontalAdvance("Wed") + 54 * 14 + 4 * pad_for(metrics)
        return QSize(width, self.heightForWidth(width))

    def cell_rects(self) -> list[QRect]:
        """A cell per day, in the order of ``days``."""
        return self.heat_layout().cells

    def _empty_colour(self) -> QColor:
        empty = QColor(self.palette().color(QPalette.ColorRole.Mid))
        empty.setAlpha(70)
        return empty

    def level_colour(self, level: float) -> QColor:
        if not level:
            return self._empty_colour()
        colour = QColor(GOOD)
        colour.setAlphaF(level)
        return colour

    def cell_colours(self) -> list[QColor]:
        """The colour each day's cell is filled with, in the order of ``days``."""
        most = max((d.reviews for d in self.days), default=0)
        return [self.level_colour(heat_level(day.reviews, most)) for day in self.days]

    def paintEvent(self, _event: QPaintEvent) -> None:
        layout = self.heat_layout()
        painter = QPainter(self)
        for cell, colour in zip(layout.cells, self.cell_colours(), strict=True):
            painter.fillRect(cell, colour)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        if self.selected is not None and self.selected in self.days:
            painter.setPen(text)
            painter.drawRect(layout.cells[self.days.index(self.selected)].adjusted(-1, -1, 0, 0))
        painter.setPen(text)
        for label in layout.months:
            painter.drawText(label.rect, Qt.AlignmentFlag.AlignLeft, label.text)
        for label in layout.weekdays:
            painter.drawText(label.rect, Qt.AlignmentFlag.AlignRight
                             | Qt.AlignmentFlag.AlignVCenter, label.text)
        for swatch, level in zip(layout.legend_swatches, LEGEND_LEVELS, strict=True):
            painter.fillRect(swatch, self.level_colour(level))
        for label in layout.legend_texts:
            painter.drawText(label.rect, Qt.AlignmentFlag.AlignCenter, label.text)
        painter.end()

    def day_at(self, point: QPoint) -> DayCount | None:
        for cell, day in zip(self.cell_rects(), self.days, strict=True):
            if cell.contains(point):
                return day
        return None

    @staticmethod
    def describe(day: DayCount) -> str:
        return (f"{day.day:%a %d %b %Y}: {counted(day.reviews, 'review')}, "
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
