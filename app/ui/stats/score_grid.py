"""Interview self-scores as a grid: a row per step, a dated column per interview (the latest that
fit), each cell coloured by its score with its rubric coverage written in, a legend below."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.stats.charts import Label, pad_for

SCORE_COLOURS = {1: QColor("#e5484d"), 2: QColor("#f59e0b"), 3: QColor("#84cc16"),
                 4: QColor("#30a46c")}
SCORE_WORDS = {1: "weak", 2: "shaky", 3: "solid", 4: "strong"}

Cell = tuple[int | None, float | None]  # (self-score 1..4, rubric coverage 0..1)


@dataclass(frozen=True)
class GridLayout:
    """Everything the grid draws, in widget coordinates."""

    first_column: int                # columns before it did not fit (the oldest interviews)
    headers: list[Label]             # index: the column (in all columns)
    row_labels: list[Label]          # index: the row
    cells: list[list[QRect | None]]  # [row][column in all columns]; None: not shown
    coverage_fits: bool
    legend: list[tuple[QRect, Label]]  # (swatch or empty rect, text)
    height: int


def layout_grid(columns: Sequence[str], rows: Sequence[str], width: int,
                metrics: QFontMetrics) -> GridLayout:
    """Rows as tall as a line of text; columns as wide as the width allows, at least a "100%"
    wide and at most six characters more. Columns that do not fit drop from the left (oldest)."""
    line, pad = metrics.height(), pad_for(metrics)
    label_width = max((metrics.horizontalAdvance(r) for r in rows), default=0) + 2
    left = label_width + pad
    room = max(1, width - left - pad)
    narrowest = metrics.horizontalAdvance("100%") + 2 * pad
    widest = narrowest + 6 * metrics.averageCharWidth()
    shown = min(len(columns), max(1, room // narrowest))
    column_width = min(widest, room // max(1, shown))
    first = len(columns) - shown
    top = pad + line + pad // 2
    row_height = line + pad
    cells: list[list[QRect | None]] = []
    for row in range(len(rows)):
        cells.append([None if column < first else QRect(
            left + (column - first) * column_width + 1, top + row * row_height + 1,
            column_width - 2, row_height - 2) for column in range(len(columns))])
    widest_header = max((metrics.horizontalAdvance(c) for c in columns[first:]), default=0)
    stride = max(1, math.ceil((widest_header + pad) / max(1, column_width)))
    headers = []
    for column in range(len(columns) - 1, first - 1, -stride):  # the latest is always dated
        x = left + (column - first) * column_width
        text_width = metrics.horizontalAdvance(columns[column]) + 2
        headers.append(Label(QRect(x + (column_width - text_width) // 2, pad, text_width, line),
                             columns[column], column))
    headers.reverse()
    row_labels = [Label(QRect(0, top + row * row_height, label_width, row_height), text, row)
                  for row, text in enumerate(rows)]
    legend_top = top + len(rows) * row_height + pad
    legend: list[tuple[QRect, Label]] = []
    x, swatch = left, max(8, line * 2 // 3)
    for score in sorted(SCORE_COLOURS):
        text = f"{score} {SCORE_WORDS[score]}"
        text_width = metrics.horizontalAdvance(text) + 2
        if legend and x + swatch + pad + text_width > width:
            x, legend_top = left, legend_top + line + pad // 2
        legend.append((QRect(x, legend_top + (line - swatch) // 2, swatch, swatch),
                       Label(QRect(x + swatch + pad, legend_top, text_width, line), text, score)))
        x += swatch + pad + text_width + 2 * pad
    note = "% = rubric items covered"
    note_width = metrics.horizontalAdvance(note) + 2
    if x + note_width > width:
        x, legend_top = left, legend_top + line + pad // 2
    legend.append((QRect(x, legend_top, 0, 0), Label(QRect(x, legend_top, note_width, line),
                                                      note)))
    return GridLayout(first, headers, row_labels, cells, column_width >= narrowest, legend,
                      legend_top + line + pad)


class ScoreGrid(QWidget):
    """Interview self-scores per step (rows) and interview (dated columns)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns: list[str] = []
        self.rows: list[str] = []
        self.cells: list[list[Cell | None]] = []
        self.on_resize: Callable[[], None] | None = None  # the page words what is shown
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_data(self, columns: list[str], rows: list[str], cells: list[list[Cell | None]]
                 ) -> None:
        """``cells[row][column]``: None where that interview has no such step."""
        self.columns, self.rows, self.cells = columns, rows, cells
        self.updateGeometry()
        self.update()

    def grid_layout(self, width: int | None = None) -> GridLayout:
        return layout_grid(self.columns, self.rows, self.width() if width is None else width,
                           self.fontMetrics())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.grid_layout(width).height

    def resizeEvent(self, event: QResizeEvent) -> None:
        # As the heatmap: the rows and the legend's lines need this height at this width.
        self.setMinimumHeight(self.heightForWidth(event.size().width()))
        super().resizeEvent(event)
        if self.on_resize is not None:
            self.on_resize()

    def minimumSizeHint(self) -> QSize:
        width = 24 * self.fontMetrics().averageCharWidth()
        return QSize(width, self.heightForWidth(width))

    def sizeHint(self) -> QSize:
        width = 40 * self.fontMetrics().averageCharWidth()
        return QSize(width, self.heightForWidth(width))

    def cell_rects(self) -> list[list[QRect | None]]:
        """A rectangle per cell at the widget's current width (None: not shown), row by row."""
        return self.grid_layout().cells

    def paintEvent(self, _event: QPaintEvent) -> None:
        layout = self.grid_layout()
        painter = QPainter(self)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        empty = QColor(self.palette().color(QPalette.ColorRole.Mid))
        empty.setAlpha(50)
        painter.setPen(text)
        for label in layout.headers:
            painter.drawText(label.rect, Qt.AlignmentFlag.AlignCenter, label.text)
        for label in layout.row_labels:
            painter.drawText(label.rect, Qt.AlignmentFlag.AlignVCenter, label.text)
        for row, rects in zip(self.cells, layout.cells, strict=True):
            for cell, rect in zip(row, rects, strict=True):
                if rect is None:
                    continue
                score, coverage = cell if cell is not None else (None, None)
                painter.fillRect(rect, SCORE_COLOURS[score] if score else empty)
                if coverage is not None and layout.coverage_fits:
                    painter.setPen(QColor("#111111") if score else text)
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{coverage:.0%}")
        painter.setPen(text)
        for swatch, label in layout.legend:
            if label.index in SCORE_COLOURS:
                painter.fillRect(swatch, SCORE_COLOURS[label.index])
            painter.drawText(label.rect, Qt.AlignmentFlag.AlignVCenter, label.text)
        painter.end()
