"""Read an Anki collection file (unpacked from a package): notes' GUIDs, card states, review log."""

# Read-only raw sqlite3 on Anki's own file, in the columns every schema since Anki 2.1 keeps
# (notes.guid; cards' queue, type, due, ivl, flags and left; revlog; col.crt). A collection
# can hold 100,000 answers: they are read as plain tuples, grouped by card in one pass.

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError

__all__ = ["AnkiAnswer", "AnkiCard", "AnkiCollection", "AnkiPackageError", "read_collection"]


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


#: An answer in Anki's review log: (card id, review id = the answer's time in ms since the epoch
#: and unique, ease 1..4, interval in days or negative seconds while learning, duration in ms).
AnkiAnswer = tuple[int, int, int, int, int]

# Answers are learn, review, relearn and filtered entries (types 0..3) with a button (1..4);
# manual reschedules (type 4, ease 0) and "rescheduled" entries (type 5) are not.
_ANSWER = "ease BETWEEN 1 AND 4 AND type BETWEEN 0 AND 3"


@dataclass(frozen=True)
class AnkiCollection:
    created: int                         # col.crt: Unix seconds of day 0's rollover
    cards: tuple[AnkiCard, ...]
    answers: dict[int, list[AnkiAnswer]]  # per Anki card id, oldest first
    others: dict[int, int]               # per Anki card id: log entries that are not answers

    @property
    def has_log(self) -> bool:
        return bool(self.answers or self.others)


def read_collection(path: Path, source: Path) -> AnkiCollection:
    """The collection at ``path`` (unpacked from the package ``source``, named in errors)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise AnkiPackageError(f"{source}: cannot open its collection ({exc}).") from None
    try:
        created = int(conn.execute("SELECT crt FROM col").fetchone()[0])
        cards = tuple(
            AnkiCard(card_id, guid, ordinal, kind, queue, due, interval, flags & 7, left % 1000)
            for card_id, guid, ordinal, kind, queue, due, interval, flags, left
            in conn.execute(
                "SELECT c.id, n.guid, c.ord, c.type, c.queue, c.due, c.ivl, c.flags, c.left "
                "FROM cards c JOIN notes n ON n.id = c.nid"))
        answers: dict[int, list[AnkiAnswer]] = {}
        for row in conn.execute(f"SELECT cid, id, ease, ivl, MAX(0, time) FROM revlog "
                                f"WHERE {_ANSWER} ORDER BY id"):
            found = answers.get(row[0])
            if found is None:
                answers[row[0]] = [row]
            else:
                found.append(row)
        others = dict(conn.execute(f"SELECT cid, COUNT(*) FROM revlog WHERE NOT ({_ANSWER}) "
                                   "GROUP BY cid").fetchall())
    except (sqlite3.DatabaseError, TypeError) as exc:
        raise AnkiPackageError(f"{source} does not hold a readable Anki collection ({exc}). "
                               "Export it from Anki again (File > Export).") from None
    finally:
        conn.close()
    return AnkiCollection(created, cards, answers, others)
