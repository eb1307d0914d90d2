"""Answer cards until killed, acknowledging each committed answer on stdout (for test_durability).

    python tests/durability_worker.py DATA_DIR DECKS_DIR SEED [MAX_ANSWERS]

Syncs the deck files of DECKS_DIR into a store in DATA_DIR, then studies with a fake clock that
advances a little per answer (a day when a session runs out of cards). After each
``ReviewSession.answer`` returns it prints ``ACK <card_id> <reps_after> <n>`` and flushes: from
that moment the answer must survive the process being killed. It stops by itself after
MAX_ANSWERS, so a test that forgets to kill it leaves nothing running for long.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make ``app`` importable from the source tree
    sys.path.insert(0, str(REPO))

from app.db.store import Store  # noqa: E402
from app.db.study import Scope  # noqa: E402
from app.decks.library import SHIPPED, sync_decks  # noqa: E402
from app.scheduling.review import ReviewSession  # noqa: E402
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings  # noqa: E402

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEP = timedelta(seconds=20)  # per answer: learning cards (1 and 10 minutes) come back soon
GRADES = (Grade.AGAIN, Grade.HARD, Grade.GOOD, Grade.EASY)
WEIGHTS = (2, 1, 5, 2)


def main(argv: list[str]) -> int:
    data_dir, decks_dir, seed = Path(argv[0]), Path(argv[1]), int(argv[2])
    max_answers = int(argv[3]) if len(argv) > 3 else 5000
    rng = random.Random(seed)
    now = START
    store = Store.open(data_dir)
    report = sync_decks(store, [(decks_dir, SHIPPED)], now)
    if not report.decks:
        print(f"no deck synced from {decks_dir}: {report.problems}", file=sys.stderr)
        return 2
    fsrs = Fsrs(SchedulerSettings(new_per_day=100_000, reviews_per_day=100_000, fuzz=False))
    session = ReviewSession(store, fsrs, Scope(), now, UTC, "study")
    answered = 0
    while answered < max_answers:
        card = session.view().card
        if card is None:  # nothing left today: come back tomorrow
            now += timedelta(days=1)
            session = ReviewSession(store, fsrs, Scope(), now, UTC, "study")
            if session.view().card is None:
                print("no cards to study", file=sys.stderr)
                return 3
            continue
        reps_after = card.state.reps + 1
        session.reveal(now)
        now += STEP
        session.answer(rng.choices(GRADES, WEIGHTS)[0], now)
        answered += 1
        sys.stdout.write(f"ACK {card.id} {reps_after} {answered}\n")
        sys.stdout.flush()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
