"""Anki's collection file (collection.anki2) for the notes of an export.

Every statement here is against Anki's own SQLite schema in a scratch file that genanki creates,
never against our store: genanki writes the schema, the collection row, note types and decks,
and we insert the notes and cards in bulk.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.export.note_types import card_ords, note_types
from app.export.notes import Note, anki_deck_id, note_guid, source_html
from app.export.render import markdown_renderer
from app.model import Deck

__all__ = ["CREATED", "DAY_MS", "create_indexes", "write_collection"]

#: The package's collection was "created" on this day (creationOffset 0: Anki reads the date in
#: UTC, whatever the importing machine's zone); review due days count from it.
CREATED = datetime(2014, 9, 19, 12, tzinfo=UTC)
DAY_MS = 86_400_000

_MARKDOWN_FIELDS = (0, 1)
_EXPLANATION = 3  # Markdown too; the same for every card of a topic, so rendered once


def write_collection(path: Path, deck: Deck, root: str, notes: deque[Note], now: datetime,
                     rollover: int, progress: Callable[[int, int], None] | None,
                     placed: dict[str, tuple[tuple[int, str], ...]] | None
                     ) -> tuple[int, int, list[str]]:
    """genanki's collection in the file ``path``; (Anki cards, Anki decks) written, and the
    statements that create its indexes: they are left out until :func:`create_indexes`.

    ``notes`` is consumed, so each note's Markdown is released once it is rendered; ``placed``,
    if given, gets each note's GUID -> (ordinal, our card id) pairs.

    genanki writes the schema, the collection row, the note types and the decks; the notes and
    cards we insert ourselves, row for row what ``genanki.Note.write_to_db`` would write (same
    ids, in deck order, same columns), in two ``executemany`` calls: genanki's per-note objects
    and statements were half of an export's time. ``Package.write_to_file`` would build the
    collection in a ``tempfile.mkstemp`` file that it never deletes, and zip it uncompressed;
    we call ``write_to_db`` on our own file instead.
    """
    import genanki

    render = markdown_renderer()
    basic, cloze = note_types()
    decks: dict[str, Any] = {}
    # Anki deck name -> its notes as (guid, model id, tags, fields, sort field, ords, due).
    rows: dict[str, list[tuple[str, int, str, str, str, list[int], int]]] = {}

    def anki_deck(name: str) -> Any:
        if name not in decks:
            parent, _, _ = name.rpartition("::")
            if parent:
                anki_deck(parent)  # parents first, each with its own stable id
            decks[name] = genanki.Deck(anki_deck_id(name), name)
            rows[name] = []
        return decks[name]

    credit = source_html(deck)
    anki_deck(root).description = render(deck.description) + (
        f"\n<p>{credit}</p>" if credit else "")
    ords_of = {basic.model_id: card_ords(basic), cloze.model_id: card_ords(cloze)}
    explanations: dict[str, str] = {}
    tag_text: dict[tuple[str, ...], str] = {}
    total = len(notes)
    if progress is not None:
        progress(0, total)
    cards = 0
    for done in range(1, total + 1):
        note = notes.popleft()
        fields = list(note.fields)
        for index in _MARKDOWN_FIELDS:
            fields[index] = render(fields[index])
        notes_text = fields[_EXPLANATION]
        if notes_text not in explanations:
            explanations[notes_text] = render(notes_text)
        fields[_EXPLANATION] = explanations[notes_text]
        tags = tag_text.get(note.tags)
        if tags is None:
            tags = tag_text[note.tags] = _tags_column(note.tags)
        # due: a new card's position, so Anki introduces new cards in outline order.
        guid = note_guid(note.key)
        model = cloze if note.cloze else basic
        ords = ords_of[model.model_id](fields)
        if placed is not None:
            placed[guid] = note.cards
        cards += len(ords)
        target = anki_deck(note.deck)
        target.add_model(model)  # genanki writes the note types of each deck's notes
        rows[note.deck].append((guid, model.model_id, tags, "\x1f".join(fields),
                                fields[model.sort_field_index], ords, done))
        if progress is not None:
            progress(done, total)

    timestamp = now.timestamp()
    conn = sqlite3.connect(path)
    try:
        # A scratch file: no journal, no syncing until it is complete and zipped.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        cursor = conn.cursor()
        ids = itertools.count(int(timestamp * 1000))
        genanki.Package(list(decks.values())).write_to_db(cursor, timestamp, ids)
        indexes = _drop_indexes(cursor)
        _insert_notes(cursor, decks, rows, int(timestamp), ids)
        (conf_text,) = cursor.execute("SELECT conf FROM col").fetchone()
        conf = json.loads(conf_text)
        # Scheduler v2 with explicit day handling: Anki then neither converts the review log
        # as if written by the old 3-button scheduler nor guesses days from the machine's zone.
        conf.update({"schedVer": 2, "creationOffset": 0, "rollover": rollover})
        cursor.execute("UPDATE col SET crt = ?, conf = ?",
                       [int(CREATED.timestamp()), json.dumps(conf)])
        conn.commit()
    finally:
        conn.close()
    return cards, len(decks), indexes


def _drop_indexes(cursor: sqlite3.Cursor) -> list[str]:
    """Drop genanki's indexes; the statements that make them again, in schema order."""
    found = cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                           "AND sql IS NOT NULL ORDER BY rowid").fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def _insert_notes(cursor: sqlite3.Cursor, decks: dict[str, Any],
                  rows: dict[str, list[tuple[str, int, str, str, str, list[int], int]]],
                  mod: int, ids: Iterator[int]) -> None:
    """The notes and cards as genanki writes them: deck by deck, a note's id then its cards'."""
    note_rows: list[tuple[int, str, int, int, str, str, str]] = []
    card_rows: list[tuple[int, int, int, int, int, int]] = []
    for name, written in rows.items():
        deck_id = decks[name].deck_id
        for guid, model_id, tags, flds, sfld, ords, due in written:
            note_id = next(ids)
            note_rows.append((note_id, guid, model_id, mod, tags, flds, sfld))
            for ordinal in ords:
                card_rows.append((next(ids), note_id, deck_id, ordinal, mod, due))
        written.clear()
    cursor.executemany("INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, 0, 0, '')",
                       note_rows)
    note_rows.clear()
    cursor.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, "
                       "0, 0, 0, '')", card_rows)


def _tags_column(tags: tuple[str, ...]) -> str:
    """A note's tags as genanki writes them; it refuses a tag with a space, and so do we."""
    for tag in tags:
        if " " in tag:
            raise ValueError(f'Tag "{tag}" contains a space; this is not allowed!')
    return " " + " ".join(tags) + " "


def create_indexes(collection: Path, indexes: list[str]) -> None:
    """Create the collection's indexes, once its rows are all written.

    Rows go in in key order and each index is built in one sorted pass, so the file comes out
    packed (as a VACUUM would leave it: the package compresses about a fifth smaller) without
    rewriting the whole database.
    """
    conn = sqlite3.connect(collection)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        for sql in indexes:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()
