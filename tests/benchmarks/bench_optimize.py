"""FSRS fitting benchmark: ``optimize-fsrs`` beside Anki's own optimizer on the same answers.

About 100,000 simulated answers (tests/fsrs_sim.py: 7,800 cards over a year) are written twice:
into our store's review log, and into an Anki collection's revlog (the real ``anki`` package;
tests/test_optimize_anki_revlog.py). Two comparisons, each against an anchor timed in the same
run (interleaved, medians):

- The fit alone, on items built beforehand: fsrs-rs-python's ``compute_parameters`` against
  Anki's ``compute_fsrs_params_from_items`` (which also spends about 0.2 s turning the items into
  protobuf in Python).
- The whole operation: our ``optimize-fsrs --dry-run`` (``optimise_from_reviews``: read the log
  from the store, build the items, score the current parameters, fit, score the fit) against
  Anki's whole Optimize, ``compute_fsrs_params`` on the collection, with the current parameters
  given (the defaults, which are ours too) and the health check off. Also ``fit_parameters``
  (the same minus reading the log: the histories are in memory) against that anchor.

What Anki's whole Optimize does (rslib/src/scheduler/fsrs/params.rs, ``compute_params``, at
commit 1921e52 of ankitects/anki: the request there has the installed package's five fields):
``revlog_for_srs`` reads the revlog in card order, ``fsrs_items_for_training`` builds the items
and sorts them by revlog id, ``compute_parameters`` fits, then, when the current parameters are
valid, ``evaluate`` scores the current set and the fitted set on all the items and the current
set is kept when its log loss is no worse. The same work as ours, checked here each run:

- Same items: Anki reports as many (``fsrs_items``), and ``evaluate_params_legacy`` (Anki's
  evaluation on the items it builds from its revlog) gives the defaults the log loss ours does;
  the scores depend on the items' order, so the order is the same too.
- It scores both sets: given our fitted parameters as the current ones (a better log loss than
  its own fit), it returns them unchanged; given the defaults, it returns its fit.

One difference, which we keep (our fit stays bit for bit the fit of
``compute_fsrs_params_from_items``): the installed Anki's whole Optimize fits the same items
with other settings (its parameters differ; newer sources pass each item's card id, with which
fsrs-rs trains a card's prefix items together, and schedule penalties), and that fit is several
times faster. Measured on 2026-12-07 here: the whole Optimize 0.50 s; reading, building and one
score (``evaluate_params_legacy``) 0.26 s; one score 0.12 s; so about 0.15 s for its fit,
against 0.7 s for ``compute_parameters`` without card ids (0.1 s with ``card_ids``, but then the
parameters change). Ours splits as: reading the log 0.08 s, building the items 0.13 s, two
scores 0.12 s each, the fit 0.7 s. So the whole-operation ratio is bound by the fit. (fsrs-rs's
RMSE varies in its last bits from call to call; its log loss does not.)
Target from issue 19: "optimising on 100k reviews within 1.2x the time Anki's optimizer takes on
the same items", where the issue names that optimizer: ``compute_fsrs_params_from_items``. So the
target line is the fit on the same items; the whole operation's ratios are printed for information
(its scores and log reading are work that anchor does not do, and Anki's whole Optimize fits
differently).

    python tests/benchmarks/bench_optimize.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "benchmarks")]

from bench_export import build  # noqa: E402  (a store with a deck of synthetic cards)
from fsrs_sim import histories  # noqa: E402
from test_optimize_anki_revlog import anki_collection_with, anki_local  # noqa: E402

CARDS, DAYS = 7_800, 365
TARGET = 1.2


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
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import anki.scheduler_pb2 as pb
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

    from app.db.store import Store
    from app.scheduling.optimizer import DEFAULT_PARAMETERS, fit_parameters, score, training_items
    from app.scheduling.personal import optimise_from_reviews

    local = anki_local()  # Anki counts study days in the machine's time zone; so do we here
    found = histories(CARDS, DAYS)
    reviews = sum(map(len, found))
    items = training_items(found, local, 4)
    request = [pb.FsrsItem(reviews=[pb.FsrsReview(rating=r, delta_t=d) for r, d in item])
               for item in items]
    rs_items = [FSRSItem([FSRSReview(r, d) for r, d in item]) for item in items]
    times: dict[str, list[float]] = {name: [] for name in (
        "from_items", "fit", "anki_whole", "ours_whole", "fit_parameters")}
    with tempfile.TemporaryDirectory() as folder:
        store_with(found, Path(folder) / "data")
        store = Store.open(Path(folder) / "data")
        col = anki_collection_with(found, Path(folder) / "collection.anki2")
        backend = col._backend

        def anki_whole(current: tuple[float, ...] = DEFAULT_PARAMETERS) -> list[float]:
            return list(backend.compute_fsrs_params(
                search="", current_params=list(current), ignore_revlogs_before_ms=0,
                num_of_relearning_steps=1, health_check=False).params)

        try:
            # Untimed: both whole operations once, so each database's pages are in memory; and
            # the checks that Anki's whole Optimize does our work (see the docstring).
            ours_dry = optimise_from_reviews(store, local=local, apply=False).fit
            response = backend.compute_fsrs_params(
                search="", current_params=list(DEFAULT_PARAMETERS), ignore_revlogs_before_ms=0,
                num_of_relearning_steps=1, health_check=False)
            anki_fit = tuple(response.params)
            on_ankis = backend.evaluate_params_legacy(
                params=list(DEFAULT_PARAMETERS), search="", ignore_revlogs_before_ms=0)
            kept_ours = anki_whole(ours_dry.after) == list(ours_dry.after)
            from_items_fit = tuple(backend.compute_fsrs_params_from_items(request).params)
            for _ in range(args.runs):  # interleaved, so load on the machine hits all alike
                times["from_items"].append(timed(
                    lambda: backend.compute_fsrs_params_from_items(request)))
                times["fit"].append(timed(
                    lambda: FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(rs_items)))
                times["anki_whole"].append(timed(anki_whole))
                times["ours_whole"].append(timed(
                    lambda: optimise_from_reviews(store, local=local, apply=False)))
                times["fit_parameters"].append(timed(lambda: fit_parameters(found, local, 4)))
        finally:
            col.close()
            store.close()
    median = {name: statistics.median(values) for name, values in times.items()}
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"FSRS fit on {reviews} reviews, median of {args.runs} runs (load average {load})")
    print(f"Items: ours {ours_dry.items}, Anki's from its revlog {response.fsrs_items}; the "
          f"defaults' log loss on Anki's {on_ankis.log_loss:.6f}, on ours "
          f"{ours_dry.log_loss_before:.6f}")

    def line(label: str, name: str, anchor: str, target: bool) -> None:
        ratio = median[name] / median[anchor]
        mark = f"target <= {TARGET}x" if target else "for information"
        print(f"  {label}: {median[name]:.2f} s -> {ratio:.2f}x ({mark})")

    # Issue 19's target: "optimising on 100k reviews within 1.2x the time Anki's optimizer
    # (compute_fsrs_params_from_items) takes on the same items": the fit, on the same items.
    print("Fit alone, on the same items built beforehand (issue 19's target):")
    print(f"  anchor, Anki's compute_fsrs_params_from_items: {median['from_items']:.2f} s")
    line("ours, fsrs-rs-python compute_parameters", "fit", "from_items", True)
    print("Whole Optimize (read the log, build items, score the current set, fit, score the fit),"
          " which the anchors do not all do:")
    print(f"  anchor, Anki's compute_fsrs_params on its collection: {median['anki_whole']:.2f} s "
          "(another, card-grouped fit)")
    line("ours, optimize-fsrs --dry-run, to Anki's whole Optimize", "ours_whole", "anki_whole",
         False)
    line("ours, optimize-fsrs --dry-run, to compute_fsrs_params_from_items", "ours_whole",
         "from_items", False)
    line("ours, fit_parameters (the same minus reading the log), to Anki's whole Optimize",
         "fit_parameters", "anki_whole", False)
    print("Fits on the same items (log loss, RMSE):")
    for label, parameters in (("defaults", DEFAULT_PARAMETERS), ("ours", ours_dry.after),
                              ("Anki from items", from_items_fit), ("Anki whole", anki_fit)):
        loss, rmse = score(parameters, items)
        print(f"  {label}: {loss:.4f}, {rmse:.2%}")
    print(f"  ours is Anki's from items, bit for bit: {ours_dry.after == from_items_fit}; "
          f"Anki's whole Optimize given ours as current kept it: {kept_ours}")


if __name__ == "__main__":
    main()
