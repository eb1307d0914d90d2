"""A criterion as the rubric engine reads it: the terms that meet it alone and the groups of
concepts of which two meet it together; generic words never meet one alone."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.decks.words import STOPWORDS, stem
from app.model import RubricItem

__all__ = ["GENERIC", "Criterion", "criterion_of", "is_generic", "item_concepts"]

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


def item_concepts(item: RubricItem) -> tuple[str, ...]:
    """Every term and group concept of a criterion."""
    return (*item.terms, *(c for group in item.groups for c in group))


@dataclass(frozen=True)
class Criterion:
    sufficient: tuple[str, ...]  # one of these in a sentence meets the criterion
    groups: tuple[tuple[str, ...], ...]  # two of these in one sentence meet it


@lru_cache(maxsize=1024)
def criterion_of(item: RubricItem) -> Criterion:
    """A generic word among the ``terms`` cannot meet a criterion alone: it joins the groups."""
    generic = tuple(t for t in item.terms if is_generic(t))
    sufficient = tuple(t for t in item.terms if not is_generic(t))
    groups = item.groups + ((generic,) if generic else ())
    if len(groups) == 1 and not sufficient:
        # One group and nothing else: its specific concepts suffice, as terms would.
        sufficient = tuple(c for c in groups[0] if not is_generic(c))
    return Criterion(sufficient, groups)


def is_generic(concept: str) -> bool:
    words = [w for w in concept.casefold().replace("-", " ").split() if w not in STOPWORDS]
    if concept.startswith("<"):  # a bare number; a percentile or a rate is specific
        return concept not in ("<percentile>", "<qps>")
    return all(stem(w) in GENERIC for w in words)
