"""Statistics benchmark: ``all_figures`` on 100,000 cards and 500,000 review-log rows.

Builds a store with synthetic cards (~30% new, ~10% learning, ~60% review, a 9-step topic tree
of thousands of topics) and review-log rows spread over the last 365 days (more in recent
months, ~75% answered in review state, Again ~10%), plus a few finished interviews. Then times
``all_figures`` (median of several runs) for every deck, for the deck (alone, then beside a
second deck, which makes its answers read card by card), and for step 1's branch (a third of
the cards) beside a floor measured in the same run with plain sqlite3:
one ``SELECT day, COUNT(*), SUM(duration_ms) FROM review_log GROUP BY day`` (all rows are within
the last 365 days). Target from the issue: the statistics page ready in <= 300 ms (compute +
paint, both measured).

    python tests/benchmarks/bench_stats.py [--cards 100000] [--logs 500000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.clock import to_iso, to_ms  # noqa: E402
from app.db.stats import Figures, all_figures  # noqa: E402
from app.db.store import DB_NAME, Store  # noqa: E402

DECK = "bench"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LOCAL = ZoneInfo("Europe/Berlin")
DAY_MS = 86_400_000
TARGET_MS = 300.0


def build_store(data_dir: Path, cards: int, logs: int, seed: int) -> None:
    rng = random.Random(seed)
    now_ms = to_ms(NOW)
    topics = max(9, cards // 10)
    card_rows: list[tuple[object, ...]] = []
    for i in range(cards):
        topic = i * topics // cards
        roll = rng.random()
        if roll < 0.30:
            state: tuple[object, ...] = (0, None, None, None, None, 0)
        elif roll < 0.40:
            due = now_ms + rng.randint(-3_600_000, DAY_MS)
            state = (rng.choice((1, 3)), rng.uniform(0.5, 5), rng.uniform(3, 8), due,
                     due - 600_000, 1)
        else:
            stability = rng.uniform(1, 300)
            due = now_ms + rng.randint(-30 * DAY_MS, 60 * DAY_MS)
            state = (2, stability, rng.uniform(1, 10), due, due - int(stability * DAY_MS), 3)
        card_rows.append((f"{DECK}/t{topic}/qa/{i}", DECK, f"t{topic}", "qa", "Context",
                          f"Question {i}?", f"Answer {i}.", i, *state,
                          int(rng.random() < 0.02), now_ms - 400 * DAY_MS))
    card_ids = [row[0] for row in card_rows]
    log_rows = []
    for _ in range(logs):
        # Recent months busier: 70% spread over the year, 30% over the last 90 days.
        reviewed = now_ms - int((365 if rng.random() < 0.7 else 90) * DAY_MS * rng.random())
        queue_before = rng.choices((0, 1, 2, 3), (10, 10, 75, 5))[0]
        log_rows.append((card_ids[rng.randrange(cards)], reviewed,
                         rng.choices((1, 2, 3, 4), (1, 1, 6, 2))[0], rng.randint(2_000, 30_000),
                         queue_before, 10.0, 5.0, reviewed, reviewed - 5 * DAY_MS, 3, 0, 2,
                         12.0, 6.0, reviewed + 7 * DAY_MS))
    store = Store.open(data_dir)
    with store.transaction() as conn:
        conn.execute("INSERT INTO decks (id, title, version, synced_at) VALUES (?, ?, 1, ?)",
                     [DECK, "Benchmark deck", to_iso(NOW)])
        conn.executemany(
            "INSERT INTO topics (deck_id, id, parent_id, position, title, step) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(DECK, f"t{t}", None if t < 9 else f"t{t // 9 - 1}", t,
              f"Topic {t}", t + 1 if t < 9 else None) for t in range(topics)])
        conn.executemany(
            "INSERT INTO cards (id, deck_id, topic_id, kind, context, prompt, answer, ord, queue, "
            "stability, difficulty, due, last_review, reps, suspended, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", card_rows)
        conn.executemany(
            "INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, queue_before, "
            "stability_before, difficulty_before, due_before, last_review_before, reps_before, "
            "lapses_before, queue_after, stability_after, difficulty_after, due_after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", log_rows)
        for n in range(20):
            started = now_ms - (n + 1) * 3 * DAY_MS
            interview_id = conn.execute(
                "INSERT INTO interviews (deck_id, question_id, question_title, started_at, "
                "updated_at, finished_at, status, total_minutes) "
                "VALUES (?, 'q', 'Question', ?, ?, ?, 'finished', 45)",
                [DECK, started, started, started]).lastrowid
            conn.executemany(
                "INSERT INTO interview_steps (interview_id, step, budget_s, score, covered, "
                "total) VALUES (?, ?, 300, ?, ?, 5)",
                [(interview_id, step, rng.randint(1, 4), rng.randint(0, 5))
                 for step in range(1, 11)])
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm the page cache and statement cache once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def floor_query(path: Path) -> Callable[[], object]:
    """The plainest per-day grouping of the whole log (every row here is in the last year)."""
    conn = sqlite3.connect(str(path))
    offset = LOCAL.utcoffset(NOW.replace(tzinfo=None))
    shift = int(offset.total_seconds() * 1000) - 4 * 3_600_000 if offset else 0

    def run() -> object:
        return conn.execute(
            "SELECT (reviewed_at + ?) / ? AS day, COUNT(*), SUM(duration_ms) FROM review_log "
            "GROUP BY day", [shift, DAY_MS]).fetchall()
    return run


def branch_topics(store: Store, root: str) -> list[str]:
    """``root`` and every topic under it."""
    rows = store.conn.execute("SELECT id, parent_id FROM topics WHERE deck_id = ?", [DECK])
    children: dict[str | None, list[str]] = {}
    for topic, parent in rows:
        children.setdefault(parent, []).append(topic)
    found, todo = [], [root]
    while todo:
        topic = todo.pop()
        found.append(topic)
        todo.extend(children.get(topic, []))
    return found


def measure(store: Store, path: Path, runs: int) -> float:
    """Every deck, the deck, and step 1's branch, each beside the same floor; the slowest."""
    floor_ms = median_ms(floor_query(path), runs)
    branch = branch_topics(store, "t0")
    choices: list[tuple[str, str | None, list[str] | None]] = [
        ("every deck", None, None), ("the deck, the only one", DECK, None),
        ("the deck, beside another", DECK, None),
        (f"a branch ({len(branch):,} topics)", DECK, branch)]
    slowest = 0.0
    for label, deck, topics in choices:
        if "beside" in label:  # a second deck's card: all answers less that deck's
            with store.transaction() as conn:
                conn.execute("INSERT INTO decks (id, title, version, synced_at) "
                             "VALUES ('other', 'Other', 1, ?)", [to_iso(NOW)])
                conn.execute("INSERT INTO cards (id, deck_id, topic_id, kind, context, prompt, "
                             "answer, ord, created_at) VALUES ('other/t/qa/0', 'other', 't', "
                             "'qa', '', 'Q', 'A', 0, 0)")
        figures_ms = median_ms(lambda deck=deck, topics=topics: all_figures(  # type: ignore[misc]
            store, NOW, LOCAL, 0.9, deck, topic_ids=topics), runs)
        slowest = max(slowest, figures_ms)
        verdict = "ok" if figures_ms <= TARGET_MS else "OVER"
        print(f"compute, {label:<28} {figures_ms:7.1f} ms   floor {floor_ms:6.1f} ms   "
              f"ratio {figures_ms / floor_ms:4.2f}x   target <= {TARGET_MS:.0f} ms: {verdict}")
    return slowest


def describe(figures: Figures) -> None:
    busiest = max(figures.heatmap, key=lambda d: d.reviews)
    print(f"reviews {figures.total_reviews:,}; heatmap {len(figures.heatmap)} days, busiest "
          f"{busiest.day} with {busiest.reviews}; due today {figures.forecast[0][1]:,}")
    print(f"states {figures.states}")
    rates = ", ".join(f"{w.rate:.3f}" if w.rate is not None else "-" for w in figures.retention)
    print(f"true retention by week: {rates}")
    print("mastery: " + ", ".join(f"{m.step}:{m.known}/{m.total}" for m in figures.mastery))
    print(f"interview points {len(figures.interviews)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="copy the built database here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        start = time.perf_counter()
        build_store(data_dir, args.cards, args.logs, args.seed)
        print(f"built {args.cards:,} cards and {args.logs:,} review-log rows in "
              f"{time.perf_counter() - start:.1f} s (SQLite {sqlite3.sqlite_version})")
        path = data_dir / DB_NAME
        store = Store.open(data_dir)
        if args.keep:
            import shutil
            shutil.copy(path, args.keep)
        figures = all_figures(store, NOW, LOCAL, 0.9, deck_id=DECK)
        describe(figures)
        compute_ms = measure(store, path, args.runs)
        paint_ms = measure_paint(figures, data_dir, args.runs)
        from datetime import timedelta

        from app.db.study import topic_counts

        tree_ms = median_ms(lambda: topic_counts(store, NOW, NOW + timedelta(hours=12), 0.9),
                            args.runs)
        print(f"tree: due, card and known counts per topic   {tree_ms:7.1f} ms")
        store.close()
        total = compute_ms + paint_ms
        print(f"page ready (compute + paint)  {total:7.1f} ms   target <= {TARGET_MS:.0f} ms: "
              f"{'ok' if total <= TARGET_MS else 'OVER'}")


def measure_paint(figures: Figures, data_dir: Path, runs: int) -> float:
    """Median time to fill the statistics page and paint it once (offscreen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.ui.stats.page import StatsPage

    app = QApplication.instance() or QApplication([])
    page = StatsPage(QSettings(str(data_dir / "bench.ini"), QSettings.Format.IniFormat),
                     lambda: None)
    page.resize(1120, 740)
    page.show()
    app.processEvents()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        page.show_figures(figures)
        page.grab()  # a full paint of the page and every chart
        times.append((time.perf_counter() - start) * 1000)
    paint = statistics.median(times)
    print(f"paint: fill the page and paint it   {paint:7.1f} ms (median of {runs})")
    return paint


if __name__ == "__main__":
    main()
