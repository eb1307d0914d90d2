"""The statistics page: key figures and charts of what app/db/stats.py computes for every deck,
one deck or the branch selected in the outline; each chart saves as PNG."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.db.settings import load_study_settings
from app.db.stats import Figures, all_figures
from app.db.store import Store
from app.decks.tree import TreeNode
from app.plural import counted
from app.ui.stats.charts import GOOD, BarChart
from app.ui.stats.heatmap import Heatmap
from app.ui.stats.score_grid import Cell, ScoreGrid


@dataclass(frozen=True)
class Choice:
    """One entry of the Show box: every deck (no deck id), a deck, or a branch of one."""

    label: str
    deck_id: str | None = None
    topic_ids: frozenset[str] | None = None


@dataclass(frozen=True)
class StatsContext:
    """What the figures are computed from and what the Show box offers; the window makes one
    each time the page opens. ``selected`` is the choice shown first."""

    store: Store
    now: datetime
    local: tzinfo
    desired_retention: float
    rollover_hour: int
    choices: tuple[Choice, ...]
    selected: int = 0


def choices_for(decks: Sequence[tuple[str, str]], branch: Choice | None) -> tuple[Choice, ...]:
    """All decks, each deck by title, and the selected branch when there is one."""
    return (Choice("All decks"), *(Choice(title, deck_id) for deck_id, title in decks),
            *(() if branch is None else (branch,)))


def stats_context(store: Store, now: datetime, local: tzinfo, roots: Sequence[TreeNode],
                  node: TreeNode | None) -> StatsContext:
    """Every deck, each deck of the outline, and the selected topic's branch; the selected
    node's choice first (its deck, or its branch), every deck when nothing is selected."""
    settings = load_study_settings(store)
    branch = None
    if node is not None and node.kind != "deck":
        branch = Choice(f"Branch: {node.label}", node.deck_id,
                        frozenset(n.topic_id for n in node.walk() if n.topic_id is not None))
    decks = [(root.deck_id, root.title) for root in roots]
    choices = choices_for(decks, branch)
    selected = 0
    if branch is not None:
        selected = len(choices) - 1
    elif node is not None:
        selected = 1 + [deck for deck, _ in decks].index(node.deck_id)
    return StatsContext(store, now, local, settings.desired_retention, settings.rollover_hour,
                        choices, selected)


def compute(context: StatsContext, choice: Choice) -> Figures:
    """The figures for one choice, on a connection of its own when the store is a file (this
    runs on a worker thread; a sqlite3 connection belongs to the thread that opened it)."""
    def figures(store: Store) -> Figures:
        return all_figures(store, context.now, context.local, context.desired_retention,
                           choice.deck_id, context.rollover_hour, choice.topic_ids)

    if context.store.path is None:
        return figures(context.store)
    store = Store.open(context.store.path.parent, check=False)  # checked at start
    try:
        return figures(store)
    finally:
        store.close()


def short_date(day: date) -> str:
    return f"{day.day} {day:%b}"


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


class _ChartBox(QFrame):
    """A chart with its title above and a note and Save button below."""

    def __init__(self, title: str, chart: QWidget, save: Callable[[QWidget, str], object]
                 ) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(f"<b>{title}</b>", wordWrap=True)
        self.note = QLabel(wordWrap=True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("Save PNG…")
        self.save_button.setToolTip(f"Save '{title}' as a PNG image")
        self.save_button.clicked.connect(lambda: save(self, title))
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(chart, 1)
        layout.addLayout(bottom)


class _Tile(QFrame):
    """A key figure: a large value over its caption."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel("–")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption, wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


class StatsPage(QWidget):
    """Shows :class:`Figures`, computed off the GUI thread for the choice in the Show box."""

    def __init__(self, settings: QSettings, on_close: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.context: StatsContext | None = None
        self.local: tzinfo = UTC
        self.figures: Figures | None = None
        self._request = 0  # results of an older request are dropped
        self._columns = 0
        self.filter = QComboBox()
        self.filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.filter.setMinimumContentsLength(12)
        self.filter.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.filter.setMaximumWidth(36 * self.fontMetrics().averageCharWidth())
        self.filter.currentIndexChanged.connect(lambda _index: self.refresh())
        show = QLabel("Sh&ow:")
        show.setBuddy(self.filter)
        back = QPushButton("Back to outline")
        back.clicked.connect(on_close)
        top = QHBoxLayout()
        top.addWidget(QLabel("<h2>Statistics</h2>"))
        top.addStretch(1)
        top.addWidget(show)
        top.addWidget(self.filter, 3)
        top.addWidget(back)
        self.status = QLabel("Computing…", wordWrap=True)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addLayout(top)
        outer.addWidget(self.status)
        outer.addWidget(self._build_charts(), 1)

    # --- building ------------------------------------------------------------------------------

    def _build_charts(self) -> QScrollArea:
        self._make_charts()
        self.boxes = [
            _ChartBox("Reviews per day, last 365 days", self.heatmap, self.save_png),
            _ChartBox("Due in the next 30 days (cards)", self.forecast, self.save_png),
            _ChartBox("True retention per week (% of review answers passed)", self.retention,
                      self.save_png),
            _ChartBox("Study time per day, last 30 days (minutes)", self.study_time,
                      self.save_png),
            _ChartBox("Cards by state", self.states, self.save_png),
            _ChartBox("Mastery per step (% of cards known)", self.mastery, self.save_png),
            _ChartBox("Interview self-scores per step", self.interviews, self.save_png),
        ]
        self.boxes[0].note.setText("Click a day for its figures.")
        self.heatmap.on_select = lambda day: self.boxes[0].note.setText(Heatmap.describe(day))
        self.tiles = {key: _Tile(caption) for key, caption in (
            ("due", "due today"), ("reviews", "reviews in the last 365 days"),
            ("days", "days studied in the last 365"), ("streak", "day streak"),
            ("retention", "true retention, last 4 weeks"), ("time", "study time, last 30 days"))}
        self.tile_grid = QGridLayout()
        self.chart_grid = QGridLayout()
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.empty)
        layout.addLayout(self.tile_grid)
        layout.addLayout(self.chart_grid, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self._arrange(2)
        return scroll

    def _make_charts(self) -> None:
        self.heatmap = Heatmap()
        self.forecast = BarChart(integer=True, always=0)  # today
        self.retention = BarChart("%", GOOD, series="passed", always=-1)  # this week
        self.study_time = BarChart(always=-1)  # today
        self.states = BarChart(integer=True)
        self.mastery = BarChart("%", GOOD)
        self.interviews = ScoreGrid()
        self.interviews.on_resize = self._interview_note
        self.empty = QLabel("No reviews yet: press Space on a topic in the outline to start "
                            "studying, and your progress appears here.", wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def _arrange(self, columns: int) -> None:
        """The tiles in a row (or two), the heatmap across, the other charts in ``columns``."""
        if columns == self._columns:
            return
        self._columns = columns
        tiles = list(self.tiles.values())
        per_row = 6 if columns == 2 else 3
        for index, tile in enumerate(tiles):
            self.tile_grid.addWidget(tile, index // per_row, index % per_row)
        self.chart_grid.addWidget(self.boxes[0], 0, 0, 1, columns)
        for index, box in enumerate(self.boxes[1:]):
            self.chart_grid.addWidget(box, 1 + index // columns, index % columns)
        for column in range(2):
            self.chart_grid.setColumnStretch(column, 1 if column < columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Two columns of charts where each keeps about 17 lines' height of width, else one.
        wide = event.size().width() >= 34 * self.fontMetrics().height()
        self._arrange(2 if wide else 1)
        super().resizeEvent(event)

    def status_text(self) -> str:
        """The status bar's line while the page is shown (app/ui/pages.py asks for it)."""
        from app.ui.actions import PAGE_BACK
        from app.ui.pages import keys_status

        return "Alt+O: show every deck, a deck or the selected branch · " + keys_status(
            [PAGE_BACK])

    # --- computing -----------------------------------------------------------------------------

    def open(self, context: StatsContext) -> None:
        """Offer the context's choices, select its selected one and compute its figures."""
        self.context, self.local = context, context.local
        self.filter.blockSignals(True)
        self.filter.clear()
        for choice in context.choices:
            self.filter.addItem(choice.label)
        self.filter.setCurrentIndex(context.selected)
        self.filter.blockSignals(False)
        self.refresh()

    def choice(self) -> Choice | None:
        if self.context is None or not 0 <= self.filter.currentIndex() < len(
                self.context.choices):
            return None
        return self.context.choices[self.filter.currentIndex()]

    def refresh(self) -> None:
        """Compute the figures of the chosen entry off the GUI thread, then draw them."""
        from app.ui.worker import run_in_background

        context, choice = self.context, self.choice()
        if context is None or choice is None:
            return
        self._request += 1
        request = self._request
        self.status.setText("Computing…")
        self.status.show()

        def done(figures: object) -> None:
            if request == self._request and isinstance(figures, Figures):
                self.show_figures(figures)

        def failed(error: object) -> None:
            if request == self._request:
                self.status.setText(f"Could not compute the statistics: {error}")

        run_in_background(lambda _progress: compute(context, choice), on_done=done,
                          on_error=failed)

    # --- showing -------------------------------------------------------------------------------

    def show_figures(self, figures: Figures) -> None:
        self.figures = figures
        self.status.setText("")
        self.status.hide()
        self.empty.setVisible(figures.total_reviews == 0)
        self.heatmap.set_days(figures.heatmap)
        self._show_tiles(figures)
        self._show_forecast(figures)
        self._show_retention(figures)
        self._show_study_time(figures)
        states = figures.states
        self.states.set_data(["new", "learning", "review", "suspended"],
                             [states.new, states.learning, states.review, states.suspended])
        self.boxes[4].note.setText(f"{states.new + states.learning + states.review:,} active "
                                   f"cards; suspended ones are counted apart.")
        known = sum(m.known for m in figures.mastery)
        total = sum(m.total for m in figures.mastery)
        self.mastery.set_data([f"Step {m.step}" for m in figures.mastery],
                              [round(m.share * 100, 1) for m in figures.mastery], maximum=100,
                              short_labels=[str(m.step) for m in figures.mastery],
                              tips=[f"Step {m.step} {m.title} ({m.known} of {m.total})"
                                    for m in figures.mastery])
        self.boxes[5].note.setText(
            f"{known:,} of {total:,} cards known ({_percent(known, total)}): recalled now with "
            f"at least {figures.desired_retention:.0%} probability." if figures.mastery else
            "No steps in this choice.")
        self._show_interviews(figures)

    def _show_tiles(self, figures: Figures) -> None:
        minutes = sum(d.seconds for d in figures.study_time) / 60
        recent = figures.recent_retention
        values = {
            "due": f"{figures.forecast[0][1]:,}" if figures.forecast else "0",
            "reviews": f"{figures.year_reviews:,}",
            "days": f"{figures.study_days}",
            "streak": f"{figures.streak}",
            "retention": "–" if recent is None else _percent(recent.passed, recent.reviews),
            "time": f"{minutes / 60:.1f} h" if minutes >= 60 else f"{minutes:.0f} min",
        }
        for key, value in values.items():
            self.tiles[key].value.setText(value)

    def _show_forecast(self, figures: Figures) -> None:
        days = [d for d, _ in figures.forecast]
        counts = [n for _, n in figures.forecast]
        self.forecast.set_data(["today", *(short_date(d) for d in days[1:])][:len(days)],
                               counts, tips=[f"{d:%a} {short_date(d)}" for d in days])
        tomorrow = f" · {counts[1]:,} tomorrow" if len(counts) > 1 else ""
        self.boxes[1].note.setText(
            f"{sum(counts):,} cards due in {len(counts)} days · {counts[0] if counts else 0:,} "
            f"today (with overdue){tomorrow}")

    def _show_retention(self, figures: Figures) -> None:
        target = figures.desired_retention
        self.retention.set_data([short_date(w.week_start) for w in figures.retention],
                                [None if w.rate is None else round(w.rate * 100)
                                 for w in figures.retention], maximum=100,
                                tips=[f"Week of {short_date(w.week_start)} ({w.passed} of "
                                      f"{w.reviews})" for w in figures.retention],
                                reference=(target * 100, f"target {target:.0%}"))
        recent = figures.recent_retention
        self.boxes[2].note.setText(
            "No answers to review cards yet." if recent is None or not recent.reviews else
            f"Last 4 weeks: {recent.passed:,} of {recent.reviews:,} passed "
            f"({_percent(recent.passed, recent.reviews)}); Hard, Good and Easy pass.")

    def _show_study_time(self, figures: Figures) -> None:
        days = figures.study_time
        minutes = [round(d.seconds / 60, 1) for d in days]
        self.study_time.set_data([short_date(d.day) for d in days], minutes,
                                 tips=[f"{d.day:%a} {short_date(d.day)}" for d in days])
        studied = [m for m, d in zip(minutes, days, strict=True) if d.reviews]
        average = sum(studied) / len(studied) if studied else 0
        self.boxes[3].note.setText(
            f"{sum(minutes):.0f} min on {counted(len(studied), 'day')} · {average:.0f} min a "
            f"study day · {minutes[-1] if minutes else 0:g} min today")

    def _show_interviews(self, figures: Figures) -> None:
        starts = sorted({p.started_at for p in figures.interviews})
        steps = sorted({p.step for p in figures.interviews})
        cells: list[list[Cell | None]] = [[None] * len(starts) for _ in steps]
        for point in figures.interviews:
            coverage = point.covered / point.total if point.total else None
            cells[steps.index(point.step)][starts.index(point.started_at)] = (point.score,
                                                                              coverage)
        self.interviews.set_data([short_date(s.astimezone(self.local).date()) for s in starts],
                                 [f"Step {s}" for s in steps], cells)
        self.interviews.setVisible(bool(starts))
        self._interview_note()

    def _interview_note(self) -> None:
        """Under the grid: how many interviews fit, when not all do; or how to hold one."""
        columns = len(self.interviews.columns)
        first = self.interviews.grid_layout().first_column
        self.boxes[6].note.setText(
            "No finished interviews yet: Interview > New mock interview (Ctrl+I)." if not columns
            else f"The latest {columns - first} of {columns} interviews." if first else "")

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
            self.status.show()
            return None
        self.settings.setValue("stats/folder", str(target.parent))
        return target
