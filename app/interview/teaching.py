"""Where a criterion is taught: the topics of a deck that "Study what I missed" offers for it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.decks.words import plain_text
from app.interview.concepts import Unit, concept_stems, find, units
from app.interview.criteria import criterion_of, is_generic, item_concepts
from app.model import Deck, RubricItem, Topic, TopicId

__all__ = ["TEACHING_TOPICS", "teaching_topics"]

#: How many topics "Study what I missed" offers per criterion, best first.
TEACHING_TOPICS = 5


@lru_cache(maxsize=1024)
def teaching_topics(deck: Deck, item: RubricItem) -> tuple[TopicId, ...]:
    """The topics whose title, notes or cards teach the criterion's concepts, best first: a
    specific term counts 2, a group concept 1 (2 more in the title), and a topic of the step
    whose rubric holds the criterion 1 more; a topic needs 2 points."""
    sufficient = {c for c in criterion_of(item).sufficient if not c.startswith("<")}
    concepts = {c for c in item_concepts(item) if not c.startswith("<") and not is_generic(c)}
    home = next((topic.id for topic, _ in deck.walk() if item in topic.rubric), None)
    scored: list[tuple[int, int, TopicId]] = []
    for order, (topic, ancestors) in enumerate(deck.walk()):
        taught = _taught(topic)
        score = 0
        for concept in concepts | sufficient:
            if not _mentions(taught.stems, concept):
                continue
            weight = 2 if concept in sufficient else 1
            if any(find(unit, concept) for unit in taught.title):
                score += weight + 2
            elif any(find(unit, concept) for unit in taught.body):
                score += weight
        if score and home is not None and home in (topic.id, *(a.id for a in ancestors)):
            score += 1
        if score >= 2:
            scored.append((-score, order, topic.id))
    return tuple(ident for _, _, ident in sorted(scored)[:TEACHING_TOPICS])


@dataclass(frozen=True)
class _Taught:
    title: tuple[Unit, ...]
    body: tuple[Unit, ...]
    stems: frozenset[str]


@lru_cache(maxsize=8192)
def _taught(topic: Topic) -> _Taught:
    cards = "\n".join(f"{c.question} {c.answer} {c.cloze}" for c in topic.cards)
    title = units(plain_text(topic.title))
    body = units(plain_text(f"{topic.notes}\n{cards}"))
    return _Taught(title, body, frozenset(s for u in (*title, *body) for s in u.stems))


def _mentions(stems: frozenset[str], concept: str) -> bool:
    """A cheap first check: every word of the concept is among the topic's stems."""
    wanted = concept_stems(concept)
    return bool(wanted) and all(s in stems for s in wanted)
