"""The front door: the GUI by default, plus headless sub-commands."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

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
    return parser


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
        from app.ui.app import run_gui  # Qt is loaded only when a window is wanted

        return run_gui(folder, quit_after_startup=args.quit_after_startup, started=STARTED)
    except AppError as error:
        print(f"mlsd-study: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
