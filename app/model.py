"""Frozen values and ids shared by the core and the UI."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NewType

#: A cloze deletion, as Anki writes it: ``{{c1::answer}}`` (group 1 the number, 2 the text).
CLOZE = re.compile(r"\{\{c(\d+)::(.+?)\}\}", re.DOTALL)


def cloze_answer(text: str) -> str:
    """A cloze deletion's answer: its text (``CLOZE`` group 2) without a ``::hint``."""
    return text.partition("::")[0]


def cloze_hint(text: str) -> str:
    """A cloze deletion's hint (what follows ``::`` in its text), stripped; "" without one."""
    return text.partition("::")[2].strip()

DeckId = NewType("DeckId", str)
TopicId = NewType("TopicId", str)

STEP_COUNT = 9
#: Bump when app/decks/cards.py generates different cards: stored decks are then synced again.
CARD_GENERATOR_VERSION = 5


def step_label(title: str, step: int | None) -> str:
    """How a topic is named in the tree, breadcrumbs and cards: steps carry their number."""
    return f"Step {step} {title}" if step else title


@dataclass(frozen=True)
class Source:
    """Where a deck's content comes from, for the credit in the About box."""

    title: str = ""
    url: str = ""
    author: str = ""
    licence: str = ""


@dataclass(frozen=True)
class AuthoredCard:
    """A flashcard written in the deck: either question/answer or a cloze text."""

    question: str = ""
    answer: str = ""
    cloze: str = ""
    id: str = ""
    line: int = 0


@dataclass(frozen=True)
class RubricItem:
    """One checkable point of a good answer for an interview step: ``terms`` that each show it
    alone, ``groups`` of concepts of which a sentence must name two (app/interview/coverage.py)."""

    text: str
    terms: tuple[str, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Topic:
    """A node of the outline. ``step`` is 1..9 for the steps of the flow."""

    id: TopicId
    title: str
    notes: str = ""
    step: int | None = None
    ordered: bool = False
    children: tuple[Topic, ...] = ()
    cards: tuple[AuthoredCard, ...] = ()
    rubric: tuple[RubricItem, ...] = ()
    followups: tuple[str, ...] = ()
    line: int = 0
    #: Per follow-up (aligned with ``followups``): the question categories it fits; () fits all.
    followup_categories: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Question:
    """A mock-interview question of the deck's bank.

    Each mapping is keyed by step number (1..9): ``reference`` holds a strong answer's bullets,
    ``followups`` the questions an interviewer asks about this prompt at that step (before the
    step's generic ones) and ``rubric`` the items added to that step's rubric for this question.
    """

    id: str
    title: str
    category: str = ""
    prompt: str = ""
    topic: TopicId | None = None
    reference: Mapping[int, tuple[str, ...]] = field(default_factory=dict, hash=False)
    followups: Mapping[int, tuple[str, ...]] = field(default_factory=dict, hash=False)
    rubric: Mapping[int, tuple[RubricItem, ...]] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Deck:
    """A validated deck: metadata, the topic tree and the question bank."""

    id: DeckId
    title: str
    version: int
    topics: tuple[Topic, ...]
    description: str = ""
    source: Source = field(default_factory=Source)
    questions: tuple[Question, ...] = ()
    path: str = ""

    def walk(self) -> Iterator[tuple[Topic, tuple[Topic, ...]]]:
        """Every topic in outline order (parents before children), with its ancestors."""
        stack: list[tuple[Topic, tuple[Topic, ...]]] = [
            (t, ()) for t in reversed(self.topics)
        ]
        while stack:
            topic, ancestors = stack.pop()
            yield topic, ancestors
            stack.extend((c, (*ancestors, topic)) for c in reversed(topic.children))

    def topic_count(self) -> int:
        return sum(1 for _ in self.walk())


CardId = NewType("CardId", str)


@dataclass(frozen=True)
class CardSpec:
    """A generated flashcard: its stable identity and text, without any scheduling.

    ``id`` is derived from the deck id, the topic id, the generator kind and the item's identity
    or position, never from the card's text, so regenerating after a deck edit updates the card
    in place and keeps its progress. ``prompt`` and ``answer`` are Markdown; ``context`` is the
    breadcrumb shown above the prompt (``Step 2 Metrics > Offline metrics``). ``order`` is the
    outline order used to introduce new cards (parents before children). Cards that share a
    ``sibling_group`` are buried for the day once one of them is answered.
    """

    id: CardId
    deck_id: DeckId
    topic_id: TopicId
    kind: str
    context: str
    prompt: str
    answer: str
    order: int
    sibling_group: str = ""
