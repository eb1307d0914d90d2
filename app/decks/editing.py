"""Editing a topic in the app: its title, explanation and hand-written cards, and own cards.

A user deck's file is rewritten atomically with the change spliced in (app/decks/yaml_edit.py),
after the new text has loaded as a valid deck holding exactly the change; the built-in deck's
file is replaced on upgrades, so there the change goes to the user's layer in the database
(app/db/user_layer.py, applied by app/decks/edits.py). Either way the deck is synced at once, so
the tree, review and export see it; a card's id does not depend on its text, so an edited card
keeps its schedule and history.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from app.db import user_layer
from app.db.store import Store, StoredDeck
from app.db.user_layer import UserEdit
from app.decks.edits import (
    NOTES,
    TITLE,
    Conflict,
    apply_edits,
    card_item,
    card_key,
    check_card,
    check_title,
    conflict_of,
    encode_card,
    new_card_key,
    own_item,
    topic_of,
)
from app.decks.library import SHIPPED, deck_hash, load_stored_deck, remember_parsed
from app.errors import AppError, DeckError
from app.files import deck_read_limit, read_capped, write_atomic
from app.model import AuthoredCard, Deck, DeckId, Topic, TopicId

__all__ = ["EditableCard", "TopicText", "card_of", "conflicts", "layered", "remove_card",
           "resolve_conflict", "save_card", "save_topic", "topic_text"]

#: ``deck/topic/qa/key`` or ``deck/topic/cloze/key/cN``: the hand-written cards' ids.
_AUTHORED_ID = re.compile(r"^(?P<deck>[^/]+)/(?P<topic>[^/]+)/(?:qa/(?P<qa>[^/]+)|"
                          r"cloze/(?P<cloze>[^/]+)/c\d+)$")


@dataclass(frozen=True)
class EditableCard:
    """A hand-written card of a topic as the editor shows it."""

    key: str  # what its card ids are made from: its id: or its position
    card: AuthoredCard
    own: bool  # the user's: any card of a user deck, an added card of the built-in one
    edited: bool = False  # a built-in card with the user's text


@dataclass(frozen=True)
class TopicText:
    """What the editor shows of a topic: its text, its hand-written cards, and where it lives."""

    deck_id: DeckId
    topic_id: TopicId
    title: str
    notes: str
    cards: tuple[EditableCard, ...]
    built_in: bool
    path: str
    conflicts: tuple[Conflict, ...] = ()
    #: The outline a user deck was imported from ("" if it does not say); None when it was not.
    imported_from: str | None = None


def card_of(card_id: str) -> tuple[DeckId, TopicId, str] | None:
    """(deck, topic, key) of a hand-written card's id; None for a generated card."""
    match = _AUTHORED_ID.match(card_id)
    if match is None:
        return None
    return DeckId(match["deck"]), TopicId(match["topic"]), match["qa"] or match["cloze"]


def _stored(store: Store, deck_id: str) -> StoredDeck:
    for stored in store.decks():
        if stored.id == deck_id:
            return stored
    raise AppError(f"No deck '{deck_id}' is loaded.")


def _deck(store: Store, deck_id: str, *, user_layer: bool = True) -> Deck:
    """:func:`load_stored_deck` for the editors: a deck file that cannot be read or no longer
    loads is said so, with what to do."""
    try:
        return load_stored_deck(store, deck_id, user_layer=user_layer)
    except DeckError as error:
        raise AppError(f"Cannot read the deck file: {error}. Put the file back or mend it "
                       "(`mlsd-study check-deck FILE` names what is wrong), then try again; "
                       "nothing was changed.") from None


def _topic(deck: Deck, topic_id: str) -> Topic:
    topic = topic_of(deck, topic_id)
    if topic is None:
        raise AppError(f"No topic '{topic_id}' in the deck '{deck.title}'.")
    return topic


def layered(store: Store, deck: Deck, *, record: bool = False) -> Deck:
    """The built-in ``deck`` with the user's layer applied; ``record`` stores which edits the
    built-in text moved under (done when the deck is synced, as after an upgrade)."""
    edits = user_layer.edits(store, deck.id)
    if not edits:
        return deck
    applied = apply_edits(deck, edits)
    if record:
        user_layer.record_upstream(store, deck.id, applied.upstream)
    return applied.deck


def topic_text(store: Store, deck_id: str, topic_id: str) -> TopicText:
    """The topic as the editor shows it (the user's text where they changed it)."""
    stored = _stored(store, deck_id)
    built_in = stored.origin == SHIPPED
    deck = _deck(store, deck_id)
    topic = _topic(deck, topic_id)
    edits = {e.item: e for e in user_layer.edits(store, deck_id) if e.topic_id == topic_id} \
        if built_in else {}
    cards = []
    for index, card in enumerate(topic.cards):
        key = card_key(card, index)
        own = not built_in or own_item(key) in edits
        cards.append(EditableCard(key, card, own, edited=card_item(key) in edits))
    found = tuple(conflict_of(e, topic.title) for e in edits.values() if e.upstream is not None)
    origin = None
    if not built_in:
        from app.outline.deck_file import imported_from

        origin = imported_from(_read(stored.path)[:4096].decode("utf-8", "replace"))
    return TopicText(DeckId(deck_id), TopicId(topic_id), topic.title, topic.notes, tuple(cards),
                     built_in, stored.path, found, origin)


def save_topic(store: Store, deck_id: str, topic_id: str, *, title: str, notes: str,
               now: datetime) -> None:
    """Give the topic this title and explanation. Raises AppError (nothing saved)."""
    from app.decks import yaml_edit  # YAML stays off the start-up path
    title = check_title(title)
    notes = notes.strip()
    stored = _stored(store, deck_id)
    if stored.origin != SHIPPED:
        _rewrite(store, stored, topic_id, now,
                 lambda text: yaml_edit.set_topic_text(text, topic_id, title=title, notes=notes),
                 lambda deck: _topic(deck, topic_id).title == title
                 and _topic(deck, topic_id).notes == notes)
        return
    built = _topic(_deck(store, deck_id, user_layer=False), topic_id)
    for item, value, base in ((TITLE, title, built.title), (NOTES, notes, built.notes)):
        _keep(store, deck_id, topic_id, item, value, base, now)
    _resync_built_in(store, stored, now)


def _keep(store: Store, deck_id: str, topic_id: str, item: str, value: str, base: str,
          now: datetime) -> None:
    """Store the user's text over built-in ``base``; the built-in text itself needs no row."""
    current = {e.item: e for e in user_layer.edits(store, deck_id) if e.topic_id == topic_id}
    edit = current.get(item)
    if value == base and (edit is None or edit.upstream is None):
        if edit is not None:
            user_layer.delete_edit(store, deck_id, topic_id, item)
        return
    if edit is None or edit.value != value:
        user_layer.save_edit(store, deck_id, topic_id, item, value, base, now)


def save_card(store: Store, deck_id: str, topic_id: str, key: str | None, card: AuthoredCard,
              now: datetime) -> str:
    """Save a hand-written card's new text (``key``) or add the user's own card (None); its key.

    An edited card keeps its key, so its card ids and progress stay. Raises AppError.
    """
    from app.decks import yaml_edit

    card = check_card(card)
    stored = _stored(store, deck_id)
    deck = _deck(store, deck_id)
    topic = _topic(deck, topic_id)
    keys = [card_key(c, i) for i, c in enumerate(topic.cards)]
    if key is not None and key not in keys:
        raise AppError(f"Topic '{topic.title}' has no card '{key}' any more; reload it.")
    if key is None:
        key = new_card_key([*keys, *user_layer.card_ids(store, deck_id, topic_id)])
    text = replace(card, id="", line=0)
    if stored.origin != SHIPPED:
        if key in keys:
            index = keys.index(key)
            _rewrite(store, stored, topic_id, now,
                     lambda source: yaml_edit.set_card(source, topic_id, index, text),
                     lambda new: _same_card(_topic(new, topic_id).cards[index:index + 1], text))
        else:
            _rewrite(store, stored, topic_id, now,
                     lambda source: yaml_edit.add_card(source, topic_id, replace(text, id=key)),
                     lambda new: _same_card(_topic(new, topic_id).cards[-1:], text))
        return key
    raw = _topic(_deck(store, deck_id, user_layer=False), topic_id)
    built = {card_key(c, i): c for i, c in enumerate(raw.cards)}
    if key in built:
        _keep(store, deck_id, topic_id, card_item(key), encode_card(text),
              encode_card(built[key]), now)
    else:
        user_layer.save_edit(store, deck_id, topic_id, own_item(key), encode_card(text), None,
                             now, user_layer.next_position(store, deck_id, topic_id))
    _resync_built_in(store, stored, now)
    return key


def _same_card(found: tuple[AuthoredCard, ...], card: AuthoredCard) -> bool:
    return len(found) == 1 and (found[0].question, found[0].answer, found[0].cloze) == (
        card.question, card.answer, card.cloze)


def remove_card(store: Store, deck_id: str, topic_id: str, key: str, now: datetime) -> None:
    """Delete a card of the user's (the built-in deck's cards are not theirs to delete: there
    this takes back an edit, and the built-in text shows again)."""
    from app.decks import yaml_edit

    stored = _stored(store, deck_id)
    if stored.origin != SHIPPED:
        topic = _topic(_deck(store, deck_id), topic_id)
        keys = [card_key(c, i) for i, c in enumerate(topic.cards)]
        if key not in keys:
            raise AppError(f"Topic '{topic.title}' has no card '{key}' any more; reload it.")
        index = keys.index(key)
        _rewrite(store, stored, topic_id, now,
                 lambda text: yaml_edit.delete_card(text, topic_id, index),
                 lambda new: len(_topic(new, topic_id).cards) == len(keys) - 1)
        return
    if not (user_layer.delete_edit(store, deck_id, topic_id, own_item(key))
            or user_layer.delete_edit(store, deck_id, topic_id, card_item(key))):
        raise AppError("That card is part of the built-in deck and cannot be deleted; suspend "
                       "it instead.")
    _resync_built_in(store, stored, now)


def conflicts(store: Store) -> list[Conflict]:
    """Edits of the built-in deck whose built-in text changed since (theirs still shown)."""
    found = []
    titles: dict[str, dict[str, str]] = {}
    for edit in user_layer.conflicts(store):
        if edit.deck_id not in titles:
            try:
                deck = load_stored_deck(store, edit.deck_id, user_layer=False)
            except DeckError:
                continue
            titles[edit.deck_id] = {str(t.id): t.title for t, _ in deck.walk()}
        found.append(conflict_of(edit, titles[edit.deck_id].get(edit.topic_id, edit.topic_id)))
    return found


def resolve_conflict(store: Store, edit: UserEdit, *, keep_mine: bool, now: datetime) -> None:
    """Keep the user's text (the new built-in text becomes its base) or take the built-in one
    (the edit goes; an edited card keeps its id and progress either way)."""
    if keep_mine:
        user_layer.keep_mine(store, edit.deck_id, edit.topic_id, edit.item)
    else:
        user_layer.delete_edit(store, edit.deck_id, edit.topic_id, edit.item)
    _resync_built_in(store, _stored(store, edit.deck_id), now)


def _read(path: str) -> bytes:
    try:
        return read_capped(path, deck_read_limit())
    except OSError as exc:
        raise AppError(f"Cannot read the deck file {path}: {exc.strerror or exc}.") from None


def _resync_built_in(store: Store, stored: StoredDeck, now: datetime) -> None:
    from app.decks.cards import generate_cards

    data = _read(stored.path)
    deck = layered(store, load_stored_deck(store, stored.id, user_layer=False), record=True)
    store.sync_deck(deck, content_hash=deck_hash(data), origin=SHIPPED, now=now,
                    cards=generate_cards(deck))


def _rewrite(store: Store, stored: StoredDeck, topic_id: str, now: datetime,
             change: Callable[[str], str], check: Callable[[Deck], bool]) -> None:
    """Splice a change into a user deck's file, load the result, check it holds the change,
    then replace the file atomically and sync the deck. On any failure nothing is written."""
    from app.decks import yaml_edit
    from app.decks.cards import generate_cards
    from app.decks.loader import decode, load_text

    path = stored.path
    text = decode(_read(path), path)
    try:
        new_text = change(text)
        deck = load_text(new_text, path)
    except DeckError as error:
        raise AppError(f"The edit was not saved: the deck file would not load ({error}). "
                       "Nothing was written.") from None
    except yaml_edit.YamlEditError as error:
        raise AppError(f"The edit was not saved: {error.message} ({path})") from None
    if deck.id != stored.id or not check(deck):
        raise AppError(f"The edit was not saved: {path} could not take it where it stands (the "
                       "file may use a layout the editor does not handle). Nothing was "
                       "written; edit the file by hand.")
    data = new_text.encode("utf-8")
    try:
        write_atomic(Path(path), data)
    except OSError as exc:
        raise AppError(f"Cannot write the deck file {path}: {exc.strerror or exc}; nothing was "
                       "changed. Check that the decks folder is writable.") from None
    remember_parsed(path, data, deck)
    store.sync_deck(deck, content_hash=deck_hash(data), origin=stored.origin, now=now,
                    cards=generate_cards(deck))
