"""Edits to a deck file's text in place: the changed values only, the rest byte for byte.

A round-trip YAML library re-emits the whole file (its indentation, quoting and line widths);
here the file is composed once for the positions of its nodes and only the spans of the values
that change are replaced, so comments, key order, quoting and blank lines elsewhere stay as the
author wrote them. Every result is loaded again with the deck loader and compared with the
intended change before anyone writes it (:func:`app.decks.editing` does): a wrong splice is a
refused edit, never a damaged deck.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from app.errors import AppError
from app.model import AuthoredCard

__all__ = ["YamlEditError", "add_card", "delete_card", "set_card", "set_topic_text"]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlEditError(AppError):
    """The deck file cannot take the edit where it stands (the message says why)."""


@dataclass(frozen=True)
class _Splice:
    start: int
    end: int
    text: str


def _compose(text: str) -> yaml.Node:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise YamlEditError(f"The deck file is not valid YAML ({' '.join(str(exc).split())}); "
                            "fix it before editing.") from None
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode):
        raise YamlEditError("The deck file is not a deck mapping; fix it before editing.")
    return node


def _entry(mapping: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _find_topic(root: yaml.Node, topic_id: str) -> yaml.MappingNode:
    stack: list[yaml.Node] = []
    top = _entry(root, "topics")
    if top is not None:
        stack.append(top[1])
    while stack:
        seq = stack.pop()
        if not isinstance(seq, yaml.SequenceNode):
            continue
        for item in seq.value:
            ident = _entry(item, "id")
            if ident is not None and isinstance(ident[1], yaml.ScalarNode) \
                    and str(ident[1].value).strip() == topic_id:
                assert isinstance(item, yaml.MappingNode)
                return item
            children = _entry(item, "children")
            if children is not None:
                stack.append(children[1])
    raise YamlEditError(f"No topic '{topic_id}' in the deck file; it may have been edited "
                        "outside the app. Reload and try again.")


def _end(text: str, node: yaml.Node) -> int:
    """Where a node's text ends, without the blank lines and spaces a block carries after it."""
    start, end = node.start_mark.index, node.end_mark.index
    return start + len(text[start:end].rstrip())


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _next_line(text: str, index: int) -> int:
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def scalar(value: str, indent: int, *, flow: bool = False) -> str:
    """``value`` as YAML text after ``key: `` at column ``indent``: plain or quoted on one line,
    a literal block (``|``) for several lines, double-quoted where nothing else is safe."""
    quoted = json.dumps(value, ensure_ascii=False)  # JSON strings are YAML double-quoted ones
    if flow:
        return quoted
    if "\n" not in value:
        dumped = yaml.safe_dump(value, default_flow_style=False, allow_unicode=True,
                                width=1_000_000)
        dumped = dumped.removesuffix("\n...\n").removesuffix("\n")
        return quoted if "\n" in dumped else dumped
    lines = value.split("\n")
    if (lines[0][:1] in (" ", "\t") or any(line != line.rstrip() for line in lines)
            or not all(line.isprintable() for line in lines)):
        return quoted
    pad = " " * (indent + 2)
    return "|\n" + "\n".join(pad + line if line else "" for line in lines)


def _replace_value(text: str, key: yaml.Node, value: yaml.Node, new: str, *,
                   flow: bool = False) -> _Splice:
    colon = text.index(":", key.end_mark.index)
    end = max(colon + 1, _end(text, value))
    return _Splice(colon, end, ": " + scalar(new, key.start_mark.column, flow=flow))


def _apply(text: str, splices: list[_Splice]) -> str:
    for splice in sorted(splices, key=lambda s: s.start, reverse=True):
        text = text[:splice.start] + splice.text + text[splice.end:]
    return text


def _block_mapping(node: yaml.Node, what: str) -> yaml.MappingNode:
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        raise YamlEditError(f"{what} is written in flow style ({{...}}) in the deck file; "
                            "write it as a block (one key per line) to edit it in the app.")
    return node


def set_topic_text(text: str, topic_id: str, *, title: str | None = None,
                   notes: str | None = None) -> str:
    """The deck text with the topic's title and/or explanation (``notes``) replaced; an
    explanation the topic did not have is added after its title ("" removes it)."""
    topic = _block_mapping(_find_topic(_compose(text), topic_id), f"topic '{topic_id}'")
    column = topic.value[0][0].start_mark.column
    splices: list[_Splice] = []
    if title is not None:
        entry = _entry(topic, "title")
        if entry is None:
            raise YamlEditError(f"Topic '{topic_id}' has no title in the deck file.")
        splices.append(_replace_value(text, *entry, title))
    if notes is not None:
        entry = _entry(topic, "notes")
        if entry is not None and notes:
            splices.append(_replace_value(text, *entry, notes))
        elif entry is not None:  # removed: the key's lines go
            start = _line_start(text, entry[0].start_mark.index)
            splices.append(_Splice(start, _next_line(text, _end(text, entry[1])), ""))
        elif notes:
            after = _entry(topic, "title") or _entry(topic, "id")
            assert after is not None
            at = _next_line(text, _end(text, after[1]))
            line = " " * column + "notes: " + scalar(notes, column) + "\n"
            splices.append(_Splice(at, at, line if at < len(text) or text.endswith("\n")
                                   else "\n" + line))
    return _apply(text, splices)


def _card_lines(card: AuthoredCard, column: int) -> list[str]:
    """A card's keys at ``column`` (the first without its indentation, for after ``- ``)."""
    pairs = [("id", card.id)] if card.id else []
    pairs += [("cloze", card.cloze)] if card.cloze else [("q", card.question), ("a", card.answer)]
    return [(" " * column if i else "") + f"{key}: {scalar(value, column)}"
            for i, (key, value) in enumerate(pairs)]


def _cards(topic: yaml.MappingNode) -> tuple[yaml.Node, yaml.Node] | None:
    return _entry(topic, "cards")


def _card_node(topic: yaml.MappingNode, topic_id: str, index: int) -> yaml.Node:
    entry = _cards(topic)
    if entry is None or not isinstance(entry[1], yaml.SequenceNode) \
            or not 0 <= index < len(entry[1].value):
        raise YamlEditError(f"Topic '{topic_id}' has no card {index + 1} in the deck file; it "
                            "may have been edited outside the app. Reload and try again.")
    node: yaml.Node = entry[1].value[index]
    return node


def set_card(text: str, topic_id: str, index: int, card: AuthoredCard) -> str:
    """The deck text with the topic's ``index``-th card (0-based) holding ``card``'s text; its
    ``id:`` stays. Same kind: only the changed values are replaced; else the card is rewritten."""
    topic = _block_mapping(_find_topic(_compose(text), topic_id), f"topic '{topic_id}'")
    node = _card_node(topic, topic_id, index)
    if not isinstance(node, yaml.MappingNode):
        raise YamlEditError(f"Card {index + 1} of topic '{topic_id}' is not a mapping.")
    flow = bool(node.flow_style)
    was_cloze = _entry(node, "cloze") is not None
    if was_cloze == bool(card.cloze):
        fields = [("cloze", card.cloze)] if card.cloze else [("q", card.question),
                                                             ("a", card.answer)]
        splices = []
        for key, value in fields:
            entry = _entry(node, key)
            if entry is None:
                break
            if not isinstance(entry[1], yaml.ScalarNode) or entry[1].value.strip("\n") != value:
                splices.append(_replace_value(text, *entry, value, flow=flow))
        else:
            return _apply(text, splices)
    ident = _entry(node, "id")
    kept = AuthoredCard(question=card.question, answer=card.answer, cloze=card.cloze,
                        id=str(ident[1].value) if ident and isinstance(ident[1], yaml.ScalarNode)
                        else "")
    column = node.start_mark.column
    return _apply(text, [_Splice(node.start_mark.index, _end(text, node),
                                 "\n".join(_card_lines(kept, column)))])


def add_card(text: str, topic_id: str, card: AuthoredCard) -> str:
    """The deck text with ``card`` added after the topic's cards (a ``cards:`` list is made
    before its children when it has none)."""
    topic = _block_mapping(_find_topic(_compose(text), topic_id), f"topic '{topic_id}'")
    column = topic.value[0][0].start_mark.column
    entry = _cards(topic)
    if entry is not None and isinstance(entry[1], yaml.SequenceNode) and entry[1].value:
        seq = entry[1]
        if seq.flow_style:
            raise YamlEditError(f"The cards of topic '{topic_id}' are written in flow style "
                                "([...]); write them as a block list to add one in the app.")
        dash = seq.start_mark.column
        at = _next_line(text, _end(text, seq.value[-1]))
        item = " " * dash + "- " + "\n".join(_card_lines(card, dash + 2)) + "\n"
        return _apply(text, [_Splice(at, at, item if at < len(text) or text.endswith("\n")
                                     else "\n" + item)])
    dash = column + 2
    item = " " * dash + "- " + "\n".join(_card_lines(card, dash + 2)) + "\n"
    if entry is not None:  # `cards:` empty or `cards: []`: the list replaces its value
        key, value = entry
        colon = text.index(":", key.end_mark.index)
        end = _next_line(text, max(colon + 1, _end(text, value)))
        return _apply(text, [_Splice(colon, end, ":\n" + item)])
    block = " " * column + "cards:\n" + item
    children = _entry(topic, "children")
    if children is not None:
        at = _line_start(text, children[0].start_mark.index)
    else:
        at = _next_line(text, _end(text, topic.value[-1][1]))
        if at == len(text) and not text.endswith("\n"):
            block = "\n" + block
    return _apply(text, [_Splice(at, at, block)])


def delete_card(text: str, topic_id: str, index: int) -> str:
    """The deck text without the topic's ``index``-th card. The cards after it that have no
    ``id:`` get their old position as one, so their ids, and progress, stay theirs."""
    topic = _block_mapping(_find_topic(_compose(text), topic_id), f"topic '{topic_id}'")
    node = _card_node(topic, topic_id, index)
    entry = _cards(topic)
    assert entry is not None
    seq = entry[1]
    if getattr(seq, "flow_style", False):
        raise YamlEditError(f"The cards of topic '{topic_id}' are written in flow style "
                            "([...]); write them as a block list to delete one in the app.")
    splices: list[_Splice] = []
    for position in range(index + 1, len(seq.value)):
        later = seq.value[position]
        if isinstance(later, yaml.MappingNode) and _entry(later, "id") is None:
            if later.flow_style:
                splices.append(_Splice(later.start_mark.index + 1, later.start_mark.index + 1,
                                       f"id: '{position}', "))
            else:
                first = later.value[0][0].start_mark
                splices.append(_Splice(first.index, first.index,
                                       f"id: '{position}'\n" + " " * first.column))
    if len(seq.value) == 1:  # the last card: `cards:` goes too
        start = _line_start(text, entry[0].start_mark.index)
        splices.append(_Splice(start, _next_line(text, _end(text, seq)), ""))
    else:
        start = _line_start(text, node.start_mark.index)
        splices.append(_Splice(start, _next_line(text, _end(text, node)), ""))
    return _apply(text, splices)
