"""Importing an outline again: renamed and moved topics keep their ids, and so their progress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from app.model import Deck, Topic, TopicId
from app.outline.tree import title_key

#: A topic whose heading was reworded keeps its id when at least this share of its old
#: children are still under it (git's rename detection, by titles instead of lines).
RENAME_SHARE = 0.5


@dataclass(frozen=True)
class Carried:
    """The new deck with the old ids carried over, and how many topics were renamed or moved."""

    deck: Deck
    renamed: int
    moved: int


@dataclass(eq=False)
class _Place:
    topic: Topic
    parent: TopicId | None
    key: str
    children: frozenset[str]


def _places(deck: Deck) -> dict[TopicId, _Place]:
    places: dict[TopicId, _Place] = {}
    for topic, ancestors in deck.walk():
        places[topic.id] = _Place(topic, ancestors[-1].id if ancestors else None,
                                  title_key(topic.title),
                                  frozenset(title_key(c.title) for c in topic.children))
    return places


def _kept_share(old: _Place, new: _Place) -> float:
    """How much of the old topic is still there: the share of its children (by title) under
    the new one, or for a topic without children, 1 when its notes are the same."""
    if old.children:
        return len(old.children & new.children) / len(old.children)
    return 1.0 if old.topic.notes.strip() and old.topic.notes == new.topic.notes else 0.0


def carry_ids(old: Deck, new: Deck) -> Carried:
    """``new`` with the ids of ``old`` on the topics that are the same topic under a new title
    or in a new place, so their cards keep their progress.

    A topic whose id is new (its path of titles changed) takes the id of a topic that
    vanished when the two have the same title and most of the same children (moved, or kept
    where its renamed parent is), or else when they sit in the same place and at least
    :data:`RENAME_SHARE` of the old one's children are under the new one (renamed). Topics
    are matched parents first, so the children of a renamed heading follow it.
    """
    before = _places(old)
    after = _places(new)
    gone = {tid: place for tid, place in before.items() if tid not in after}
    if not gone:
        return Carried(new, 0, 0)
    by_key: defaultdict[str, list[_Place]] = defaultdict(list)
    by_parent: defaultdict[TopicId | None, list[_Place]] = defaultdict(list)
    for place in gone.values():
        by_key[place.key].append(place)
        by_parent[place.parent].append(place)
    ids: dict[TopicId, TopicId] = {}  # new id -> the old id it keeps
    taken: set[TopicId] = set()
    renamed = moved = 0
    for tid, place in after.items():  # in outline order: parents first
        if tid in before:
            continue
        parent = ids.get(place.parent, place.parent) if place.parent is not None else None

        def free(candidates: list[_Place]) -> list[_Place]:
            return [c for c in candidates if c.topic.id not in taken]

        same_title = free(by_key.get(place.key, []))
        here = [c for c in same_title if c.parent == parent]
        match: _Place | None = here[0] if here else None
        if match is None:
            elsewhere = [c for c in same_title if _kept_share(c, place) >= RENAME_SHARE
                         or (not c.children and not place.children and len(same_title) == 1)]
            if elsewhere:
                match = max(elsewhere, key=lambda c: _kept_share(c, place))
                moved += 1
        if match is None:
            scored = [(_kept_share(c, place), c) for c in free(by_parent.get(parent, []))]
            scored = [(share, c) for share, c in scored if share >= RENAME_SHARE]
            if scored:
                match = max(scored, key=lambda pair: pair[0])[1]
                renamed += 1
        if match is not None:
            ids[tid] = match.topic.id
            taken.add(match.topic.id)
    if not ids:
        return Carried(new, 0, 0)
    return Carried(replace(new, topics=_with_ids(new.topics, ids)), renamed, moved)


def _with_ids(topics: tuple[Topic, ...], ids: dict[TopicId, TopicId]) -> tuple[Topic, ...]:
    return tuple(replace(topic, id=ids.get(topic.id, topic.id),
                         children=_with_ids(topic.children, ids)) for topic in topics)
