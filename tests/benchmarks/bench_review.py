"""Review benchmark: queue build and answer-to-next-card latency on 100,000 cards.

Builds a store with synthetic cards (~60% review, ~10% learning, ~30% new, thousands of topics
under one deck, sibling groups on some) and review-log rows, then measures

* queue build: constructing a study ``ReviewSession`` for the whole deck (median of several),
  with limits that queue everything due and with the default limits, and for one branch (a
  top-level topic and its subtree, about a ninth of the deck: a scope with explicit topic ids);
* answer-to-next-card: ``session.answer(grade, now)`` (schedule, commit, next card and its
  button intervals ready), median and p99 over many answers;

beside a floor measured in the same run on a copy of the same database with plain sqlite3 (WAL,
synchronous=FULL): UPDATE the card + INSERT a review-log row + COMMIT, then SELECT the next due
card by (queue, due). Session and floor answers alternate in blocks so disk noise hits both.
Targets from the issue: queue build <= 40 ms; answer-to-next median <= 0.7 ms, p99 <= 1.8 ms.

    python tests/benchmarks/bench_review.py [--cards 100000] [--answers 1000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.clock import to_iso, to_ms  # noqa: E402
from app.db.store import DB_NAME, Store  # noqa: E402
from app.db.study import Scope  # noqa: E402
from app.model import DeckId, TopicId  # noqa: E402
from app.scheduling.review import ReviewSession  # noqa: E402
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings, study_day  # noqa: E402

DECK = DeckId("bench")
WHOLE_DECK = Scope(deck_id=DECK)
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DAY_MS = 86_400_000
TARGET_BUILD_MS = 40.0
TARGET_ANSWER_MEDIAN_MS = 0.7
TARGET_ANSWER_P99_MS = 1.8
BLOCK = 100  # answers per block when alternating session and floor
GRADES = (Grade.AGAIN, Grade.HARD, Grade.GOOD, Grade.EASY)
WEIGHTS = (1, 1, 6, 2)

# --- the synthetic collection --------------------------------------------------------------------


def build_store(data_dir: Path, cards: int, logs: int, seed: int) -> dict[str, int]:
    """Create the store with ``cards`` cards and ``logs`` review-log rows; return the mix."""
    rng = random.Random(seed)
    now_ms = to_ms(NOW)
    day_start_ms = to_ms(study_day(NOW, UTC).start)
    topics = max(1, cards // 10)
    store = Store.open(data_dir)
    mix = {"new": 0, "learning": 0, "review": 0, "sibling": 0}
    card_rows: list[tuple[object, ...]] = []
    for i in range(cards):
        topic = i * topics // cards
        roll = rng.random()
        # Siblings: a cloze note's cards, or an enumeration's items, side by side in the outline.
        group = f"{DECK}/t{topic}/cloze/{i // 4}" if (i // 4) % 3 == 0 else ""
        mix["sibling"] += bool(group)
        created = now_ms - 400 * DAY_MS
        if roll < 0.30:
            mix["new"] += 1
            state: tuple[object, ...] = (0, None, None, None, None, None, 0, 0)
        elif roll < 0.40:
            mix["learning"] += 1
            relearn = rng.random() < 0.3
            due = now_ms + rng.randint(-3_600_000, DAY_MS)
            state = (3 if relearn else 1, 0, rng.uniform(0.5, 5), rng.uniform(3, 8), due,
                     due - 600_000, rng.randint(1, 20), int(relearn))
        else:
            mix["review"] += 1
            due = now_ms + rng.randint(-30 * DAY_MS, 60 * DAY_MS)
            stability = rng.uniform(1, 300)
            state = (2, None, stability, rng.uniform(1, 10), due,
                     due - int(stability * DAY_MS), rng.randint(1, 40), rng.randint(0, 5))
        text = "x" * (40 + i % 160)
        card_rows.append((f"{DECK}/t{topic}/qa/{i}", DECK, f"t{topic}", "qa",
                          f"Step {topic % 9 + 1} > Topic {topic}", f"Question {i}? {text}",
                          f"Answer {i}. {text}{text}", group, i, *state, created))
    card_ids = [row[0] for row in card_rows]
    log_rows = []
    for n in range(logs):
        reviewed = rng.randint(now_ms - 365 * DAY_MS, day_start_ms - 1)  # none today: limits
        log_rows.append((card_ids[rng.randrange(cards)], reviewed, rng.choices((1, 2, 3, 4),
                         (1, 1, 6, 2))[0], rng.randint(2_000, 30_000), 2, None, 10.0 + n % 90,
                         5.0, reviewed, reviewed - 5 * DAY_MS, 3, 0, 2, None, 12.0, 6.0,
                         reviewed + 7 * DAY_MS))
    with store.transaction() as conn:
        conn.execute("INSERT INTO decks (id, title, version, synced_at) VALUES (?, ?, 1, ?)",
                     [DECK, "Benchmark deck", to_iso(NOW)])
        conn.executemany(
            "INSERT INTO topics (deck_id, id, parent_id, position, title) VALUES (?, ?, ?, ?, ?)",
            [(DECK, f"t{t}", None if t < 9 else f"t{t % 9}", t, f"Topic {t}")
             for t in range(topics)])
        conn.executemany(
            "INSERT INTO cards (id, deck_id, topic_id, kind, context, prompt, answer, "
            "sibling_group, ord, queue, step, stability, difficulty, due, last_review, reps, "
            "lapses, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            card_rows)
        conn.executemany(
            "INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, queue_before, "
            "step_before, stability_before, difficulty_before, due_before, last_review_before, "
            "reps_before, lapses_before, queue_after, step_after, stability_after, "
            "difficulty_after, due_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)", log_rows)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return mix


# --- measuring -----------------------------------------------------------------------------------


def ms(seconds: float) -> float:
    return seconds * 1000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def branch_scope(store: Store, root: str = "t0") -> Scope:
    """The topic ``root`` and its subtree, as the window scopes a selected branch."""
    children: dict[str | None, list[str]] = {}
    for topic in store.topics(DECK):
        children.setdefault(topic.parent_id, []).append(topic.id)
    ids, stack = [], [root]
    while stack:
        topic_id = stack.pop()
        ids.append(topic_id)
        stack.extend(children.get(topic_id, ()))
    return Scope(deck_id=DECK, topic_ids=frozenset(TopicId(t) for t in ids))


def time_queue_build(store: Store, settings: SchedulerSettings, runs: int,
                     scope: Scope = WHOLE_DECK) -> tuple[float, int]:
    """Median wall time of building a study session over ``scope``, and its queued count."""
    fsrs = Fsrs(settings)
    times: list[float] = []
    queued = 0
    for _ in range(runs):
        start = time.perf_counter()
        session = ReviewSession(store, fsrs, scope, NOW, UTC, "study")
        times.append(time.perf_counter() - start)
        counts = session.view().counts
        queued = counts.new + counts.learning + counts.review  # the card on screen included
    return ms(statistics.median(times)), queued


# The columns a study card is loaded with; the floor fetches the same bytes the session does.
CARD_COLUMNS = ("id, deck_id, topic_id, kind, context, prompt, answer, sibling_group, ord, queue, "
                "step, stability, difficulty, due, last_review, reps, lapses, suspended, "
                "buried_until")
AVAILABLE = ("retired = 0 AND suspended = 0 AND (buried_until IS NULL OR buried_until <= ?) "
             "AND deck_id = ?")


def time_queue_sql(path: Path, settings: SchedulerSettings, columns: str, runs: int) -> float:
    """Median ms of just the queue's three SELECTs (learning, review, new) with plain sqlite3."""
    conn = sqlite3.connect(str(path))
    now_ms, end_ms = to_ms(NOW), to_ms(study_day(NOW, UTC).end)
    queries = [
        (f"SELECT {columns} FROM cards WHERE queue IN (1, 3) AND due < ? AND {AVAILABLE} "
         "ORDER BY due", [end_ms, now_ms, DECK]),
        (f"SELECT {columns} FROM cards WHERE queue = 2 AND due < ? AND {AVAILABLE} "
         "ORDER BY due LIMIT ?", [end_ms, now_ms, DECK, settings.reviews_per_day]),
        (f"SELECT {columns} FROM cards WHERE queue = 0 AND {AVAILABLE} ORDER BY ord LIMIT ?",
         [now_ms, DECK, settings.new_per_day]),
    ]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for sql, params in queries:
            conn.execute(sql, params).fetchall()
        times.append(time.perf_counter() - start)
    conn.close()
    return ms(statistics.median(times))


class Floor:
    """The least any answer can cost: plain sqlite3 statements on the same schema and data."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.now_ms = to_ms(NOW)
        self.card = self._next()

    def _next(self) -> tuple[str, int, float, float, int, int]:
        row = self.conn.execute(
            "SELECT id, queue, stability, difficulty, due, reps FROM cards WHERE queue = 2 "
            "AND due < ? AND retired = 0 AND suspended = 0 ORDER BY due LIMIT 1",
            [self.now_ms + DAY_MS]).fetchone()
        assert row is not None, "the floor ran out of due cards"
        card_id, queue, stability, difficulty, due, reps = row
        return str(card_id), int(queue), float(stability), float(difficulty), int(due), int(reps)

    def answer(self) -> None:
        card_id, queue, stability, difficulty, due, reps = self.card
        self.now_ms += 10_000
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE cards SET queue = ?, stability = ?, difficulty = ?, due = ?, "
                     "last_review = ?, reps = ? WHERE id = ?",
                     [2, stability, difficulty, self.now_ms + 30 * DAY_MS, self.now_ms,
                      reps + 1, card_id])
        conn.execute(
            "INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, queue_before, "
            "step_before, stability_before, difficulty_before, due_before, last_review_before, "
            "reps_before, lapses_before, queue_after, step_after, stability_after, "
            "difficulty_after, due_after) VALUES (?, ?, 3, 5000, ?, NULL, ?, ?, ?, NULL, ?, 0, "
            "2, NULL, ?, ?, ?)",
            [card_id, self.now_ms, queue, stability, difficulty, due, reps, stability,
             difficulty, self.now_ms + 30 * DAY_MS])
        conn.execute("COMMIT")
        self.card = self._next()

    def close(self) -> None:
        self.conn.close()


class Answering:
    """A study session over the deck answered with a seeded mix of grades, 10 s apart."""

    def __init__(self, store: Store, seed: int) -> None:
        self.rng = random.Random(seed)
        fsrs = Fsrs(SchedulerSettings(new_per_day=1_000, reviews_per_day=100_000))
        self.session = ReviewSession(store, fsrs, Scope(deck_id=DECK), NOW, UTC, "study")
        self.now = NOW

    def answer(self) -> float:
        """Seconds that ``answer`` took (grade, commit, next card ready)."""
        self.session.reveal(self.now)
        self.now += timedelta(seconds=10)
        grade = self.rng.choices(GRADES, WEIGHTS)[0]
        start = time.perf_counter()
        view = self.session.answer(grade, self.now)
        elapsed = time.perf_counter() - start
        assert view.card is not None, "the session ran out of cards"
        return elapsed


def time_answers(store: Store, floor: Floor, answers: int, seed: int
                 ) -> tuple[list[float], list[float]]:
    """Per-answer seconds for the session and the floor, alternating blocks of BLOCK."""
    answering = Answering(store, seed)
    ours: list[float] = []
    plain: list[float] = []
    while len(ours) < answers:
        ours.extend(answering.answer() for _ in range(min(BLOCK, answers - len(ours))))
        for _ in range(BLOCK):
            start = time.perf_counter()
            floor.answer()
            plain.append(time.perf_counter() - start)
    return ours, plain[:answers]


def profile(title: str, work: Callable[[], object], lines: int = 18) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)
    print(f"\n=== profile: {title} ===")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=7, help="queue builds per setting")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true",
                        help="also print cProfile tables of the queue build and answer path")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        ours_dir, floor_dir = Path(tmp) / "ours", Path(tmp) / "floor"
        start = time.perf_counter()
        mix = build_store(ours_dir, args.cards, args.logs, args.seed)
        built = time.perf_counter() - start
        floor_dir.mkdir()
        shutil.copyfile(ours_dir / DB_NAME, floor_dir / DB_NAME)

        store = Store.open(ours_dir)
        ReviewSession(store, Fsrs(), Scope(deck_id=DECK), NOW, UTC)  # warm imports and cache
        everything = SchedulerSettings(new_per_day=1_000, reviews_per_day=100_000)
        defaults = SchedulerSettings()
        big_ms, big_queued = time_queue_build(store, everything, args.runs)
        small_ms, small_queued = time_queue_build(store, defaults, args.runs)
        branch = branch_scope(store)
        branch_big_ms, branch_big_queued = time_queue_build(store, everything, args.runs, branch)
        branch_small_ms, branch_small_queued = time_queue_build(store, defaults, args.runs,
                                                                branch)
        sql_floors = {(name, columns): time_queue_sql(floor_dir / DB_NAME, settings, columns,
                                                      args.runs)
                      for name, settings in (("everything", everything), ("defaults", defaults))
                      for columns in (CARD_COLUMNS, "id, due")}
        floor = Floor(floor_dir / DB_NAME)
        gc.collect()
        ours, plain = time_answers(store, floor, args.answers, args.seed)
        floor.close()

        if args.profile:
            fsrs_all = Fsrs(everything)
            profile("queue build (limits 100000/1000)", lambda: ReviewSession(
                store, fsrs_all, Scope(deck_id=DECK), NOW, UTC, "study"))
            answering = Answering(store, args.seed + 1)
            profile(f"{args.answers} answers (grade + commit + next card)",
                    lambda: [answering.answer() for _ in range(args.answers)])
        store.close()

    our_median, our_p90, our_p99 = (ms(statistics.median(ours)), ms(percentile(ours, 0.9)),
                                     ms(percentile(ours, 0.99)))
    floor_median, floor_p90, floor_p99 = (ms(statistics.median(plain)),
                                          ms(percentile(plain, 0.9)), ms(percentile(plain, 0.99)))
    slow = sum(ms(t) > TARGET_ANSWER_P99_MS for t in ours)
    print(f"collection: {args.cards} cards (new={mix['new']} learning={mix['learning']} "
          f"review={mix['review']}, {mix['sibling']} in sibling groups), {args.logs} review-log "
          f"rows; built in {built:.1f} s; Python {sys.version.split()[0]}, "
          f"SQLite {sqlite3.sqlite_version}")
    print(f"\nqueue build (ReviewSession over the deck, median of {args.runs}; "
          f"target <= {TARGET_BUILD_MS:.0f} ms)")
    for name, label, took, queued in (
            ("everything", "limits 100000/1000 (everything due)", big_ms, big_queued),
            ("defaults", "default limits 200/20", small_ms, small_queued)):
        full, ids = sql_floors[(name, CARD_COLUMNS)], sql_floors[(name, "id, due")]
        print(f"  {label:36s} {took:7.2f} ms  ({queued} cards queued)   "
              f"{took / TARGET_BUILD_MS:5.2f}x target")
        print(f"    floor: its 3 SELECTs in plain sqlite3  all columns {full:7.2f} ms  "
              f"id+due only {ids:7.2f} ms   session/floor {took / full:5.2f}x")
    print(f"  one branch ({len(branch.topic_ids or ())} topics, scope by topic ids)")
    for label, took, queued in (
            ("limits 100000/1000 (everything due)", branch_big_ms, branch_big_queued),
            ("default limits 200/20", branch_small_ms, branch_small_queued)):
        print(f"    {label:34s} {took:7.2f} ms  ({queued} cards queued)   "
              f"{took / TARGET_BUILD_MS:5.2f}x target")
    print(f"\nanswer-to-next card ({args.answers} answers: grade + commit + next card ready)")
    print(f"  session               median {our_median:7.3f} ms   p90 {our_p90:7.3f} ms   "
          f"p99 {our_p99:7.3f} ms   mean {ms(statistics.fmean(ours)):7.3f} ms")
    print(f"  plain sqlite3 floor   median {floor_median:7.3f} ms   p90 {floor_p90:7.3f} ms   "
          f"p99 {floor_p99:7.3f} ms   mean {ms(statistics.fmean(plain)):7.3f} ms")
    print("    (floor: UPDATE card + INSERT review_log + COMMIT, WAL, synchronous=FULL, "
          "then SELECT next by (queue, due))")
    print(f"  ratio to floor        median {our_median / floor_median:6.2f}x   "
          f"p90 {our_p90 / floor_p90:6.2f}x   p99 {our_p99 / floor_p99:6.2f}x")
    print(f"  targets               median <= {TARGET_ANSWER_MEDIAN_MS} ms "
          f"({our_median / TARGET_ANSWER_MEDIAN_MS:.2f}x)   p99 <= {TARGET_ANSWER_P99_MS} ms "
          f"({our_p99 / TARGET_ANSWER_P99_MS:.2f}x)   "
          f"{slow} of {len(ours)} answers over {TARGET_ANSWER_P99_MS} ms")

if __name__ == "__main__":
    main()
