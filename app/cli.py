"""The front door: the GUI by default, plus headless sub-commands."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.errors import AppError

# Taken at import, before Qt loads: --quit-after-startup reports the time from here.
STARTED = time.perf_counter()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlsd-study",
        description="Learn the ML system design flow with spaced repetition and practise it in "
                    "timed mock interviews. With no command, opens the app.")
    parser.add_argument("--version", action="version", version=f"mlsd-study {__version__}")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder for the database and your decks (default: the platform's "
                             "user data folder; the MLSD_STUDY_DATA variable also sets it)")
    parser.add_argument("--quit-after-startup", action="store_true",
                        help="open the main window, wait for its first paint, print "
                             "startup_ms=<ms> and exit (for benchmarks and smoke tests)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = commands.add_parser(
        "check-deck", help="validate deck files",
        description="Validate deck files. Prints PATH:LINE:COL: message for each problem and "
                    "exits 1 if there is any; prints nothing and exits 0 when all are valid.")
    check.add_argument("paths", nargs="+", metavar="PATH", help="deck file(s) to check")
    export = commands.add_parser(
        "export-anki", help="export the deck (or a branch) as an Anki package",
        description="Write an .apkg file that Anki imports with the deck tree, note types and "
                    "tags. Exporting again updates the same notes in Anki instead of "
                    "duplicating them. Prints the note and card counts.")
    export.add_argument("-o", "--output", required=True, metavar="OUT.apkg",
                        help="the package to write (replaced atomically if it exists)")
    export.add_argument("--topic", metavar="ID",
                        help="export only this topic and everything below it")
    export.add_argument("--deck", metavar="ID",
                        help="the deck to export (default: the built-in deck)")
    export.add_argument("--with-progress", action="store_true",
                        help="include each card's scheduling state and review history")
    export.add_argument("--questions", action="store_true",
                        help="also export the interview question bank as cards")
    return parser


def export_anki(data: Path, output: str, *, deck_id: str | None, topic: str | None,
                with_progress: bool, questions: bool) -> int:
    from app.clock import utc_now
    from app.export_anki import export_deck
    from app.library import SHIPPED, USER, load_stored_deck, sync_decks
    from app.paths import shipped_decks_dir, user_decks_dir
    from app.store import Store

    store = Store.open(data)
    try:
        report = sync_decks(store, [(shipped_decks_dir(), SHIPPED),
                                    (user_decks_dir(data), USER)], utc_now())
        for problem in report.problems:
            print(f"warning: {problem}", file=sys.stderr)
        decks = store.decks()
        if not decks:
            raise AppError("No deck is loaded; nothing to export.")
        chosen = deck_id or decks[0].id
        deck = load_stored_deck(store, chosen)
        if topic is not None and not any(t.id == topic for t, _ in deck.walk()):
            raise AppError(f"No topic '{topic}' in deck '{chosen}'. Topic ids are the `id:` "
                           "keys of the deck file.")
        result = export_deck(store, deck, Path(output), now=utc_now(), topic_id=topic,
                             with_progress=with_progress, include_questions=questions)
    finally:
        store.close()
    print(f"Wrote {result.path}: {result.notes} notes, {result.cards} cards, "
          f"{result.decks} decks" + (", with progress" if result.with_progress else ""))
    return 0


def check_deck(paths: Sequence[str]) -> int:
    from app.decks import iter_problems

    found = False
    for problem in iter_problems(list(paths)):
        print(problem)
        found = True
    return 1 if found else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check-deck":
            return check_deck(args.paths)
        from app.paths import data_dir

        folder = data_dir(args.data_dir)
        if args.command == "export-anki":
            return export_anki(folder, args.output, deck_id=args.deck, topic=args.topic,
                               with_progress=args.with_progress, questions=args.questions)
        from app.ui.app import run_gui  # Qt is loaded only when a window is wanted

        return run_gui(folder, quit_after_startup=args.quit_after_startup, started=STARTED)
    except AppError as error:
        print(f"mlsd-study: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
