"""Word salad: words in no order a writer would put them ("the of", "we the", "classifier The
tree"). Notes are terse, not word salad: ordinary phrases ("Type I and", "a per user", "in
house", "in May") are read as written."""

from __future__ import annotations

import itertools
import re

from app.decks.words import STOPWORDS
from app.interview.concepts import Unit

__all__ = ["SENTENCE_DONE", "scrambled"]

#: A line that ends its sentence: ". ! ?" at its end.
SENTENCE_DONE = re.compile(r"[.!?]\W*$")

# Function words by their part in a sentence, to see word salad: "the of", "a is", "or and".
_DETERMINER_WORDS = "the a an our their my your its"
_DETERMINERS = frozenset(_DETERMINER_WORDS.split())
_PREPOSITION_WORDS = """of to in on at by for with from into onto over under about as than via
per between without within"""
_PREPOSITIONS = frozenset(_PREPOSITION_WORDS.split())
_CONJUNCTIONS = frozenset(("and", "or", "nor", "but"))
_AUXILIARY_WORDS = """is are was were be been being will would can could should may might must
do does did has have had"""
_AUXILIARIES = frozenset(_AUXILIARY_WORDS.split())
_SUBJECT_PRONOUNS = frozenset(("we", "i", "they", "he", "she"))
_CLAUSE_WORDS = "which who that so if when then because while"
_AFTER_DETERMINER = _DETERMINERS | _PREPOSITIONS | _CONJUNCTIONS | _AUXILIARIES \
    | _SUBJECT_PRONOUNS | frozenset(_CLAUSE_WORDS.split())
_AFTER_SUBJECT = _DETERMINERS | _PREPOSITIONS | _CONJUNCTIONS | _SUBJECT_PRONOUNS
# Ordinary phrases that start with a function word: "our in house store", "we by default".
_PHRASE_PAIRS = """in-house by-default in-practice at-least at-most in-parallel on-average
in-general by-hand at-scale at-once in-advance on-demand in-memory on-device in-batch
in-place in-production in-total at-random per-user per-item per-request per-day per-session"""
_PHRASES = frozenset(tuple(pair.split("-")) for pair in _PHRASE_PAIRS.split())
# "Type I and Type II errors", "Phase I": a capital I after these is a numeral.
_NUMBERED = frozenset(("type", "phase", "tier", "level", "stage", "part", "class", "step"))
# "in May", "by March": a month, not a capitalised function word.
_MONTHS = frozenset(("may", "march"))


def scrambled(unit: Unit) -> bool:
    """Words in no order a writer would put them: a determiner before a function word ("the
    of", "a is"), a subject before a function word ("we the"), two conjunctions in a row ("or
    and"), a capitalised function word or heading inside a sentence ("classifier The tree",
    "more Offline: MAE"), or a sentence that ends on a determiner, a conjunction or "of"
    ("... can and."). Only words with nothing but a space between them are read together (not
    "the A/B test", "an on-call", 'in "I don't know" reports'). Notes are terse, not word
    salad."""
    tokens = unit.tokens
    for index, (first, second) in enumerate(itertools.pairwise(tokens)):
        start = unit.starts[index + 1]
        after = start + len(second)
        if (not unit.text[unit.starts[index] + len(first):start].isspace()
                or unit.text[after:after + 1] in ("-", "/")):
            continue
        written = unit.text[start:after]
        following = tokens[index + 2] if index + 2 < len(tokens) else ""
        if ((second, following) in _PHRASES or (first, second) in _PHRASES
                or (first == "i" and index and tokens[index - 1] in _NUMBERED)
                or (second in _MONTHS and first in _PREPOSITIONS)):
            continue
        if (first in _DETERMINERS and second in _AFTER_DETERMINER
                and unit.text[unit.starts[index]:start].strip() != "A"):  # "of A and B"
            return True
        if first in _SUBJECT_PRONOUNS and second in _AFTER_SUBJECT:
            return True
        if first in _PREPOSITIONS and second in _SUBJECT_PRONOUNS and first not in ("as", "than"):
            return True
        if first in _CONJUNCTIONS and second in _CONJUNCTIONS and (first, second) != ("and", "or"):
            return True
        before = unit.text[unit.starts[index]:start].strip()
        if (len(written) > 1 and written[0].isupper() and written[1:].islower()
                and before[-1:].isalnum() and not before[:1].isupper()  # not "People You May"
                and (second in STOPWORDS or unit.text[after:after + 1] == ":")):
            return True  # a sentence's first word or a heading, inside a sentence
    # a line may wrap anywhere; a sentence that ends there ends on a word that can end it
    return bool(tokens) and tokens[-1] in _DANGLING and bool(SENTENCE_DONE.search(unit.text))


# Words a sentence does not end on.
_DANGLING = _DETERMINERS | frozenset(("and", "or", "nor", "of", "than", "via", "per"))
