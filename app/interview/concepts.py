"""Notes as units (one sentence or bullet each) of stemmed tokens, and where a concept occurs."""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from app.decks.words import STOPWORDS, stem

__all__ = ["NEGATIONS", "NUMBER_CONCEPTS", "PLACEHOLDERS", "Span", "Unit", "asides",
           "concept_spans", "concept_stems", "find", "fragments", "sentence_unit", "units"]

#: Concepts written as numbers: a group entry ``<ms>`` names every "200 ms", "1.5 s", ...
# Atomic, and never starting inside a run of digits and commas ("1,2,3"): each number is read
# once, however many commas it has (a backtracking pattern re-read "1,1,1,..." from every comma).
_NUMBER = (r"(?:(?<![\w.])(?<!\d,)(?>\d+(?:[.,]\d+)*)"
           r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven"
           r"|twelve|twenty|thirty|fifty|hundred|a few|several|a couple of))")
NUMBER_CONCEPTS: dict[str, re.Pattern[str]] = {
    "<ms>": re.compile(_NUMBER + r"\s?(?:ms|msec|millis(?:econds?)?|µs|us|s|secs?|seconds?)\b"),
    "<duration>": re.compile(_NUMBER + r"\s?(?:min(?:ute)?s?|h|hrs?|hours?|days?|weeks?|months?"
                             r"|years?)\b"),
    "<percentile>": re.compile(r"\bp(?:50|75|90|95|99|999|99\.9)\b|\b\d{2}(?:\.\d+)?(?:th)? "
                               r"percentile\b"),
    "<qps>": re.compile(_NUMBER + r"\s?[kmb]?\s?(?:qps|rps|tps|req/s|requests?(?: per |/)"
                        r"(?:second|sec|s)\b|queries per second)"),
    "<percent>": re.compile(_NUMBER + r"\s?(?:%|percent\b|pct\b)"),
    "<count>": re.compile(_NUMBER + r"\s?(?:k|m|b|bn|mn|thousand|million|billion|trillion)\b"
                          r"|(?<![\w.])(?<!\d,)\d{1,3}(?:,\d{3})++(?![\d.,])|(?<![\w.])\d{4,}+(?![\d.,])"),
    "<bytes>": re.compile(_NUMBER + r"\s?(?:kb|mb|gb|tb|pb|bytes?)\b"),
    "<ratio>": re.compile(r"(?<![\w.])1\s?(?::|in)\s?\d[\d,]*\b"),
}

_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['’][^\W_]+)*")
_MARKER = re.compile(r"^\s*(?:>\s*)*(?:[-*+•]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+)?")
# (not "# of users", the number of them)
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)(?!\s*of\b)")
# A sentence ends at . ! ? followed by a space (not "0.5", "e.g." or "vs.").
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)[.!?](?:\s+|$)")
#: Words that open a new clause: a negation before one of them does not reach past it.
_BREAK_WORDS = "but while whereas although though however instead yet so then because since " \
    "otherwise"
CLAUSE_BREAKS = frozenset(_BREAK_WORDS.split())
_NEGATION_WORDS = "not no never none without nor neither cannot nothing"
NEGATIONS = frozenset(_NEGATION_WORDS.split())
# Negations that deny what follows them only.
_FORWARD = frozenset(["without", "no", "none", "nor", "neither"])
# "and" or "or" before one of these starts a new clause: "limited, and we can't ...".
_SUBJECT_WORDS = "we i you they it he she this that"
_SUBJECTS = frozenset(_SUBJECT_WORDS.split())
# Concepts that name a hazard: "never leak", "no skew" right after the negation affirm that the
# hazard is avoided, so the negation does not void them.
_HAZARD_WORDS = "leak leaks leakage skew bias overfit overfitting"
HAZARDS = frozenset(stem(w) for w in _HAZARD_WORDS.split())
#: Words that stand in for an answer not given: "online: TBD", "privacy: n/a", "misc".
_PLACEHOLDER_WORDS = """tbd tbc todo tba idea unknown unsure dunno skip skipped n/a na none
whatever irrelevant blah misc etc pending ignore ignored"""
PLACEHOLDERS = frozenset(_PLACEHOLDER_WORDS.split()) | {"n"}
# After a negation of its own, words that dismiss what came before: "privacy -> not a concern",
# "retrain weekly, not needed", "cold start: no issue".
_DISMISSAL_WORDS = """concern concerns issue issues problem problems needed necessary required
relevant important applicable priority yet now really worry matter matters big deal much care
scope planned"""
_DISMISSALS = frozenset(_DISMISSAL_WORDS.split()) | PLACEHOLDERS
#: Concepts an arrow between two things stands for (what :func:`normalised` once wrote for it).
ARROW_CONCEPTS = frozenset(("sends",))


@dataclass(frozen=True)
class Unit:
    """One sentence or bullet of notes: its text as written, its tokens and their stems.

    ``clause`` numbers each token's clause (split at commas, colons, dashes and words such as
    "but"); ``negated`` maps each clause with a negation in it to the first token the negation
    reaches: "without" and "no" reach forward only ("cut losses without blocking customers"),
    "not" and "n't" the whole clause ("privacy won't matter").
    """

    text: str
    tokens: tuple[str, ...]
    stems: tuple[str, ...]
    clause: tuple[int, ...]
    negated: dict[int, int]
    starts: tuple[int, ...]  # each token's offset in ``text``


@dataclass(frozen=True)
class Span:
    """Where a concept occurs in a unit: tokens ``first``..``last`` (inclusive)."""

    first: int
    last: int


def units(notes: str) -> tuple[Unit, ...]:
    """The sentences and bullets of ``notes``; Markdown headings are not notes and are left out."""
    found: list[Unit] = []
    for line in notes.splitlines():
        if _HEADING.match(line):
            continue
        body = _MARKER.sub("", line, count=1).strip()
        position = 0
        for end in [*_SENTENCE_END.finditer(body), None]:
            stop = end.end() if end is not None else len(body)
            sentence = body[position:stop].strip()
            position = stop
            if sentence:
                found.append(_unit(sentence))
    return tuple(u for u in found if u.tokens)


def sentence_unit(text: str) -> Unit:
    """The :class:`Unit` of one sentence, as :func:`units` makes it (remembered)."""
    return _unit(text)


@lru_cache(maxsize=8192)
def _unit(text: str) -> Unit:
    tokens: list[str] = []
    starts: list[int] = []
    clauses: list[int] = []
    negated: dict[int, int] = {}
    clause = 0
    previous = 0
    for match in _TOKEN.finditer(text):
        gap = text[previous:match.start()]
        word = match.group(0).casefold().replace("’", "'")
        if tokens and (re.search(r"[,:;()\[\]—–→]|\s-\s", gap) or word in CLAUSE_BREAKS
                       or (word in _SUBJECTS and tokens[-1] in ("and", "or"))):
            clause += 1
        if word in NEGATIONS or word.endswith("n't"):
            reach = len(tokens) if word in _FORWARD else 0
            negated[clause] = min(negated.get(clause, reach), reach)
        tokens.append(word)
        starts.append(match.start())
        clauses.append(clause)
        previous = match.end()
    _dismiss_back(tokens, clauses, negated)
    return Unit(text, tuple(tokens), tuple(_stem(t) for t in tokens), tuple(clauses),
                negated, tuple(starts))


def _dismiss_back(tokens: list[str], clauses: list[int], negated: dict[int, int]) -> None:
    """A clause that is only a negation and words that dismiss ("not a concern", "not yet")
    denies the clause before it: "privacy -> not a concern" names no constraint."""
    for index, word in enumerate(tokens):
        clause = clauses[index]
        if (clause == 0 or (index and clauses[index - 1] == clause)
                or not (word in NEGATIONS or word.endswith("n't"))):
            continue
        rest = tokens[index + 1:]  # to the end ("not yet": "yet" opens a clause of its own)
        if (any(t in _DISMISSALS for t in rest)
                and all(t in STOPWORDS or t in NEGATIONS or t in _DISMISSALS for t in rest)):
            negated[clause - 1] = 0


def _stem(token: str) -> str:
    """A token's stem; a word whose stem drops an agent ending keeps it ("transformer", not
    "transform": "log-transformed" does not name a Transformer)."""
    if token[:1].isdigit():
        return token
    word = token.replace("'", "")
    stemmed = stem(word)
    # "transformers" -> "transformer", as _concept_stem keeps it; "transformed" stays "transform".
    singular = word[:-1] if word.endswith(("ers", "ors")) else word
    if singular.endswith(("er", "or")) and len(stem(singular)) < len(singular) - 1:
        return singular
    return stemmed


def concept_stems(concept: str) -> tuple[str, ...]:
    """A concept's stems in order, as :func:`find` matches them."""
    return _pattern(concept)


@lru_cache(maxsize=16384)
def _pattern(concept: str) -> tuple[str, ...]:
    """A concept's stems in order: "click-through rates" -> ("click", "through", "rate")."""
    return tuple(_stem(t.casefold()) for t in _TOKEN.findall(concept.casefold()))


def find(unit: Unit, concept: str) -> list[Span]:
    """Every place ``concept`` occurs in ``unit``, by stems: its words in a row, or run together
    ("log-loss", "log loss", "logloss"; "a/b test", "ab test"). A number concept such as
    ``<ms>`` finds the numbers with that unit."""
    if concept in NUMBER_CONCEPTS:
        return [_covering(unit, m.start(), m.end())
                for m in NUMBER_CONCEPTS[concept].finditer(unit.text.casefold())]
    wanted = _pattern(concept)
    if not wanted:
        return []
    spans: list[Span] = _arrows(unit) if concept in ARROW_CONCEPTS else []
    joined_stem = stem("".join(wanted))
    for first in range(len(unit.stems)):
        index, part = first, 0
        while index < len(unit.stems) and part < len(wanted):
            here = unit.stems[index]
            # A token may be several of the concept's words run together: "logloss", "ab".
            run, glued = part, ""
            while run < len(wanted) and len(glued) < len(here):
                glued += wanted[run]
                run += 1
            if glued == here or (run - part > 1 and run == len(wanted)
                                 and _same_word(glued, here)):
                part, index = run, index + 1
            else:
                break
        if part == len(wanted) and index > first:
            spans.append(Span(first, index - 1))
        elif len(wanted) > 1 and unit.stems[first] == joined_stem:
            spans.append(Span(first, first))
    return spans


def _arrows(unit: Unit) -> list[Span]:
    """An arrow between two things ("app → ranker") says what the words "then" and "sends"
    would, at the thing it points to; an arrow to nothing ("API → TBD", "x → not needed") says
    nothing."""
    spans = []
    for index in range(1, len(unit.tokens)):
        end = unit.starts[index - 1] + len(unit.tokens[index - 1])
        if ("→" in unit.text[end:unit.starts[index]]
                and not any(t in PLACEHOLDERS or t in NEGATIONS or t.endswith("n't")
                            for t in unit.tokens[index - 1:index + 1])):
            spans.append(Span(index, index))
    return spans


def _same_word(glued: str, token_stem: str) -> bool:
    """A run-together token stems differently from its parts: "abtests" -> "abtest"."""
    return stem(glued) == token_stem


def _covering(unit: Unit, start: int, end: int) -> Span:
    """The tokens that start inside ``start``..``end`` (found by bisection: a line of many
    numbers is not read once per number)."""
    first, stop = bisect_left(unit.starts, start), bisect_left(unit.starts, end)
    return Span(first, stop - 1) if first < stop else Span(0, 0)


def concept_spans(unit: Unit, concepts: tuple[str, ...]) -> list[Span]:
    """Where any of ``concepts`` occurs in ``unit``, each place once, not in a negated clause
    (unless the concept itself holds the negation, as "non-click" or "without ML" do)."""
    spans: list[Span] = []
    for concept in concepts:
        own_negation = any(w in NEGATIONS or w.endswith("n't") for w in _pattern(concept))
        for span in find(unit, concept):
            if (own_negation or not _negated(unit, span)
                    or _avoided(unit, span)):
                spans.append(span)
    return spans


def _negated(unit: Unit, span: Span) -> bool:
    clause = unit.clause[span.first]
    return clause in unit.negated and span.last >= unit.negated[clause]


def _avoided(unit: Unit, span: Span) -> bool:
    """A hazard right after its negation: "no leakage", "never leak into training"."""
    before = unit.tokens[span.first - 1] if span.first else ""
    return unit.stems[span.first] in HAZARDS and (before in NEGATIONS or before.endswith("n't"))


def content_count(unit: Unit) -> int:
    """The unit's words that carry meaning (numbers count)."""
    return sum(1 for t in unit.tokens if t not in STOPWORDS)


def fragments(unit: Unit) -> list[range]:
    """The token ranges between commas, semicolons, colons and slashes: a list's items."""
    cuts = [0]
    for index in range(1, len(unit.tokens)):
        gap = unit.text[unit.starts[index - 1] + len(unit.tokens[index - 1]):unit.starts[index]]
        if re.search(r"[,;:/()]", gap):
            cuts.append(index)
    cuts.append(len(unit.tokens))
    return [range(a, b) for a, b in itertools.pairwise(cuts) if b > a]


# Words that open an aside between commas: "latency, measured end to end, is 300 ms".
_ASIDE_WORDS = "which who whose including measured defined counted seen"
_ASIDE_OPENERS = frozenset(_ASIDE_WORDS.split())


def asides(unit: Unit) -> set[int]:
    """The tokens of clauses set off by a comma on each side that open with a participle or
    "which": an aside, whose words do not put a subject far from what is said of it."""
    inside: set[int] = set()
    tokens, clause = unit.tokens, unit.clause
    first = 0
    for index in range(1, len(tokens) + 1):
        if index < len(tokens) and clause[index] == clause[first]:
            continue
        opener = tokens[first]
        if (first and index < len(tokens) and _comma_before(unit, first)
                and _comma_before(unit, index)
                and (opener in _ASIDE_OPENERS or (opener.endswith("ed") and len(opener) > 4))):
            inside.update(range(first, index))
        first = index
    return inside


def _comma_before(unit: Unit, index: int) -> bool:
    end = unit.starts[index - 1] + len(unit.tokens[index - 1])
    return "," in unit.text[end:unit.starts[index]]
