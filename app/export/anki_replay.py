"""Replay a card's merged review history (ours and Anki's) into FSRS states, as Anki would."""

# Memory (stability, difficulty) after each answer comes from fsrs-rs, the engine Anki runs, in
# one batch for every card (historical_memory_state_batch), with whole study days between
# answers: it reproduces the memory Anki shows. Queue and due after each answer are the ones
# the answer was given: Anki's revlog says them for its reviews (interval in days, or negative
# seconds while learning), our log for ours. When our own answer is the card's last (it was
# reviewed here after Anki), the card is replayed with our scheduler instead, which decides
# its next due date the way a review here does.

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from app.clock import from_ms
from app.db.anki_collection import AnkiCard
from app.db.anki_import import (
    CardProgress,
    CardRow,
    NewReviewRow,
    ReplayedReview,
    ReviewUpdateRow,
    card_row,
    review_rows,
)
from app.scheduling.optimizer import DEFAULT_PARAMETERS, StudyDays
from app.scheduling.scheduler import CardState, Fsrs, Grade, Queue, SchedulerSettings

__all__ = ["Merged", "replay"]

_DAY_MS = 86_400_000
_DAY_S = 86_400
_ANKI_TYPES = {1: Queue.LEARNING, 2: Queue.REVIEW, 3: Queue.RELEARNING}


@dataclass(slots=True)
class Merged:
    """One answer of a merged history. Ours carry what they scheduled (``queue_after``...);
    Anki's new ones its revlog ``interval``."""

    log_id: int | None
    at: int
    rating: int
    duration_ms: int
    anki_id: int | None
    from_anki: bool
    link: bool  # an unlinked review of ours that Anki holds: its Anki id is recorded
    interval: int | None = None
    queue_after: int | None = None
    step_after: int | None = None
    due_after: int | None = None


Plan = tuple[str, AnkiCard, list[Merged]]


def replay(plans: list[Plan], settings: SchedulerSettings, local: tzinfo, created: int
           ) -> tuple[list[NewReviewRow], list[ReviewUpdateRow], list[CardRow]]:
    """Every planned card's replayed log and new state (``created``: Anki's day 0, seconds),
    as rows for app.db.anki_import.write_rows: (reviews added, reviews updated, cards)."""
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

    fast = [plan for plan in plans if plan[2] and plan[2][-1].from_anki and plan[1].type != 0]
    slow = [plan for plan in plans if not (plan[2] and plan[2][-1].from_anki
                                           and plan[1].type != 0)]
    day_of = StudyDays(local, settings.rollover_hour)
    items = []
    for _, _, merged in fast:
        answers = []
        previous = None
        for m in merged:
            day = day_of(m.at)
            answers.append(FSRSReview(m.rating, 0 if previous is None else day - previous))
            previous = day
        items.append(FSRSItem(answers))
    engine = FSRS(list(settings.parameters or DEFAULT_PARAMETERS))
    memories = engine.historical_memory_state_batch(items) if items else []
    added: list[NewReviewRow] = []
    updated: list[ReviewUpdateRow] = []
    cards: list[CardRow] = []
    new, learning, review, relearning = (int(q) for q in Queue)
    again = int(Grade.AGAIN)
    for (card_id, card, merged), memory in zip(fast, memories, strict=True):
        # The state as plain numbers (times in ms): 100,000 answers are replayed here, and no
        # datetime is needed.
        queue, step, stability, difficulty, due, last, reps, lapses = (
            new, None, None, None, None, None, 0, 0)
        for m, mem in zip(merged, memory, strict=True):
            before = (queue, step, stability, difficulty, due, last, reps, lapses)
            lapses += queue == review and m.rating == again
            if m.queue_after is not None and m.due_after is not None:  # ours, as scheduled
                queue, step, due = m.queue_after, m.step_after, m.due_after
            elif (interval := m.interval or 0) > 0:  # Anki's: days, or -seconds learning
                queue, step, due = review, None, m.at + interval * _DAY_MS
            else:
                queue = relearning if queue in (review, relearning) else learning
                step, due = 0, m.at - interval * 1000
            stability, difficulty, last, reps = mem.stability, mem.difficulty, m.at, reps + 1
            if m.log_id is None:
                added.append((card_id, m.at, m.rating, m.duration_ms, m.anki_id, *before,
                              queue, step, stability, difficulty, due))
            else:
                updated.append((m.anki_id, *before, queue, step, stability, difficulty, due,
                                m.log_id))
        queue = int(_ANKI_TYPES.get(card.type, Queue(queue)))
        steps = (settings.relearning_steps if queue == Queue.RELEARNING
                 else settings.learning_steps)
        step = None if queue == review else max(0, len(steps) - card.left)
        # Anki had the last word: its due date is the one the user saw.
        cards.append((queue, step, stability, difficulty, _anki_due_ms(card, created), last,
                      reps, lapses, int(card.queue == -1), card.flag, card_id))
    fsrs = Fsrs(settings)
    for card_id, card, merged in slow:
        state, replayed = _replay(fsrs, card_id, merged)
        more, changed = review_rows(replayed)
        added.extend(more)
        updated.extend(changed)
        cards.append(card_row(CardProgress(card_id, state, card.queue == -1, card.flag)))
    return added, updated, cards


def _replay(fsrs: Fsrs, card_id: str, merged: list[Merged]
            ) -> tuple[CardState, list[ReplayedReview]]:
    """Our scheduler answering the history again, in time order (py-fsrs, no fuzz)."""
    state = CardState()
    out: list[ReplayedReview] = []
    for m in merged:
        after = fsrs.answer(state, Grade(m.rating), from_ms(m.at))
        out.append(ReplayedReview(m.log_id, card_id, m.at, m.rating, m.duration_ms, m.anki_id,
                                  state, after))
        state = after
    return state, out


def _anki_due_ms(card: AnkiCard, created: int) -> int:
    """An Anki card's due moment in ms: a day number counts days from the collection's day 0
    (its rollover moment), a learning card's due is Unix seconds."""
    if card.due > 1_000_000_000:
        return card.due * 1000
    return (created + card.due * _DAY_S) * 1000
