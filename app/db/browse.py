"""The card browser's data: rows for a page of card ids, actions on a selection, a card's history.

Raw sqlite3, as in app/db/study.py and app/db/search.py: the browser holds only the ids a search
found (app.db.search.find_cards, sorted there in SQL) and reads the rows of the ones in view, one
page at a time, so 100,000 found cards cost one list of ids, not 100,000 rows.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from app.clock import from_ms, to_ms
from app.db import study
from app.db.search import ROW_COLUMNS, ROW_JOINS, CardRow, card_row
from app.db.store import Store
from app.errors import AppError
from app.model import CardId, step_label
from app.scheduling.scheduler import DEFAULT_DECAY, Queue, SchedulerSettings, study_day

__all__ = [
    "FLAG_NAMES", "MAX_DUE_DAYS", "CardDetails", "DueDateError", "HistoryEntry",
    "bury", "card_details", "card_history", "card_rows", "decay_of", "forget",
    "initial_difficulty_good", "parse_due_days", "retrievability", "set_due_date", "set_flag",
    "set_suspended", "unbury",
]

#: Anki's flag names by number (0: no flag); the browser offers 1-4 as Anki's menu does.
FLAG_NAMES = ("No flag", "Red", "Orange", "Green", "Blue", "Pink", "Turquoise", "Purple")
MAX_DUE_DAYS = 36500
DAY_MS = 86_400_000
_ROWS = f"""
    SELECT {ROW_COLUMNS}
    FROM json_each(:ids) AS wanted
    JOIN cards ON cards.id = wanted.value
    {ROW_JOINS}
    ORDER BY wanted.key"""


def card_rows(store: Store, card_ids: Sequence[str], now: datetime) -> list[CardRow]:
    """The rows of these cards in the order given; ids no longer in the store are left out.
    ``now`` decides which are buried. Meant for a page of ids (the rows in view)."""
    rows = store.conn.execute(_ROWS, {"ids": json.dumps(list(card_ids)), "now": to_ms(now)})
    return [card_row(row) for row in rows]


# --- actions on a selection ----------------------------------------------------------------------

def set_suspended(store: Store, card_ids: Iterable[str], suspended: bool) -> None:
    """Suspend or unsuspend the cards (the study layer's own statement)."""
    study.set_suspended(store, card_ids, suspended)


def bury(store: Store, card_ids: Iterable[str], until: datetime) -> None:
    """Hide the cards from study until ``until`` (the end of the study day, as in Anki)."""
    study.bury(store, card_ids, until)


def unbury(store: Store, card_ids: Iterable[str]) -> None:
    study.unbury(store, card_ids)


def set_flag(store: Store, card_ids: Iterable[str], flag: int) -> None:
    """Give the cards flag ``flag`` (0 removes it; 1-7 are Anki's colours)."""
    if not 0 <= flag < len(FLAG_NAMES):
        raise ValueError(f"flag {flag} is not 0 to {len(FLAG_NAMES) - 1}")
    with store.transaction() as conn:
        conn.executemany("UPDATE cards SET flag = ? WHERE id = ?",
                         [(flag, card_id) for card_id in card_ids])


def forget(store: Store, card_ids: Iterable[str], reset_counts: bool = False) -> None:
    """Make the cards new again, as Anki's Forget (Reset) does: the schedule and memory state
    go, the review log stays (a later fit of FSRS still learns from it). A new card comes back
    in its place in the outline (its order never changed). ``reset_counts`` also zeroes the
    review and lapse counts, as Anki's option of that name."""
    counts = ", reps = 0, lapses = 0" if reset_counts else ""
    with store.transaction() as conn:
        conn.executemany(
            "UPDATE cards SET queue = 0, step = NULL, stability = NULL, difficulty = NULL, "
            f"due = NULL, last_review = NULL, buried_until = NULL{counts} WHERE id = ?",
            [(card_id,) for card_id in card_ids])


class DueDateError(AppError):
    """Due-date text that cannot be read; the message says what was typed and what works."""


_DUE = re.compile(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?")


def parse_due_days(text: str) -> tuple[int, int]:
    """The range of days from today in Anki's set-due-date text: "0" today, "3" in three days,
    "1-7" a day from one to seven chosen per card. Raises :class:`DueDateError`."""
    match = _DUE.fullmatch(text)
    if match is None:
        hint = (" ('!' to change the interval too is not supported: the interval here is the "
                "time since the last review)" if "!" in text else "")
        raise DueDateError(f"due date '{text.strip()}': type a number of days from today (0 is "
                           f"today) or a range such as 1-7{hint}")
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) is not None else low
    if high < low:
        raise DueDateError(f"due date '{text.strip()}': the range must go from the smaller "
                           f"number to the larger, as in {high}-{low}")
    if high > MAX_DUE_DAYS:
        raise DueDateError(f"due date '{text.strip()}': at most {MAX_DUE_DAYS} days from today")
    return low, high


def initial_difficulty_good(parameters: Sequence[float] = ()) -> float:
    """FSRS's initial difficulty for a first answer of Good, D0(3) = w4 - e^(w5 * 2) + 1
    clamped to [1, 10], from ``parameters`` (the fitted ones) or py-fsrs's defaults: what
    py-fsrs's ``Scheduler._initial_difficulty`` and fsrs-rs's ``init_difficulty`` give."""
    if len(parameters) < 6:
        from fsrs.scheduler import DEFAULT_PARAMETERS  # only when new cards are given a date

        parameters = DEFAULT_PARAMETERS
    return float(min(10.0, max(1.0, parameters[4] - math.exp(parameters[5] * 2) + 1)))


def set_due_date(store: Store, card_ids: Iterable[str], days: tuple[int, int], now: datetime,
                 local: tzinfo, rollover_hour: int, rng: random.Random | None = None,
                 parameters: Sequence[float] = ()) -> tuple[int, int]:
    """Make the cards review cards due on a study day ``days`` from today (a day drawn per card
    from the range), as Anki's Set Due Date. A card with a memory state keeps it.

    A new card becomes a review card too, as in Anki, with a memory state FSRS can go on from:
    stability = its interval in days (at least 1, as Anki's ``days_from_today.max(1)``), so
    retrievability falls to 90% on the day it is due, as if it had been scheduled at 90%
    retention; difficulty = FSRS's initial difficulty for Good from ``parameters`` in use
    (:func:`initial_difficulty_good`), the neutral first answer, where Anki's fsrs-rs would
    derive both from an SM-2 ease the card does not have; last review = ``now``. Its review
    and lapse counts stay 0 (nothing was answered). Returns (cards changed, of them new)."""
    rng = rng or random.Random()
    ids = list(card_ids)
    if not ids:
        return 0, 0
    rows = store.conn.execute(
        "SELECT cards.id, cards.stability IS NOT NULL FROM json_each(?) AS wanted "
        "JOIN cards ON cards.id = wanted.value", [json.dumps(ids)]).fetchall()
    kept, made = [], []
    difficulty = None
    for card_id, has_memory in rows:
        offset = rng.randint(*days)
        # The start of that study day: due from its first moment, whatever DST does between.
        due = to_ms(study_day(now + timedelta(days=offset), local, rollover_hour).start)
        if has_memory:
            kept.append((due, card_id))
            continue
        if difficulty is None:
            difficulty = initial_difficulty_good(parameters)
        made.append((due, float(max(offset, 1)), difficulty, to_ms(now), card_id))
    with store.transaction() as conn:
        conn.executemany(
            "UPDATE cards SET queue = 2, step = NULL, due = ?, buried_until = NULL WHERE id = ?",
            kept)
        conn.executemany(
            "UPDATE cards SET queue = 2, step = NULL, due = ?, stability = ?, difficulty = ?, "
            "last_review = ?, buried_until = NULL WHERE id = ?", made)
    return len(kept) + len(made), len(made)


# --- card info -----------------------------------------------------------------------------------

def decay_of(settings: SchedulerSettings) -> float:
    """The forgetting curve's decay: w20 of the fitted parameters, else FSRS-6's default."""
    return settings.parameters[20] if len(settings.parameters) > 20 else DEFAULT_DECAY


def retrievability(stability: float | None, last_review: datetime | None, at: datetime,
                   decay: float = DEFAULT_DECAY) -> float | None:
    """FSRS's probability of recall at ``at`` (whole days since the last review, as py-fsrs
    counts them); None for a card with no memory state."""
    if stability is None or last_review is None or stability <= 0:
        return None
    elapsed = max(0, (at - last_review).days)
    factor = 0.9 ** (-1 / decay) - 1
    return float((1 + factor * elapsed / stability) ** -decay)


@dataclass(frozen=True)
class CardDetails:
    """Everything card info shows about one card besides its answers."""

    id: CardId
    deck: str
    topic: str
    kind: str
    context: str
    front: str
    back: str
    added: datetime
    queue: Queue
    due: datetime | None
    last_review: datetime | None
    first_review: datetime | None
    stability: float | None
    difficulty: float | None
    reviews: int
    lapses: int
    suspended: bool
    buried_until: datetime | None
    flag: int
    retired: bool


def card_details(store: Store, card_id: str) -> CardDetails | None:
    row = store.conn.execute(
        "SELECT cards.id, COALESCE(decks.title, cards.deck_id), topics.title, topics.step, "
        "cards.topic_id, cards.kind, cards.context, cards.prompt, cards.answer, "
        "cards.created_at, cards.queue, cards.due, cards.last_review, "
        "(SELECT MIN(reviewed_at) FROM review_log WHERE card_id = cards.id), cards.stability, "
        "cards.difficulty, cards.reps, cards.lapses, cards.suspended, cards.buried_until, "
        "cards.flag, cards.retired FROM cards "
        "LEFT JOIN topics ON topics.deck_id = cards.deck_id AND topics.id = cards.topic_id "
        "LEFT JOIN decks ON decks.id = cards.deck_id WHERE cards.id = ?", [card_id]).fetchone()
    if row is None:
        return None
    (found, deck, title, step, topic_id, kind, context, front, back, added, queue, due, last,
     first, stability, difficulty, reps, lapses, suspended, buried, flag, retired) = row
    return CardDetails(CardId(found), deck, step_label(title or topic_id, step), kind, context,
                       front, back, from_ms(added), Queue(queue), _dt(due), _dt(last),
                       _dt(first), stability, difficulty, int(reps), int(lapses),
                       bool(suspended), _dt(buried), int(flag), bool(retired))


def _dt(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


@dataclass(frozen=True)
class HistoryEntry:
    """One answer: when, the grade, the state it was answered in, and what it led to."""

    reviewed_at: datetime
    grade: int  # 1 Again .. 4 Easy
    queue_before: Queue
    elapsed_days: int | None  # whole days since the review before; None for the first answer
    retrievability: float | None  # the chance of recall FSRS gave the card when answered
    interval: timedelta  # from this answer to the due date it set
    due: datetime
    stability: float | None  # after the answer
    difficulty: float | None
    duration_ms: int


def card_history(store: Store, card_id: str, decay: float = DEFAULT_DECAY) -> list[HistoryEntry]:
    """Every answer of the card, oldest first, with its memory state (what Anki's card info
    lists). Cram practice changes no schedule and is not in the review log, so not here."""
    entries = []
    for (at, rating, queue, stability_before, last_before, due_after, stability, difficulty,
         duration) in store.conn.execute(
            "SELECT reviewed_at, rating, queue_before, stability_before, last_review_before, "
            "due_after, stability_after, difficulty_after, duration_ms FROM review_log "
            "WHERE card_id = ? ORDER BY reviewed_at, id", [card_id]):
        reviewed = from_ms(at)
        last = _dt(last_before)
        entries.append(HistoryEntry(
            reviewed, int(rating), Queue(queue),
            None if last is None else max(0, (reviewed - last).days),
            retrievability(stability_before, last, reviewed, decay)
            if queue != Queue.NEW else None,
            from_ms(due_after) - reviewed, from_ms(due_after), stability, difficulty,
            int(duration)))
    return entries
