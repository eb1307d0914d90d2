"""Anki's collection file as the export writes it is, row for row, what genanki's own writer
makes of the same notes: our bulk insert stands in for ``genanki.Note.write_to_db``, so a
genanki release that writes notes, cards or note types differently fails here."""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import genanki

from app.export.collection import create_indexes, write_collection
from app.export.note_types import note_types
from app.export.notes import Note, anki_deck_id, note_guid
from app.export.render import markdown_renderer
from app.model import Deck, DeckId

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DECK = Deck(id=DeckId("d"), title="D", version=1, topics=(), description="A *small* deck.")
ROOT = "D"
TOPIC = ("mlsd::topic::a", "mlsd::kind::qa")
NOTES = [
    Note("d/a/qa/0", False, ("Q **one**", "A `one`", "D &gt; A", "Notes *a*", ""), TOPIC,
         "D::A"),
    Note("d/a/qa/1", False, ("Q two", "", "", "", ""), TOPIC, "D::A"),  # no answer
    Note("d/a/qa/2", False, ("", "Answer only", "D &gt; A", "", ""), TOPIC, "D::A"),  # no prompt
    Note("d/b/cloze/0", True, ("{{c3::x}} and {{c1::y}}", "", "D &gt; B", "", ""),
         ("mlsd::topic::a::b",), "D::A::B"),
    Note("d/b/cloze/1", True, ("no cloze at all", "", "", "", ""), ("mlsd::topic::a::b",),
         "D::A::B"),
    Note("d/questions/q", False, ("### Q\n\nDesign it.", "1. Step", "D", "", ""),
         ("mlsd::question",), "D::Interview questions"),
]


def genankis_collection(path: Path) -> None:
    """The same notes written by genanki alone: Deck.add_note, Package.write_to_db."""
    render = markdown_renderer()
    basic, cloze = note_types()
    decks: dict[str, Any] = {}

    def deck(name: str) -> Any:
        if name not in decks:
            parent = name.rpartition("::")[0]
            if parent:
                deck(parent)
            decks[name] = genanki.Deck(anki_deck_id(name), name)
        return decks[name]

    deck(ROOT).description = render(DECK.description)
    for position, note in enumerate(NOTES, 1):
        fields = [render(f) if i in (0, 1, 3) else f for i, f in enumerate(note.fields)]
        deck(note.deck).add_note(genanki.Note(
            model=cloze if note.cloze else basic, fields=fields, tags=list(note.tags),
            guid=note_guid(note.key), due=position))
    conn = sqlite3.connect(path)
    timestamp = NOW.timestamp()
    genanki.Package(list(decks.values())).write_to_db(
        conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
    conn.commit()
    conn.close()


def contents(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        models, decks = conn.execute("SELECT models, decks FROM col").fetchone()
        return {
            "notes": conn.execute("SELECT * FROM notes ORDER BY id").fetchall(),
            "cards": conn.execute("SELECT * FROM cards ORDER BY id").fetchall(),
            "schema": conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                   "ORDER BY type, name").fetchall(),
            "models": json.loads(models),
            "decks": json.loads(decks),
        }
    finally:
        conn.close()


def test_notes_cards_note_types_and_decks_are_what_genanki_writes(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.anki2", tmp_path / "genanki.anki2"
    cards, decks, indexes = write_collection(ours, DECK, ROOT, deque(NOTES), NOW, 4, None, None)
    create_indexes(ours, indexes)
    genankis_collection(theirs)
    mine, genankis = contents(ours), contents(theirs)
    for part in ("notes", "cards", "schema", "models", "decks"):
        assert mine[part] == genankis[part], (
            f"the collection's {part} differ from genanki's own writer (genanki "
            f"{genanki.__version__}): app/export/collection.py copies Note.write_to_db's rows "
            "and must follow it")
    # The cases above are not vacuous: a note without an answer or a prompt still has its
    # card, the cloze note has c1 and c3 (ordinals 0 and 2) and a cloze note without clozes
    # none. Anki's "Default" deck is in the collection but not one of ours.
    assert cards == len(genankis["cards"]) == 6
    assert decks == len(genankis["decks"]) - 1 == 4
    ordinals = {guid: sorted(o for nid, o in ((c[1], c[3]) for c in mine["cards"])
                             if nid == note_id)
                for note_id, guid in ((n[0], n[1]) for n in mine["notes"])}
    assert ordinals[note_guid("d/b/cloze/0")] == [0, 2]
    assert ordinals[note_guid("d/b/cloze/1")] == []
    assert ordinals[note_guid("d/a/qa/1")] == ordinals[note_guid("d/a/qa/2")] == [0]
