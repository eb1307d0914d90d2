"""Deck text -> a validated :class:`~app.model.Deck`; every problem is named by file:line:col."""

from __future__ import annotations

import codecs
import difflib
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar

from app.decks.yaml_nodes import STD, TEXT_TAGS, Node, read_nodes
from app.errors import DeckError, Problem
from app.model import (
    CLOZE,
    STEP_COUNT,
    AuthoredCard,
    Deck,
    DeckId,
    Question,
    RubricItem,
    Source,
    Topic,
    TopicId,
)

__all__ = ["ID_PATTERN", "load_path", "load_text"]

#: The largest deck version SQLite can store (a signed 64-bit integer).
MAX_VERSION = 2**63 - 1
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

DECK_KEYS = ("id", "title", "version", "description", "source")
SOURCE_KEYS = ("title", "url", "author", "licence")
TOPIC_KEYS = ("id", "title", "notes", "step", "ordered", "children", "cards", "rubric", "followups")
CARD_KEYS = ("id", "q", "a", "cloze")
RUBRIC_KEYS = ("text", "terms", "groups")
QUESTION_KEYS = ("id", "title", "category", "prompt", "topic", "reference", "followups",
                 "rubric")
FOLLOWUP_KEYS = ("text", "categories")
TOP_KEYS = ("deck", "topics", "questions")


# ---------------------------------------------------------------------------------------------
# Validation: nodes -> dataclasses, collecting every problem with its position.

T = TypeVar("T")


class _Checker:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, node: Node, message: str, where: str = "") -> None:
        prefix = f"{where}: " if where else ""
        self.problems.append(Problem(self.path, node.line, node.column, prefix + message))

    def mapping(self, node: Node, keys: tuple[str, ...], what: str, where: str
                ) -> dict[str, tuple[Node, Node]] | None:
        """The mapping's entries by key, after reporting unknown and duplicate keys."""
        if node.kind != "map":
            self.problem(node, f"{what} must be a mapping of keys (like `title: ...`), "
                         f"not {_describe(node)}", where)
            return None
        entries: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.items:
            if key_node.kind != "scalar":
                self.problem(key_node, f"{what} has a key that is {_describe(key_node)}; keys are "
                             "plain words", where)
                continue
            key = str(key_node.value)
            if key not in keys:
                hint = difflib.get_close_matches(key, keys, n=1)
                suggestion = f"did you mean '{hint[0]}'?" if hint else \
                    f"allowed keys: {', '.join(keys)}"
                self.problem(key_node, f"unknown key '{key}' in {what}; {suggestion}", where)
                continue
            if key in entries:
                first = entries[key][0]
                self.problem(key_node, f"duplicate key '{key}' in {what} (first at line "
                             f"{first.line}); keep one", where)
                continue
            entries[key] = (key_node, value_node)
        return entries

    def text(self, entries: dict[str, tuple[Node, Node]], key: str, where: str, owner: Node,
             *, required: bool = False, one_line: bool = False) -> str:
        if key not in entries:
            if required:
                self.problem(owner, f"missing '{key}'", where)
            return ""
        node = entries[key][1]
        if node.kind != "scalar" or node.tag not in TEXT_TAGS:
            self.problem(node, f"'{key}' must be text, not {_describe(node)}", where)
            return ""
        value = "" if (node.tag == STD + "null" and not node.quoted) else str(node.value)
        if required and not value.strip():
            self.problem(node, f"'{key}' is empty; write a {key}", where)
        if one_line and "\n" in value.strip():
            self.problem(node, f"'{key}' must fit on one line; put longer text in 'notes'", where)
        return value.strip() if one_line else value.strip("\n")

    def integer(self, entries: dict[str, tuple[Node, Node]], key: str, where: str,
                lowest: int, highest: int | None = None) -> int | None:
        if key not in entries:
            return None
        node = entries[key][1]
        if node.kind != "scalar" or node.tag != STD + "int":
            self.problem(node, f"'{key}' must be a whole number, not {_describe(node)}", where)
            return None
        try:
            value = int(str(node.value).replace("_", ""), 0)
        except ValueError:
            self.problem(node, f"'{key}' must be a plain whole number like 3", where)
            return None
        if value < lowest or (highest is not None and value > highest):
            span = f"{lowest}..{highest}" if highest is not None else f">= {lowest}"
            self.problem(node, f"'{key}' is {value}; it must be {span}", where)
            return None
        return value

    def boolean(self, entries: dict[str, tuple[Node, Node]], key: str, where: str) -> bool:
        if key not in entries:
            return False
        node = entries[key][1]
        if node.kind != "scalar" or node.tag != STD + "bool":
            self.problem(node, f"'{key}' must be true or false, not {_describe(node)}", where)
            return False
        return str(node.value).lower() in ("true", "yes", "on", "y")

    def sequence(self, entries: dict[str, tuple[Node, Node]], key: str, where: str
                 ) -> list[Node]:
        if key not in entries:
            return []
        node = entries[key][1]
        if node.kind == "scalar" and node.tag == STD + "null" and not node.quoted:
            return []  # `children:` with nothing after it
        if node.kind != "seq":
            self.problem(node, f"'{key}' must be a list (items start with '- '), not "
                         f"{_describe(node)}", where)
            return []
        return list(node.items)

    def identifier(self, entries: dict[str, tuple[Node, Node]], where: str, owner: Node
                   ) -> str:
        ident = self.text(entries, "id", where, owner, required=True, one_line=True)
        if ident and not ID_PATTERN.match(ident):
            self.problem(entries["id"][1], f"id '{ident}' must use only lowercase letters, digits "
                         "and dashes, starting with a letter or digit", where)
        return ident


def _describe(node: Node) -> str:
    if node.kind == "map":
        return "a mapping"
    if node.kind == "seq":
        return "a list"
    kind = node.tag.rsplit(":", 1)[-1]
    names = {"str": "text", "int": "a number", "float": "a number", "bool": "true/false",
             "null": "empty", "timestamp": "a date"}
    return names.get(kind, kind)


def _build_deck(root: Node | None, path: str) -> Deck:
    check = _Checker(path)
    if root is None or (root.kind == "scalar" and not str(root.value).strip()):
        raise DeckError([Problem(path, 1, 1, "the deck is empty; start it with a `deck:` "
                                 "mapping and a `topics:` list (see decks/README.md)")])
    top = check.mapping(root, TOP_KEYS, "the deck file", "")
    if top is None:
        raise DeckError(check.problems)
    for key in ("deck", "topics"):
        if key not in top:
            check.problem(root, f"missing top-level '{key}:'; see decks/README.md for the format")

    deck_id, title, version, description, source = "", "", 1, "", Source()
    if "deck" in top:
        meta_node = top["deck"][1]
        meta = check.mapping(meta_node, DECK_KEYS, "'deck'", "deck")
        if meta is not None:
            deck_id = check.identifier(meta, "deck", meta_node)
            title = check.text(meta, "title", "deck", meta_node, required=True, one_line=True)
            version = check.integer(meta, "version", "deck", 1) or 1
            if version > MAX_VERSION:
                check.problem(meta["version"][1], f"'version' is {version}, too large to store; "
                              "use a small whole number and add 1 on each edit", "deck")
            if "version" not in meta:
                check.problem(meta_node, "missing 'version' (a whole number, bump it on edits)",
                              "deck")
            description = check.text(meta, "description", "deck", meta_node)
            if "source" in meta:
                src_node = meta["source"][1]
                src = check.mapping(src_node, SOURCE_KEYS, "'source'", "deck")
                if src is not None:
                    source = Source(*(check.text(src, k, "deck source", src_node, one_line=True)
                                      for k in SOURCE_KEYS))

    seen: dict[str, Node] = {}
    steps: dict[int, Node] = {}
    topics: tuple[Topic, ...] = ()
    tags: list[tuple[Node, str]] = []  # follow-up categories, checked against the questions'
    if "topics" in top:
        topic_nodes = check.sequence(top, "topics", "")
        if not topic_nodes and not any("topics" in p.message for p in check.problems):
            check.problem(top["topics"][1], "the deck has no topics; add at least one under "
                          "'topics:'")
        topics = _build_topics(check, topic_nodes, (), seen, steps, tags)

    questions: list[Question] = []
    question_ids: dict[str, Node] = {}
    for q_node in check.sequence(top, "questions", "") if "questions" in top else []:
        q = check.mapping(q_node, QUESTION_KEYS, "a question", "questions")
        if q is None:
            continue
        qid = check.identifier(q, "questions", q_node)
        where = f"question {qid}" if qid else "questions"
        if qid in question_ids:
            check.problem(q["id"][1], f"duplicate question id '{qid}' (first at line "
                          f"{question_ids[qid].line}); ids must be unique", where)
        elif qid:
            question_ids[qid] = q["id"][1]
        topic_ref = check.text(q, "topic", where, q_node, one_line=True)
        if topic_ref and topic_ref not in seen:
            check.problem(q["topic"][1], f"topic '{topic_ref}' is not a topic id of this deck",
                          where)
        questions.append(Question(
            id=qid,
            title=check.text(q, "title", where, q_node, required=True, one_line=True),
            category=check.text(q, "category", where, q_node, one_line=True),
            prompt=check.text(q, "prompt", where, q_node),
            topic=TopicId(topic_ref) if topic_ref else None,
            reference=_by_step(check, q, "reference", where,
                               partial(_scalar_text, check, what="a reference bullet",
                                       where=where)),
            followups=_by_step(check, q, "followups", where,
                               partial(_scalar_text, check, what="a follow-up", where=where)),
            rubric=_by_step(check, q, "rubric", where,
                            partial(_build_rubric_item, check, where=where)),
        ))
    _check_categories(check, tags, {q.category for q in questions if q.category})

    if check.problems:
        raise DeckError(check.problems)
    return Deck(id=DeckId(deck_id), title=title, version=version, topics=topics,
                description=description, source=source, questions=tuple(questions), path=path)


def _by_step(check: _Checker, entries: dict[str, tuple[Node, Node]], key: str, where: str,
             build: Callable[[Node], T | None]) -> dict[int, tuple[T, ...]]:
    """A question's per-step mapping (``4: [...]``): step numbers 1..9 to lists of items."""
    if key not in entries:
        return {}
    node = entries[key][1]
    if node.kind != "map":
        check.problem(node, f"'{key}' must map step numbers to lists (like `4: [...]`), not "
                      f"{_describe(node)}", where)
        return {}
    built: dict[int, tuple[T, ...]] = {}
    for step_node, items in node.items:
        if step_node.kind != "scalar" or step_node.tag != STD + "int" \
                or str(step_node.value) not in {str(n) for n in range(1, STEP_COUNT + 1)}:
            shown = step_node.value if step_node.kind == "scalar" else _describe(step_node)
            check.problem(step_node, f"'{key}' is keyed by step numbers 1..{STEP_COUNT}, not "
                          f"{shown}", where)
            continue
        step = int(str(step_node.value))
        if step in built:
            check.problem(step_node, f"step {step} appears twice in '{key}'; merge its lists",
                          where)
            continue
        if items.kind != "seq":
            check.problem(items, f"'{key}' of step {step} must be a list (items start with "
                          f"'- '), not {_describe(items)}", where)
            continue
        built[step] = tuple(item for item in map(build, items.items) if item is not None)
    return built


def _build_followup(check: _Checker, node: Node, where: str, tags: list[tuple[Node, str]]
                    ) -> tuple[str, tuple[str, ...]] | None:
    """A step's follow-up: text (fits every question) or ``{text, categories}``."""
    if node.kind != "map":
        text = _scalar_text(check, node, "a follow-up", where)
        return None if text is None else (text, ())
    entries = check.mapping(node, FOLLOWUP_KEYS, "a follow-up", where)
    if entries is None:
        return None
    text = check.text(entries, "text", where, node, required=True)
    categories = []
    for tag_node in check.sequence(entries, "categories", where):
        tag = _scalar_text(check, tag_node, "a question category", where)
        if tag is not None:
            categories.append(tag)
            tags.append((tag_node, tag))
    if "categories" in entries and not categories:
        check.problem(entries["categories"][0], "'categories' is empty; list the question "
                      "categories the follow-up fits, or leave the key out to fit them all",
                      where)
    return (" ".join(text.split()), tuple(categories)) if text.strip() else None


def _check_categories(check: _Checker, tags: list[tuple[Node, str]], known: set[str]) -> None:
    """A follow-up's category must be one some question has: a typo would hide it from all."""
    if not known:
        return
    for node, tag in tags:
        if tag not in known:
            hint = difflib.get_close_matches(tag, sorted(known), n=1)
            suggestion = f"did you mean '{hint[0]}'?" if hint else \
                f"the questions' categories are: {', '.join(sorted(known))}"
            check.problem(node, f"no question has the category '{tag}'; {suggestion}",
                          "a follow-up's categories")


def _build_topics(check: _Checker, nodes: list[Node], ancestors: tuple[str, ...],
                  seen: dict[str, Node], steps: dict[int, Node],
                  tags: list[tuple[Node, str]]) -> tuple[Topic, ...]:
    built: list[Topic] = []
    parent_where = "topic " + " > ".join(ancestors) if ancestors else "topics"
    for node in nodes:
        where_key = _peek_id(node)
        entries = check.mapping(node, TOPIC_KEYS, "a topic",
                                "topic " + " > ".join((*ancestors, where_key)) if where_key
                                else parent_where)
        if entries is None:
            continue
        ident = check.identifier(entries, parent_where, node)
        path = (*ancestors, ident or f"(line {node.line})")
        where = "topic " + " > ".join(path)
        if ident in seen:
            check.problem(entries["id"][1], f"duplicate topic id '{ident}' (first at line "
                          f"{seen[ident].line}); ids must be unique in a deck", where)
        elif ident:
            seen[ident] = entries["id"][1]
        title = check.text(entries, "title", where, node, required=True, one_line=True)
        step = check.integer(entries, "step", where, 1, STEP_COUNT)
        if step is not None:
            if step in steps:
                check.problem(entries["step"][1], f"step {step} is already topic at line "
                              f"{steps[step].line}; each step appears once", where)
            else:
                steps[step] = node
        rubric = _build_list(check, entries, "rubric", where,
                             partial(_build_rubric_item, check, where=where))
        followups = _build_list(check, entries, "followups", where,
                                partial(_build_followup, check, where=where, tags=tags))
        if step is None:
            for key in ("rubric", "followups"):
                if key in entries:
                    check.problem(entries[key][0], f"'{key}' is only used on the 9 steps (topics "
                                  "with 'step:')", where)
        built.append(Topic(
            id=TopicId(ident),
            title=title,
            notes=check.text(entries, "notes", where, node),
            step=step,
            ordered=check.boolean(entries, "ordered", where),
            children=_build_topics(check, check.sequence(entries, "children", where), path,
                                   seen, steps, tags),
            cards=_unique_card_ids(check, _build_list(check, entries, "cards", where,
                                                      partial(_build_card, check, where=where)),
                                   where),
            rubric=tuple(rubric),
            followups=tuple(text for text, _ in followups),
            followup_categories=tuple(c for _, c in followups) if any(
                c for _, c in followups) else (),  # () when none is tagged
            line=node.line,
        ))
    return tuple(built)


def _peek_id(node: Node) -> str:
    """The topic's id as written, to name it in messages about its other keys."""
    if node.kind == "map":
        for key, value in node.items:
            if key.kind == value.kind == "scalar" and key.value == "id":
                return str(value.value)
    return ""


def _build_list(check: _Checker, entries: dict[str, tuple[Node, Node]], key: str, where: str,
                build: Callable[[Node], T | None]) -> list[T]:
    return [item for item in (build(n) for n in check.sequence(entries, key, where))
            if item is not None]


def _scalar_text(check: _Checker, node: Node, what: str, where: str) -> str | None:
    if node.kind != "scalar" or node.tag not in TEXT_TAGS or not str(node.value).strip():
        check.problem(node, f"{what} must be non-empty text, not {_describe(node)}", where)
        return None
    return str(node.value).strip()


def _build_rubric_item(check: _Checker, node: Node, where: str) -> RubricItem | None:
    entries = check.mapping(node, RUBRIC_KEYS, "a rubric item", where)
    if entries is None:
        return None
    text = check.text(entries, "text", where, node, required=True, one_line=True)
    terms = [t for t in (_scalar_text(check, n, "a rubric term", where)
                         for n in check.sequence(entries, "terms", where)) if t]
    groups = [tuple(t for t in (_scalar_text(check, n, "a rubric concept", where)
                                for n in _items(check, group, "a rubric group", where)) if t)
              for group in check.sequence(entries, "groups", where)]
    if "terms" not in entries and "groups" not in entries:
        check.problem(node, "rubric item needs 'terms' or 'groups': the words that show it was "
                      "covered", where)
    return RubricItem(text=text, terms=tuple(terms), groups=tuple(g for g in groups if g))


def _items(check: _Checker, node: Node, what: str, where: str) -> list[Node]:
    """The entries of a list inside a list (a rubric group: ``[latency, p99, ms]``)."""
    if node.kind != "seq":
        check.problem(node, f"{what} must be a list such as [latency, p99], not "
                      f"{_describe(node)}", where)
        return []
    return list(node.items)


def _unique_card_ids(check: _Checker, cards: list[AuthoredCard], where: str
                     ) -> tuple[AuthoredCard, ...]:
    """A pinned card id names one card of its topic: progress is kept by it."""
    seen: dict[str, int] = {}
    for card in cards:
        if card.id and card.id in seen:
            check.problems.append(Problem(check.path, card.line, 1, f"{where}: card id "
                                          f"'{card.id}' is already used by the card at line "
                                          f"{seen[card.id]}; give each card its own id"))
        elif card.id:
            seen[card.id] = card.line
    return tuple(cards)


def _build_card(check: _Checker, node: Node, where: str) -> AuthoredCard | None:
    entries = check.mapping(node, CARD_KEYS, "a card", where)
    if entries is None:
        return None
    card_id = check.text(entries, "id", where, node, one_line=True)
    if "cloze" in entries:
        if "q" in entries or "a" in entries:
            check.problem(node, "a card is either 'q'+'a' or 'cloze', not both", where)
        cloze = check.text(entries, "cloze", where, node, required=True)
        if cloze and not CLOZE.search(cloze):
            check.problem(entries["cloze"][1], "cloze text has no deletion; mark the hidden part "
                          "as {{c1::answer}}", where)
        return AuthoredCard(cloze=cloze, id=card_id, line=node.line)
    question = check.text(entries, "q", where, node, required=True)
    answer = check.text(entries, "a", where, node, required=True)
    return AuthoredCard(question=question, answer=answer, id=card_id, line=node.line)


def load_text(text: str, source: str = "<deck>") -> Deck:
    """Validate deck text; ``source`` names it in messages. Raises :class:`DeckError` only."""
    return _build_deck(read_nodes(text, source), source)


def load_path(path: str | Path) -> Deck:
    """Read and validate a deck file. Raises :class:`DeckError` for unreadable or bad files."""
    from app.files import deck_read_limit, read_capped

    name = str(path)
    try:
        data = read_capped(path, deck_read_limit())
    except OSError as exc:
        raise DeckError([Problem(name, 1, 1, f"cannot read the file: {exc.strerror or exc}")]) \
            from None
    return load_text(decode(data, name), name)


def decode(data: bytes, name: str) -> str:
    """Deck bytes as text, refusing binary or non-UTF-8 files with a location."""
    if b"\x00" in data[:8192]:
        raise DeckError([Problem(name, 1, 1, "this is a binary file, not a YAML deck")])
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = bom + exc.start  # utf-8-sig counts from after the byte order mark
        line = data[:start].count(b"\n") + 1
        line_start = max(bom, data.rfind(b"\n", 0, start) + 1)
        column = len(data[line_start:start].decode("utf-8")) + 1  # characters, not bytes
        raise DeckError([Problem(name, line, column, "the file is not UTF-8 text; save it as "
                                 "UTF-8")]) from None


def iter_problems(paths: list[str]) -> Iterator[Problem]:
    """Every problem in the given deck files (nothing for valid ones)."""
    for path in paths:
        try:
            load_path(path)
        except DeckError as error:
            yield from error.problems
