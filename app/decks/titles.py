"""How the card generator reads a heading: what an "Explain:" card asks for, whether a title is
a term to recall, whether two titles share a word or one points at another."""

from __future__ import annotations

import re

from app.decks.words import STOPWORDS, content_stems

__all__ = ["asked_title", "is_term", "shares_a_word", "sounds_like", "without_notes_to_reader"]

# A title longer than this is a heading to read, not a term to recall from its description.
_TERM_WORDS = 5
# Titles that list examples, join two ideas or ask something are not one term to recall:
# "Loss functions (MSE, etc)", "Web app and serving system", "how often?".
_NOT_A_TERM = re.compile(r"\be\.?g\b|\betc\b|\bi\.?e\b|\band\b|[,?:;&…]|\.\.\.",
                         re.IGNORECASE)

# A heading's aside in parentheses that explains or lists ("(e.g. clicks, likes, etc)", "(not
# clicking is not a negative label)"): it tells what the answer says. Short names stay: "(NE)",
# "(MVP)", "(Offline and Online)", and the "(item 2 of 3)" that keeps sibling labels apart.
_ASIDE = re.compile(r"\s*\((?!item \d+ of \d+\))([^()]*)\)")
_EXPLAINS = re.compile(r"\be\.?g\b|\betc\b|\bi\.?e\b|[,:;]|->", re.IGNORECASE)
_TRAILING_ETC = re.compile(r",?\s+etc\.?\s*$", re.IGNORECASE)
_TRAILING_EXAMPLES = re.compile(r"[\s:,;-]*\be\.g\b.*$", re.IGNORECASE)
_ASIDE_WORDS = 3
# An outline's note to its reader, not part of the name: "CTC algorithm (advanced)".
_MARKER = re.compile(r"\s*\((?:advanced|optional|bonus|basics?|extra|new|todo)\)", re.IGNORECASE)


def without_notes_to_reader(title: str) -> str:
    """``title`` without the outline's notes to its reader ("CTC algorithm (advanced)")."""
    return _MARKER.sub("", title)


def asked_title(title: str) -> str:
    """A heading as an "Explain:" card asks for it: without asides in parentheses that explain
    or list (they hold the answer: "Human annotation (super costly, slow, privacy issues)" asks
    "Human annotation"), without trailing examples ("Hybrid: e.g. Netflix: ...") and without a
    trailing "etc" ("Reciprocal rank of first click"), nor the outline's notes to its reader
    ("CTC algorithm (advanced)")."""

    def aside(match: re.Match[str]) -> str:
        inner = match.group(1)
        explains = _EXPLAINS.search(inner) or len(inner.split()) > _ASIDE_WORDS
        return "" if explains else match.group(0)

    asked = _MARKER.sub("", _ASIDE.sub(aside, title))
    asked = _TRAILING_ETC.sub("", _TRAILING_EXAMPLES.sub("", asked)).strip()
    return " ".join(asked.split()) if content_stems(asked) else title


# A heading that asks or instructs is no name: "What embeddings can represent", "Needed for
# unstructured data", "Train the candidate model" (a step of a procedure). A verb starts an
# instruction when a function word or an adverb follows it: "Train data generator" and "Use
# case" are names.
_QUESTION_WORDS = frozenset(["what", "how", "why", "when", "which", "where", "who"])
_INSTRUCTING_WORDS = """
needed use using train evaluate deploy test build run check compare choose pick define collect
measure monitor add make keep avoid start
"""
_INSTRUCTING = frozenset(_INSTRUCTING_WORDS.split())
_JOINING = frozenset(["vs", "versus", "or", "and", "to"])
_PREPOSITIONS = frozenset(["against", "across", "within", "without", "between", "before",
                           "after", "through", "toward", "towards"])
# Section words that name a part of an outline, not a concept to recall from its description.
_SECTION_WORDS_TEXT = """
portions correction extensions introduction overview examples others misc summary notes details
options
"""
_SECTION_WORDS = frozenset(_SECTION_WORDS_TEXT.split())


def is_term(title: str, max_words: int = _TERM_WORDS) -> bool:
    """A short name worth recalling ("Reservoir sampling"), not a heading or a list of examples,
    a question or an instruction ("What embeddings can represent", "Train the candidate
    model"), nor a section word ("Correction", "Portions")."""
    first, second = ([w.casefold() for w in title.split()[:2]] + ["", ""])[:2]
    # "Build vs buy", "Add to cart rate": a joining word makes no instruction
    instructs = first in _INSTRUCTING and second not in _JOINING and (
        second in STOPWORDS or second in _PREPOSITIONS or second.endswith("ly"))
    if first in _QUESTION_WORDS or instructs or title.strip().casefold() in _SECTION_WORDS:
        return False
    return (len(title.split()) <= max_words and not _NOT_A_TERM.search(title)
            and bool(content_stems(title)))


def shares_a_word(first: str, second: str) -> bool:
    """Whether two texts share a content word, in any of its forms ("features", "Feature")."""
    return bool(content_stems(first) & content_stems(second))



def sounds_like(title: str, step_title: str) -> bool:
    """Whether a title points at a step by its words: a shared word in any form, or one
    word the start of another ("Dataset" and "Data")."""
    mine, theirs = content_stems(title), content_stems(step_title)
    return bool(mine & theirs) or any(
        a != b and len(b) >= 4 and a.startswith(b) for a in mine for b in theirs) or any(
        a != b and len(a) >= 4 and b.startswith(a) for a in mine for b in theirs)
