"""Editing benchmark: saving a topic's explanation or a card, beside re-reading its deck.

A save re-reads, checks, rewrites and re-syncs the whole deck, so it should cost about what
re-reading the deck costs. Measured, median of several runs each, in one run on the same
machine, per deck:

* the floor: what start-up does for a changed deck file, ``load_text`` + ``generate_cards`` +
  ``Store.sync_deck`` (a deck's parse, cards and sync);
* a user deck: ``editing.save_topic`` and ``editing.save_card`` (adding an own card) on a copy
  of the built-in deck as a user deck, and on user decks imported from bench_import's 1 MB and
  5 MB outlines as ``import_outline`` makes them (the file composed for positions, spliced,
  loaded and checked, written atomically, synced);
* the built-in deck: ``editing.save_topic`` and ``save_card`` through the user layer (stored,
  deck re-layered, synced).

Importing a 5 MB outline writes about 10 MB of YAML, over the 8 MB cap on reading a deck file
(app/files.py): there a save is refused with that message, and measured with the cap raised.

The editors run these saves off the GUI thread (app/ui/worker.py), in a store of their own:
``Store.open(check=False)`` is the cost that adds, measured too. On the imported decks the
topic editor itself is timed too (offscreen): making it with its text (``topic_text``, which
parses the deck; F2 reads that off the GUI thread before it opens the editor), how long its
Save blocks the GUI thread (the call, and the longest gap between the ticks of a 5 ms timer
while the save runs), the save until the dialog closes, and the tree's rebuild the window
does after it (``build_tree``, on the GUI thread).

    python tests/benchmarks/bench_edit.py [--runs 9] [--sizes 1000 5000] [--no-gui]
"""

from __future__ import annotations

import argparse
import itertools
import os
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import outline  # noqa: E402

from app.db.store import Store  # noqa: E402
from app.decks.cards import generate_cards  # noqa: E402
from app.decks.editing import save_card, save_topic  # noqa: E402
from app.decks.library import SHIPPED, USER, deck_hash, import_outline, sync_decks  # noqa: E402
from app.decks.loader import load_text  # noqa: E402
from app.errors import AppError  # noqa: E402
from app.files import read_limit  # noqa: E402
from app.model import AuthoredCard  # noqa: E402
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


def measure(store: Store, deck_id: str, topic: str, path: Path, origin: str,
            runs: int) -> list[tuple[str, float]]:
    """The floor, then save_topic and save_card on ``topic`` of the stored deck ``deck_id``."""
    data = path.read_bytes()
    text = data.decode("utf-8")

    def floor(_run: int) -> None:
        deck = load_text(text, str(path))
        store.sync_deck(deck, content_hash=deck_hash(data), origin=origin, now=NOW,
                        cards=generate_cards(deck))

    def topic_edit(run: int) -> None:
        save_topic(store, deck_id, topic, title=f"Edited title {run}",
                   notes=f"Edited notes, run {run}.", now=NOW)

    def card_edit(run: int) -> None:
        save_card(store, deck_id, topic, None,
                  AuthoredCard(question=f"Question {run}?", answer="An answer."), NOW)

    def second_store(_run: int) -> None:
        assert store.path is not None
        Store.open(store.path.parent, check=False).close()

    return [("floor: parse + generate + sync", median_ms(floor, runs)),
            ("save_topic", median_ms(topic_edit, runs)),
            ("save_card (an own card added)", median_ms(card_edit, runs)),
            ("the worker's own store: Store.open(check=False)", median_ms(second_store, runs))]


def gui_figures(store: Store, deck_id: str, topic: str, runs: int) -> list[tuple[str, float]]:
    """The topic editor on the GUI thread: open, Save (blocking and whole), the tree after."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.decks.tree import build_tree
    from app.ui.dialogs.edit_topic import EditTopicDialog

    app = QApplication.instance() or QApplication([])
    opened, called, whole, gaps, trees = [], [], [], [], []
    for run in range(runs):
        start = time.perf_counter()
        dialog = EditTopicDialog(store, deck_id, topic, lambda: NOW)
        opened.append(time.perf_counter() - start)
        dialog.show()
        app.processEvents()
        dialog.title.setText(f"Saved from the dialog {run}")
        ticks: list[float] = []
        timer = QTimer(interval=5)
        timer.timeout.connect(lambda ticks=ticks: ticks.append(time.perf_counter()))
        loop = QEventLoop()
        dialog.finished.connect(loop.quit)
        QTimer.singleShot(300_000, loop.quit)  # a failed save leaves the dialog open
        timer.start()
        start = time.perf_counter()
        dialog.save()
        called.append(time.perf_counter() - start)
        loop.exec()
        end = time.perf_counter()
        timer.stop()
        if dialog.isVisible():
            raise SystemExit(f"the dialog's save failed: {dialog.problem.text()}")
        whole.append(end - start)
        stamps = [start, *ticks, end]
        gaps.append(max(b - a for a, b in itertools.pairwise(stamps)))
        dialog.deleteLater()
        start = time.perf_counter()
        build_tree(store)
        trees.append(time.perf_counter() - start)
    return [("GUI: the editor made with its text, the first time", opened[0] * 1000),
            ("GUI: made again, after a save", statistics.median(opened[1:]) * 1000),
            ("GUI: Save blocks the GUI thread (the call)", statistics.median(called) * 1000),
            ("GUI: longest gap between 5 ms timer ticks", statistics.median(gaps) * 1000),
            ("GUI: Save until the dialog closes", statistics.median(whole) * 1000),
            ("GUI: the tree rebuilt after it (build_tree)", statistics.median(trees) * 1000)]


def report(title: str, results: list[tuple[str, float]]) -> None:
    print(title)
    anchor = results[0][1]
    for label, value in results:
        print(f"  {label:50s} {value:9.1f} ms  {value / anchor:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--no-gui", action="store_true", help="leave out the editor's timings")
    args = parser.parse_args()
    runs = args.runs
    shipped = shipped_decks_dir() / f"{DECK}.yaml"
    text = shipped.read_text(encoding="utf-8")
    print(f"median of {runs} runs; load average {os.getloadavg()[0]:.2f} at the start")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        built_in = Store.open(root / "built-in-data")
        sync_decks(built_in, [(shipped_decks_dir(), SHIPPED)], NOW)
        report(f"built-in deck ({len(text.encode()) // 1024} KiB of YAML), user layer:",
               measure(built_in, DECK, TOPIC, shipped, SHIPPED, runs))
        built_in.close()

        user_folder = root / "user"
        user_folder.mkdir()
        copy = user_folder / "mine.yaml"
        copy.write_text(text.replace(f"id: {DECK}", "id: mine", 1), encoding="utf-8")
        user_store = Store.open(root / "user-data")
        sync_decks(user_store, [(user_folder, USER)], NOW)
        report(f"user deck, a copy of the built-in one ({copy.stat().st_size // 1024} KiB):",
               measure(user_store, "mine", TOPIC, copy, USER, runs))
        user_store.close()

        for kilobytes in args.sizes:
            data_dir = root / f"outline-{kilobytes}"
            source = root / f"outline-{kilobytes}.md"
            source.write_text(outline(kilobytes), encoding="utf-8")
            store = Store.open(data_dir)
            result = import_outline(store, source, data_dir, NOW)
            deck_path = Path(result.path)
            topics = [t.id for t in store.topics(result.deck_id) if t.parent_id is not None]
            middle = str(topics[len(topics) // 2])
            if deck_path.stat().st_size > read_limit():
                try:
                    save_topic(store, result.deck_id, middle, title="Over the cap", notes="",
                               now=NOW)
                except AppError as error:
                    print(f"{deck_path.stat().st_size // 1024} KiB of YAML is over the read "
                          f"cap; a save says: {error.message}\nMeasured with "
                          f"MLSD_STUDY_MAX_FILE_MB=64:")
                os.environ["MLSD_STUDY_MAX_FILE_MB"] = "64"
            figures = measure(store, result.deck_id, middle, deck_path, USER, runs)
            if not args.no_gui:
                figures += gui_figures(store, result.deck_id, middle, max(3, runs // 2))
            report(f"user deck imported from a {source.stat().st_size // 1024} KiB outline "
                   f"({deck_path.stat().st_size // 1024} KiB of YAML, {result.topics} topics, "
                   f"{result.cards} cards):", figures)
            store.close()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
