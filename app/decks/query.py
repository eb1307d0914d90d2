"""Card search text (a documented subset of Anki's search syntax) parsed into a query tree."""

# The syntax, as in Anki's browser (https://docs.ankiweb.net/searching.html), within reason:
#
#   recall                 a card whose front, back, topic title or explanation has a word that
#                          starts with "recall" (Anki matches any substring; we match word starts,
#                          what a full-text index answers fast; "tf-idf" is the words tf, idf)
#   "a phrase"             those words in that order, the last one a word start
#   is:due                 due today (review and learning cards; not suspended or buried)
#   is:new | is:learn | is:review     by state (learn: learning and relearning; review: review
#                          and relearning, as in Anki); suspended and buried cards included
#   is:suspended | is:buried
#   flag:N                 flag 0 (none) to 7, Anki's colours
#   step:N                 under step N (1-9) of the flow
#   deck:ID  topic:ID      a deck; a topic and everything below it (ids as in the deck files)
#   prop:ivl>N             interval in days; also lapses, reps, s (stability in days) and
#                          d (FSRS difficulty, 1-10; Anki shows it as 0-1); < > = != <= >=
#   rated:N  rated:N:G     answered in the last N study days (1 = today); with grade G (1-4)
#   -term                  not;  a b  both (and);  a or b  either;  ( ... )  grouping
#
# Anything else with a colon, a bare "or" at an end, an unclosed quote or parenthesis is an error
# naming the token and its column. Quote text with a colon to search for it ("ratio:").

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from app.errors import AppError
from app.model import STEP_COUNT

__all__ = [
    "And", "Deck", "Flag", "Node", "Not", "Or", "Prop", "Rated", "SearchError", "State",
    "Step", "Text", "Topic", "parse",
]

StateName = Literal["due", "new", "learn", "review", "suspended", "buried"]
PropName = Literal["ivl", "lapses", "reps", "s", "d"]
Operator = Literal["<", ">", "=", "!=", "<=", ">="]
STATES: tuple[StateName, ...] = ("due", "new", "learn", "review", "suspended", "buried")
PROPS: dict[str, PropName] = {"ivl": "ivl", "lapses": "lapses", "reps": "reps", "s": "s",
                              "d": "d"}
_WHOLE_PROPS = frozenset({"ivl", "lapses", "reps"})
MAX_FLAG = 7
KEYS = ("is", "flag", "step", "deck", "topic", "prop", "rated")


class SearchError(AppError):
    """Search text that cannot be read; the message names the token and its column (1-based)."""

    def __init__(self, token: str, column: int, problem: str) -> None:
        self.token = token
        self.column = column
        super().__init__(f"search: '{token}' at column {column}: {problem}")


@dataclass(frozen=True)
class Text:
    text: str
    phrase: bool
    column: int


@dataclass(frozen=True)
class State:
    name: StateName


@dataclass(frozen=True)
class Flag:
    flag: int


@dataclass(frozen=True)
class Step:
    step: int


@dataclass(frozen=True)
class Deck:
    deck_id: str
    token: str
    column: int


@dataclass(frozen=True)
class Topic:
    topic_id: str
    token: str
    column: int


@dataclass(frozen=True)
class Prop:
    name: PropName
    op: Operator
    value: float


@dataclass(frozen=True)
class Rated:
    days: int
    grade: int | None


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]  # empty: every card


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Text | State | Flag | Step | Deck | Topic | Prop | Rated | Not | And | Or


# --- tokens --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: Literal["word", "phrase", "open", "close", "not"]
    text: str   # as typed
    value: str  # quotes removed
    column: int


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The text of the quoted string opening at ``start``, and the index after its close."""
    value, index = [], start + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            value.append(text[index + 1])
            index += 2
            continue
        if char == '"':
            return "".join(value), index + 1
        value.append(char)
        index += 1
    raise SearchError(text[start:], start + 1, "the quote is never closed; add a closing \"")


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char in "()":
            tokens.append(_Token("open" if char == "(" else "close", char, char, index + 1))
            index += 1
        elif char == "-" and index + 1 < len(text) and not text[index + 1].isspace():
            tokens.append(_Token("not", char, char, index + 1))
            index += 1
        elif char == '"':
            value, end = _quoted(text, index)
            tokens.append(_Token("phrase", text[index:end], value, index + 1))
            index = end
        else:
            start, parts = index, []
            while index < len(text) and not text[index].isspace() and text[index] not in "()":
                if text[index] == '"':  # deck:"two words": the quote belongs to the word
                    quoted, index = _quoted(text, index)
                    parts.append(quoted)
                else:
                    parts.append(text[index])
                    index += 1
            tokens.append(_Token("word", text[start:index], "".join(parts), start + 1))
    return tokens


# --- the grammar: or_expr := and_expr ("or" and_expr)*; and_expr := unary ("and"? unary)* -------

class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    @staticmethod
    def is_word(token: _Token | None, word: str) -> bool:
        return token is not None and token.kind == "word" and token.text.lower() == word

    def or_expr(self) -> Node:
        nodes = [self.and_expr()]
        while self.is_word(self.peek(), "or"):
            joiner = self.take()
            if self.at_end_of_group() or self.is_word(self.peek(), "or"):
                raise SearchError(joiner.text, joiner.column, "'or' needs a term after it")
            nodes.append(self.and_expr())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def at_end_of_group(self) -> bool:
        token = self.peek()
        return token is None or token.kind == "close"

    def and_expr(self) -> Node:
        nodes: list[Node] = []
        while not self.at_end_of_group() and not self.is_word(self.peek(), "or"):
            token = self.peek()
            if self.is_word(token, "and"):
                joiner = self.take()
                if not nodes or self.at_end_of_group() or self.is_word(self.peek(), "or"):
                    raise SearchError(joiner.text, joiner.column,
                                      "'and' needs a term on each side")
                continue
            nodes.append(self.unary())
        if not nodes:
            token = self.peek()
            before = self.tokens[self.index - 1] if self.index else None
            if token is not None and token.kind == "word":  # "or" with nothing before it
                raise SearchError(token.text, token.column, "'or' needs a term before it")
            if before is not None and before.kind == "open":
                if token is None:
                    raise SearchError(before.text, before.column,
                                      "the parenthesis is never closed")
                raise SearchError(before.text, before.column, "nothing inside the parentheses")
            assert token is not None  # a ')' at the very start
            raise SearchError(token.text, token.column, "this ')' has no '(' before it")
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self) -> Node:
        token = self.take()
        if token.kind == "not":
            if self.at_end_of_group() or self.is_word(self.peek(), "or"):
                raise SearchError(token.text, token.column, "'-' needs a term right after it")
            return Not(self.unary())
        if token.kind == "open":
            inner = self.or_expr()
            closing = self.peek()
            if closing is None:
                raise SearchError(token.text, token.column, "the parenthesis is never closed")
            self.take()
            return inner
        if token.kind == "phrase":
            return _text(token, phrase=True)
        return _term(token)

    def parse(self) -> Node:
        if not self.tokens:
            return And(())
        node = self.or_expr()
        extra = self.peek()
        if extra is not None:  # only a ')' stops or_expr early
            raise SearchError(extra.text, extra.column, "this ')' has no '(' before it")
        return node


def parse(text: str) -> Node:
    """The query tree of search text; empty text matches every card. Raises SearchError."""
    return _Parser(text).parse()


# --- terms ---------------------------------------------------------------------------------------

_WORD = re.compile(r"\w", re.UNICODE)
_KEY = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_PROP = re.compile(r"([a-z]+)(<=|>=|!=|<|>|=)(.+)")


def _text(token: _Token, *, phrase: bool) -> Text:
    words = token.value.rstrip("*")
    if not _WORD.search(words):
        raise SearchError(token.text, token.column,
                          "no letters or digits to search for")
    return Text(words, phrase, token.column)


def _number(token: _Token, text: str, what: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise SearchError(token.text, token.column, f"{what} must be a whole number from {low} "
                                                    f"to {high}")
    return int(text)


def _term(token: _Token) -> Node:
    match = _KEY.fullmatch(token.value)
    if match is None:
        return _text(token, phrase=False)
    key, value = match.group(1).lower(), match.group(2)
    if key == "is":
        if value.lower() not in STATES:
            raise SearchError(token.text, token.column,
                              f"is: takes {', '.join(STATES[:-1])} or {STATES[-1]}")
        return State(STATES[STATES.index(value.lower())])  # type: ignore[arg-type]
    if key == "flag":
        return Flag(_number(token, value, "the flag", 0, MAX_FLAG))
    if key == "step":
        return Step(_number(token, value, "the step", 1, STEP_COUNT))
    if key in ("deck", "topic"):
        if not value:
            raise SearchError(token.text, token.column, f"{key}: needs an id, as in {key}:ID")
        return (Deck(value, token.text, token.column) if key == "deck"
                else Topic(value, token.text, token.column))
    if key == "prop":
        return _prop(token, value)
    if key == "rated":
        days, _, grade = value.partition(":")
        return Rated(_number(token, days, "the number of days", 1, 36500),
                     _number(token, grade, "the grade", 1, 4) if grade else None)
    raise SearchError(token.text, token.column,
                      f"unknown search key '{match.group(1)}:' (known: "
                      f"{', '.join(k + ':' for k in KEYS)}); to search for the text, put it "
                      "in double quotes")


def _prop(token: _Token, text: str) -> Prop:
    match = _PROP.fullmatch(text.lower())
    if match is None or match.group(1) not in PROPS:
        raise SearchError(token.text, token.column,
                          f"prop: takes {', '.join(PROPS)} with < > = != <= or >= and a "
                          "number, as in prop:ivl>10")
    name, op, number = match.groups()
    try:
        value = float(number)
    except ValueError:
        value = float("nan")
    if value != value or (name in _WHOLE_PROPS and not number.isdigit()):
        kind = "a whole number" if name in _WHOLE_PROPS else "a number"
        raise SearchError(token.text, token.column, f"prop:{name} compares with {kind}")
    return Prop(PROPS[name], op, value)  # type: ignore[arg-type]
