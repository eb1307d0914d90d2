"""Statistics bar charts drawn with our own QPainter: scale, axes, labels and legend laid out from
font metrics, the geometry a pure function of the figures so that tests compare it with the data.

Why our own painter (decided for issue 17, measured on this machine with pip and PySide6 6.11,
offscreen, three runs, the first cold). QtCharts is deprecated since Qt 6.10 and has no heatmap or
labelled score grid, so two of the page's six charts would be hand-painted anyway. matplotlib
3.11 with its Qt backend installs about 175 MB (numpy 73 MB with its libraries, matplotlib 35,
fontTools 36, pillow 22) and its import takes 0.5 s warm, 1.9 s cold, before the first chart;
pyqtgraph 0.14 needs numpy too (about 83 MB together) and imports in 0.33 s. matplotlib draws
with its own fonts and colours, pyqtgraph on its own black theme: both need styling per chart to
follow the app's font size (16 pt) and palette (dark theme).
Six charts of bars, cells and text cost a few hundred lines of QPainter whose geometry is exact and
tested against the data, at no start-up or bundle cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

ACCENT = QColor("#3b82f6")
GOOD = QColor("#30a46c")


# --- scale ---------------------------------------------------------------------------------------

def nice_ticks(maximum: float, count: int = 5, integer: bool = False) -> list[float]:
    """Ticks from 0 in steps of 1, 2 or 5 times a power of ten, about ``count`` steps, the last
    at or above ``maximum``. ``integer`` keeps steps whole (cards are not counted in halves)."""
    top = maximum if maximum > 0 else 1.0
    raw = top / max(1, count)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    if integer:
        step = max(1.0, float(round(step)))
    steps = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def format_value(value: float, suffix: str = "") -> str:
    """A tick or value label: whole numbers without decimals, others with one."""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text + suffix


def _text_colour(widget: QWidget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.WindowText)


def _quiet_colour(widget: QWidget, alpha: int) -> QColor:
    colour = QColor(_text_colour(widget))
    colour.setAlpha(alpha)
    return colour


def pad_for(metrics: QFontMetrics) -> int:
    """Spacing that grows with the font: a quarter of a line, at least 3 px."""
    return max(3, metrics.height() // 4)


# --- bar chart geometry --------------------------------------------------------------------------

@dataclass(frozen=True)
class Label:
    rect: QRect
    text: str
    index: int = -1  # the bar (or tick) it belongs to


@dataclass(frozen=True)
class BarLayout:
    """Everything a bar chart draws, in widget coordinates."""

    plot: QRect                 # the bars stand on its bottom edge; its top is the top tick
    ticks: list[float]
    tick_ys: list[int]          # where each tick's gridline is drawn
    tick_labels: list[Label]
    bars: list[QRect]
    x_labels: list[Label]
    value_labels: list[Label]
    legend: list[tuple[QRect, Label]]  # (swatch, text)
    reference_y: int | None

    def y_of(self, value: float) -> int:
        """The pixel row of ``value`` on the scale (the baseline for 0)."""
        top = self.ticks[-1] or 1
        return self.baseline - round(self.plot.height() * min(1.0, value / top))

    @property
    def baseline(self) -> int:
        return self.plot.top() + self.plot.height()


def _centred(metrics: QFontMetrics, text: str, centre: int, top: int,
             bounds: QRect) -> QRect:
    """A rect for ``text`` centred on ``centre``, kept within ``bounds`` horizontally."""
    width = metrics.horizontalAdvance(text) + 2
    left = min(max(bounds.left(), centre - width // 2), bounds.right() + 1 - width)
    return QRect(left, top, width, metrics.height())


def spaced(labels: list[Label], gap: int) -> list[Label]:
    """Labels left to right, each dropped that would come within ``gap`` of the one kept before."""
    kept: list[Label] = []
    for label in labels:
        if not kept or label.rect.left() >= kept[-1].rect.right() + 1 + gap:
            kept.append(label)
    return kept


def layout_bars(bounds: QRect, metrics: QFontMetrics, labels: Sequence[str],
                values: Sequence[float | None], *, maximum: float | None = None,
                integer: bool = False, suffix: str = "",
                short_labels: Sequence[str] | None = None, reference: float | None = None,
                legend: Sequence[str] = (), always: int | None = None) -> BarLayout:
    """Lay out a bar chart in ``bounds``: a y scale of nice ticks with its labels on the left,
    the x labels below (every ``stride``-th, so that none run together), a value label above
    each bar when all of them fit (else above the largest and the bar ``always``), and the
    legend on top."""
    line, pad = metrics.height(), pad_for(metrics)
    top = bounds.top() + pad
    legend_items: list[tuple[QRect, Label]] = []
    if legend:
        x = bounds.right() + 1
        swatch = max(8, line * 2 // 3)
        for index, text in reversed(list(enumerate(legend))):
            width = metrics.horizontalAdvance(text) + 2
            x -= width
            label = Label(QRect(x, top, width, line), text, index)
            x -= pad + swatch
            legend_items.insert(0, (QRect(x, top + (line - swatch) // 2, swatch, swatch), label))
            x -= 3 * pad
        top += line + pad
    top += line  # headroom for a value label over a bar that reaches the top tick
    bottom = bounds.bottom() + 1 - pad - line - pad  # one past the plot; x labels below
    height = max(1, bottom - top)
    data_top = maximum if maximum is not None else max((v or 0 for v in values), default=0)
    ticks = nice_ticks(data_top, max(1, min(5, height // (2 * line))), integer)
    tick_texts = [format_value(t, suffix) for t in ticks]
    axis = max(metrics.horizontalAdvance(t) for t in tick_texts) + 2
    plot = QRect(bounds.left() + axis + pad, top, max(1, bounds.right() + 1 - pad -
                                                         (bounds.left() + axis + pad)), height)
    base = plot.top() + plot.height()
    scale_top = ticks[-1] or 1

    def y_of(value: float) -> int:
        return base - round(plot.height() * min(1.0, value / scale_top))

    tick_ys = [y_of(t) for t in ticks]
    tick_labels = [Label(QRect(bounds.left(), y - line // 2, axis, line), text, i)
                   for i, (y, text) in enumerate(zip(tick_ys, tick_texts, strict=True))]
    slot = plot.width() / max(1, len(values))
    gap = max(1, min(4, int(slot) // 5))
    bars = []
    for index, value in enumerate(values):
        left = plot.left() + round(index * slot)
        right = plot.left() + round((index + 1) * slot)
        bar_top = y_of(value or 0)
        bars.append(QRect(left + gap // 2 + gap % 2, bar_top, max(1, right - left - gap),
                          base - bar_top))
    # Right of the tick labels: the lowest of them reaches half a line below the baseline.
    below = QRect(bounds.left() + axis + 1, base, bounds.right() - bounds.left() - axis, line)
    x_labels = _x_labels(metrics, bars, labels, short_labels, below, base + pad, pad)
    # Many bars: a zero is left unwritten (its missing bar says it). The unit goes when that
    # lets every value be written (the scale's labels carry it).
    many = len(values) > 8
    partial: list[list[Label]] = []
    for unit in dict.fromkeys((suffix, "")):
        value_texts = [None if v is None or (many and v == 0) else format_value(v, unit)
                       for v in values]
        value_labels = _value_labels(metrics, bars, value_texts, values, slot, plot, always)
        if len(value_labels) == sum(t is not None for t in value_texts):
            break
        partial.append(value_labels)
    else:
        value_labels = partial[0]
    return BarLayout(plot, ticks, tick_ys, tick_labels, bars, x_labels, value_labels,
                     legend_items, None if reference is None else y_of(reference))


def _x_labels(metrics: QFontMetrics, bars: list[QRect], labels: Sequence[str],
              short_labels: Sequence[str] | None, bounds: QRect, top: int,
              gap: int) -> list[Label]:
    """Every ``stride``-th label under its bar, the stride the smallest that keeps them apart;
    the short labels are used when the long ones would leave any bar unnamed."""
    if not labels or not bars:
        return []
    slot = max(1.0, (bars[-1].center().x() - bars[0].center().x()) / max(1, len(bars) - 1)
               if len(bars) > 1 else float(bars[0].width()))
    texts = list(labels)
    widest = max(metrics.horizontalAdvance(t) for t in texts) + 2 + gap
    if widest > slot and short_labels:
        texts = list(short_labels)
        widest = max(metrics.horizontalAdvance(t) for t in texts) + 2 + gap
    count = min(len(texts), len(bars))
    # A steady stride: widen it until no label, kept within bounds, comes near the next.
    chosen: list[Label] = []
    for stride in range(min(count, max(1, math.ceil(widest / slot))), count + 1):
        chosen = [Label(_centred(metrics, texts[i], bars[i].center().x(), top, bounds),
                        texts[i], i) for i in range(0, count, stride)]
        if len(spaced(chosen, gap)) == len(chosen):
            return chosen
    return chosen[:1]


def _value_labels(metrics: QFontMetrics, bars: list[QRect], texts: list[str | None],
                  values: Sequence[float | None], slot: float, plot: QRect,
                  always: int | None) -> list[Label]:
    """A value over every bar when each fits its slot, else over the (first) largest and the
    bar ``always`` (an index; -1 the last) if their labels keep apart. Kept over the plot."""
    shown = [(i, t) for i, t in enumerate(texts) if t is not None]
    if not shown:
        return []
    line = metrics.height()

    def label(index: int) -> Label:
        text = texts[index] or ""
        return Label(_centred(metrics, text, bars[index].center().x(), bars[index].top() - line,
                              plot), text, index)

    if all(metrics.horizontalAdvance(t) + 2 <= slot for _, t in shown):
        return [label(i) for i, _ in shown]
    largest = max(shown, key=lambda item: values[item[0]] or 0)[0]
    chosen = [largest] if values[largest] else []
    if always is not None and texts and values[always]:
        extra = always % len(texts)
        if extra not in chosen:
            chosen.append(extra)
    labels = [label(i) for i in sorted(chosen)]
    return [lb for lb in labels if not any(lb.rect.intersects(other.rect) for other in labels
                                           if other is not lb)] or labels[:1]


def bar_index_at(x: float, count: int, plot: QRect) -> int | None:
    """Which of ``count`` bars the horizontal position ``x`` is over, if any."""
    if count <= 0 or not plot.left() <= x <= plot.right():
        return None
    index = int((x - plot.left()) / max(1, plot.width()) * count)
    return min(index, count - 1)


# --- bar chart widget ----------------------------------------------------------------------------

class BarChart(QWidget):
    """Vertical bars on a labelled scale; ``values`` may hold None for 'no data' (no bar, no
    label). Optional: a dashed reference line (with a legend entry) and short x labels."""

    def __init__(self, suffix: str = "", colour: QColor = ACCENT, *, integer: bool = False,
                 series: str = "", always: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.always = always  # the bar whose value is shown even when not all are
        self.suffix = suffix
        self.colour = colour
        self.integer = integer
        self.series = series
        self.labels: list[str] = []
        self.short_labels: list[str] | None = None
        self.tips: list[str] | None = None
        self.values: list[float | None] = []
        self.maximum: float | None = None
        self.reference: tuple[float, str] | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, labels: Sequence[str], values: Sequence[float | None],
                 maximum: float | None = None, *, short_labels: Sequence[str] | None = None,
                 tips: Sequence[str] | None = None,
                 reference: tuple[float, str] | None = None) -> None:
        self.labels, self.values, self.maximum = list(labels), list(values), maximum
        self.short_labels = None if short_labels is None else list(short_labels)
        self.tips = None if tips is None else list(tips)
        self.reference = reference
        self.update()

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(24 * metrics.averageCharWidth(), 8 * metrics.height())

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(40 * metrics.averageCharWidth(), 11 * metrics.height())

    def legend_texts(self) -> list[str]:
        """A legend only where there is more than one thing drawn: the bars and the reference."""
        if self.reference is None:
            return []
        return [self.series or "value", self.reference[1]]

    def chart_layout(self) -> BarLayout:
        """The chart's geometry at the widget's current size and font."""
        return layout_bars(self.rect(), self.fontMetrics(), self.labels, self.values,
                           maximum=self.maximum, integer=self.integer, suffix=self.suffix,
                           short_labels=self.short_labels,
                           reference=None if self.reference is None else self.reference[0],
                           legend=self.legend_texts(), always=self.always)

    def bar_rects(self) -> list[QRect]:
        """The bars at the widget's current size (a None value has a zero-height bar)."""
        return self.chart_layout().bars

    def paintEvent(self, _event: QPaintEvent) -> None:
        layout = self.chart_layout()
        painter = QPainter(self)
        text = _text_colour(self)
        grid = _quiet_colour(self, 45)
        for y in layout.tick_ys:
            painter.fillRect(QRect(layout.plot.left(), y, layout.plot.width(), 1), grid)
        for bar, value in zip(layout.bars, self.values, strict=True):
            if value is not None and bar.height() > 0:
                painter.fillRect(bar, self.colour)
        axis = _quiet_colour(self, 140)
        painter.fillRect(QRect(layout.plot.left(), layout.baseline, layout.plot.width(), 1), axis)
        painter.fillRect(QRect(layout.plot.left() - 1, layout.plot.top(), 1,
                               layout.plot.height() + 1), axis)
        painter.setPen(axis)
        for label in layout.tick_labels:
            painter.drawText(label.rect, Qt.AlignmentFlag.AlignRight
                             | Qt.AlignmentFlag.AlignVCenter, label.text)
        if layout.reference_y is not None:
            pen = QPen(text, 1, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(layout.plot.left(), layout.reference_y, layout.plot.right(),
                             layout.reference_y)
        painter.setPen(text)
        for label in layout.x_labels:
            painter.drawText(label.rect, Qt.AlignmentFlag.AlignCenter, label.text)
        # A value stays readable where the reference line runs behind it.
        window = self.palette().color(QPalette.ColorRole.Window)
        for label in layout.value_labels:
            painter.fillRect(label.rect.adjusted(0, 2, 0, -2), window)
            painter.drawText(label.rect, Qt.AlignmentFlag.AlignCenter, label.text)
        for index, (swatch, label) in enumerate(layout.legend):
            if index == 0:
                painter.fillRect(swatch, self.colour)
            else:
                painter.setPen(QPen(text, 1, Qt.PenStyle.DashLine))
                middle = swatch.center().y()
                painter.drawLine(swatch.left(), middle, swatch.right(), middle)
            painter.setPen(text)
            painter.drawText(label.rect, Qt.AlignmentFlag.AlignVCenter, label.text)
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        layout = self.chart_layout()
        index = bar_index_at(event.position().x(), len(self.values), layout.plot)
        if index is not None:
            value = self.values[index]
            shown = "no data" if value is None else format_value(value, self.suffix)
            name = self.tips[index] if self.tips else self.labels[index]
            QToolTip.showText(event.globalPosition().toPoint(), f"{name}: {shown}", self)


def overlapping(rects: Sequence[QRect]) -> list[tuple[int, int]]:
    """Pairs of indexes of rectangles that overlap (for tests and asserts)."""
    return [(i, j) for i, a in enumerate(rects) for j in range(i + 1, len(rects))
            if a.intersects(rects[j])]
