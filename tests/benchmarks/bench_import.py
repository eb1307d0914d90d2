"""Outline import benchmark: ``import_outline`` against markdown-it-py parsing the same text.

A realistic study outline (headings, nested lists with prose notes, a table per section) is
generated at a few sizes. For each size we time, in the same process and run, the floor (only
tokenising the Markdown with markdown-it-py, the library the importer is built on) and the whole
import (parse, tree, stable ids, cards, the YAML written atomically, the store synced), and
re-importing the unchanged outline. Medians of several runs, with the ratio to the floor.

    python tests/benchmarks/bench_import.py [--runs 3] [--sizes 50 1000 5000]   # sizes in KB
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def outline(kilobytes: int) -> str:
    """About ``kilobytes`` KB of outline: sections of subsections with nested items and notes."""
    parts = ["# Benchmark outline", "", "An outline generated for the import benchmark.", ""]
    size, section = 0, 0
    while size < kilobytes * 1024:
        section += 1
        block = [f"## Section {section}: designing system {section}", "",
                 f"Why section {section} matters, with *emphasis*, `code` and a "
                 f"[link](https://example.org/{section}).", ""]
        for sub in range(1, 5):
            block += [f"### Step {sub} of section {section}", ""]
            for item in range(1, 6):
                block.append(f"{item}. Point {item} of step {sub} in section {section}")
                for leaf in range(3):
                    block.append(f"   - Detail {leaf} of point {item}: a short explanation "
                                 f"of the trade-off, with numbers like p99 {leaf * 10} ms")
            block.append("")
        block += ["| Metric | Offline | Online |", "| --- | --- | --- |",
                  f"| Recall@{section} | yes | no |", "| CTR | no | yes |", ""]
        text = "\n".join(block) + "\n"
        size += len(text.encode())
        parts.append(text)
    return "\n".join(parts)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 1000, 5000])
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from markdown_it import MarkdownIt

    from app.db.store import Store
    from app.decks.library import import_outline

    print(f"runs={args.runs} (medians; floor = markdown-it-py tokenising the same text)")
    for kilobytes in args.sizes:
        text = outline(kilobytes)
        floor, first, again = [], [], []
        result = None
        for _ in range(args.runs):
            root = Path(tempfile.mkdtemp(prefix="bench-import-"))
            try:
                source = root / "outline.md"
                source.write_text(text, encoding="utf-8")
                started = time.perf_counter()
                MarkdownIt("commonmark").enable("table").parse(text)
                floor.append(time.perf_counter() - started)
                data = root / "data"
                store = Store.open(data)
                try:
                    started = time.perf_counter()
                    result = import_outline(store, source, data, NOW)
                    first.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    import_outline(store, source, data, NOW)
                    again.append(time.perf_counter() - started)
                finally:
                    store.close()
            finally:
                shutil.rmtree(root, ignore_errors=True)
        assert result is not None
        base = median_ms(floor)
        print(f"{len(text.encode()) / 1024:7.0f} KB  {result.topics:6d} topics {result.cards:6d} "
              f"cards  floor={base:8.1f} ms  import={median_ms(first):8.1f} ms "
              f"({median_ms(first) / base:4.1f}x)  re-import={median_ms(again):8.1f} ms "
              f"({median_ms(again) / base:4.1f}x)")


if __name__ == "__main__":
    main()
