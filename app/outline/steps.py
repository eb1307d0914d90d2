"""An outline's top-level numbered sequence as its steps, on the flow's numbers if they match."""

from __future__ import annotations

from dataclasses import replace

from app.interview.steps import STANDARD_STEP_TITLES
from app.model import STEP_COUNT, Topic
from app.outline.tree import title_key

#: An imported title is a step of the built-in flow when it holds at least this share of the
#: words of that step's title ("Metrics (Offline and Online)" is "Metrics").
MATCH_SHARE = 0.6
_SMALL_WORDS = frozenset({"a", "an", "and", "the", "of", "for", "to", "in", "on", "with"})


def _words(title: str) -> frozenset[str]:
    return frozenset(word.removesuffix("s") for word in title_key(title).split()
                     if word not in _SMALL_WORDS)


_FLOW = tuple(_words(title) for title in STANDARD_STEP_TITLES)


def flow_step(title: str) -> int | None:
    """The number of the built-in flow's step that ``title`` names, if one does."""
    words = _words(title)
    scored = [(len(words & step) / len(step), number)
              for number, step in enumerate(_FLOW, 1) if step]
    share, number = max(scored)
    return number if share >= MATCH_SHARE else None


def mark_steps(topics: tuple[Topic, ...], numbered: list[bool]) -> tuple[tuple[Topic, ...], bool]:
    """``topics`` (the deck's top level) with ``step:`` on its numbered ones, and whether they
    are the built-in flow's steps.

    Two to nine numbered top-level topics are the deck's steps, numbered in order; when each
    names a step of the built-in flow, in the flow's order, they take the flow's numbers (a
    newer version of the flow that leaves a step out still maps onto the right ones).
    """
    chosen = [index for index, flag in enumerate(numbered) if flag]
    if not 2 <= len(chosen) <= STEP_COUNT:
        return topics, False
    flow = [flow_step(topics[index].title) for index in chosen]
    known = [number for number in flow if number is not None]
    mapped = len(known) == len(flow) and known == sorted(set(known))
    numbers = known if mapped else list(range(1, len(chosen) + 1))
    steps = dict(zip(chosen, numbers, strict=True))
    return tuple(replace(topic, step=steps[index]) if index in steps else topic
                 for index, topic in enumerate(topics)), mapped
