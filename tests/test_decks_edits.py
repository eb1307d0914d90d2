"""Editing topics and cards: the built-in deck's user layer and user decks' files, end to end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from shared import DECK

from app.db import study
from app.db import user_layer as layer
from app.db.store import Store
from app.decks.editing import (
    card_of,
    conflicts,
    remove_card,
    resolve_conflict,
    save_card,
    save_topic,
    topic_text,
)
from app.decks.edits import apply_edits, card_item, encode_card, new_card_key
from app.decks.library import SHIPPED, USER, load_stored_deck, sync_decks
from app.decks.loader import load_path, load_text
from app.errors import AppError
from app.export.notes import note_guid
from app.export.package import export_deck
from app.model import AuthoredCard, DeckId, TopicId
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLOZE = "The {{c1::second}} letter is {{c2::B}}."


class Setup:
    """A deck folder synced into a store as built-in or user decks."""

    def __init__(self, folder: Path, data: Path, origin: str) -> None:
        self.folder, self.data, self.origin = folder, data, origin
        self.store = Store.open(data)

    @property
    def path(self) -> Path:
        return self.folder / "demo.yaml"

    def sync(self, now: datetime = T0) -> None:
        assert sync_decks(self.store, [(self.folder, self.origin)], now).problems == ()

    def reopen(self) -> None:
        self.store.close()
        self.store = Store.open(self.data)

    def topic(self, topic_id: str) -> tuple[str, str]:
        row = self.store.conn.execute("SELECT title, notes FROM topics WHERE deck_id = 'demo' "
                                      "AND id = ?", [topic_id]).fetchone()
        return row[0], row[1]

    def card(self, card_id: str) -> study.StudyCard:
        card = study.get_card(self.store, card_id)
        assert card is not None
        return card

    def answer(self, card_id: str, grade: Grade, at: datetime) -> None:
        card = self.card(card_id)
        after = Fsrs(SchedulerSettings(fuzz=False)).answer(card.state, grade, at)
        study.record_answer(self.store, card, grade, after, at, 5_000, None)

    def reviews(self, card_id: str) -> int:
        return int(self.store.conn.execute("SELECT COUNT(*) FROM review_log WHERE card_id = ?",
                                           [card_id]).fetchone()[0])


def make(tmp_path: Path, origin: str) -> Iterator[Setup]:
    folder = tmp_path / origin
    folder.mkdir()
    (folder / "demo.yaml").write_text(DECK, encoding="utf-8")
    setup = Setup(folder, tmp_path / "data", origin)
    setup.sync()
    yield setup
    setup.store.close()


@pytest.fixture
def built_in(tmp_path: Path) -> Iterator[Setup]:
    yield from make(tmp_path, SHIPPED)


@pytest.fixture
def user(tmp_path: Path) -> Iterator[Setup]:
    yield from make(tmp_path, USER)


# --- the built-in deck: the user's layer ---------------------------------------------------------

def test_a_topic_edit_reaches_the_tree_and_the_cards_and_survives_a_restart(
        built_in: Setup) -> None:
    save_topic(built_in.store, "demo", "bravo", title="Bravo, mine", notes="My notes.", now=T0)
    assert built_in.topic("bravo") == ("Bravo, mine", "My notes.")
    assert built_in.card("demo/bravo/explain").answer == "My notes."
    assert built_in.path.read_text(encoding="utf-8") == DECK  # the file is not touched
    built_in.reopen()
    built_in.sync(T0 + timedelta(days=1))  # an unchanged file: the store keeps the edit
    assert built_in.topic("bravo") == ("Bravo, mine", "My notes.")
    (built_in.path).write_text(DECK.replace("version: 1", "version: 2"), encoding="utf-8")
    built_in.sync(T0 + timedelta(days=2))  # a new version read again: the layer is applied
    assert built_in.topic("bravo") == ("Bravo, mine", "My notes.")
    assert conflicts(built_in.store) == []
    text = topic_text(built_in.store, "demo", "bravo")
    assert (text.title, text.notes, text.built_in) == ("Bravo, mine", "My notes.", True)


def test_setting_the_built_in_text_again_drops_the_edit(built_in: Setup) -> None:
    save_topic(built_in.store, "demo", "bravo", title="Other", notes="Bravo notes.", now=T0)
    assert [e.item for e in layer.edits(built_in.store, "demo")] == ["title"]
    save_topic(built_in.store, "demo", "bravo", title="Bravo", notes="Bravo notes.", now=T0)
    assert layer.edits(built_in.store, "demo") == []


def test_an_own_cloze_card_is_studied_edited_and_keeps_its_progress(built_in: Setup) -> None:
    key = save_card(built_in.store, "demo", "bravo", None, AuthoredCard(cloze=CLOZE), now=T0)
    assert key == "mine-1"
    first, second = "demo/bravo/cloze/mine-1/c1", "demo/bravo/cloze/mine-1/c2"
    assert built_in.card(first).prompt == "The [...] letter is B."
    built_in.answer(first, Grade.GOOD, T0 + timedelta(minutes=1))
    state = built_in.card(first).state
    assert state.reps == 1
    save_card(built_in.store, "demo", "bravo", key,
              AuthoredCard(cloze="The {{c1::second}} letter of the alphabet is {{c2::B}}."),
              now=T0 + timedelta(minutes=2))
    edited = built_in.card(first)
    assert edited.prompt == "The [...] letter of the alphabet is B."
    assert (edited.state, built_in.reviews(first)) == (state, 1)
    assert built_in.card(second).state.reps == 0
    built_in.reopen()
    built_in.sync(T0 + timedelta(days=1))
    assert built_in.card(first).state == state
    assert [c.key for c in topic_text(built_in.store, "demo", "bravo").cards] == ["0", "mine-1"]


def test_a_new_card_never_takes_the_id_of_a_deleted_one(built_in: Setup) -> None:
    save_card(built_in.store, "demo", "bravo", None, AuthoredCard(question="Q1", answer="A1"),
              now=T0)
    built_in.answer("demo/bravo/qa/mine-1", Grade.GOOD, T0)
    remove_card(built_in.store, "demo", "bravo", "mine-1", now=T0)
    assert study.get_card(built_in.store, "demo/bravo/qa/mine-1") is not None  # retired, kept
    key = save_card(built_in.store, "demo", "bravo", None, AuthoredCard(question="Q2",
                                                                         answer="A2"), now=T0)
    assert key == "mine-2"
    assert built_in.card("demo/bravo/qa/mine-2").state.reps == 0


def test_an_edited_built_in_card_keeps_its_id_and_built_in_cards_cannot_be_deleted(
        built_in: Setup) -> None:
    built_in.answer("demo/bravo/qa/0", Grade.GOOD, T0)
    state = built_in.card("demo/bravo/qa/0").state
    save_card(built_in.store, "demo", "bravo", "0",
              AuthoredCard(question="What is B, really?", answer="The second letter."), now=T0)
    card = built_in.card("demo/bravo/qa/0")
    assert (card.prompt, card.state) == ("What is B, really?", state)
    remove_card(built_in.store, "demo", "bravo", "0", now=T0)  # takes the edit back
    assert built_in.card("demo/bravo/qa/0").prompt == "What is B?"
    with pytest.raises(AppError, match="built-in deck and cannot be deleted"):
        remove_card(built_in.store, "demo", "bravo", "0", now=T0)


def test_an_upgrade_that_changes_the_text_under_an_edit_is_a_conflict_theirs_win(
        built_in: Setup) -> None:
    save_topic(built_in.store, "demo", "bravo", title="Bravo", notes="My notes.", now=T0)
    save_card(built_in.store, "demo", "bravo", "0", AuthoredCard(question="Mine?", answer="Yes"),
              now=T0)
    upgraded = DECK.replace("version: 1", "version: 2").replace(
        "notes: Bravo notes.", "notes: Better bravo notes.").replace(
        "What is B?", "What is the letter B?")
    built_in.path.write_text(upgraded, encoding="utf-8")
    built_in.sync(T0 + timedelta(days=1))
    assert built_in.topic("bravo") == ("Bravo", "My notes.")  # the user's text still wins
    assert built_in.card("demo/bravo/qa/0").prompt == "Mine?"
    found = {c.what: c for c in conflicts(built_in.store)}
    assert set(found) == {"explanation", "card 1"}
    assert (found["explanation"].mine, found["explanation"].built_in) == (
        "My notes.", "Better bravo notes.")
    assert found["card 1"].built_in == "Q: What is the letter B?\nA: The second letter."
    assert [c.what for c in topic_text(built_in.store, "demo", "bravo").conflicts] == [
        "card 1", "explanation"]

    resolve_conflict(built_in.store, found["explanation"].edit, keep_mine=True, now=T0)
    resolve_conflict(built_in.store, found["card 1"].edit, keep_mine=False, now=T0)
    assert conflicts(built_in.store) == []
    assert built_in.topic("bravo") == ("Bravo", "My notes.")
    assert built_in.card("demo/bravo/qa/0").prompt == "What is the letter B?"
    built_in.sync(T0 + timedelta(days=2))
    assert conflicts(built_in.store) == []  # kept: the new built-in text is its base now


def test_the_user_layer_goes_into_the_anki_export(built_in: Setup, tmp_path: Path) -> None:
    save_topic(built_in.store, "demo", "bravo", title="Bravo, mine", notes="Mine.", now=T0)
    save_card(built_in.store, "demo", "bravo", None, AuthoredCard(cloze=CLOZE), now=T0)
    deck = load_stored_deck(built_in.store, "demo")
    result = export_deck(built_in.store, deck, tmp_path / "out.apkg", now=T0)
    col = Collection(str(tmp_path / "anki.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(result.path), options=ImportAnkiPackageOptions(merge_notetypes=True)))
        assert col.db is not None
        ids = col.db.list("SELECT id FROM notes WHERE guid = ?",
                          note_guid("demo/bravo/cloze/mine-1"))
        assert len(ids) == 1  # one cloze note for both of its cards
        note = col.get_note(ids[0])
        assert "{{c1::second}}" in note.fields[0] and "{{c2::B}}" in note.fields[0]
        assert len(note.cards()) == 2
        names = {d.name for d in col.decks.all_names_and_ids()}
        assert "Demo::Bravo, mine" in names
    finally:
        col.close()


def test_apply_edits_is_plain_and_reports_the_moved_base() -> None:
    deck = load_text(DECK)
    edits = [layer.UserEdit(DeckId("demo"), TopicId("bravo"), "title", "New", "Old title"),
             layer.UserEdit(DeckId("demo"), TopicId("bravo"), card_item("7"),
                            encode_card(AuthoredCard(question="Gone?", answer="Kept")),
                            encode_card(AuthoredCard(question="Gone?", answer="x")))]
    applied = apply_edits(deck, edits)
    bravo = next(t for t, _ in applied.deck.walk() if t.id == "bravo")
    assert bravo.title == "New"
    assert [(c.id, c.question) for c in bravo.cards] == [("", "What is B?"), ("7", "Gone?")]
    assert applied.upstream == (("bravo", "title", "Bravo"), ("bravo", "card:7", ""))
    assert new_card_key(["demo/bravo/qa/mine-1", "mine-2", "0"]) == "mine-3"
    assert card_of("demo/bravo/cloze/mine-1/c2") == ("demo", "bravo", "mine-1")
    assert card_of("demo/bravo/qa/0") == ("demo", "bravo", "0")
    assert card_of("demo/bravo/explain") is None


# --- user decks: the file is rewritten ----------------------------------------------------------

def test_a_user_deck_edit_rewrites_its_file_and_keeps_progress(user: Setup) -> None:
    user.answer("demo/bravo/qa/0", Grade.GOOD, T0)
    state = user.card("demo/bravo/qa/0").state
    save_topic(user.store, "demo", "alpha", title="Alpha", notes="New alpha notes.", now=T0)
    save_card(user.store, "demo", "bravo", "0", AuthoredCard(question="What is B now?",
                                                             answer="Still second."), now=T0)
    key = save_card(user.store, "demo", "bravo", None, AuthoredCard(cloze=CLOZE), now=T0)
    text = user.path.read_text(encoding="utf-8")
    assert "ordered: true  # its children are asked in order (enum cards)" in text
    deck = load_path(user.path)  # check-deck passes
    bravo = next(t for t, _ in deck.walk() if t.id == "bravo")
    assert [(c.id, c.question or c.cloze) for c in bravo.cards] == [
        ("", "What is B now?"), (key, CLOZE)]
    assert user.topic("alpha") == ("Alpha", "New alpha notes.")
    card = user.card("demo/bravo/qa/0")
    assert (card.prompt, card.state) == ("What is B now?", state)
    assert user.card(f"demo/bravo/cloze/{key}/c2").answer == "The second letter is **B**."
    assert layer.edits(user.store, "demo") == []  # a user deck keeps no layer
    user.reopen()
    user.sync(T0 + timedelta(days=1))
    assert user.card("demo/bravo/qa/0").state == state


def test_the_deck_an_edit_wrote_is_read_without_parsing_it_again(
        user: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """The editor has parsed and checked the file it writes: the next read of the deck (the
    next editor, the question bank) takes that, where a big deck took seconds to parse."""
    from app.decks import loader

    save_topic(user.store, "demo", "alpha", title="Alpha, kept", notes="Kept notes.", now=T0)

    def parse_again(text: str, source: str = "") -> object:
        raise AssertionError(f"{source} was parsed again")

    monkeypatch.setattr(loader, "load_text", parse_again)
    alpha = next(t for t, _ in load_stored_deck(user.store, "demo").walk() if t.id == "alpha")
    assert (alpha.title, alpha.notes) == ("Alpha, kept", "Kept notes.")
    user.path.write_text(DECK, encoding="utf-8")  # changed by hand: read and parsed anew
    with pytest.raises(AssertionError, match="parsed again"):
        load_stored_deck(user.store, "demo")


def test_a_user_deck_that_no_longer_loads_is_not_written(user: Setup) -> None:
    broken = DECK.replace("  version: 1\n", "")
    user.path.write_text(broken, encoding="utf-8")
    with pytest.raises(AppError, match=r"would not load.*missing 'version'"):
        save_topic(user.store, "demo", "bravo", title="B", notes="", now=T0)
    assert user.path.read_text(encoding="utf-8") == broken
    assert list(user.folder.iterdir()) == [user.path]  # no temporary file left behind


def test_bad_card_text_is_refused_with_what_is_missing(user: Setup) -> None:
    with pytest.raises(AppError, match="no deletion"):
        save_card(user.store, "demo", "bravo", None, AuthoredCard(cloze="no gap"), now=T0)
    with pytest.raises(AppError, match="answer is empty"):
        save_card(user.store, "demo", "bravo", None, AuthoredCard(question="Q?"), now=T0)
    with pytest.raises(AppError, match="one line"):
        save_topic(user.store, "demo", "bravo", title="two\nlines", notes="", now=T0)
    assert user.path.read_text(encoding="utf-8") == DECK


def test_deleting_a_user_card_keeps_the_ids_of_the_cards_after_it(user: Setup) -> None:
    save_card(user.store, "demo", "bravo", None, AuthoredCard(question="Q2", answer="A2"),
              now=T0)
    user.answer("demo/bravo/qa/mine-1", Grade.GOOD, T0)
    remove_card(user.store, "demo", "bravo", "0", now=T0)
    assert user.card("demo/bravo/qa/mine-1").state.reps == 1
    assert [c.key for c in topic_text(user.store, "demo", "bravo").cards] == ["mine-1"]


def test_an_imported_deck_says_a_new_import_replaces_the_edits(user: Setup) -> None:
    assert topic_text(user.store, "demo", "bravo").imported_from is None
    user.path.write_text("# Imported from a Markdown outline by MLSD Study. Edit the outline\n"
                         "# source: notes.md\n" + DECK, encoding="utf-8")
    user.sync(T0 + timedelta(days=1))
    assert topic_text(user.store, "demo", "bravo").imported_from == "notes.md"
