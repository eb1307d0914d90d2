"""What an Anki export reads from our store: active cards with their schedule, and the review log.

An export streams every card of a deck (100,000 in the benchmark), so these are plain sqlite3
queries on the store's connection that return cursors, not sqlite-utils helpers or dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.db.store import Store
from app.model import TopicId

__all__ = ["ExportedCard", "ExportedReview", "active_cards", "cloze_cards", "review_log"]

#: (id, topic_id, kind, context, prompt, answer, queue, step, stability, difficulty, due,
#: last_review, reps, lapses, suspended, flag): times in ms since the epoch, suspended 0 or 1,
#: flag 0 (none) to 7.
ExportedCard = tuple[str, TopicId, str, str, str, str, int, int | None, float | None, float | None,
                     int | None, int | None, int, int, int, int]

#: (card_id, reviewed_at, rating, duration_ms, queue_before, due_before, last_review_before,
#: queue_after, difficulty_after, due_after): times in ms since the epoch.
ExportedReview = tuple[str, int, int, int, int, int | None, int | None, int, float | None, int]

_ACTIVE = "FROM cards WHERE deck_id = ? AND retired = 0"


def cloze_cards(store: Store, deck_id: str) -> list[tuple[str, TopicId]]:
    """(card id, topic id) of the deck's active cloze cards."""
    return store.conn.execute(f"SELECT id, topic_id {_ACTIVE} AND kind = 'cloze'",
                              [deck_id]).fetchall()


def active_cards(store: Store, deck_id: str) -> Iterator[ExportedCard]:
    """The deck's active cards in outline order (``ord``, then id), read as they are consumed."""
    cursor: Iterator[ExportedCard] = store.conn.execute(
        "SELECT id, topic_id, kind, context, prompt, answer, queue, step, stability, "
        f"difficulty, due, last_review, reps, lapses, suspended, flag {_ACTIVE} ORDER BY ord, id",
        [deck_id])
    return cursor


def review_log(store: Store, deck_id: str) -> Iterator[ExportedReview]:
    """Every review of the deck's cards (retired ones too), oldest first."""
    cursor: Iterator[ExportedReview] = store.conn.execute(
        "SELECT card_id, reviewed_at, rating, duration_ms, queue_before, due_before, "
        "last_review_before, queue_after, difficulty_after, due_after FROM review_log "
        "WHERE card_id IN (SELECT id FROM cards WHERE deck_id = ?) ORDER BY reviewed_at, id",
        [deck_id])
    return cursor
