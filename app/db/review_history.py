"""The review log in time order, for fitting FSRS (raw sqlite3, one scan of an index)."""

from __future__ import annotations

from operator import itemgetter

from app.db.store import Store

__all__ = ["answer_log", "reviewed_cards"]


def answer_log(store: Store) -> list[tuple[int, str, int]]:
    """Every answer as (reviewed_at in ms, card id, rating), in time order; answers at the same
    moment in card id order, as the optimizer's ``answers_in_time_order`` orders per-card
    histories. Cram practice is not in the review log, so it never trains the model."""
    # Rows as tuples in the order of the covering index review_log_by_card_stats (card, time,
    # ...: read from the index alone, no sort in SQLite), then one sort on the time alone,
    # stable, so ties keep that order. Ordering by time in SQL costs a temporary B-tree.
    rows = store.conn.execute("SELECT reviewed_at, card_id, rating FROM review_log "
                              "ORDER BY card_id, reviewed_at").fetchall()
    rows.sort(key=itemgetter(0))
    return rows


def reviewed_cards(store: Store) -> list[tuple[str, bool, int]]:
    """(id, suspended, flag) of every card with at least one review."""
    rows = store.conn.execute(
        "SELECT id, suspended, flag FROM cards WHERE id IN (SELECT card_id FROM review_log)")
    return [(card_id, bool(suspended), int(flag)) for card_id, suspended, flag in rows]
