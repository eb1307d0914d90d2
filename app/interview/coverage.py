"""Rubric coverage: which criteria a sentence of the notes expresses, each tick with its evidence.

A criterion (:class:`~app.model.RubricItem`) is met by one sentence or bullet that names one of
its ``terms`` (specific enough alone, and said of something: "retrain when needed" is no plan)
or concepts of two of its ``groups`` near each other (a few words apart, in one clause, or one
of them in the line's short heading: "guardrails: hide rate ..."), matched by word stems;
numbers with units ("200 ms", "p99", "10k QPS", "1%") are concepts of their own. Two adjacent
lines meet a criterion together when the second carries on the first (a wrapped or indented
line, or one after "...:" or "... ->") and the concepts meet across the line break, or when
their headings name the two groups and say something after them ("online: ..." then
"offline: ...", not "online: TBD"); two bare list items ("recall,", "offline,") never meet one
together. Notes are read with their shorthand expanded ("w/o", "svc", "feats", "# of", "in
2s"; :func:`normalised`); an arrow stays an arrow, which no concept matches, and between two
things says what "sends" would. A concept in a negated clause ("we won't track latency") does
not count (an arrow ends a negation's reach; "privacy -> not a concern" denies what it
follows), nor does a criterion whose own term is denied ("no canary"); generic words
("million", "cache", "daily") never count alone; a line that is mostly rubric terms without a
verb or words of its own (a keyword list, also with a heading and a filler word or joined by
arrows) earns nothing unless it is a few words about one criterion ("retrain nightly"), and
so do word salad ("the of", "we the", "classifier The tree"), placeholders and questions
("privacy: n/a", "retrain: skip", "GDPR compliance?"). Headings and the notes template earn
nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from app.decks.words import STOPWORDS
from app.interview.concepts import (
    HAZARDS,
    NEGATIONS,
    NUMBER_CONCEPTS,
    PLACEHOLDERS,
    Span,
    Unit,
    asides,
    concept_spans,
    content_count,
    find,
    fragments,
    sentence_unit,
    units,
)
from app.interview.criteria import GENERIC, Criterion, criterion_of, item_concepts
from app.interview.shorthand import normalised
from app.interview.teaching import teaching_topics
from app.interview.vocabulary import RELATIONS as _RELATIONS
from app.interview.vocabulary import VAGUE as _VAGUE
from app.interview.vocabulary import VERBS as _VERBS
from app.interview.word_salad import SENTENCE_DONE as _SENTENCE_DONE
from app.interview.word_salad import scrambled as _scrambled
from app.model import RubricItem

__all__ = ["GENERIC", "Tick", "coverage", "criterion_ticks", "item_concepts", "normalised",
           "teaching_topics"]

# "p99 < 200 ms": a symbol that relates two things, as a verb would. An arrow alone does not:
# "PSI -> alert -> retrain" is a keyword list.
_COMPARISON = re.compile(r"[<>≤≥=]\s*\d")
# A line is a keyword list when at least this share of its content words are rubric concepts
# (notes are terse: "pairwise loss (LambdaRank)" has a word of its own in three).
_LIST_SHARE = 0.67


@dataclass(frozen=True)
class Tick:
    """Whether a criterion is met and the sentence of the notes that earned it."""

    met: bool
    evidence: str | None = None


def criterion_ticks(notes: str, rubric: tuple[RubricItem, ...], template: tuple[str, ...] = (),
                    title: str = "") -> tuple[Tick, ...]:
    """For each criterion of ``rubric``, whether one sentence or bullet of ``notes`` expresses
    it, with the first such sentence as evidence. Headings, the step ``title`` and the phrases
    of the notes ``template`` earn nothing. Shorthand is read as words (:func:`normalised`), and
    a line with no full stop may be continued by the next: two concepts of a criterion, one at
    the end of a line and one at the start of the next, meet it together.

    A sentence's verdicts depend on its own text only, so they are remembered: as the notes are
    typed, only the sentence being edited is read again (long notes stay quick to type in)."""
    ticks: list[Tick | None] = [None] * len(rubric)
    previous: tuple[str, _Reading] | None = None  # the last sentence of the line before
    previous_line = ""
    for line in notes.splitlines():
        sentences = _sentences(line)
        if not sentences:  # a blank line or a heading closes a thought
            previous = None
            continue
        carried = previous is not None and _continues(previous_line, line)
        for index, (text, evidence) in enumerate(sentences):
            reading = _verdicts(text, rubric, template, title)
            for criterion, met in enumerate(reading.met):
                if met and ticks[criterion] is None:
                    ticks[criterion] = Tick(True, evidence)
            if index == 0 and previous is not None:
                joined = _continued(previous[1], reading, carried)
                for criterion, met in enumerate(joined):
                    if met and ticks[criterion] is None:
                        ticks[criterion] = Tick(True, f"{previous[0]} {evidence}")
        last_text, last_evidence = sentences[-1]
        previous = None if _SENTENCE_DONE.search(last_evidence) else (
            last_evidence, _verdicts(last_text, rubric, template, title))
        previous_line = line
        if all(ticks):
            break
    return tuple(t or Tick(False) for t in ticks)


_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s")
# A line that leaves its thought open: "guardrails:", "stored ->", "because", "and".
_OPEN_END = re.compile(r"(?:[:,+&]|->|→|=>|⇒|\b(?:and|or|because|since|w/))\s*$", re.IGNORECASE)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _continues(before: str, line: str) -> bool:
    """Whether ``line`` carries on the thought of the line ``before`` it: a wrapped line of a
    bullet, a sub-bullet or a deeper indent, or a line after one left open ("guardrails:")."""
    if _OPEN_END.search(before):
        return True
    if _indent(line) > _indent(before):
        return True
    return bool(_BULLET.match(before)) and not _BULLET.match(line) and not _indent(line) < \
        _indent(before)


@lru_cache(maxsize=16384)
def _sentences(line: str) -> tuple[tuple[str, str], ...]:
    """The sentences of one line, each as read (shorthand expanded) and as written (for the
    evidence; the whole line when the shorthand changed where its sentences end)."""
    written = [u.text for u in units(line)]
    if not written:
        return ()
    read = [u.text for u in units(normalised(line))]
    if len(read) != len(written):
        whole = " ".join(written)
        return tuple((text, whole) for text in read)
    return tuple(zip(read, written, strict=True))


@dataclass(frozen=True)
class _Reading:
    """One sentence's verdicts, and where each criterion's group concepts occur in it."""

    met: tuple[bool, ...]
    # per criterion: (group index, first token, last token) of each concept found outside the
    # template phrases; none for a heading or word salad
    places: tuple[tuple[tuple[int, int, int], ...], ...]
    length: int
    head: int  # tokens of the line's short heading ("online: ..."), 0 when it has none
    substance: bool  # words after the heading that say something ("online: TBD" has none)
    bare: bool  # no words of its own at all: an item of a list ("recall,")


@lru_cache(maxsize=16384)
def _verdicts(sentence: str, rubric: tuple[RubricItem, ...], template: tuple[str, ...],
              title: str) -> _Reading:
    """Which criteria one sentence expresses: none for a heading, a template phrase, word salad
    or a bare keyword list (whose concepts may still meet one with the next line: "online:")."""
    unit = sentence_unit(sentence)
    blocked = _boilerplate(unit, template, title)
    if blocked is None or _scrambled(unit):
        return _Reading((False,) * len(rubric), ((),) * len(rubric), len(unit.tokens), 0,
                        False, True)
    every = tuple(c for item in rubric for c in item_concepts(item))
    line = _line(unit)
    listed = _is_keyword_list(unit, every, blocked, line.head)
    if listed and "→" in unit.text:
        # "text → tokenize → BERT": steps of one criterion joined by arrows are a pipeline;
        # "PSI → alert → retrain", one criterion a step, a list
        listed = not any(_steps(unit, item_concepts(item)) for item in rubric)
    own = _own_words(unit, every, blocked)
    if not own and _open(unit):  # "privacy irrelevant", "GDPR compliance?": nothing decided
        return _Reading((False,) * len(rubric), ((),) * len(rubric), len(unit.tokens), 0,
                        False, True)
    # "retrain nightly", "GDPR compliance required": a note of a few words, all about one
    # criterion, says something of it; a list names several, a heading one ("Business goal"),
    # and a placeholder or a question nothing ("privacy: n/a", "GDPR compliance?")
    covered = (_covered(unit, every) if listed and _short_note(unit) and not _open(unit)
               else frozenset())
    short = bool(covered) and not any(covered <= set(range(s.first, s.last + 1))
                                      for s in concept_spans(unit, every))
    met: list[bool] = []
    places: list[tuple[tuple[int, int, int], ...]] = []
    for item in rubric:
        criterion = criterion_of(item)
        hits = [concept_spans(unit, group) for group in criterion.groups]
        free = tuple((g, s.first, s.last) for g, spans in enumerate(hits)
                     for s in _free(spans, blocked))
        places.append(free)
        said = not listed or (short and _covered(unit, item_concepts(item)) == covered)
        met.append(said and _expresses(line, criterion, blocked, hits, frozenset(free)))
    return _Reading(tuple(met), tuple(places), len(unit.tokens), line.head,
                    _substance(unit, line.head), not own)


def _substance(unit: Unit, head: int) -> bool:
    """Words after the heading that say something: "online: acceptance rate", not "online:
    TBD" or "offline: no idea"."""
    return any(t not in STOPWORDS and t not in PLACEHOLDERS and t not in NEGATIONS
               for t in unit.tokens[head:])


def _steps(unit: Unit, concepts: tuple[str, ...]) -> bool:
    """Whether ``concepts`` occur in at least two of the things that arrows join, and in half
    of them at least."""
    pieces = [0]
    for index in range(1, len(unit.tokens)):
        end = unit.starts[index - 1] + len(unit.tokens[index - 1])
        pieces.append(pieces[-1] + ("→" in unit.text[end:unit.starts[index]]))
    named = len({pieces[s.first] for s in concept_spans(unit, concepts)})
    return named > 1 and 2 * named >= pieces[-1] + 1


def _own_words(unit: Unit, concepts: tuple[str, ...], blocked: frozenset[int]) -> list[int]:
    """The unit's content words that no concept, template phrase or placeholder takes."""
    covered = set(blocked) | _covered(unit, concepts)
    return [i for i, t in enumerate(unit.tokens)
            if i not in covered and t not in STOPWORDS and t not in PLACEHOLDERS]


def _open(unit: Unit) -> bool:
    """A placeholder or a question: "retrain: skip", "privacy irrelevant", "GDPR compliance?"."""
    return (unit.text.rstrip().endswith("?") or "n/a" in unit.text.casefold()
            or any(t in PLACEHOLDERS for t in unit.tokens))


def _short_note(unit: Unit) -> bool:
    """A few words in one piece: no commas, slashes or colons between list items."""
    return len(fragments(unit)) == 1 and content_count(unit) <= 3


def _covered(unit: Unit, concepts: tuple[str, ...]) -> frozenset[int]:
    """The content words of the unit that some of ``concepts`` name."""
    return frozenset(i for span in concept_spans(unit, concepts)
                     for i in range(span.first, span.last + 1) if unit.tokens[i] not in STOPWORDS)


def _continued(first: _Reading, second: _Reading, carried: bool) -> tuple[bool, ...]:
    """Criteria met by two adjacent lines together: the headings of two lines in parallel
    ("online: ..." then "offline: ..."), or, when the second line carries on the first, a
    concept of one group near the end of the first and one of another near the start of the
    second."""
    out = []
    # two items of a list written down the page ("recall,\n- offline,") say nothing together
    carried = carried and not (first.bare and second.bare)
    for ends, starts in zip(first.places, second.places, strict=True):
        if first.head and second.head and first.substance and second.substance:
            heads = ({g for g, _, last in ends if last < first.head},
                     {g for g, _, last in starts if last < second.head})
            if any(a != b for a in heads[0] for b in heads[1]):
                out.append(True)
                continue
        if not carried:
            out.append(False)
            continue
        # only the places near the line break can meet (not every pair of two long lines)
        tail = [(a, first.length - 1 - last) for a, _, last in ends
                if first.length - 1 - last <= _NEAR]
        lead = [(b, begin) for b, begin, _ in starts if begin <= _NEAR]
        out.append(any(a != b and after + begin <= _NEAR for a, after in tail for b, begin in lead))
    return tuple(out)


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


#: At most this many words of content between two concepts that meet a criterion together
#: ("latency must stay under 200 ms"), unless one clause holds both: concepts scattered over a
#: long line do not make a statement. Across two lines, the words after the first concept and
#: before the second count.
_NEAR = 6


@dataclass(frozen=True)
class _Line:
    """A sentence read once for proximity: its heading and, for each token, how many content
    words come before it (the words between two places are a difference of two counts)."""

    unit: Unit
    head: int
    content: tuple[int, ...]  # content words before each token, and the total at the end


def _line(unit: Unit) -> _Line:
    aside = asides(unit)
    counts = [0]
    for index, token in enumerate(unit.tokens):
        counts.append(counts[-1] + (token not in STOPWORDS and index not in aside))
    return _Line(unit, _head(unit), tuple(counts))


def _expresses(line: _Line, criterion: Criterion, blocked: frozenset[int],
               hits: list[list[Span]], free: frozenset[tuple[int, int, int]]) -> bool:
    """One sufficient term outside the template phrases, said of something ("retrain when
    needed" is not a plan), or two groups named near each other, of which one at least is
    named outside them ("Business goal: long-term watch time" names a goal through the
    template's heading and what it is through the notes' own words)."""
    unit = line.unit
    if _denied(unit, criterion.sufficient):
        return False  # "no canary -> launch to all users at once" is no staged rollout
    terms = _free(concept_spans(unit, criterion.sufficient), blocked)
    if any(not _bare(unit, span) for span in terms):
        return True
    if sum(1 for spans in hits if spans) < 2:
        return False
    for a, spans_a in enumerate(hits):
        for b in range(a + 1, len(hits)):
            if not spans_a or not hits[b]:
                continue
            if (_meet(line, [x for x in spans_a if (a, x.first, x.last) in free], hits[b])
                    or _meet(line, [y for y in hits[b] if (b, y.first, y.last) in free],
                             spans_a)):
                return True
    return False


_DENIALS = frozenset(("no", "without", "never"))


def _denied(unit: Unit, terms: tuple[str, ...]) -> bool:
    """Whether the unit denies one of the criterion's own terms outright ("no canary",
    "without a rollback"): then its other words do not meet the criterion."""
    for term in terms:
        if term.startswith("<"):
            continue
        for span in find(unit, term):
            before = list(unit.tokens[max(0, span.first - 2):span.first])
            if before and before[-1] in ("a", "an", "the"):
                before = before[:-1]
            if before and before[-1] in _DENIALS and unit.stems[span.first] not in HAZARDS:
                return True
    return False


def _meet(line: _Line, ours: list[Span], theirs: list[Span]) -> bool:
    """Whether a place of ``ours`` is near a place of ``theirs`` (not the same words). Only the
    neighbours of each place are compared: nearness (words between, one clause) only falls off
    with distance, so the first place on each side that is not near ends the search there."""
    if not ours:
        return False
    unit = line.unit
    ordered = sorted(theirs, key=lambda s: (s.first, s.last))
    starts = [s.first for s in ordered]
    widest = max(s.last - s.first for s in ordered)
    headed = [s for s in ordered if s.last < line.head]
    for x in ours:
        if x.last < line.head and any(_other(x, y) for y in ordered):
            return True
        if any(_other(x, y) for y in headed):
            return True
        at = bisect_left(starts, x.first)
        for y in ordered[at:]:  # to the right, nearest first
            if _other(x, y) and _near(line, x, y):
                return True
            if (y.first > x.last and line.content[y.first] - line.content[x.last + 1] > _NEAR
                    and unit.clause[y.first] != unit.clause[x.first]):
                break
        for y in reversed(ordered[:at]):  # to the left
            if _other(x, y) and _near(line, x, y):
                return True
            reach = min(y.first + widest + 1, x.first)
            if (line.content[x.first] - line.content[reach] > _NEAR
                    and unit.clause[y.first] != unit.clause[x.first]):
                break
    return False


def _other(x: Span, y: Span) -> bool:
    return (x.first, x.last) != (y.first, y.last)  # not one word in both groups


def _near(line: _Line, x: Span, y: Span) -> bool:
    """Two places that can be read together: a few words apart, in one clause, or one of them
    in a short heading of the line ("Goal: ..." is said of the whole line)."""
    if _gap(line, x, y) <= _NEAR or line.unit.clause[x.first] == line.unit.clause[y.first]:
        return True
    return x.last < line.head or y.last < line.head


def _head(unit: Unit) -> int:
    """How many tokens a short heading of the line takes ("Guardrails: ...", "want: ..."); 0
    when there is none."""
    colon = unit.text.find(":")
    if colon < 0:
        return 0
    count = bisect_left(unit.starts, colon)
    return count if 0 < count <= 3 else 0


def _gap(line: _Line, x: Span, y: Span) -> int:
    """The content words between two places of a sentence (0 when they touch or overlap)."""
    first, second = (x, y) if x.last < y.first else (y, x)
    return max(0, line.content[second.first] - line.content[first.last + 1])


def _bare(unit: Unit, span: Span) -> bool:
    """Nothing but vague words beside the term: "retrain when it's bad"."""
    rest = [s for i, (t, s) in enumerate(zip(unit.tokens, unit.stems, strict=True))
            if not span.first <= i <= span.last and t not in STOPWORDS]
    return bool(rest) and all(s in _VAGUE for s in rest)


def _quantities(unit: Unit) -> bool:
    """Numbers with units state facts ("150M DAU, peak 80k QPS"), as a verb would; "p99"
    alone is a keyword."""
    return any(find(unit, concept) for concept in NUMBER_CONCEPTS if concept != "<percentile>")


def _is_keyword_list(unit: Unit, concepts: tuple[str, ...], blocked: frozenset[int],
                     head: int) -> bool:
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
    # "driver → pickup", "rider app → dispatch service": an arrow relates what it joins, unless
    # each thing it joins is a bare concept ("PSI → alert → retrain" is a list)
    if "→" in unit.text and any(i not in covered and unit.tokens[i] not in STOPWORDS
                                and unit.tokens[i] not in PLACEHOLDERS
                                for i in range(len(unit.tokens))):
        return False
    # A verb that is itself a concept ("retrain the ranker weekly") still makes a statement
    # when the words around it read as a sentence, not as list items.
    if not all(_list_item(unit, part, covered) for part in fragments(unit)):
        return False
    content = content_count(unit)
    matched = sum(1 for i in covered if unit.tokens[i] not in STOPWORDS)
    # "user features: account age, prior strikes": a heading and what it holds, in the notes'
    # own words (a keyword list has none; a filler such as "misc" or "blah" is none either)
    own = [i for i in range(head, len(unit.tokens)) if i not in covered
           and unit.tokens[i] not in STOPWORDS and unit.tokens[i] not in PLACEHOLDERS]
    if head and own:
        return False
    return content == 0 or matched / content >= _LIST_SHARE


def _list_item(unit: Unit, part: range, covered: set[int]) -> bool:
    """A few words, or words with no function word of their own ("watch time and retention")."""
    return len(part) <= 3 or not any(unit.tokens[i] in STOPWORDS - {"and", "or"}
                                     for i in part if i not in covered)
