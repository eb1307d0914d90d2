"""FSRS fitting benchmark: ``optimize-fsrs`` beside Anki's own optimizer on the same items.

About 100,000 simulated answers (tests/fsrs_sim.py: 7,800 cards over a year) become FSRS training
items (``training_items``: in the time order of the answer each predicts, as Anki orders them;
fsrs-rs weighs later items more, so the order changes the work a little). The anchor, measured
in the same run, is Anki's ``compute_fsrs_params_from_items`` (the ``anki`` package's Rust
backend) on those items, built beforehand. Ours, each timed separately:
the fit alone (fsrs-rs-python's ``compute_parameters`` on items built beforehand), then
``fit_parameters`` (building the items, scoring the current parameters, fitting, scoring the fit),
then the whole ``optimize-fsrs --dry-run`` (``optimise_from_reviews``: reading the review log
from a store holding those answers, plus all of the above). Target from issue 19: within 1.2x
Anki's time. (Anki's call includes about 0.2 s of protobuf serialisation of the items in
Python; its whole Optimize on a collection, ``compute_fsrs_params``, fits differently and is not
the same work, so it is not used as the anchor.)

    python tests/benchmarks/bench_optimize.py [--runs 3]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "benchmarks")]

from bench_export import build  # noqa: E402  (a store with a deck of synthetic cards)
from fsrs_sim import histories  # noqa: E402

CARDS, DAYS = 7_800, 365


def store_with(found: list[list[tuple[int, int]]], data: Path) -> None:
    """A store whose review log holds ``found``, one of build()'s synthetic cards (ord from 10,000)
    per history."""
    from app.db.store import DB_NAME

    build(data, len(found))
    conn = sqlite3.connect(data / DB_NAME)
    card_ids = [row[0] for row in conn.execute(
        "SELECT id FROM cards WHERE ord >= 10000 ORDER BY ord")]
    conn.executemany(
        "INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, queue_before, "
        "reps_before, lapses_before, queue_after, due_after) VALUES (?, ?, ?, 5000, 2, 0, 0, "
        "2, 0)",
        [(card_id, at, rating) for card_id, history in zip(card_ids, found, strict=True)
         for at, rating in history])
    conn.commit()
    conn.close()


def timed(work: Callable[[], object]) -> float:
    begin = time.perf_counter()
    work()
    return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import anki.scheduler_pb2 as pb
    from anki.collection import Collection
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

    from app.db.store import Store
    from app.scheduling.optimizer import DEFAULT_PARAMETERS, fit_parameters, training_items
    from app.scheduling.personal import optimise_from_reviews

    found = histories(CARDS, DAYS)
    reviews = sum(map(len, found))
    items = training_items(found, UTC, 4)
    request = [pb.FsrsItem(reviews=[pb.FsrsReview(rating=r, delta_t=d) for r, d in item])
               for item in items]
    rs_items = [FSRSItem([FSRSReview(r, d) for r, d in item]) for item in items]
    with tempfile.TemporaryDirectory() as folder:
        store_with(found, Path(folder) / "data")
        store = Store.open(Path(folder) / "data")
        col = Collection(str(Path(folder) / "collection.anki2"))
        anki: list[float] = []
        fit: list[float] = []
        ours: list[float] = []
        whole: list[float] = []
        try:
            for _ in range(args.runs):  # interleaved, so load on the machine hits all alike
                anki.append(timed(lambda: col._backend.compute_fsrs_params_from_items(request)))
                fit.append(timed(
                    lambda: FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(rs_items)))
                ours.append(timed(lambda: fit_parameters(found, UTC, 4)))
                whole.append(timed(lambda: optimise_from_reviews(store, local=UTC, apply=False)))
        finally:
            col.close()
            store.close()
    floor = statistics.median(anki)
    print(f"FSRS fit on {reviews} reviews ({len(items)} items), median of {args.runs}: "
          f"Anki's optimizer {floor:.2f} s")
    for label, times in (("fit alone (fsrs-rs compute_parameters)", fit),
                         ("fit_parameters (items, score before, fit, score after)", ours),
                         ("optimize-fsrs --dry-run (read the log, then all of the above)",
                          whole)):
        mine = statistics.median(times)
        print(f"  {label}: {mine:.2f} s -> {mine / floor:.2f}x Anki (target <= 1.2x)")


if __name__ == "__main__":
    main()
