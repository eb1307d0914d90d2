"""The user's layer over a built-in deck: edits and own cards, with the built-in text under them.

A built-in deck's file is replaced on every upgrade, so what the user changes in it lives here,
one row per changed item of a topic (``title``, ``notes``, ``card:<key>`` for an edited
hand-written card, ``own:<key>`` for a card of their own). ``base`` is the built-in text the edit
was made over; when an upgrade changes that text, ``upstream`` records the new one (a conflict:
the user's text still wins until they choose). What the items mean is app/decks/edits.py's
business; this module only keeps the rows (raw sqlite3: a handful of rows per deck).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.clock import to_iso
from app.db.store import Store
from app.model import DeckId, TopicId

__all__ = ["UserEdit", "card_ids", "conflicts", "delete_edit", "edits", "keep_mine",
           "next_position", "record_upstream", "save_edit"]

_COLUMNS = "deck_id, topic_id, item, value, base, upstream, position, edited_at"


@dataclass(frozen=True)
class UserEdit:
    """One changed item of a topic: the user's ``value`` over the built-in ``base``."""

    deck_id: DeckId
    topic_id: TopicId
    item: str
    value: str
    base: str | None = None  # None: the user's own card, over nothing built in
    upstream: str | None = None  # the built-in text now, when it is no longer ``base``
    position: int = 0
    edited_at: str = ""


def _edit(row: tuple[str, str, str, str, str | None, str | None, int, str]) -> UserEdit:
    return UserEdit(DeckId(row[0]), TopicId(row[1]), *row[2:])


def edits(store: Store, deck_id: str) -> list[UserEdit]:
    """The deck's edits and own cards, own cards in the order they were added."""
    rows = store.conn.execute(f"SELECT {_COLUMNS} FROM user_edits WHERE deck_id = ? "
                              "ORDER BY topic_id, position, item", [deck_id]).fetchall()
    return [_edit(row) for row in rows]


def conflicts(store: Store, deck_id: str | None = None) -> list[UserEdit]:
    """Edits whose built-in text changed under them (every deck's, or one deck's)."""
    sql = f"SELECT {_COLUMNS} FROM user_edits WHERE upstream IS NOT NULL"
    args: list[str] = []
    if deck_id is not None:
        sql += " AND deck_id = ?"
        args.append(deck_id)
    return [_edit(row) for row in store.conn.execute(
        sql + " ORDER BY deck_id, topic_id, position, item", args).fetchall()]


def save_edit(store: Store, deck_id: str, topic_id: str, item: str, value: str,
              base: str | None, now: datetime, position: int = 0) -> None:
    """Store the user's text for an item. Editing it again keeps the base it was first made
    over and any open conflict: only the user's choice in the conflict settles those."""
    with store.transaction() as conn:
        conn.execute(f"INSERT INTO user_edits ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL, ?, ?) "
                     "ON CONFLICT(deck_id, topic_id, item) DO UPDATE SET value = excluded.value, "
                     "edited_at = excluded.edited_at",
                     [deck_id, topic_id, item, value, base, position, to_iso(now)])


def delete_edit(store: Store, deck_id: str, topic_id: str, item: str) -> bool:
    """Drop an edit (the built-in text shows again) or an own card; False if there was none."""
    with store.transaction() as conn:
        cursor = conn.execute("DELETE FROM user_edits WHERE deck_id = ? AND topic_id = ? "
                              "AND item = ?", [deck_id, topic_id, item])
    return cursor.rowcount > 0


def keep_mine(store: Store, deck_id: str, topic_id: str, item: str) -> None:
    """Settle a conflict for the user's text: the new built-in text becomes its base."""
    with store.transaction() as conn:
        conn.execute("UPDATE user_edits SET base = upstream, upstream = NULL WHERE deck_id = ? "
                     "AND topic_id = ? AND item = ? AND upstream IS NOT NULL",
                     [deck_id, topic_id, item])


def record_upstream(store: Store, deck_id: str,
                    changes: Iterable[tuple[str, str, str | None]]) -> None:
    """Set (topic id, item, upstream) of the deck's edits: the built-in text that changed under
    each, or None where it is the base again. Rows already right are not written."""
    wanted = {(topic, item): upstream for topic, item, upstream in changes}
    if not wanted:
        return
    stored = {(row[0], row[1]): row[2] for row in store.conn.execute(
        "SELECT topic_id, item, upstream FROM user_edits WHERE deck_id = ?", [deck_id])}
    updates = [(upstream, deck_id, topic, item) for (topic, item), upstream in wanted.items()
               if (topic, item) in stored and stored[topic, item] != upstream]
    if updates:
        with store.transaction() as conn:
            conn.executemany("UPDATE user_edits SET upstream = ? WHERE deck_id = ? AND "
                             "topic_id = ? AND item = ?", updates)


def next_position(store: Store, deck_id: str, topic_id: str) -> int:
    """The position after the topic's last edit or own card."""
    row = store.conn.execute("SELECT MAX(position) FROM user_edits WHERE deck_id = ? AND "
                             "topic_id = ?", [deck_id, topic_id]).fetchone()
    return 0 if row[0] is None else int(row[0]) + 1


def card_ids(store: Store, deck_id: str, topic_id: str) -> set[str]:
    """Ids of every card the topic ever had, retired ones too: a new card must not take one
    (it would inherit that card's history)."""
    return {row[0] for row in store.conn.execute(
        "SELECT id FROM cards WHERE deck_id = ? AND topic_id = ?", [deck_id, topic_id])}
