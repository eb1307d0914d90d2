"""The statistics page: charts drawn with QPainter from the figures app/db/stats.py computes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.db.stats import DayCount, Figures

ACCENT = QColor("#3b82f6")
GOOD = QColor("#30a46c")
SCORE_COLOURS = {1: QColor("#e5484d"), 2: QColor("#f59e0b"), 3: QColor("#84cc16"),
                 4: QColor("#30a46c")}


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

    def _bar_rect(self, index: int) -> QRect:
        area = self.rect().adjusted(6, 6, -6, -22)
        width = area.width() / max(1, len(self.values))
        top = self.maximum or max((v or 0 for v in self.values), default=0) or 1
        value = self.values[index] or 0
        height = int(area.height() * min(1.0, value / top))
        x = area.left() + int(index * width)
        return QRect(x + 1, area.bottom() - height, max(1, int(width) - 2), height)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = _text_colour(self)
        for index, value in enumerate(self.values):
            if value is None:
                continue
            painter.fillRect(self._bar_rect(index), self.colour)
        painter.setPen(text)
        metrics = painter.fontMetrics()
        fits = self.labels and all(metrics.horizontalAdvance(label) <= self._bar_rect(i).width()
                                   - 4 for i, label in enumerate(self.labels))
        if fits:  # room under every bar: name each one
            for index, label in enumerate(self.labels):
                bar = self._bar_rect(index)
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
        if not self.values:
            return
        area = self.rect().adjusted(6, 6, -6, -22)
        index = int((event.position().x() - area.left()) / max(1, area.width())
                    * len(self.values))
        if 0 <= index < len(self.values):
            value = self.values[index]
            shown = "no data" if value is None else f"{value:g}{self.unit}"
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{self.labels[index]}: {shown}", self)


class Heatmap(QWidget):
    """A year of study days as a GitHub-style grid; hover or click a day for its figures."""

    CELL = 11

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[DayCount] = []
        self.selected: DayCount | None = None
        self.on_select: Callable[[DayCount], None] | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(QSize(54 * (self.CELL + 2) + 10, 7 * (self.CELL + 2) + 10))

    def set_days(self, days: list[DayCount]) -> None:
        self.days = days
        self.update()

    def _cell(self, index: int) -> QRect:
        first = self.days[0].day if self.days else date.today()
        offset = index + first.weekday()
        column, row = divmod(offset, 7)
        return QRect(5 + column * (self.CELL + 2), 5 + row * (self.CELL + 2), self.CELL,
                     self.CELL)

    def _colour(self, reviews: int, most: int) -> QColor:
        if reviews == 0:
            base = self.palette().color(QPalette.ColorRole.Mid)
            base.setAlpha(70)
            return base
        colour = QColor(GOOD)
        colour.setAlphaF(0.3 + 0.7 * min(1.0, reviews / max(1, most)))
        return colour

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        most = max((d.reviews for d in self.days), default=0)
        for index, day in enumerate(self.days):
            painter.fillRect(self._cell(index), self._colour(day.reviews, most))
        if self.selected is not None and self.selected in self.days:
            painter.setPen(_text_colour(self))
            painter.drawRect(self._cell(self.days.index(self.selected)).adjusted(-1, -1, 0, 0))
        painter.end()

    def day_at(self, point: QPoint) -> DayCount | None:
        for index, day in enumerate(self.days):
            if self._cell(index).contains(point):
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
        self.setMinimumSize(QSize(300, 9 * 18 + 10))

    def set_data(self, rows: list[str], cells: list[list[tuple[int | None, float | None]]]
                 ) -> None:
        self.rows, self.cells = rows, cells
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        text = _text_colour(self)
        label_width = 70
        height = 18
        columns = max((len(r) for r in self.cells), default=0)
        width = (self.width() - label_width - 6) / max(1, columns)
        for row, name in enumerate(self.rows):
            y = 4 + row * height
            painter.setPen(text)
            painter.drawText(QRect(2, y, label_width - 4, height),
                             Qt.AlignmentFlag.AlignVCenter, name)
            for column, (score, coverage) in enumerate(self.cells[row]):
                cell = QRect(label_width + int(column * width), y + 1, max(2, int(width) - 2),
                             height - 2)
                if score is not None:
                    painter.fillRect(cell, SCORE_COLOURS[score])
                if coverage is not None and width > 28:
                    painter.setPen(text)
                    painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, f"{coverage:.0%}")
        painter.end()


def _chart_box(title: str, chart: QWidget, save: Callable[[QWidget, str], object],
               note: QLabel | None = None) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.addWidget(chart, 1)
    bottom = QHBoxLayout()
    if note is not None:
        bottom.addWidget(note, 1)
    else:
        bottom.addStretch(1)
    button = QPushButton("Save as PNG…")
    button.clicked.connect(lambda: save(box, title))
    bottom.addWidget(button)
    layout.addLayout(bottom)
    return box


class StatsPage(QWidget):
    """Shows :class:`Figures`; the main window computes them off the GUI thread."""

    def __init__(self, settings: QSettings, on_close: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.heatmap = Heatmap()
        self.day_label = QLabel("Hover or click a day.")
        self.heatmap.on_select = lambda day: self.day_label.setText(Heatmap.describe(day))
        self.forecast = BarChart(" cards")
        self.retention = BarChart("%", GOOD)
        self.study_time = BarChart(" min")
        self.states = BarChart(" cards")
        self.mastery = BarChart("%", GOOD)
        self.interviews = ScoreGrid()
        self.summary = QLabel(wordWrap=True)
        self.empty = QLabel("No reviews yet: press Space on a topic in the outline to start "
                            "studying, and your progress appears here.", wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.interviews_empty = QLabel("No finished interviews yet: Interview > New mock "
                                       "interview (Ctrl+I).", wordWrap=True)
        self.status = QLabel("Computing…")

        grid = QGridLayout()
        self.boxes = [
            _chart_box("Reviews, last 365 days", self.heatmap, self.save_png, self.day_label),
            _chart_box("Due in the next 30 days", self.forecast, self.save_png),
            _chart_box("True retention per week (review cards passed)", self.retention,
                       self.save_png),
            _chart_box("Study time per day, last 30 days", self.study_time, self.save_png),
            _chart_box("Cards by state: new, learning, review, suspended", self.states,
                       self.save_png),
            _chart_box("Mastery per step (share of cards known)", self.mastery,
                       self.save_png),
            _chart_box("Interview self-scores per step (colour) and rubric coverage",
                       self.interviews, self.save_png, self.interviews_empty),
        ]
        grid.addWidget(self.boxes[0], 0, 0, 1, 2)
        for index, box in enumerate(self.boxes[1:]):
            grid.addWidget(box, 1 + index // 2, index % 2)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.summary)
        layout.addWidget(self.empty)
        layout.addLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        back = QPushButton("Back to outline")
        back.clicked.connect(on_close)
        top = QHBoxLayout()
        top.addWidget(QLabel("<h2>Statistics</h2>"))
        top.addStretch(1)
        top.addWidget(self.status)
        top.addWidget(back)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addLayout(top)
        outer.addWidget(scroll, 1)
        self.figures: Figures | None = None

    def show_figures(self, figures: Figures) -> None:
        self.figures = figures
        self.status.setText("")
        self.empty.setVisible(figures.total_reviews == 0)
        self.heatmap.set_days(figures.heatmap)
        self.forecast.set_data([f"{d:%d %b}" for d, _ in figures.forecast],
                               [n for _, n in figures.forecast])
        self.retention.set_data([f"{w.week_start:%d %b}" for w in figures.retention],
                                [None if w.rate is None else round(w.rate * 100, 1)
                                 for w in figures.retention], maximum=100)
        self.study_time.set_data([f"{d.day:%d %b}" for d in figures.study_time],
                                 [round(d.seconds / 60, 1) for d in figures.study_time])
        states = figures.states
        self.states.set_data(["new", "learning", "review", "suspended"],
                             [states.new, states.learning, states.review, states.suspended])
        self.mastery.set_data([f"Step {m.step}" for m in figures.mastery],
                              [round(m.share * 100, 1) for m in figures.mastery], maximum=100)
        by_step: dict[int, list[tuple[int | None, float | None]]] = {}
        for point in figures.interviews:
            coverage = point.covered / point.total if point.total else None
            by_step.setdefault(point.step, []).append((point.score, coverage))
        steps = sorted(by_step)
        self.interviews.set_data([f"Step {s}" for s in steps], [by_step[s] for s in steps])
        self.interviews_empty.setVisible(not figures.interviews)
        reviewed = sum(d.reviews for d in figures.heatmap)
        self.summary.setText(f"{reviewed} reviews in the last year · {states.review} cards in "
                             f"review, {states.new} new, {states.suspended} suspended")

    def save_png(self, box: QWidget, title: str, path: str | None = None) -> Path | None:
        if path is None:
            folder = str(self.settings.value("stats/folder", str(Path.home())))
            stem = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
            path, _ = QFileDialog.getSaveFileName(self, "Save chart", str(Path(folder) /
                                                                          f"{stem}.png"),
                                                  "PNG image (*.png)")
            if not path:
                return None
        target = Path(path)
        if not box.grab().save(str(target), "PNG"):
            self.status.setText(f"Could not save {target}: check the folder.")
            return None
        self.settings.setValue("stats/folder", str(target.parent))
        return target
