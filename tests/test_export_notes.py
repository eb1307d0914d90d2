"""Stable ids of the export: note GUIDs and note type ids never change between releases, or a
re-import makes new notes and note types instead of updating the old ones; deck ids neither,
so the same deck exports to the same package in every release."""

from __future__ import annotations

from pathlib import Path

import genanki

from app.db.store import StoredTopic
from app.decks.loader import load_path
from app.export.note_types import BASIC_MODEL_ID, CLOZE_MODEL_ID
from app.export.notes import DeckTree, anki_deck_id, note_guid

SHIPPED_DECK = Path(__file__).resolve().parent.parent / "decks" / "ml-system-design.yaml"


def test_deck_ids_are_the_released_ones() -> None:
    # The values every release so far has written (current Anki matches decks by name on
    # import, older importers and genanki's guidance go by id).
    assert anki_deck_id("Demo : deck") == 1300637985
    assert anki_deck_id("Demo : deck::Step 2 Metrics") == 1656631666
    assert anki_deck_id("Machine Learning System Design") == 1594213102


def test_distinct_deck_names_give_distinct_ids_in_genankis_range() -> None:
    names = ["A", "a", "A ", "A::B", "B::A", "A::B::C", "A::b", "Step 1", "Step 1 "]
    ids = [anki_deck_id(name) for name in names]
    assert len(set(ids)) == len(names)
    assert all((1 << 30) <= i < (1 << 31) for i in ids)


def test_every_deck_of_the_shipped_deck_has_its_own_id() -> None:
    deck = load_path(SHIPPED_DECK)
    topics = [StoredTopic(deck.id, topic.id, parents[-1].id if parents else None, position,
                          topic.title, topic.notes, topic.step, False, False)
              for position, (topic, parents) in enumerate(deck.walk())]
    tree = DeckTree(deck, topics)
    names = [tree.root, *tree.names.values()]
    assert len(names) == len(topics) + 1 > 300
    assert len({anki_deck_id(name) for name in names}) == len(set(names)) == len(names)


def test_note_type_ids_are_fixed() -> None:
    assert (BASIC_MODEL_ID, CLOZE_MODEL_ID) == (1301562504, 1194083461)


def test_note_guid_is_genankis_guid_and_the_released_one() -> None:
    keys = ["", "a", "deck/topic/qa/1", "deck/topic/cloze/c7", "ünïcode/键"]
    for key in [*keys, *map(str, range(500))]:
        assert note_guid(key) == genanki.guid_for(key)
    assert note_guid("demo/s1/qa/0") == "QZF^|B}Oh0"
    assert note_guid("demo/s1/cloze/1") == "vG/4FtL^b<"

