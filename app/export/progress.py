"""The user's progress in an exported collection: FSRS state and flag per card, the review log.

Written in the columns Anki reads when "Import any learning progress" is ticked. The SQL here
writes Anki's collection file; our review log is read through app.db.export.
"""

from __future__ import annotations

import json
import math
import sqlite3
from datetime import date, tzinfo
from pathlib import Path

from app.clock import from_ms
from app.db.export import review_log
from app.db.store import Store
from app.export.collection import CREATED, DAY_MS
from app.export.notes import Schedule
from app.scheduling.scheduler import DEFAULT_DECAY, Queue, SchedulerSettings, study_day

__all__ = ["carry_progress", "study_date"]

# Anki caps a review's recorded time at the deck option "maximum answer seconds" (60 by default).
_ANKI_MAX_ANSWER_MS = 60_000
_ANKI_INITIAL_EASE = 2500
_ANKI_FLAG_BITS = 0b111


def carry_progress(path: Path, store: Store, deck_id: str, settings: SchedulerSettings,
                   placed: dict[str, tuple[tuple[int, str], ...]],
                   ours: dict[str, Schedule], local: tzinfo) -> None:
    """Give the collection's cards our schedule, flags and review log (genanki writes them all
    new and unflagged)."""
    rollover = settings.rollover_hour
    # The forgetting curve's decay is w20: fitted by optimize-fsrs, else FSRS-6's default.
    decay = settings.parameters[20] if settings.parameters else DEFAULT_DECAY
    retention = settings.desired_retention
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        anki_ids: dict[str, int] = {}
        for anki_id, guid, ordinal in conn.execute(
                "SELECT c.id, n.guid, c.ord FROM cards c JOIN notes n ON n.id = c.nid"):
            card_id = dict(placed.get(guid, ())).get(ordinal)
            if card_id is not None and card_id in ours:
                anki_ids[card_id] = anki_id
        created = CREATED.date()
        # The flag goes in the low 3 bits of Anki's flags (the rest are Anki's own, 0 here).
        # Only here, as Anki does: its export without scheduling drops flags, and so does its
        # import without "Import any learning progress".
        updates = [(*_anki_state(ours[card_id], settings, retention, decay, created, rollover,
                                 local), ours[card_id].flag & _ANKI_FLAG_BITS, anki_id)
                   for card_id, anki_id in anki_ids.items()]
        # A new card keeps genanki's due (its position: outline order).
        conn.executemany("UPDATE cards SET type = ?, queue = ?, due = COALESCE(?, due), "
                         "ivl = ?, factor = ?, reps = ?, lapses = ?, left = ?, data = ?, "
                         "flags = ? WHERE id = ?", updates)
        conn.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, "
                         "type) VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
                         _revlog(store, deck_id, anki_ids))
        conn.commit()
    finally:
        conn.close()


def study_date(ms: int, local: tzinfo, rollover: int) -> date:
    return study_day(from_ms(ms), local, rollover).start.astimezone(local).date()


def _fsrs_interval(stability: float, retention: float, decay: float) -> float:
    """FSRS's interval in days for a stability at the desired retention (no fuzz, unrounded)."""
    factor = float(0.9 ** (-1 / decay)) - 1
    return stability / factor * (float(retention ** (-1 / decay)) - 1)


def _anki_state(card: Schedule, settings: SchedulerSettings, retention: float, decay: float,
                created: date, rollover: int, local: tzinfo
                ) -> tuple[int, int, int | None, int, int, int, int, int, str]:
    """(type, queue, due, ivl, factor, reps, lapses, left, data) of an Anki card."""
    queue = Queue(card.queue)
    if card.suspended and (queue == Queue.NEW or card.due is None):
        return 0, -1, None, 0, 0, 0, 0, 0, ""
    if queue == Queue.NEW or card.due is None:
        return 0, 0, None, 0, 0, 0, 0, 0, ""
    data = ""
    if card.stability is not None and card.difficulty is not None:
        # Anki's FSRS memory state, as it stores it in the card's data column.
        memory: dict[str, float | int] = {"s": round(card.stability, 4),
                                          "d": round(card.difficulty, 4),
                                          "dr": round(retention, 4), "decay": round(decay, 4)}
        if card.last_review is not None:
            memory["lrt"] = card.last_review // 1000
        data = json.dumps(memory, separators=(",", ":"))
    if queue == Queue.REVIEW:
        kind, anki_queue, factor, left = 2, 2, _ANKI_INITIAL_EASE, 0
        # Due is a day number counted from the collection's creation date; Anki shifts it by
        # the days between that and its own collection, so "due in N days" is kept.
        due = (study_date(card.due, local, rollover) - created).days
        ivl = max(1, round((card.due - (card.last_review or card.due)) / DAY_MS))
    else:
        relearning = queue == Queue.RELEARNING
        steps = settings.relearning_steps if relearning else settings.learning_steps
        kind, anki_queue = (3 if relearning else 1), 1
        due = card.due // 1000  # (re)learning cards are due at a moment, in Unix seconds
        left = max(1, len(steps) - (card.step or 0))
        # Relearning keeps the interval the card returns to: FSRS's for its stability.
        ivl = (max(1, round(_fsrs_interval(card.stability or 0.0, retention, decay)))
               if relearning else 0)
        factor = _ANKI_INITIAL_EASE if relearning else 0
    if card.suspended:
        anki_queue = -1
    return kind, anki_queue, due, ivl, factor, card.reps, card.lapses, left, data


def _revlog(store: Store, deck_id: str, anki_ids: dict[str, int]) -> list[tuple[int, ...]]:
    """Our review log as Anki revlog rows (without usn); ids are unique millisecond stamps."""
    if not anki_ids:
        return []
    kinds = {Queue.NEW: 0, Queue.LEARNING: 0, Queue.REVIEW: 1, Queue.RELEARNING: 2}
    out: list[tuple[int, ...]] = []
    last_id = 0
    for (card_id, at, rating, duration, q_before, due_before, last_before, q_after,
         difficulty, due_after) in review_log(store, deck_id):
        anki_id = anki_ids.get(card_id)
        if anki_id is None:
            continue
        log_id = max(at, last_id + 1)  # revlog ids are unique; two answers may share a ms
        last_id = log_id
        before = Queue(q_before)
        if before == Queue.NEW or due_before is None:
            last_ivl = 0
        else:
            last_ivl = _log_interval(before, due_before - (last_before or due_before))
        ivl = _log_interval(Queue(q_after), due_after - at)
        # Anki logs FSRS difficulty shifted to 0.1..1.1, times 1000.
        factor = int(((difficulty - 1) / 9 + 0.1) * 1000) if difficulty is not None else 0
        out.append((log_id, anki_id, rating, ivl, last_ivl, factor,
                    max(0, min(duration, _ANKI_MAX_ANSWER_MS)), kinds[before]))
    return out


def _log_interval(queue: Queue, ms: int) -> int:
    """Anki's revlog interval: days for a review card, negative seconds while (re)learning."""
    if queue == Queue.REVIEW:
        return max(1, round(ms / DAY_MS))
    return -max(1, math.floor(ms / 1000 + 0.5))
