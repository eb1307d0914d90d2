"""Editing benchmark: saving a topic's explanation, beside re-reading its deck as a floor.

Saving an edit runs on the GUI thread, so it should cost about what re-reading the deck costs.
Measured, median of several runs each, in one run on the same machine:

* the floor: what start-up does for a changed deck file, ``load_text`` + ``generate_cards`` +
  ``Store.sync_deck`` (a deck's parse, cards and sync);
* a user deck: ``editing.save_topic`` on a copy of the built-in deck as a user deck (the file
  composed for positions, spliced, loaded and checked, written atomically, synced);
* the built-in deck: ``editing.save_topic`` through the user layer (stored, deck re-layered,
  synced).

    python tests/benchmarks/bench_edit.py [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.db.store import Store  # noqa: E402
from app.decks.cards import generate_cards  # noqa: E402
from app.decks.editing import save_topic  # noqa: E402
from app.decks.library import SHIPPED, USER, deck_hash, sync_decks  # noqa: E402
from app.decks.loader import load_text  # noqa: E402
from app.paths import shipped_decks_dir  # noqa: E402

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DECK = "ml-system-design"
TOPIC = "s1-requirements"


def median_ms(action: Callable[[int], object], runs: int) -> float:
    times = []
    for run in range(runs):
        start = time.perf_counter()
        action(run)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    shipped = shipped_decks_dir() / f"{DECK}.yaml"
    text = shipped.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        user_folder = root / "user"
        user_folder.mkdir()
        (user_folder / "mine.yaml").write_text(text.replace(f"id: {DECK}", "id: mine", 1),
                                               encoding="utf-8")
        user_store = Store.open(root / "user-data")
        sync_decks(user_store, [(user_folder, USER)], NOW)
        built_in = Store.open(root / "built-in-data")
        sync_decks(built_in, [(shipped_decks_dir(), SHIPPED)], NOW)
        data = text.encode("utf-8")

        def floor(_run: int) -> None:
            deck = load_text(text, str(shipped))
            built_in.sync_deck(deck, content_hash=deck_hash(data), origin=SHIPPED, now=NOW,
                               cards=generate_cards(deck))

        def user_edit(run: int) -> None:
            save_topic(user_store, "mine", TOPIC, title="Requirements",
                       notes=f"Edited notes, run {run}.", now=NOW)

        def built_in_edit(run: int) -> None:
            save_topic(built_in, DECK, TOPIC, title="Requirements",
                       notes=f"Edited notes, run {run}.", now=NOW)

        anchor = median_ms(floor, runs)
        results = [
            ("user deck: save_topic (YAML spliced and rewritten)", median_ms(user_edit, runs)),
            ("built-in deck: save_topic (user layer)", median_ms(built_in_edit, runs))]
        user_store.close()
        built_in.close()
    size = len(data) // 1024
    print(f"deck: the built-in one, {size} KiB of YAML; median of {runs} runs")
    print(f"{'floor: parse + generate + sync':55s} {anchor:8.1f} ms   1.00x")
    for label, value in results:
        print(f"{label:55s} {value:8.1f} ms   {value / anchor:4.2f}x")


if __name__ == "__main__":
    main()
