"""Browser benchmark: from opening the card browser with a search to its first rows painted.

Builds the 100,000-card store of bench_search.py (the built-in deck's text copied with numbered
suffixes; ~30% new, ~10% learning, ~60% review due around today) in a real SQLite file, then
measures, median of several runs each, with Qt offscreen:

* open: a new window holding a new browser page runs the search (``is:due``, free text) and is
  shown; the time until the list's viewport has painted its first rows (the model populated,
  the view shown, events processed);
* search again: Enter in the open browser with another query, until the rows are painted again;
* sort: a click on the Due column's header (the search again, sorted in SQL), until painted;
* the anchor, in the same run: a bare QTableView over a QStandardItemModel of 100 rows and the
  same 8 columns, built and shown in a new window until painted (what any Qt table costs).

Target from the issue: the first rows within 300 ms.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_browser.py [--cards 100000] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
for folder in (HERE.parents[1], HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_search import NOW, build_store  # noqa: E402
from PySide6.QtCore import QEvent, QObject, Qt  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView, QWidget  # noqa: E402

from app.db.store import Store  # noqa: E402
from app.ui.browser.model import COLUMNS  # noqa: E402
from app.ui.browser.page import BrowserPage  # noqa: E402

TARGET_MS = 300.0
SEARCHES = (("is:due", "is:due"), ("free text, common word", "model"),
            ("free text, rarer word", "latency"))


class PaintWatch(QObject):
    """Notes when a widget has painted."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.painted_at: float | None = None
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.painted_at is None:
            self.painted_at = time.perf_counter()
        return False


def until_painted(app: QApplication, watch: PaintWatch, start: float) -> float:
    while watch.painted_at is None:
        app.processEvents()
        if time.perf_counter() - start > 30:
            raise RuntimeError("the view never painted")
    return (watch.painted_at - start) * 1000


class Host(QMainWindow):
    """The window around the page, as the browser asks of it (nothing to go back to here)."""

    def close_review(self) -> None: ...
    def open_key(self, key: str) -> bool:
        return False

    def study_cards(self, card_ids: object, title: str) -> None: ...


def open_browser(app: QApplication, store: Store, query: str) -> tuple[float, int]:
    start = time.perf_counter()
    host = Host()
    host.resize(1120, 740)
    page = BrowserPage(store, lambda: NOW, UTC, host)
    watch = PaintWatch(page.table.viewport())
    page.search(query)
    host.setCentralWidget(page)
    host.show()
    elapsed = until_painted(app, watch, start)
    found = len(page.model.ids)
    host.close()
    host.deleteLater()
    app.processEvents()
    return elapsed, found


def search_again(app: QApplication, page: BrowserPage, query: str) -> float:
    watch = PaintWatch(page.table.viewport())
    start = time.perf_counter()
    page.search(query)
    return until_painted(app, watch, start)


def sort_by_due(app: QApplication, page: BrowserPage, descending: bool) -> float:
    watch = PaintWatch(page.table.viewport())
    start = time.perf_counter()
    page.table.sortByColumn(2, Qt.SortOrder.DescendingOrder if descending
                            else Qt.SortOrder.AscendingOrder)
    return until_painted(app, watch, start)


def anchor(app: QApplication) -> float:
    start = time.perf_counter()
    window = QMainWindow()
    window.resize(1120, 740)
    model = QStandardItemModel(100, len(COLUMNS))
    model.setHorizontalHeaderLabels([title for title, _, _ in COLUMNS])
    for row in range(100):
        for column in range(len(COLUMNS)):
            model.setItem(row, column, QStandardItem(f"cell {row}.{column}"))
    view = QTableView()
    view.setModel(model)
    watch = PaintWatch(view.viewport())
    window.setCentralWidget(view)
    window.show()
    elapsed = until_painted(app, watch, start)
    window.close()
    window.deleteLater()
    app.processEvents()
    return elapsed


def median(times: Callable[[], float], runs: int) -> float:
    times()  # warm: the first run reads pages from disk and loads Qt's plugins
    return statistics.median(times() for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        store = build_store(Path(tmp) / "ours", args.cards, args.seed)
        print(f"{args.cards} cards in {time.perf_counter() - start:.1f} s; "
              f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Qt {os.environ['QT_QPA_PLATFORM']}")
        floor = median(lambda: anchor(app), args.runs)
        print(f"anchor: bare QTableView, QStandardItemModel of 100 rows, to first paint: "
              f"{floor:.1f} ms")
        print(f"{'open the browser with':<28} {'found':>7} {'ms':>8} {'x anchor':>9}  target")
        failed = False
        try:
            for label, query in SEARCHES:
                found = open_browser(app, store, query)[1]
                ms = median(lambda q=query: open_browser(app, store, q)[0], args.runs)
                ok = ms <= TARGET_MS
                failed = failed or not ok
                print(f"{label:<28} {found:7d} {ms:8.1f} {ms / floor:9.1f}  "
                      f"<= {TARGET_MS:.0f} ms {'ok' if ok else 'MISSED'}")
            host = Host()
            host.resize(1120, 740)
            page = BrowserPage(store, lambda: NOW, UTC, host)
            page.search("")
            host.setCentralWidget(page)
            host.show()
            app.processEvents()
            queries = iter(["latency", "model"] * (args.runs + 2))
            again = median(lambda: search_again(app, page, next(queries)), args.runs)
            print(f"{'search again (Enter)':<28} {'':>7} {again:8.1f} {again / floor:9.1f}")
            flips = iter([True, False] * (args.runs + 2))
            page.search("")
            by_due = median(lambda: sort_by_due(app, page, next(flips)), args.runs)
            print(f"{'sort all by due (header)':<28} {len(page.model.ids):7d} {by_due:8.1f} "
                  f"{by_due / floor:9.1f}")
            host.close()
        finally:
            store.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
