"""The deck file an import writes: YAML under a header that says which outline it came from."""

from __future__ import annotations

import shlex
from typing import Any

import yaml

from app.model import Deck, Topic

#: The first line of every deck file written by an import; a file without it is not replaced.
IMPORT_MARKER = "# Imported from a Markdown outline by MLSD Study."

_SOURCE_LINE = "# source: "

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # PyYAML without libyaml: the same output, slower
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """Block style, no aliases, multi-line text as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_text(dumper: _Dumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data,
                                   style="|" if "\n" in data else None)


_Dumper.add_representer(str, _represent_text)


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
    body = yaml.dump({"deck": meta, "topics": [_topic_data(t) for t in deck.topics]},
                     Dumper=_Dumper, default_flow_style=False, allow_unicode=True,
                     sort_keys=False, width=1_000_000)
    header = (
        f"{IMPORT_MARKER} Edit the outline and import it again:\n"
        "# that replaces this file and keeps your progress on every topic whose place and\n"
        "# title are unchanged. Format: decks/README.md.\n"
        f"{_SOURCE_LINE}{origin}\n"
        f"#   mlsd-study import-outline {shlex.quote(origin)} --id {deck.id}\n"
    )
    return header + body
