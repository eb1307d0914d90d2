"""Anki progress import beside an anchor measured in the same run.

A package of 10,000 of our cards with 100,000 reviews made "in Anki" (10 per card, a legacy
collection written by our export and given a review log), imported into a fresh copy of the
store; the anchor is plain sqlite3 unzipping the package, reading the same revlog and inserting
100,000 rows into the same database. Target from issue 19: the import within 2 s.
(FSRS fitting against Anki's optimizer: bench_optimize.py.)

    python tests/benchmarks/bench_anki_import.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "benchmarks")]

from bench_export import build  # noqa: E402  (a store with a deck of synthetic cards)

from app.clock import to_ms  # noqa: E402

CARDS, PER_CARD = 10_000, 10
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY_S = 86_400


def make_package(data: Path, folder: Path) -> Path:
    """Our export of the bench deck, then 10 Anki reviews per card written into its revlog."""
    from app.db.store import Store
    from app.decks.library import load_stored_deck
    from app.export.package import export_deck

    store = Store.open(data)
    plain = export_deck(store, load_stored_deck(store, "bench"), folder / "plain.apkg",
                        now=NOW - timedelta(days=200)).path
    store.close()
    collection = folder / "collection.anki2"
    with zipfile.ZipFile(plain) as archive:
        collection.write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(collection)
    crt = int((NOW - timedelta(days=200)).timestamp())
    conn.execute("UPDATE col SET crt = ?", [crt])
    card_ids = [r[0] for r in conn.execute("SELECT id FROM cards ORDER BY id")]
    ratings = (3, 3, 1, 3, 2, 3, 4, 3, 3, 3)
    revlog, cards = [], []
    start = to_ms(NOW - timedelta(days=150))
    for index, card_id in enumerate(card_ids):
        at = start + index * 7
        day = 0
        for k in range(PER_CARD):
            revlog.append((at + day * DAY_S * 1000 + k, card_id, -1, ratings[k], 1, 0, 0, 6000,
                           1))
            day += 1 + k
        memory = json.dumps({"s": 20.0, "d": 5.0, "dr": 0.9, "decay": 0.1542})
        cards.append((2, 2, 60 + index % 30, 20, memory, card_id))
    conn.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", revlog)
    conn.executemany("UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, data = ? "
                     "WHERE id = ?", cards)
    conn.commit()
    conn.close()
    package = folder / "reviewed.apkg"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(collection, "collection.anki2")
        archive.writestr("media", "{}")
    return package


def time_import(data: Path, package: Path, work: Path) -> tuple[float, float, int]:
    """(the import, the same file imported again: nothing to add, answers added)."""
    from app.db.store import Store
    from app.export.anki_progress import import_anki_progress

    copy = work / "import"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(data, copy)
    store = Store.open(copy)
    begin = time.perf_counter()
    report = import_anki_progress(store, copy, package, now=NOW)
    seconds = time.perf_counter() - begin
    begin = time.perf_counter()
    again = import_anki_progress(store, copy, package, now=NOW)
    second = time.perf_counter() - begin
    store.close()
    assert again.reviews_added == 0 and not again.changed
    return seconds, second, report.reviews_added


def time_anchor(data: Path, package: Path, work: Path) -> float:
    """Unzip, read the revlog and insert its rows into our database: the I/O floor."""
    copy = work / "anchor"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(data, copy)
    begin = time.perf_counter()
    with zipfile.ZipFile(package) as archive:
        (copy / "c.anki2").write_bytes(archive.read("collection.anki2"))
    source = sqlite3.connect(copy / "c.anki2")
    rows = source.execute("SELECT id, cid, ease, time FROM revlog").fetchall()
    source.close()
    conn = sqlite3.connect(copy / "mlsd-study.db", isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE anchor (id INTEGER, cid INTEGER, ease INTEGER, time INTEGER)")
    conn.executemany("INSERT INTO anchor VALUES (?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        build(work / "data", CARDS)
        package = make_package(work / "data", work)
        imports, agains, anchors, added = [], [], [], 0
        for _ in range(args.runs):  # interleaved, so load on the machine hits both alike
            seconds, second, added = time_import(work / "data", package, work)
            imports.append(seconds)
            agains.append(second)
            anchors.append(time_anchor(work / "data", package, work))
        ours, again = statistics.median(imports), statistics.median(agains)
        floor = statistics.median(anchors)
        print(f"import of {added} Anki reviews on {CARDS} cards, median of {args.runs}: "
              f"{ours:.2f} s (target <= 2 s); anchor (unzip, read revlog, insert rows with "
              f"sqlite3) {floor:.2f} s -> {ours / floor:.1f}x")
        print(f"the same file again (nothing to add): {again:.2f} s -> {again / floor:.1f}x")


if __name__ == "__main__":
    main()
