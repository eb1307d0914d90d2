"""Card search: a parsed query (app.decks.query) as one SQL statement over the cards (raw SQL)."""

# Free text goes through the FTS5 index card_search (schema 7: each card's front and back and its
# topic's title and explanation, kept by triggers). sqlite-utils' enable_fts and search do not fit
# here, so this is raw SQL: enable_fts indexes one table and its triggers fire on every update of a
# row (every answer, the hot path), while our index joins topics and fires on text changes only;
# Table.search returns one table's rows ranked by relevance, while a query here is one WHERE
# clause mixing MATCH subqueries with state, property and tree conditions (Anki ranks nothing
# either). Each text term is one MATCH of an FTS5 phrase with a prefix star, so "rank" matches
# "ranking"; terms and negations combine in SQL, measured by tests/benchmarks/bench_search.py.
#
# Where the time goes on 100,000 cards (the benchmark's profile): FTS5 finds a common word's
# 70,000 rows in ~6 ms; reading each found card's row back costs far more. So the words of the
# top-level AND drive the query as the outer loop of a join (card_search CROSS JOIN cards: one
# rowid lookup per match), not as "rowid IN (subquery)", which first copies the matches into a
# temporary index (twice as slow). And unsorted ids come back as one group_concat string split in
# Python: one row instead of 70,000 Python tuples.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from app.clock import from_ms, to_ms
from app.db.store import Store
from app.decks.query import (
    And,
    Deck,
    Flag,
    Node,
    Not,
    Or,
    Prop,
    Rated,
    SearchError,
    State,
    Step,
    Text,
    Topic,
    parse,
)
from app.model import CardId, DeckId, TopicId, step_label
from app.scheduling.scheduler import Queue, StudyDay

__all__ = ["ROW_COLUMNS", "ROW_JOINS", "SORT_KEYS", "CardRow", "SortKey",
           "card_row", "find_cards", "search_cards", "to_fts"]

DAY_MS = 86_400_000
SortKey = Literal["outline", "front", "topic", "due", "interval", "stability", "difficulty",
                  "reviews", "lapses"]
# Whole days from the last review to the due date; 0 for new cards (as Anki's ivl).
_INTERVAL = ("(CASE WHEN cards.queue = 0 OR cards.last_review IS NULL OR cards.due IS NULL "
             "THEN 0 ELSE (cards.due - cards.last_review) / 86400000 END)")
SORT_KEYS: dict[str, str] = {  # "outline" (deck, then the deck's order) is handled apart
    "front": "cards.prompt COLLATE NOCASE",
    "topic": "topics.title COLLATE NOCASE",
    "due": "cards.due",
    "interval": _INTERVAL,
    "stability": "cards.stability",
    "difficulty": "cards.difficulty",
    "reviews": "cards.reps",
    "lapses": "cards.lapses",
}
_PROPS = {"ivl": _INTERVAL, "lapses": "cards.lapses", "reps": "cards.reps",
          "s": "cards.stability", "d": "cards.difficulty"}
_NOT_BURIED = "(cards.buried_until IS NULL OR cards.buried_until <= :now)"
_STATES = {
    # Due today as the tree counts it; suspended and buried cards wait, as in Anki.
    "due": ("(cards.queue IN (1, 2, 3) AND cards.due < :day_end AND cards.suspended = 0 AND "
            f"{_NOT_BURIED})"),
    "new": "cards.queue = 0",
    "learn": "cards.queue IN (1, 3)",
    "review": "cards.queue IN (2, 3)",
    "suspended": "cards.suspended != 0",
    "buried": "COALESCE(cards.buried_until > :now, 0)",
}
# A topic's subtree (in its deck) by the topics' parent index; :{name} picks the roots.
_BRANCH = """(cards.deck_id, cards.topic_id) IN (
    WITH RECURSIVE branch(deck_id, id) AS (
        SELECT deck_id, id FROM topics WHERE {roots}
        UNION SELECT topics.deck_id, topics.id FROM topics JOIN branch
            ON topics.deck_id = branch.deck_id AND topics.parent_id = branch.id)
    SELECT deck_id, id FROM branch)"""
_TOPICS = "LEFT JOIN topics ON topics.deck_id = cards.deck_id AND topics.id = cards.topic_id "
# CROSS JOIN keeps the full-text matches as the outer loop (SQLite never reorders it).
_FROM_MATCHES = "FROM card_search CROSS JOIN cards ON cards.rowid = card_search.rowid "
# Retired cards (gone from their deck) and the cards of decks whose file is missing are hidden.
_VISIBLE = "cards.retired = 0"


@dataclass(frozen=True)
class CardRow:
    """A card with the columns the browser shows and sorts by (also `cards --search`)."""

    id: CardId
    deck_id: DeckId
    topic_id: TopicId
    front: str
    topic: str  # the topic's title as the tree names it ("Step 2 Metrics")
    deck: str
    queue: Queue
    due: datetime | None
    interval: int  # whole days from the last review to the due date; 0 while new
    stability: float | None
    difficulty: float | None
    reviews: int
    lapses: int
    suspended: bool
    buried: bool
    flag: int


def to_fts(text: str) -> str:
    """An FTS5 query for one search term: its words as a phrase, the last one a prefix."""
    return '"' + text.replace('"', '""') + '"*'


class _Compiler:
    """Turns a query tree into a WHERE fragment with named parameters."""

    def __init__(self, store: Store, now: datetime, day: StudyDay) -> None:
        self.store = store
        self.params: dict[str, Any] = {"now": to_ms(now), "day_end": to_ms(day.end)}
        self.day = day

    def param(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def sql(self, node: Node) -> str:
        if isinstance(node, And):
            return self._all(node.nodes)
        if isinstance(node, Or):
            return "(" + " OR ".join(self.sql(n) for n in node.nodes) + ")"
        if isinstance(node, Not):
            return f"NOT {self.sql(node.node)}"
        if isinstance(node, Text):
            return self._match([node])
        if isinstance(node, State):
            return _STATES[node.name]
        if isinstance(node, Flag):
            return f"cards.flag = {self.param(node.flag)}"
        if isinstance(node, Step):
            return _BRANCH.format(roots=f"step = {self.param(node.step)} AND retired = 0")
        if isinstance(node, Deck):
            self._check_deck(node)
            return f"cards.deck_id = {self.param(node.deck_id)}"
        if isinstance(node, Topic):
            self._check_topic(node)
            return _BRANCH.format(roots=f"id = {self.param(node.topic_id)}")
        if isinstance(node, Prop):
            return f"COALESCE({_PROPS[node.name]} {node.op} {self.param(node.value)}, 0)"
        if isinstance(node, Rated):
            since = to_ms(self.day.start - timedelta(days=node.days - 1))
            grade = "" if node.grade is None else f" AND rating = {self.param(node.grade)}"
            return ("cards.id IN (SELECT card_id FROM review_log WHERE reviewed_at >= "
                    f"{self.param(since)}{grade})")
        raise AssertionError(f"unknown query node {node!r}")

    def _all(self, nodes: tuple[Node, ...]) -> str:
        # The words of one AND go to FTS5 as one MATCH: it intersects them itself, far faster
        # than one list of cards per word intersected here.
        words = [n for n in nodes if isinstance(n, Text)]
        parts = ([self._match(words)] if words else []) + [
            self.sql(n) for n in nodes if not isinstance(n, Text)]
        return "(" + " AND ".join(parts) + ")" if parts else "1"

    def _match(self, words: list[Text]) -> str:
        query = " AND ".join(to_fts(word.text) for word in words)
        return ("cards.rowid IN (SELECT rowid FROM card_search WHERE card_search MATCH "
                f"{self.param(query)})")

    def _check_deck(self, node: Deck) -> None:
        ids = [row[0] for row in self.store.conn.execute(
            "SELECT id FROM decks WHERE missing = 0 ORDER BY id")]
        if node.deck_id not in ids:
            raise SearchError(node.token, node.column,
                              f"no deck '{node.deck_id}'; the decks are: {', '.join(ids)}")

    def _check_topic(self, node: Topic) -> None:
        found = self.store.conn.execute(
            "SELECT 1 FROM topics WHERE id = ? AND retired = 0 LIMIT 1",
            [node.topic_id]).fetchone()
        if found is None:
            raise SearchError(node.token, node.column,
                              f"no topic '{node.topic_id}' in any deck; `mlsd-study decks "
                              "--topics` lists the topic ids")


def _where(store: Store, query: str | Node, now: datetime, day: StudyDay
           ) -> tuple[str, str, dict[str, Any]]:
    """The FROM clause (the cards, joined after the full-text matches when the query's top
    level has words), the WHERE clause and its parameters."""
    compiler = _Compiler(store, now, day)
    node = parse(query) if isinstance(query, str) else query
    words: list[Text] = []
    if isinstance(node, Text):
        words, node = [node], And(())
    elif isinstance(node, And):
        words = [n for n in node.nodes if isinstance(n, Text)]
        node = And(tuple(n for n in node.nodes if not isinstance(n, Text)))
    condition = compiler.sql(node)
    # The missing decks' ids as parameters (usually none): a subquery here costs each found
    # card a probe, 4 ms of 30 on a word found in 70,000 cards.
    missing = [compiler.param(row[0]) for row in store.conn.execute(
        "SELECT id FROM decks WHERE missing != 0")]
    visible = _VISIBLE + (f" AND cards.deck_id NOT IN ({', '.join(missing)})" if missing else "")
    if not words:
        return "FROM cards ", f"WHERE {visible} AND {condition}", compiler.params
    match = compiler.param(" AND ".join(to_fts(word.text) for word in words))
    return (_FROM_MATCHES, f"WHERE card_search MATCH {match} AND {visible} AND {condition}",
            compiler.params)


def _order(order: SortKey | None, descending: bool) -> str:
    direction = "DESC" if descending else "ASC"
    if order is None:
        return ""  # as SQLite finds them, what Anki's find_cards(order=False) gives
    if order == "outline":
        return f"ORDER BY cards.deck_id {direction}, cards.ord {direction}"
    if order not in SORT_KEYS:
        raise ValueError(f"cannot sort by {order!r}; sort keys: {', '.join(SORT_KEYS)}")
    return (f"ORDER BY {SORT_KEYS[order]} {direction} NULLS LAST, cards.deck_id, cards.ord")


def find_cards(store: Store, query: str | Node, now: datetime, day: StudyDay,
               order: SortKey | None = None, descending: bool = False) -> list[CardId]:
    """Ids of the cards the query finds, sorted by ``order`` ("outline": the decks' order);
    with None in no particular order (the fastest, like Anki's ``find_cards(order=False)``).

    ``now`` decides what is buried, ``day`` (the study day of now) what is due today and how far
    back rated:N reaches. Raises :class:`SearchError` for bad search text or an unknown deck or
    topic id.
    """
    source, where, params = _where(store, query, now, day)
    if order == "topic":
        source += _TOPICS
    if order is None:
        # One row, not one per card; the count guards against an id holding the separator
        # (a parameter: char(31) would be a function call per card, 7 ms on 70,000).
        params["separator"] = _SEPARATOR
        count, joined = store.conn.execute(
            f"SELECT count(*), group_concat(cards.id, :separator) {source}{where}",
            params).fetchone()
        ids = joined.split(_SEPARATOR) if joined else []
        if len(ids) == count:
            return ids  # type: ignore[return-value]  # CardId is str at run time
    sql = f"SELECT cards.id {source}{where} {_order(order, descending)}"
    return [CardId(row[0]) for row in store.conn.execute(sql, params)]


_SEPARATOR = "\x1f"  # ASCII's unit separator
#: The columns of a :class:`CardRow` (read by :func:`card_row`), from cards joined with
#: :data:`ROW_JOINS`; ``:now`` decides which are buried.
ROW_COLUMNS = ("cards.id, cards.deck_id, cards.topic_id, cards.prompt, topics.title, "
               "topics.step, decks.title, cards.queue, cards.due, " + _INTERVAL + ", "
               "cards.stability, cards.difficulty, cards.reps, cards.lapses, cards.suspended, "
               "COALESCE(cards.buried_until > :now, 0), cards.flag")
ROW_JOINS = _TOPICS + "LEFT JOIN decks ON decks.id = cards.deck_id "


def card_row(row: Sequence[Any]) -> CardRow:
    """A row of :data:`ROW_COLUMNS` as a :class:`CardRow`."""
    (card_id, deck_id, topic_id, front, title, step, deck, queue, due, interval, stability,
     difficulty, reps, lapses, suspended, buried, flag) = row
    return CardRow(CardId(card_id), DeckId(deck_id), TopicId(topic_id), front,
                   step_label(title or topic_id, step), deck or deck_id, Queue(queue),
                   None if due is None else from_ms(due), int(interval), stability, difficulty,
                   int(reps), int(lapses), bool(suspended), bool(buried), int(flag))


def search_cards(store: Store, query: str | Node, now: datetime, day: StudyDay,
                 order: SortKey | None = "outline", descending: bool = False,
                 limit: int | None = None, offset: int = 0) -> list[CardRow]:
    """The found cards with their browser columns, sorted as :func:`find_cards` sorts them
    (in the outline's order by default); ``limit`` and ``offset`` page through them."""
    source, where, params = _where(store, query, now, day)
    page = ""
    if limit is not None:
        params.update(limit=limit, offset=offset)
        page = " LIMIT :limit OFFSET :offset"
    sql = f"SELECT {ROW_COLUMNS} {source}{ROW_JOINS}{where} {_order(order, descending)}{page}"
    return [card_row(row) for row in store.conn.execute(sql, params)]
