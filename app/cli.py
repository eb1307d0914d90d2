"""The front door: the GUI by default, plus headless sub-commands."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import __version__, commands
from app.errors import AppError, DatabaseDamaged

if TYPE_CHECKING:
    import argparse

# app.db.search.SORT_KEYS, written out to keep the database modules off the parser's import path
SORT_KEYS = ("front", "topic", "due", "interval", "stability", "difficulty", "reviews", "lapses")

# Taken at import, before Qt loads: --quit-after-startup reports the time from here.
STARTED = time.perf_counter()


def build_parser() -> argparse.ArgumentParser:
    import argparse  # not on the way to the window: see gui_options

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
    score = commands.add_parser(
        "interview-score", help="score a Markdown answer against the interview rubric",
        description="Score a Markdown answer whose sections are headed by the steps ('## 1. "
                    "Problem formulation', '## Metrics', ...) as a mock interview scores notes: "
                    "per step, the criteria met with the sentence that earned each, and those "
                    "missed. Needs no display and no database.")
    score.add_argument("path", metavar="NOTES.md", help="the answer to score")
    score.add_argument("--question", metavar="ID",
                       help="add this question's own rubric items (ids as in the question bank)")
    score.add_argument("--json", action="store_true", help="one JSON object instead of text")
    check = commands.add_parser(
        "check-deck", help="validate deck files",
        description="Validate deck files. Prints PATH:LINE:COL: message for each problem and "
                    "exits 1 if there is any; prints nothing and exits 0 when all are valid.")
    check.add_argument("paths", nargs="+", metavar="PATH", help="deck files to check (one or more)")
    check.add_argument("--cards", action="store_true",
                       help="also lint the cards each valid deck generates: prints PATH:LINE: "
                            "card-id: rule: message per defect (placeholders, pointers, answers "
                            "the front shows, long answers, repeated fronts...)")
    cards = commands.add_parser(
        "cards", help="print every generated card as plain text",
        description="Print every card generated from the built-in deck and your decks (id, "
                    "kind, deck, topic, breadcrumb, front and back, Markdown stripped), to "
                    "read or check a deck outside the app. Reads the deck files only; with "
                    "--search, finds cards in your database (with their schedule) instead.")
    cards.add_argument("--deck", metavar="ID", help="only this deck's cards")
    cards.add_argument("--json", action="store_true",
                       help="a JSON list with one object per card instead of text blocks")
    cards.add_argument("--search", metavar="QUERY",
                       help="find cards as the browser does, in Anki's search syntax: words, "
                            '"a phrase", is:due|new|learn|review|suspended|buried, flag:N, '
                            "step:N, deck:ID, topic:ID, prop:ivl>N, prop:lapses>N, rated:N, "
                            "-term, or, parentheses (see app/decks/query.py); a query that "
                            "starts with '-' goes after '=': --search=-is:new")
    cards.add_argument("--sort", choices=["outline", *SORT_KEYS], default="outline",
                       help="with --search: the order (default: the decks' outline order)")
    cards.add_argument("--desc", action="store_true", help="with --search: reverse the order")
    decks = commands.add_parser(
        "decks", help="list the decks: ids, titles and card counts",
        description="Print each deck's id, its cards, how many are due today and new, and its "
                    "title. With --topics, print a deck's topic ids as a tree instead.")
    decks.add_argument("--topics", metavar="ID", help="the topic ids and titles of this deck")
    decks.add_argument("--json", action="store_true", help="a JSON list instead of text")
    stats = commands.add_parser(
        "stats", help="print study statistics",
        description="Print what is due today (in total and per step), the cards by state, "
                    "reviews and minutes over the last 7 and 30 days, true retention (the pass "
                    "rate on review cards, as in Anki), mastery per step and the study streak.")
    stats.add_argument("--json", action="store_true", help="one JSON object instead of text")
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
    outline = commands.add_parser(
        "import-outline", help="make a deck from a Markdown outline",
        description="Turn a Markdown outline (headings, nested lists, tables) into a deck: it "
                    "is written as YAML into the decks folder of your data folder, stored, and "
                    "shown beside the built-in deck. Importing the same outline again updates "
                    "the deck and keeps your progress on every unchanged topic. Prints the "
                    "counts, and card defects as warnings (as check-deck --cards does); "
                    "problems are printed as PATH:LINE:COL: message, exit code 1.")
    outline.add_argument("path", metavar="FILE.md", help="the Markdown outline to import")
    outline.add_argument("--id", dest="deck_id", metavar="ID",
                         help="the deck's id: lowercase letters, digits and dashes (default: "
                              "made from the title)")
    outline.add_argument("--title", metavar="TITLE",
                         help="the deck's title (default: the front matter's title, else the "
                              "first '#' heading, else the file name)")
    progress = commands.add_parser(
        "import-anki-progress", help="bring back the reviews you did in Anki",
        description="Read a package exported from Anki with scheduling (.apkg or .colpkg) and "
                    "merge its reviews, suspensions and flags into the cards our export made "
                    "there. Importing the same file again changes nothing; notes that did not "
                    "come from MLSD Study are ignored. The database is backed up first. Prints "
                    "the cards matched, reviews added and conflicts.")
    progress.add_argument("path", metavar="FILE", help="the .apkg or .colpkg exported from Anki")
    optimize = commands.add_parser(
        "optimize-fsrs", help="fit the scheduler to your own reviews",
        description="Fit FSRS's parameters to your review log (needs at least 400 reviews) "
                    "and print the log loss and RMSE of the current and the fitted "
                    "parameters. The fit is applied only when it predicts your answers "
                    "better; new answers are then scheduled with it.")
    optimize.add_argument("--dry-run", action="store_true",
                          help="only print the figures; change nothing")
    optimize.add_argument("--reschedule", action="store_true",
                          help="also recompute every reviewed card's memory and due date with "
                               "the new parameters (the database is backed up first)")
    commands.add_parser(
        "backup", help="back up the database now",
        description="Copy the database into the backups folder of your data folder (the app "
                    "also does this on close and every few hours) and prune old backups.")
    commands.add_parser(
        "list-backups", help="list the backups, newest first",
        description="Print each backup's date, reason, review and card counts, and path.")
    restore = commands.add_parser(
        "restore-backup", help="replace the database with a backup",
        description="Restore a backup (a path from list-backups, or 'latest'). The current "
                    "database is backed up first, so a restore can be undone. Close the app "
                    "first.")
    restore.add_argument("backup", metavar="PATH|latest", help="the backup to restore")
    recover = commands.add_parser(
        "recover", help="get past a damaged database",
        description="When the database cannot be read: move it aside (it is kept, renamed "
                    "with the date) and either restore the latest good backup or start with "
                    "an empty database.")
    recover.add_argument("choice", choices=["restore-latest", "start-fresh"],
                         help="restore-latest: the newest intact backup; start-fresh: an "
                              "empty database (decks are loaded again)")
    return parser


def may_use_xcb(environ: Mapping[str, str], platform: str) -> bool:
    """Whether Qt may open the window with its xcb plugin, the only case the desktop check
    looks at: the same test as the first line of ``desktop_check.preflight`` (a test keeps
    them equal), kept here so the check's module is not even loaded elsewhere."""
    forced = environ.get("QT_QPA_PLATFORM", "").strip()
    return platform.startswith("linux") and forced.split(":")[0] in ("", "xcb")


@dataclass(frozen=True)
class WindowOptions:
    """What a command line that only opens the window says."""

    data_dir: str | None = None
    quit_after_startup: bool = False


def window_options(argv: Sequence[str]) -> WindowOptions | None:
    """The options when the command line only opens the window (nothing, ``--data-dir DIR``,
    ``--quit-after-startup``), read without argparse: importing it and building the parser of
    every sub-command costs milliseconds on each start. None for anything else (a command,
    ``--help``, a mistake), which the full parser reads and explains."""
    data, quit_after = None, False
    words = iter(argv)
    for word in words:
        if word == "--quit-after-startup":
            quit_after = True
        elif word == "--data-dir" and (value := next(words, "")) and not value.startswith("-"):
            data = value
        elif word.startswith("--data-dir=") and word != "--data-dir=":
            data = word.partition("=")[2]
        else:
            return None
    return WindowOptions(data, quit_after)


def open_window(options: WindowOptions) -> int:
    from app.paths import data_dir

    folder = data_dir(options.data_dir)
    if may_use_xcb(os.environ, sys.platform):  # elsewhere there is nothing to check
        from app.desktop_check import check_desktop  # a message, not Qt's abort

        if (refused := check_desktop()) is not None:
            return refused
    from app.ui.app import run_gui  # Qt is loaded only when a window is wanted

    return run_gui(folder, quit_after_startup=options.quit_after_startup, started=STARTED)


def main(argv: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else list(argv)
    window = window_options(given)
    try:
        if window is not None:
            return open_window(window)
        args = build_parser().parse_args(given)
        if args.command is None:
            return open_window(WindowOptions(args.data_dir, args.quit_after_startup))
        if args.command == "check-deck":
            return commands.check_deck(args.paths, cards=args.cards)
        if args.command == "interview-score":
            return commands.interview_score(args.path, args.question, as_json=args.json)
        from app.paths import data_dir

        folder = data_dir(args.data_dir)
        if args.command == "list-backups":  # reads backups only: fine while the app runs
            return commands.list_backups(folder)
        if args.command == "cards" and args.search is None:  # reads deck files only
            return commands.list_cards(folder, args.deck, as_json=args.json)
        if args.command in ("cards", "decks", "stats"):  # read the store, never wait for it
            return commands.read_command(args, folder)
        if args.command == "import-outline":  # locks the folder once the outline is read
            return commands.import_outline(folder, args.path, deck_id=args.deck_id,
                                           title=args.title)
        from app.instance_lock import InstanceLock

        with InstanceLock.acquire(folder):  # never two writers on one database
            return commands.run_command(args, folder)
    except DatabaseDamaged as error:
        print(commands.damaged_message(error), file=sys.stderr)
        return commands.EXIT_DAMAGED
    except AppError as error:
        print(f"mlsd-study: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
