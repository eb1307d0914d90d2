"""Read an Anki collection file (unpacked from a package): notes' GUIDs, card states, review log."""

# Read-only raw sqlite3 on Anki's own file, in the columns every schema since Anki 2.1 keeps
# (notes.guid; cards' queue, type, due, ivl, flags and data; revlog; col.crt).

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError

__all__ = ["AnkiCard", "AnkiCollection", "AnkiPackageError", "AnkiReview", "read_collection"]


class AnkiPackageError(AppError):
    """The file is not an Anki package we can read; the message says what and what to do."""


@dataclass(frozen=True, slots=True)
class AnkiCard:
    """An Anki card: ``due`` is a day number (review) or Unix seconds (learning)."""

    id: int
    guid: str
    ordinal: int
    type: int          # 0 new, 1 learning, 2 review, 3 relearning
    queue: int         # -1 suspended, -2/-3 buried, 0 new, 1/3 learning, 2 review
    due: int
    interval: int
    flag: int          # 0 none, 1..7 the flag colours
    left: int          # learning steps left to go (the last three digits)
    stability: float | None
    difficulty: float | None


@dataclass(frozen=True, slots=True)
class AnkiReview:
    """A revlog row: ``id`` is the answer's time in ms since the epoch (and unique)."""

    id: int
    card_id: int
    ease: int          # 1..4, 0 for a manual reschedule
    interval: int      # days, or negative seconds while learning
    duration_ms: int
    kind: int          # 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled


@dataclass(frozen=True)
class AnkiCollection:
    created: int                 # col.crt: Unix seconds of day 0's rollover
    cards: tuple[AnkiCard, ...]
    reviews: tuple[AnkiReview, ...]


def read_collection(path: Path, source: Path) -> AnkiCollection:
    """The collection at ``path`` (unpacked from the package ``source``, named in errors)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise AnkiPackageError(f"{source}: cannot open its collection ({exc}).") from None
    try:
        created = int(conn.execute("SELECT crt FROM col").fetchone()[0])
        cards = tuple(
            AnkiCard(card_id, guid, ordinal, kind, queue, due, interval, flags & 7, left % 1000,
                     *_memory(data))
            for card_id, guid, ordinal, kind, queue, due, interval, flags, left, data
            in conn.execute(
                "SELECT c.id, n.guid, c.ord, c.type, c.queue, c.due, c.ivl, c.flags, c.left, "
                "c.data "
                "FROM cards c JOIN notes n ON n.id = c.nid"))
        reviews = tuple(AnkiReview(*row) for row in conn.execute(
            "SELECT id, cid, ease, ivl, time, type FROM revlog ORDER BY id"))
    except (sqlite3.DatabaseError, TypeError) as exc:
        raise AnkiPackageError(f"{source} does not hold a readable Anki collection ({exc}). "
                               "Export it from Anki again (File > Export).") from None
    finally:
        conn.close()
    return AnkiCollection(created, cards, reviews)


def _memory(data: str | None) -> tuple[float | None, float | None]:
    """FSRS stability and difficulty from a card's data column, when Anki stored them."""
    if not data:
        return None, None
    try:
        memory = json.loads(data)
        return float(memory["s"]), float(memory["d"])
    except (ValueError, KeyError, TypeError):
        return None, None
