"""Interview typing, deck syncs and outline imports, run until killed (for test_durability_more).

    python tests/durability_more_worker.py interview DATA_DIR SEED [MAX_KEYS]
    python tests/durability_more_worker.py sync DATA_DIR DECKS_DIR [HOLD]
    python tests/durability_more_worker.py import DATA_DIR OUTLINE DECK_ID TITLE [HOLD]

``interview`` types notes into a mock interview with a fake clock and autosaves by the app's own
rule, as the interview page does: the session is asked ``needs_save`` at every 1-second timer
tick and right after every step change. Each keystroke appends the next character of
:data:`TYPED` to the current step's notes and prints ``KEY <ms> <step index> <length>``: the
notes a person has typed by then. It stops by itself after MAX_KEYS keystrokes.

``sync`` syncs the deck files of DECKS_DIR into the store (as at start-up); it prints ``START``
first, ``WRITING`` when a deck's transaction begins (once the file is parsed and its cards made)
and ``DONE`` at the end. ``import`` re-imports an outline with ``app.decks.library.import_outline``
and prints ``START``, ``WRITING`` when the deck file is about to be replaced, ``SYNCING`` when
the store's transaction begins, and ``DONE``. Given HOLD (``WRITING`` or ``SYNCING``) it stops
right after saying that line and waits on stdin, so the test can kill it at exactly that point
however slowly it is scheduled.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make ``app`` importable from the source tree
    sys.path.insert(0, str(REPO))

from app.db.store import Store  # noqa: E402

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TICK = timedelta(seconds=1)  # the interview page's timer interval
#: The notes of every step are a prefix of this text: the test can tell what was typed.
TYPED = "".join(f"point {i}: precision@k, watch time, a/b test\n" for i in range(2000))
FLOW = "deck: {id: mini, title: Mini flow, version: 1}\ntopics:\n" + "".join(
    f"  - {{id: s{n}, title: Step {n}, step: {n}}}\n" for n in range(1, 10)) + (
    "questions:\n  - {id: q-feed, title: A feed, category: recommendation, prompt: Design it.}\n")


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def interview(data_dir: Path, seed: int, max_keys: int) -> int:
    from app.db import interviews as saved
    from app.decks.loader import load_text
    from app.interview.budgets import default_budgets
    from app.interview.session import InterviewSession
    from app.interview.steps import interview_steps

    rng = random.Random(seed)
    deck = load_text(FLOW, "mini.yaml")
    store = Store.open(data_dir)
    session = InterviewSession(deck.questions[0], interview_steps(deck), default_budgets(45),
                               START, rng=rng)
    saved.create_interview(store, session, deck.id, START)

    def autosave(now: datetime) -> None:  # InterviewPage.autosave without the widgets
        if session.needs_save(now):
            saved.save_interview(store, session, now)

    now, next_tick = START, START + TICK
    for _ in range(max_keys):
        # Mostly steady typing, sometimes a pause to think; whole milliseconds, as stored.
        pause = rng.randrange(40, 1500) if rng.random() < 0.9 else rng.randrange(2000, 14000)
        now += timedelta(milliseconds=pause)
        while next_tick <= now:
            autosave(next_tick)
            next_tick += TICK
        if rng.random() < 0.04:
            session.jump(rng.randrange(len(session.steps)), now)
            autosave(now)  # a step change is saved at once
            continue
        step = session.current
        length = len(session.notes(step)) + 1
        session.set_notes(step, TYPED[:length], now)
        _say(f"KEY {int(now.timestamp() * 1000)} {step} {length}")
    store.close()
    return 0


def _announce(owner: Any, name: str, line: str, hold: str) -> None:
    """Say ``line`` each time ``owner.name`` is called (most of the work is parsing, and the
    test aims its kills at the writes); if it is ``hold``, wait there to be killed."""
    original = getattr(owner, name)

    def announced(*args: Any, **kwargs: Any) -> Any:
        _say(line)
        if line == hold:
            sys.stdin.readline()
        return original(*args, **kwargs)

    setattr(owner, name, announced)


def sync(data_dir: Path, decks_dir: Path, hold: str) -> int:
    from app.decks.library import USER, sync_decks

    _announce(Store, "sync_deck", "WRITING", hold)
    store = Store.open(data_dir)
    _say("START")
    report = sync_decks(store, [(decks_dir, USER)], START + timedelta(days=1))
    _say(f"DONE {' '.join(report.decks)}")
    store.close()
    return 0 if not report.problems else 1


def import_outline(data_dir: Path, source: Path, deck_id: str, title: str, hold: str) -> int:
    from app.decks import library
    from app.outline import importer

    _announce(importer, "write_deck_file", "WRITING", hold)
    _announce(Store, "sync_deck", "SYNCING", hold)
    store = Store.open(data_dir)
    _say("START")
    library.import_outline(store, source, data_dir, START + timedelta(days=1), deck_id=deck_id,
                           title=title)
    _say("DONE")
    store.close()
    return 0


def main(argv: list[str]) -> int:
    mode, data_dir = argv[0], Path(argv[1])
    if mode == "interview":
        return interview(data_dir, int(argv[2]), int(argv[3]) if len(argv) > 3 else 20_000)
    if mode == "sync":
        return sync(data_dir, Path(argv[2]), argv[3] if len(argv) > 3 else "")
    if mode == "import":
        return import_outline(data_dir, Path(argv[2]), argv[3], argv[4],
                              argv[5] if len(argv) > 5 else "")
    print(f"unknown mode {mode!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
