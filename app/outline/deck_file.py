"""The deck file an import writes: YAML under a header that says which outline it came from."""

from __future__ import annotations

import shlex
from typing import Any

import yaml

from app.model import Deck, Topic
from app.outline.gc_pause import gc_paused

#: The first line of every deck file written by an import; a file without it is not replaced.
IMPORT_MARKER = "# Imported from a Markdown outline by MLSD Study."

_SOURCE_LINE = "# source: "

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # PyYAML without libyaml: the same output, slower
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]


_STR, _INT, _BOOL = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:int",
                     "tag:yaml.org,2002:bool")
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _node(value: Any) -> yaml.Node:
    """The YAML node of a deck value, built straight (PyYAML's representer, generic and in
    Python, took most of the time of writing a big deck): block style, no aliases, multi-line
    text as literal blocks."""
    if isinstance(value, str):
        return yaml.ScalarNode(_STR, value, style="|" if "\n" in value else None)
    if isinstance(value, bool):
        return yaml.ScalarNode(_BOOL, "true" if value else "false")
    if isinstance(value, int):
        return yaml.ScalarNode(_INT, str(value))
    if isinstance(value, dict):
        return yaml.MappingNode(_MAP, [(_node(k), _node(v)) for k, v in value.items()],
                                flow_style=False)
    if isinstance(value, list):
        return yaml.SequenceNode(_SEQ, [_node(item) for item in value], flow_style=False)
    raise TypeError(f"a deck file holds no {type(value).__name__}")


def printable(text: str) -> str:
    """``text`` safe for one line of a deck file: line breaks and undecodable bytes become "?"."""
    return "".join(c if c.isprintable() else "?" for c in text)


def imported_from(deck_text: str) -> str | None:
    """The outline a deck file was imported from ("" if it does not say), or None when the
    file was not written by an import (a hand-written deck)."""
    lines = deck_text.splitlines()
    if not lines or not lines[0].startswith(IMPORT_MARKER):
        return None
    for line in lines[1:8]:
        if line.startswith(_SOURCE_LINE):
            return line[len(_SOURCE_LINE):]
    return ""


def _topic_data(topic: Topic) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(topic.id), "title": topic.title}
    if topic.notes:
        data["notes"] = topic.notes
    if topic.step:
        data["step"] = topic.step
    if topic.ordered:
        data["ordered"] = True
    if topic.children:
        data["children"] = [_topic_data(child) for child in topic.children]
    return data


def outline_to_yaml(deck: Deck, *, source: str | None = None) -> str:
    """The deck as a YAML deck file, headed by where it came from and how to re-import it.

    ``source`` (default: ``deck.path``) names the outline in the header.
    """
    origin = printable(source or deck.path)
    meta: dict[str, Any] = {"id": str(deck.id), "title": deck.title, "version": deck.version}
    if deck.description:
        meta["description"] = deck.description
    credit = {k: v for k, v in vars(deck.source).items() if v}
    if credit:
        meta["source"] = credit
    with gc_paused():  # a node per value, all alive until written
        body = yaml.serialize(
            _node({"deck": meta, "topics": [_topic_data(t) for t in deck.topics]}),
            Dumper=_Dumper, allow_unicode=True, width=1_000_000)
    header = (
        f"{IMPORT_MARKER} Edit the outline and import it again:\n"
        "# that replaces this file and keeps your progress on every topic whose place and\n"
        "# title are unchanged. Format: decks/README.md.\n"
        f"{_SOURCE_LINE}{origin}\n"
        f"#   mlsd-study import-outline {shlex.quote(origin)} --id {deck.id}\n"
    )
    return header + body
