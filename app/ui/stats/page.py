"""The statistics page: the figures app/db/stats.py computes, shown in charts, saved as PNG."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.db.stats import Figures
from app.ui.stats.charts import GOOD, BarChart, Heatmap, ScoreGrid


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
        scroll = self._build_charts()
        self.status = QLabel("Computing…")
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

    def _build_charts(self) -> QScrollArea:
        """The summary line, then every chart in a box with its Save button, scrolling."""
        self._make_charts()
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
        return scroll

    def _make_charts(self) -> None:
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
