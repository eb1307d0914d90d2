"""Anki export benchmark: ``export_deck`` against raw genanki writing the same notes.

For 10,000 and 100,000 cards, each side runs in a fresh process (so peak memory is its own),
several times ("markdown-it" is our export with the cmark fast path off); we print median wall
time of the export call, peak RSS of the process and the package size, with ratios to genanki
measured in the same run. Targets from the export issue:
<= 1.2x genanki's wall time, <= 1.5x its memory, <= 8 MiB at 100,000 notes.

    python tests/benchmarks/bench_export.py [--runs 3] [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
TOPICS = 200


def build(data: Path, cards: int) -> None:
    """A store with a deck of TOPICS topics and ``cards`` synthetic Q/A cards spread over them."""
    sys.path.insert(0, str(REPO))
    from app.clock import to_ms
    from app.db.store import Store
    from app.decks.library import USER, sync_decks

    decks = data / "decks"
    decks.mkdir(parents=True)
    lines = ["deck:", "  id: bench", "  title: Benchmark deck", "  version: 1", "topics:"]
    for group in range(TOPICS // 10):
        lines += [f"  - id: g{group}", f"    title: Group {group}", f"    step: {group + 1}"
                  if group < 9 else "", "    notes: A group of topics.", "    children:"]
        for leaf in range(10):
            lines += [f"      - id: g{group}-t{leaf}", f"        title: Topic {group}.{leaf}",
                      f"        notes: Explanation of topic {group}.{leaf} with **bold** text."]
    (decks / "bench.yaml").write_text("\n".join(x for x in lines if x) + "\n", "utf-8")
    store = Store.open(data)
    sync_decks(store, [(decks, USER)], NOW)
    topic_ids = [f"g{g}-t{t}" for g in range(TOPICS // 10) for t in range(10)]
    rows = [(f"bench/{topic_ids[i % len(topic_ids)]}/qa/{i}", "bench",
             topic_ids[i % len(topic_ids)], "qa", f"Group > Topic {i % len(topic_ids)}",
             f"What is fact number {i} about *topic* {i % len(topic_ids)}?",
             f"Fact {i}: a short answer with `code` and a [link](https://example.org/{i}).",
             "", 10_000 + i, to_ms(NOW)) for i in range(cards)]
    with store.transaction() as conn:
        conn.executemany("INSERT INTO cards (id, deck_id, topic_id, kind, context, prompt, "
                         "answer, sibling_group, ord, created_at) VALUES "
                         "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    store.close()


def child_ours(data: Path, out: Path, *, markdown_it_only: bool = False) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from app.db.store import Store
    from app.decks.library import load_stored_deck
    from app.export import render
    from app.export.package import export_deck

    if markdown_it_only:  # every text takes the markdown-it path: the export without cmark
        render._slow_path = lambda text: True

    store = Store.open(data)
    deck = load_stored_deck(store, "bench")
    start = time.perf_counter()
    result = export_deck(store, deck, out, now=NOW)
    seconds = time.perf_counter() - start
    store.close()
    return {"seconds": seconds, "size": result.size_bytes, "notes": result.notes}


def child_genanki(data: Path, out: Path) -> dict[str, float]:
    """The floor: genanki writing the same notes (same fields, no rendering, no post-work)."""
    import sqlite3

    import genanki

    conn = sqlite3.connect(data / "mlsd-study.db")
    start = time.perf_counter()
    model = genanki.Model(1607392319, "Basic", fields=[{"name": n} for n in (
        "Prompt", "Answer", "Context", "Explanation", "Source")], templates=[{
            "name": "Card 1", "qfmt": "{{Context}}<br>{{Prompt}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}<br>{{Explanation}}"}])
    decks: dict[str, genanki.Deck] = {}
    for card_id, topic_id, context, prompt, answer in conn.execute(
            "SELECT id, topic_id, context, prompt, answer FROM cards WHERE retired = 0"):
        deck = decks.get(topic_id)
        if deck is None:
            deck = decks[topic_id] = genanki.Deck(abs(hash(topic_id)) % (1 << 30) + 1,
                                                  f"Benchmark deck::{topic_id}")
        deck.add_note(genanki.Note(model=model, fields=[prompt, answer, context, "", ""],
                                   guid=genanki.guid_for(card_id), tags=["bench"]))
    genanki.Package(list(decks.values())).write_to_file(str(out), timestamp=NOW.timestamp())
    seconds = time.perf_counter() - start
    count = conn.execute("SELECT COUNT(*) FROM cards WHERE retired = 0").fetchone()[0]
    return {"seconds": seconds, "size": out.stat().st_size, "notes": count}


def measure(side: str, data: Path, out: Path) -> tuple[dict[str, float], float]:
    process = subprocess.Popen([sys.executable, __file__, "--child", side, str(data), str(out)],
                               stdout=subprocess.PIPE, cwd=REPO)
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read().decode() if process.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{side} export failed")
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--child", nargs=3, metavar=("SIDE", "DATA", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        side, data, out = args.child
        if side == "genanki":
            print(json.dumps(child_genanki(Path(data), Path(out))))
        else:
            print(json.dumps(child_ours(Path(data), Path(out),
                                        markdown_it_only=side == "markdown-it")))
        return
    print(f"runs={args.runs} per side (medians; fresh process each run)")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            started = time.perf_counter()
            build(data, size)
            print(f"\n{size} cards (store built in {time.perf_counter() - started:.1f} s)")
            results: dict[str, list[tuple[dict[str, float], float]]] = {
                "genanki": [], "ours": [], "markdown-it": []}
            for run in range(args.runs):
                for side in results:
                    out = Path(tmp) / f"{side}-{run}.apkg"
                    results[side].append(measure(side, data, out))
                    out.unlink()
            figures = {}
            for side, runs in results.items():
                wall = statistics.median(r["seconds"] for r, _ in runs)
                rss = statistics.median(m for _, m in runs)
                size_mib = runs[0][0]["size"] / 2**20
                figures[side] = (wall, rss, size_mib)
                print(f"  {side:11} wall={wall * 1000:8.0f} ms  peak_rss={rss:6.1f} MiB  "
                      f"file={size_mib:6.2f} MiB  notes={int(runs[0][0]['notes'])}")
            (gw, gm, gs), (ow, om, osz) = figures["genanki"], figures["ours"]
            mw = figures["markdown-it"][0]
            print(f"  cmark fast path saves {(mw - ow) * 1000:.0f} ms = {(mw - ow) / mw:.1%} "
                  f"of the markdown-it-only export (keep it only above 15%)")
            print(f"  ratio       wall={ow / gw:.2f}x (target <= 1.2x)  "
                  f"peak_rss={om / gm:.2f}x (target <= 1.5x)  file={osz / gs:.2f}x"
                  + ("  (target <= 8 MiB at 100,000)" if size >= 100_000 else ""))


if __name__ == "__main__":
    main()
