"""The review log as per-card answer histories, for fitting FSRS (raw sqlite3, one scan)."""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter

from app.db.store import Store

__all__ = ["answer_histories", "reviewed_cards"]


def answer_histories(store: Store) -> list[list[tuple[int, int]]]:
    """Every card's answers as (reviewed_at in ms, rating), oldest first; cards never answered
    are left out. Cram practice is not in the review log, so it never trains the model."""
    # In the order of the covering index review_log_by_card_stats (card, time, ...): read from
    # the index alone, with no sort (100,000 answers: 0.12 s; adding "id" to the order, for
    # answers in the same millisecond, costs a sort and 0.2 s).
    rows = store.conn.execute("SELECT card_id, reviewed_at, rating FROM review_log "
                              "ORDER BY card_id, reviewed_at")
    return [[(at, rating) for _, at, rating in answers]
            for _, answers in groupby(rows, itemgetter(0))]


def reviewed_cards(store: Store) -> list[tuple[str, bool, int]]:
    """(id, suspended, flag) of every card with at least one review."""
    rows = store.conn.execute(
        "SELECT id, suspended, flag FROM cards WHERE id IN (SELECT card_id FROM review_log)")
    return [(card_id, bool(suspended), int(flag)) for card_id, suspended, flag in rows]
