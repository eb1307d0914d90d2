"""The notes an export writes, in outline order, with their Anki decks, tags and stable ids.

One note per card (one per cloze text whose cards are all there) or interview question; the
deck tree gives Anki deck names and tags; GUIDs and deck ids never change between exports.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass

from app.db.export import active_cards, cloze_cards
from app.db.store import Store, StoredTopic
from app.model import CLOZE, Deck, TopicId, step_label

__all__ = ["QUESTIONS_DECK", "TAG", "DeckTree", "Note", "Schedule", "anki_deck_id", "build_notes",
           "note_guid", "source_html"]

TAG = "mlsd"
QUESTIONS_DECK = "Interview questions"

_CLOZE_CARD = re.compile(r"^(?P<note>.+)/c(?P<number>\d+)$")


# genanki's (and Anki's) base-91 alphabet for GUIDs.
_BASE91 = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
           "!#$%&()*+,-./:;<=>?@[]^_`{|}~")
_BASE91_PAIRS = [high + low for high in _BASE91 for low in _BASE91]
_BASE91_SQUARED = len(_BASE91_PAIRS)


def note_guid(key: str) -> str:
    """The Anki note GUID of one of our stable note keys (a card id, or a cloze note's id).

    Exactly ``genanki.guid_for(key)`` (the first 8 bytes of the key's SHA-256 in base 91),
    computed without its per-byte Python loop: an export pays it once per note.
    """
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    digits: list[str] = []
    while number >= _BASE91_SQUARED:  # two digits a step
        number, pair = divmod(number, _BASE91_SQUARED)
        digits.append(_BASE91_PAIRS[pair])
    if number:  # the leading one or two digits, without a leading zero
        digits.append(_BASE91_PAIRS[number] if number >= len(_BASE91) else _BASE91[number])
    return "".join(reversed(digits))


def anki_deck_id(name: str) -> int:
    """A stable Anki deck id for a deck path, in the range genanki recommends."""
    digest = hashlib.sha256(f"mlsd-study deck\x1f{name}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A card's scheduling state as stored (times in ms since the epoch, UTC)."""

    queue: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: int | None
    last_review: int | None
    reps: int
    lapses: int
    suspended: bool
    flag: int  # 0 (none) to 7, Anki's flag colours


@dataclass(frozen=True, slots=True)
class Note:
    """A note to write: its stable key (the GUID's source), fields, tags and Anki deck.

    ``fields`` follow both note types' order: prompt (or cloze text), answer (or back extra)
    and explanation are Markdown; context and source are HTML already.
    """

    key: str
    cloze: bool
    fields: tuple[str, str, str, str, str]
    tags: tuple[str, ...]
    deck: str
    # (Anki card ordinal, our card id): 0 for Basic, N - 1 for cloze number N
    cards: tuple[tuple[int, str], ...] = ()


class DeckTree:
    """The deck's active topics as stored, with the Anki deck path of each."""

    def __init__(self, deck: Deck, topics: list[StoredTopic]) -> None:
        self.by_id = {t.id: t for t in topics}
        self.children: defaultdict[TopicId | None, list[StoredTopic]] = defaultdict(list)
        for topic in topics:
            parent = topic.parent_id if topic.parent_id in self.by_id else None
            self.children[parent].append(topic)
        for siblings in self.children.values():
            siblings.sort(key=lambda t: t.position)
        self.root = _deck_part(deck.title) or deck.id
        self.names: dict[TopicId, str] = {}
        stack: list[tuple[TopicId | None, str]] = [(None, self.root)]
        while stack:
            parent, name = stack.pop()
            siblings = self.children.get(parent, [])
            labels = [_deck_part(step_label(t.title, t.step)) or t.id for t in siblings]
            seen = [label.casefold() for label in labels]
            for position, (topic, label) in enumerate(zip(siblings, labels, strict=True), 1):
                if seen.count(label.casefold()) > 1:  # Anki would merge same-named siblings
                    label = f"{label} (item {position} of {len(siblings)})"
                self.names[topic.id] = f"{name}::{label}"
                stack.append((topic.id, self.names[topic.id]))

    def ancestors(self, topic_id: TopicId) -> list[StoredTopic]:
        """The topic's ancestors, root first, and the topic itself last."""
        chain: list[StoredTopic] = []
        current: TopicId | None = topic_id
        while current is not None and current in self.by_id:
            topic = self.by_id[current]
            chain.append(topic)
            current = topic.parent_id
        return chain[::-1]

    def subtree(self, topic_id: TopicId) -> set[TopicId]:
        found: set[TopicId] = set()
        stack = [topic_id]
        while stack:
            current = stack.pop()
            found.add(current)
            stack.extend(t.id for t in self.children.get(current, []))
        return found

    def tags(self, topic_id: TopicId) -> tuple[str, ...]:
        """The step (from the topic's outermost step ancestor) and the topic path."""
        chain = self.ancestors(topic_id)
        step = next((t.step for t in chain if t.step), None)
        path = f"{TAG}::topic::" + "::".join(_tag(t.id) for t in chain)
        return ((f"{TAG}::step-{step}",) if step else ()) + (path,)


def _deck_part(title: str) -> str:
    """A title as one component of an Anki deck name: "::" would start a sub-deck."""
    text = " ".join(title.split())
    return re.sub(r":{2,}", ":", text).strip()


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip())


def source_html(deck: Deck) -> str:
    """The deck's credit line as HTML (title linked to a web URL, author, licence), or ""."""
    source = deck.source
    if not (source.title or source.url or source.author):
        return ""
    title = html.escape(source.title or deck.title)
    url = source.url.strip()
    if url.lower().startswith(("https://", "http://")):
        title = f'<a href="{html.escape(url, quote=True)}">{title}</a>'
    parts = [f"Source: {title}"]
    if source.author:
        parts.append(f"by {html.escape(source.author)}")
    if source.licence:
        parts.append(f"({html.escape(source.licence)} licence)")
    return " ".join(parts)


def _authored_clozes(deck: Deck) -> dict[str, str]:
    """Cloze note key -> the cloze text as written; a key written twice is left out."""
    found: dict[str, str] = {}
    repeated: set[str] = set()
    for topic, _ in deck.walk():
        for index, card in enumerate(topic.cards):
            if card.cloze:
                key = f"{deck.id}/{topic.id}/cloze/{card.id or index}"
                if key in found:
                    repeated.add(key)
                found[key] = card.cloze
    return {key: text for key, text in found.items() if key not in repeated}


def _cloze_numbers(text: str) -> set[int]:
    return {int(m.group(1)) for m in CLOZE.finditer(text) if int(m.group(1)) > 0}


def build_notes(store: Store, deck: Deck, tree: DeckTree, scope: set[TopicId],
                include_questions: bool, schedules: dict[str, Schedule] | None
                ) -> deque[Note]:
    """The notes to write, in outline order; fills ``schedules`` (card id -> state) if given."""
    source = source_html(deck)
    clozes = _authored_clozes(deck)
    # A cloze note stands for its cards only when the written text gives exactly the cards we
    # have; otherwise (a deck edited since the last sync) each card goes as a Basic note.
    groups: defaultdict[str, dict[int, str]] = defaultdict(dict)
    for card_id, topic_id in cloze_cards(store, deck.id):
        match = _CLOZE_CARD.match(card_id)
        if match and topic_id in scope:
            groups[match.group("note")][int(match.group("number"))] = card_id
    as_cloze = {key for key, members in groups.items()
                if key in clozes and _cloze_numbers(clozes[key]) == set(members)}

    # Tags and breadcrumbs repeat across a topic's cards: built once and shared.
    tags_of: dict[tuple[str, str], tuple[str, ...]] = {}
    escaped: dict[str, str] = {}
    notes: deque[Note] = deque()
    written: set[str] = set()
    for (card_id, topic_id, kind, context, prompt, answer, queue, step, stability, difficulty,
         due, last_review, reps, lapses, suspended, flag) in active_cards(store, deck.id):
        if topic_id not in scope:
            continue
        if schedules is not None:
            schedules[card_id] = Schedule(queue, step, stability, difficulty, due, last_review,
                                          reps, lapses, bool(suspended), flag)
        topic = tree.by_id[topic_id]
        tags = tags_of.get((topic_id, kind))
        if tags is None:
            tags = tags_of[topic_id, kind] = (*tree.tags(topic.id), f"{TAG}::kind::{_tag(kind)}")
        # The explanation card's answer is the notes already.
        explanation = "" if kind == "explain" else topic.notes
        shown = escaped.get(context)
        if shown is None:
            shown = escaped[context] = html.escape(context)
        deck_name = tree.names[topic.id]
        match = _CLOZE_CARD.match(card_id) if kind == "cloze" else None
        if match and match.group("note") in as_cloze:
            key = match.group("note")
            if key not in written:  # one note for all of its cloze cards
                written.add(key)
                notes.append(Note(
                    key, True, (clozes[key], "", shown, explanation, source), tags, deck_name,
                    tuple((number - 1, member) for number, member in groups[key].items())))
            continue
        notes.append(Note(card_id, False, (prompt, answer, shown, explanation, source), tags,
                          deck_name, ((0, card_id),)))
    if include_questions and deck.questions:
        notes.extend(_question_notes(deck, tree.root, source))
    return notes


def _question_notes(deck: Deck, root: str, source: str) -> Iterator[Note]:
    """Front: the question's title and prompt; back: the steps to walk through."""
    steps = sorted((t for t, _ in deck.walk() if t.step), key=lambda t: t.step or 0)
    reminder = ("Walk the steps of the flow:\n\n"
                + "\n".join(f"{t.step}. {t.title}" for t in steps)) if steps else ""
    for question in deck.questions:
        # An ATX heading: Markdown escapes the title like any other text.
        front = f"### {question.title}\n\n{question.prompt}"
        where = f"{deck.title} > Interview question" + (
            f" ({question.category})" if question.category else "")
        tags = (f"{TAG}::question",) + (
            (f"{TAG}::category::{_tag(question.category)}",) if question.category else ())
        yield Note(f"{deck.id}/questions/{question.id}", False,
                   (front, reminder, html.escape(where), "", source),
                   tags, f"{root}::{QUESTIONS_DECK}")
