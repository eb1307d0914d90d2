"""Deck text -> plain YAML nodes with their positions: safe YAML only, every refusal located."""

# We do not let PyYAML build Python objects at all: the event stream of the (C, when available)
# safe loader is turned into plain nodes here, without recursion, so that tags which build
# objects, aliases (``*name``, the billion-laughs bomb) and absurd nesting are refused with a
# location instead of being expanded.

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from app.errors import DeckError, Problem

# The C loader when PyYAML was built with libyaml; typed Any as the stubs do not cover events.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: YAML nesting deeper than this is refused (a topic level costs two: mapping + children list).
MAX_NESTING = 400

#: The prefix of YAML's standard tags (``tag:yaml.org,2002:str`` ...).
STD = "tag:yaml.org,2002:"
#: The tags of scalars that can be read as text.
TEXT_TAGS = {STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_ALLOWED_EXPLICIT = {STD + t for t in ("str", "int", "float", "bool", "null", "seq", "map")}


@dataclass
class Node:
    """A YAML node with its 1-based position; ``value`` is str, list[Node] or list of pairs."""

    kind: str  # "scalar" | "seq" | "map"
    line: int
    column: int
    tag: str
    value: Any = None
    items: list[Any] = field(default_factory=list)
    quoted: bool = False


class _Refused(Exception):
    """Raised inside the reader to stop at a problem that makes the rest unreadable."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _tag_message(tag: str) -> str:
    shown = "!!" + tag[len(STD):] if tag.startswith(STD) else tag
    return (f"the YAML tag '{shown}' is not allowed: decks hold only text, numbers, "
            "true/false, lists and mappings")


def _nodes_from_events(text: str) -> Node | None:
    """Parse YAML text into plain nodes: no object construction, no aliases, bounded depth."""
    loader = _Loader(text)
    try:
        stack: list[Node] = []
        pending_key: list[Node | None] = []
        root: Node | None = None
        documents = 0

        def attach(node: Node) -> None:
            nonlocal root
            if not stack:
                root = node
                return
            parent = stack[-1]
            if parent.kind == "seq":
                parent.items.append(node)
            elif pending_key[-1] is None:
                pending_key[-1] = node
            else:
                parent.items.append((pending_key[-1], node))
                pending_key[-1] = None

        while loader.check_event():
            event = loader.get_event()
            line, column = _pos(event.start_mark)
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Refused(line, column, "a deck file holds one YAML document; remove the "
                                   "second '---' and what follows or move it to its own file")
            elif isinstance(event, yaml.AliasEvent):
                raise _Refused(line, column, f"aliases (*{event.anchor}) are not allowed in a "
                               "deck; write the text out in full")
            elif isinstance(event, yaml.ScalarEvent):
                tag = event.tag
                if tag is None or tag == "!":
                    tag = str(loader.resolve(yaml.ScalarNode, event.value, event.implicit))
                elif tag not in _ALLOWED_EXPLICIT:
                    raise _Refused(line, column, _tag_message(tag))
                attach(Node("scalar", line, column, tag, event.value,
                            quoted=bool(event.style)))
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                kind = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
                if event.tag not in (None, "!") and event.tag not in _ALLOWED_EXPLICIT:
                    raise _Refused(line, column, _tag_message(event.tag))
                if len(stack) >= MAX_NESTING:
                    raise _Refused(line, column, f"nesting deeper than {MAX_NESTING} levels; "
                                   "flatten the outline")
                node = Node(kind, line, column, STD + kind)
                attach(node)
                stack.append(node)
                pending_key.append(None)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                stack.pop()
                pending_key.pop()
        return root
    finally:
        loader.dispose()


def read_nodes(text: str, source: str) -> Node | None:
    """The YAML of a deck as plain nodes; a YAML problem raises :class:`DeckError` at its place."""
    try:
        return _nodes_from_events(text)
    except _Refused as refused:
        raise DeckError([Problem(source, refused.line, refused.column, refused.message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = _pos(mark)
        what = exc.problem or exc.context or "not valid YAML"
        context = exc.context_mark
        if exc.problem and exc.context and context is not None and _pos(context) != (line, column):
            # e.g. an unclosed quote is noticed at the end of the file; say where it opened
            what += (f" ({exc.context} started at line {context.line + 1}, "
                     f"column {context.column + 1})")
        hint = "check indentation and quoting around this spot"
        lines = text.splitlines()
        if mark is not None and mark.line < len(lines) and "\t" in lines[mark.line]:
            hint = "YAML indentation must use spaces, not tabs"
        raise DeckError([Problem(source, line, column,
                                 f"YAML syntax error: {what}; {hint}")]) from None
    except yaml.reader.ReaderError as exc:  # control characters and the like
        offset = max(0, int(exc.position))
        if isinstance(exc.character, int):  # libyaml counts UTF-8 bytes, not characters
            offset = len(text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise DeckError([Problem(source, line, column,
                                 f"character U+{char:04X} is not allowed in a deck "
                                 "(a control character); remove it")]) from None
    except yaml.YAMLError as exc:
        raise DeckError([Problem(source, 1, 1, "not a readable YAML text: "
                                 + " ".join(str(exc).split()))]) from None
    except RecursionError:
        raise DeckError([Problem(source, 1, 1, "the file nests too deeply to read")]) from None
    except UnicodeEncodeError as exc:  # a lone surrogate: text that no file can hold
        line = text.count("\n", 0, exc.start) + 1
        column = exc.start - (text.rfind("\n", 0, exc.start) + 1) + 1
        raise DeckError([Problem(source, line, column,
                                 f"character U+{ord(text[exc.start]):04X} is not valid text "
                                 "(a lone surrogate); remove it")]) from None
