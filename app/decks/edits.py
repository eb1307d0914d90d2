"""The user's edits applied to a deck: topic titles and explanations, hand-written and own cards.

Plain Python over :class:`~app.model.Deck`: the rows come from app/db/user_layer.py and the
result goes to the card generator like any deck, so the tree, the cards, review and the Anki
export all see the user's text. A card keeps its key (its ``id:`` or its position in the topic)
when its text is edited, so its card id, and with it its progress, stay the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from app.db.user_layer import UserEdit
from app.errors import AppError
from app.model import CLOZE, AuthoredCard, Deck, Topic, TopicId

__all__ = ["NOTES", "OWN_PREFIX", "TITLE", "Applied", "Conflict", "apply_edits", "card_item",
           "card_key", "check_card", "check_title", "decode_card", "encode_card", "key_of_item",
           "new_card_key", "own_item"]

TITLE = "title"
NOTES = "notes"
#: Keys of cards the user adds: ``mine-1``, ``mine-2`` ... (never reused: see new_card_key).
OWN_PREFIX = "mine-"
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def card_item(key: str) -> str:
    """The item of an edited hand-written card of the built-in deck."""
    return f"card:{key}"


def own_item(key: str) -> str:
    """The item of a card the user added."""
    return f"own:{key}"


def key_of_item(item: str) -> str:
    """The card key of a ``card:`` or ``own:`` item ("" for a title or notes item)."""
    kind, _, key = item.partition(":")
    return key if kind in ("card", "own") else ""


def card_key(card: AuthoredCard, index: int) -> str:
    """What a hand-written card's ids are made from: its ``id:``, else its position."""
    return card.id or str(index)


def encode_card(card: AuthoredCard) -> str:
    """A card's text as stored in the user layer (JSON; the id and line are not text)."""
    return json.dumps({"q": card.question, "a": card.answer, "cloze": card.cloze},
                      sort_keys=True, ensure_ascii=False)


def decode_card(text: str, key: str = "") -> AuthoredCard:
    data = json.loads(text)
    return AuthoredCard(question=str(data.get("q", "")), answer=str(data.get("a", "")),
                        cloze=str(data.get("cloze", "")), id=key)


def check_title(title: str) -> str:
    """A topic title as the deck format wants it: one non-empty line. Raises AppError."""
    shown = title.strip()
    if not shown:
        raise AppError("The title is empty; write a title.")
    if "\n" in shown:
        raise AppError("The title must fit on one line; put longer text in the explanation.")
    return shown


def check_card(card: AuthoredCard) -> AuthoredCard:
    """A card as the deck format wants it (stripped), or AppError naming what is missing."""
    if card.cloze.strip():
        if card.question.strip() or card.answer.strip():
            raise AppError("A card is either a question and answer or a cloze text, not both.")
        cloze = card.cloze.strip("\n").strip()
        if not CLOZE.search(cloze):
            raise AppError("The cloze text has no deletion; mark the hidden part as "
                           "{{c1::answer}}.")
        return replace(card, cloze=cloze)
    if not card.question.strip():
        raise AppError("The question is empty; write the front of the card.")
    if not card.answer.strip():
        raise AppError("The answer is empty; write the back of the card.")
    return replace(card, question=card.question.strip(), answer=card.answer.strip())


def new_card_key(taken: Iterable[str]) -> str:
    """The first ``mine-N`` not among ``taken`` (keys, or card ids ending in a key)."""
    used = set()
    for name in taken:
        for part in name.split("/"):
            if part.startswith(OWN_PREFIX):
                used.add(part)
    number = 1
    while f"{OWN_PREFIX}{number}" in used:
        number += 1
    return f"{OWN_PREFIX}{number}"


@dataclass(frozen=True)
class Conflict:
    """An edit whose built-in text changed since it was made: both texts, to choose from."""

    edit: UserEdit
    topic_title: str
    what: str  # "title", "explanation", "card 2"
    mine: str  # the user's text, as shown
    built_in: str  # the built-in text now, as shown ("" when the built-in item is gone)
    gone: bool = False


@dataclass(frozen=True)
class Applied:
    """The deck with the user's text, and per edit the built-in text when it moved under it."""

    deck: Deck
    #: (topic id, item, upstream) for every edit over built-in text: upstream is None while
    #: the built-in text is still the edit's base.
    upstream: tuple[tuple[str, str, str | None], ...]


def apply_edits(deck: Deck, edits: Sequence[UserEdit]) -> Applied:
    """``deck`` with ``edits`` applied; the user's text wins over changed built-in text.

    An edit of a topic that is gone from the deck is kept (it applies again if the topic comes
    back) but has nothing to apply to; an edited card whose built-in card is gone stays, as a
    card of the user's own with the same key.
    """
    by_topic: dict[str, list[UserEdit]] = {}
    for edit in edits:
        by_topic.setdefault(str(edit.topic_id), []).append(edit)
    upstream: list[tuple[str, str, str | None]] = []

    def rebuild(topics: tuple[Topic, ...]) -> tuple[Topic, ...]:
        out = []
        for topic in topics:
            children = rebuild(topic.children) if topic.children else ()
            if children != topic.children:
                topic = replace(topic, children=children)
            mine = by_topic.get(str(topic.id))
            if mine:
                topic = _apply_topic(topic, mine, upstream)
            out.append(topic)
        return tuple(out)

    if not by_topic:
        return Applied(deck, ())
    return Applied(replace(deck, topics=rebuild(deck.topics)), tuple(upstream))


def _moved(base: str | None, now: str) -> str | None:
    return None if base is None or base == now else now


def _apply_topic(topic: Topic, edits: list[UserEdit],
                 upstream: list[tuple[str, str, str | None]]) -> Topic:
    title, notes = topic.title, topic.notes
    cards = list(topic.cards)
    keys = {card_key(card, index): index for index, card in enumerate(cards)}
    own: list[AuthoredCard] = []
    for edit in edits:
        if edit.item == TITLE:
            upstream.append((str(topic.id), edit.item, _moved(edit.base, topic.title)))
            title = edit.value
        elif edit.item == NOTES:
            upstream.append((str(topic.id), edit.item, _moved(edit.base, topic.notes)))
            notes = edit.value
        elif edit.item.startswith("card:"):
            key = key_of_item(edit.item)
            index = keys.get(key)
            if index is None:  # the built-in card is gone: the user's text stays, as theirs
                upstream.append((str(topic.id), edit.item, _moved(edit.base, "")))
                own.append(decode_card(edit.value, key))
                continue
            built = cards[index]
            upstream.append((str(topic.id), edit.item, _moved(edit.base, encode_card(built))))
            cards[index] = replace(decode_card(edit.value, built.id), line=built.line)
        elif edit.item.startswith("own:"):
            own.append(decode_card(edit.value, key_of_item(edit.item)))
    return replace(topic, title=title, notes=notes, cards=(*cards, *own))


def conflict_of(edit: UserEdit, topic_title: str) -> Conflict:
    """How a conflicting edit is shown: what it is, the user's text and the built-in one."""
    assert edit.upstream is not None
    if edit.item in (TITLE, NOTES):
        what = "title" if edit.item == TITLE else "explanation"
        return Conflict(edit, topic_title, what, edit.value, edit.upstream)
    key = key_of_item(edit.item)
    what = f"card {int(key) + 1}" if key.isdigit() else f"card '{key}'"
    gone = edit.upstream == ""
    return Conflict(edit, topic_title, what, card_text(decode_card(edit.value)),
                    "" if gone else card_text(decode_card(edit.upstream)), gone=gone)


def card_text(card: AuthoredCard) -> str:
    """A card as one text to read: "Q: ... / A: ..." or its cloze."""
    return card.cloze if card.cloze else f"Q: {card.question}\nA: {card.answer}"


def topic_of(deck: Deck, topic_id: str) -> Topic | None:
    return next((topic for topic, _ in deck.walk() if topic.id == TopicId(topic_id)), None)
