"""Rubric coverage: which criteria a sentence of the notes expresses, each tick with its evidence.

A criterion (:class:`~app.model.RubricItem`) is met by one sentence or bullet that names one of
its ``terms`` (specific enough alone) or concepts of two of its ``groups``, matched by word
stems; numbers with units ("200 ms", "p99", "10k QPS", "1%") are concepts of their own. A
concept in a negated clause ("we won't track latency") does not count, generic words
("million", "cache", "daily") never count alone, and a line that is mostly rubric terms
without a verb (a keyword list) earns nothing. Headings and the notes template earn nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from app.decks.words import STOPWORDS, plain_text, stem
from app.interview.concepts import (
    NUMBER_CONCEPTS,
    Span,
    Unit,
    concept_spans,
    concept_stems,
    content_count,
    find,
    fragments,
    sentence_unit,
    units,
)
from app.model import Deck, RubricItem, Topic, TopicId

__all__ = ["GENERIC", "Tick", "coverage", "criterion_ticks", "item_concepts", "teaching_topics"]

#: Words too common in any design discussion to show a criterion on their own.
_GENERIC_WORDS = """
million millions billion billions thousand rule rules filter filters filtering cache caching
daily weekly hourly nightly monthly data model models user users item items time log logs
logging logged feature features metric metrics score scores system service target label labels
latency cost online offline test testing train training baseline simple peak real-time
realtime streaming positives negatives explore proxy conflict tension correlation
horizontal partition bucket treatment degrade junk mobile container endpoint historical
device median null skew snapshot versioned explicit implicit metadata survey ratings
"""
GENERIC = frozenset(stem(w) for w in _GENERIC_WORDS.split())

# Verbs (by stem) and relation words: a line with none of them outside its matched concepts
# is a list of keywords, not a statement.
_VERB_WORDS = """
is are was were be been being am has have had do does did will would can could should may might
must shall need needs use using used train trains trained predict predicts measure measures track
tracks compute computes run runs serve serves store stores log split splits sample samples label
collect collects join joins add adds drop drops keep keeps check checks compare compares pick
picks choose chooses start starts send sends return returns fall falls rank ranks score
retrain retrains deploy deploys ship ships roll rolls ramp ramps monitor monitors alert alerts
page pages cap caps cost costs take takes give gives get gets make makes let lets stay stays
hit hits miss misses fit fits tune tunes weight weights optimise optimize minimise minimize
maximise maximize calibrate detect detects flag flags block blocks cut cuts reduce reduces
increase increases grow grows scale scales shard shards cache caches precompute precomputes
refresh refreshes update updates arrive arrives come comes feed feeds read reads write writes
call calls fetch fetches look looks mean means show shows tell tells catch catches avoid avoids
prevent prevents protect protects handle handles treat treats count counts matter matters
define defines target targets want wants expect expects aim aims reach reaches stop stops
encode encodes embed embeds hash hashes bucketize normalise normalize impute fills fill
mirror mirrors randomise randomize assign assigns test tests require requires support supports
answer answers ask asks rerank reranks retrieve retrieves generate generates rewrite rewrites
wait waits trade trades hurt hurts help helps drive drives cause causes leak leaks lose loses
win wins beat beats outperform outperforms explain explains estimate estimates drift drifts
degrade degrades break breaks exceed exceeds fire fires trigger triggers pass passes gate gates
"""
_VERBS = frozenset(stem(w) for w in _VERB_WORDS.split())
_RELATION_WORDS = """
under below within above over less more than per via at by from into to for with after before
until during between against instead because since so if when while whereas which that where
up down flat higher lower better worse
"""
_RELATIONS = frozenset(_RELATION_WORDS.split())
# "p99 < 200 ms", "client -> API": a symbol that relates two things, as a verb would.
_COMPARISON = re.compile(r"[<>≤≥=]\s*\d|\s(?:->|→|=>)\s")
# A line is a keyword list when at least this share of its content words are rubric concepts.
_LIST_SHARE = 0.5


@dataclass(frozen=True)
class Tick:
    """Whether a criterion is met and the sentence of the notes that earned it."""

    met: bool
    evidence: str | None = None


def item_concepts(item: RubricItem) -> tuple[str, ...]:
    """Every term and group concept of a criterion."""
    return (*item.terms, *(c for group in item.groups for c in group))


@dataclass(frozen=True)
class _Criterion:
    sufficient: tuple[str, ...]  # one of these in a sentence meets the criterion
    groups: tuple[tuple[str, ...], ...]  # two of these in one sentence meet it


@lru_cache(maxsize=1024)
def _criterion(item: RubricItem) -> _Criterion:
    """A generic word among the ``terms`` cannot meet a criterion alone: it joins the groups."""
    generic = tuple(t for t in item.terms if _is_generic(t))
    sufficient = tuple(t for t in item.terms if not _is_generic(t))
    groups = item.groups + ((generic,) if generic else ())
    if len(groups) == 1 and not sufficient:
        # One group and nothing else: its specific concepts suffice, as terms would.
        sufficient = tuple(c for c in groups[0] if not _is_generic(c))
    return _Criterion(sufficient, groups)


def _is_generic(concept: str) -> bool:
    words = [w for w in concept.casefold().replace("-", " ").split() if w not in STOPWORDS]
    if concept.startswith("<"):  # a bare number; a percentile or a rate is specific
        return concept not in ("<percentile>", "<qps>")
    return all(stem(w) in GENERIC for w in words)


def criterion_ticks(notes: str, rubric: tuple[RubricItem, ...], template: tuple[str, ...] = (),
                    title: str = "") -> tuple[Tick, ...]:
    """For each criterion of ``rubric``, whether one sentence or bullet of ``notes`` expresses
    it, with the first such sentence as evidence. Headings, the step ``title`` and the phrases
    of the notes ``template`` earn nothing.

    A sentence's verdicts depend on its own text only, so they are remembered: as the notes are
    typed, only the sentence being edited is read again (long notes stay quick to type in)."""
    ticks: list[Tick | None] = [None] * len(rubric)
    for unit in units(notes):
        verdicts = _verdicts(unit.text, rubric, template, title)
        for index, met in enumerate(verdicts):
            if met and ticks[index] is None:
                ticks[index] = Tick(True, unit.text)
        if all(ticks):
            break
    return tuple(t or Tick(False) for t in ticks)


@lru_cache(maxsize=16384)
def _verdicts(sentence: str, rubric: tuple[RubricItem, ...], template: tuple[str, ...],
              title: str) -> tuple[bool, ...]:
    """Which criteria one sentence expresses: none for a heading, a template phrase or a bare
    keyword list."""
    unit = sentence_unit(sentence)
    blocked = _boilerplate(unit, template, title)
    every = tuple(c for item in rubric for c in item_concepts(item))
    if blocked is None or _is_keyword_list(unit, every, blocked):
        return (False,) * len(rubric)
    return tuple(_expresses(unit, _criterion(item), blocked) for item in rubric)


def coverage(notes: str, rubric: tuple[RubricItem, ...], template: tuple[str, ...] = (),
             *, title: str = "") -> tuple[bool, ...]:
    """Which criteria the notes meet (:func:`criterion_ticks` without the evidence)."""
    return tuple(t.met for t in criterion_ticks(notes, rubric, template, title))


def _boilerplate(unit: Unit, template: tuple[str, ...], title: str) -> frozenset[int] | None:
    """The tokens of the unit that are template or title phrases; None when nothing else is
    left (a heading written as a bullet, "Online metrics:")."""
    blocked: set[int] = set()
    single: set[int] = set()  # a one-word heading ("Monitoring") only empties a line of its own
    for phrase in {p for text in (*template, title) for p in (text, text.split("(")[0])}:
        for span in find(unit, phrase):
            (blocked if span.last > span.first else single).update(
                range(span.first, span.last + 1))
    rest = [t for i, t in enumerate(unit.tokens)
            if i not in blocked | single and t not in STOPWORDS]
    return frozenset(blocked) if rest else None


def _free(spans: list[Span], blocked: frozenset[int]) -> list[Span]:
    return [s for s in spans if not any(i in blocked for i in range(s.first, s.last + 1))]


def _expresses(unit: Unit, criterion: _Criterion, blocked: frozenset[int]) -> bool:
    """One sufficient term outside the template phrases, or two groups of which one at least
    is named outside them ("Business goal: long-term watch time" names a goal through the
    template's heading and what it is through the notes' own words)."""
    if _free(concept_spans(unit, criterion.sufficient), blocked):
        return True
    hits = [concept_spans(unit, group) for group in criterion.groups]
    found = [spans for spans in hits if spans]
    if len(found) < 2 or not any(_free(spans, blocked) for spans in found):
        return False
    # Two groups must be named by two different places, not one word in both groups.
    places = {(s.first, s.last) for spans in found for s in spans}
    return len(places) >= 2


def _quantities(unit: Unit) -> bool:
    """Numbers with units state facts ("150M DAU, peak 80k QPS"), as a verb would; "p99"
    alone is a keyword."""
    return any(find(unit, concept) for concept in NUMBER_CONCEPTS if concept != "<percentile>")


def _is_keyword_list(unit: Unit, concepts: tuple[str, ...], blocked: frozenset[int]) -> bool:
    """Mostly rubric concepts and no verb, relation word or quantity outside them."""
    covered: set[int] = set(blocked)
    for span in concept_spans(unit, concepts):
        covered.update(range(span.first, span.last + 1))
    free = [(t, s) for i, (t, s) in enumerate(zip(unit.tokens, unit.stems, strict=True))
            if i not in covered]
    if any(s in _VERBS or t in _RELATIONS or (t.endswith("ed") and len(t) > 4)
           for t, s in free):
        return False
    if _COMPARISON.search(unit.text) or _quantities(unit):
        return False
    # A verb that is itself a concept ("retrain the ranker weekly") still makes a statement
    # when the words around it read as a sentence, not as list items.
    if not all(_list_item(unit, part, covered) for part in fragments(unit)):
        return False
    content = content_count(unit)
    matched = sum(1 for i in covered if unit.tokens[i] not in STOPWORDS)
    return content == 0 or matched / content >= _LIST_SHARE


def _list_item(unit: Unit, part: range, covered: set[int]) -> bool:
    """A few words, or words with no function word of their own ("watch time and retention")."""
    return len(part) <= 3 or not any(unit.tokens[i] in STOPWORDS - {"and", "or"}
                                     for i in part if i not in covered)


# --- where a criterion is taught ---------------------------------------------------------------

#: How many topics "Study what I missed" offers per criterion, best first.
TEACHING_TOPICS = 5


@lru_cache(maxsize=1024)
def teaching_topics(deck: Deck, item: RubricItem) -> tuple[TopicId, ...]:
    """The topics whose title, notes or cards teach the criterion's concepts, best first: a
    specific term counts 2, a group concept 1 (2 more in the title), and a topic of the step
    whose rubric holds the criterion 1 more; a topic needs 2 points."""
    sufficient = {c for c in _criterion(item).sufficient if not c.startswith("<")}
    concepts = {c for c in item_concepts(item) if not c.startswith("<") and not _is_generic(c)}
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
