"""Rubric coverage: which rubric items notes name; headings and template words earn nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from app.model import RubricItem

_NON_WORD = re.compile(r"[\W_]+")
_MARKERS = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+)?")
_PARENTHESES = re.compile(r"\([^)]*\)")


def _normalise(text: str) -> str:
    """Lower case, every run of punctuation (hyphen, slash, ...) as one space."""
    return _NON_WORD.sub(" ", text.lower()).strip()


@lru_cache(maxsize=4096)
def _phrase(text: str) -> re.Pattern[str] | None:
    """A whole-word pattern for a term or heading in normalised text.

    Words may be joined with or without a space ("log-loss", "log loss", "logloss"; "a/b",
    "a b", "ab"), and the last word may be singular or plural.
    """
    words = _normalise(text).split()
    if not words:
        return None
    *head, last = words
    forms = {last, last + "s", last + "es"}
    if len(last) > 2 and last.endswith("y"):
        forms.add(last[:-1] + "ies")
    if len(last) > 3 and last.endswith("ies"):
        forms.add(last[:-3] + "y")
    if len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        forms.add(last[:-1])
    ending = "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")"
    body = " ?".join([*(re.escape(w) for w in head), ending])
    return re.compile(rf"(?<!\S){body}(?!\S)")


@dataclass(frozen=True)
class _Boilerplate:
    """What of a step's notes template is not the notes' own words."""

    phrases: tuple[re.Pattern[str], ...]  # several words: removed wherever they appear
    words: tuple[re.Pattern[str], ...]  # one word: a line of nothing else is dropped
    headings: frozenset[str]  # whole lines dropped, e.g. "offline metrics"


@lru_cache(maxsize=256)
def _boilerplate(template: tuple[str, ...], title: str) -> _Boilerplate:
    """The template phrases and the step title, sorted by how they are removed.

    A one-word heading ("Monitoring", "Metrics") is too likely a rubric term to delete from
    every sentence, so it only empties a line that holds nothing else; so does the short form
    of a heading without its parenthesis ("Offline metrics" for "Offline metrics (e.g. ...)").
    """
    texts = {_normalise(t) for t in (*template, title)} - {""}
    phrases = sorted((t for t in texts if " " in t), key=len, reverse=True)
    words = sorted(t for t in texts if " " not in t)
    short = {_normalise(_PARENTHESES.sub(" ", t)) for t in (*template, title)}
    return _Boilerplate(
        phrases=tuple(p for p in map(_phrase, phrases) if p is not None),
        words=tuple(p for p in map(_phrase, words) if p is not None),
        headings=frozenset(short - {""}))


def _content(notes: str, template: tuple[str, ...], title: str) -> str:
    """The notes' own words: markers, template phrases and the title removed, one normalised
    line per line that still has words."""
    boilerplate = _boilerplate(template, title)
    kept: list[str] = []
    for line in notes.splitlines():
        text = _normalise(_MARKERS.sub("", line))
        if text in boilerplate.headings:
            continue
        for pattern in boilerplate.phrases:
            text = pattern.sub("\n", text)  # a newline, so no phrase spans the removed words
        for part in text.split("\n"):
            rest = part
            for pattern in boilerplate.words:
                rest = pattern.sub(" ", rest)
            if rest.strip():
                kept.append(part.strip())
    return "\n".join(kept)


def coverage(notes: str, rubric: tuple[RubricItem, ...], template: tuple[str, ...] = (),
             *, title: str = "") -> tuple[bool, ...]:
    """Which rubric items the notes cover: one of an item's terms appears as a whole word or
    phrase. Headings, template phrases and the step ``title`` earn nothing."""
    content = _content(notes, template, title)
    if not content:
        return tuple(False for _ in rubric)
    result = []
    for item in rubric:
        patterns = (_phrase(term) for term in item.terms)
        result.append(any(p is not None and p.search(content) for p in patterns))
    return tuple(result)
