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
# 70,000 rows in ~6 ms; reading each found card's row back costs far more (~16 ms), and so does
# making 70,000 id strings (~9 ms). So the index holds only the cards a search may show (schema
# 10: not retired), a query of words alone is answered by the index alone, and a search returns
# the found cards' rowids (:class:`FoundCards`, as Anki's find_cards returns its cards' integer
# ids), their ids read a page at a time when asked for: 70,000 found cost one string of rowids.
# When the words come with other conditions, they drive the query as the outer loop of a join
# (card_search CROSS JOIN cards: one rowid lookup per match), not as "rowid IN (subquery)",
# which first copies the matches into a temporary index (twice as slow).

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, overload

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

__all__ = ["ROW_COLUMNS", "ROW_JOINS", "SORT_KEYS", "CardRow", "FoundCards", "SortKey",
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
# Retired cards (gone from their deck) and the cards of decks whose file is missing are hidden
# (the index of free text holds no retired card).
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


def _where(store: Store, query: str | Node, now: datetime, day: StudyDay,
           index_alone: bool = False) -> tuple[str, str, dict[str, Any]]:
    """The FROM clause (the cards, joined after the full-text matches when the query's top
    level has words), the WHERE clause and its parameters. With ``index_alone``, words alone
    (no other condition, no deck missing) are looked up in the index alone: then the FROM clause
    has no ``cards`` table, only ``card_search`` (whose rowids are the cards')."""
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
    shown = f"cards.deck_id NOT IN ({', '.join(missing)})" if missing else ""
    if not words:
        visible = _VISIBLE + (f" AND {shown}" if shown else "")
        return "FROM cards ", f"WHERE {visible} AND {condition}", compiler.params
    match = compiler.param(" AND ".join(to_fts(word.text) for word in words))
    if index_alone and condition == "1" and not shown:
        return "FROM card_search ", f"WHERE card_search MATCH {match}", compiler.params
    return (_FROM_MATCHES, f"WHERE card_search MATCH {match} AND {shown or '1'} AND {condition}",
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


class FoundCards(Sequence[CardId]):
    """The cards a search found, in its order, held as their rowids in the cards table (which
    the app never renumbers: it runs no VACUUM and deletes no card); an id is read from the
    store the first time it is asked for, with the others of its page. Or, when the search read
    them at once (cheap from an index), held as the ids themselves. Equal to any sequence of the
    same ids. A card deleted since the search would read as ""."""

    PAGE = 500

    def __init__(self, store: Store, rowids: list[int], ids: list[CardId] | None = None) -> None:
        """The cards of these rowids; ``ids``, if given, are their ids (then ``rowids`` may be
        empty)."""
        self.store = store
        self.rowids = rowids
        self._count = len(rowids) if ids is None else len(ids)
        self._pages: dict[int, list[CardId]] = {} if ids is None else {
            page: ids[page * self.PAGE:(page + 1) * self.PAGE]
            for page in range((len(ids) + self.PAGE - 1) // self.PAGE)}

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> CardId: ...
    @overload
    def __getitem__(self, index: slice) -> list[CardId]: ...
    def __getitem__(self, index: int | slice) -> CardId | list[CardId]:
        if isinstance(index, slice):
            return [self._id(i) for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("found card index out of range")
        return self._id(index)

    def __iter__(self) -> Iterator[CardId]:
        pages = (self._count + self.PAGE - 1) // self.PAGE
        for first in range(0, pages, self.BATCH):
            batch = range(first, min(first + self.BATCH, pages))
            if any(page not in self._pages for page in batch):
                self._read_pages(batch)
            for page in batch:
                yield from self._page(page)

    BATCH = 40  # pages read at once when iterating

    def _read_pages(self, batch: range) -> None:
        """Read the ids of a run of pages as one joined string (the separator a parameter:
        char(31) would be a function call per card); left to :meth:`_page` if a card is gone
        or an id holds the separator."""
        rowids = self.rowids[batch.start * self.PAGE:batch.stop * self.PAGE]
        (joined,) = self.store.conn.execute(
            "SELECT group_concat(cards.id, :separator) FROM json_each(:rowids) AS wanted "
            "CROSS JOIN cards ON cards.rowid = wanted.value",
            {"separator": _SEPARATOR, "rowids": json.dumps(rowids)}).fetchone()
        ids = joined.split(_SEPARATOR) if joined else []
        if len(ids) == len(rowids):
            for page in batch:
                start = (page - batch.start) * self.PAGE
                self._pages[page] = ids[start:start + self.PAGE]  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FoundCards) and other.rowids == self.rowids and other.rowids:
            return True
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == len(self) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, as a list

    def __repr__(self) -> str:
        return f"FoundCards({self._count} cards)"

    def _id(self, index: int) -> CardId:
        return self._page(index // self.PAGE)[index % self.PAGE]

    def _page(self, page: int) -> list[CardId]:
        ids = self._pages.get(page)
        if ids is None:
            rowids = self.rowids[page * self.PAGE:(page + 1) * self.PAGE]
            found = dict(self.store.conn.execute(
                "SELECT rowid, id FROM cards WHERE rowid IN (SELECT value FROM json_each(?))",
                [json.dumps(rowids)]).fetchall())
            ids = self._pages[page] = [CardId(found.get(rowid, "")) for rowid in rowids]
        return ids


def find_cards(store: Store, query: str | Node, now: datetime, day: StudyDay,
               order: SortKey | None = None, descending: bool = False) -> FoundCards:
    """The cards the query finds, sorted by ``order`` ("outline": the decks' order); with None
    in no particular order (the fastest, like Anki's ``find_cards(order=False)``). A sequence
    of card ids whose ids are read when first asked for (see :class:`FoundCards`).

    ``now`` decides what is buried, ``day`` (the study day of now) what is due today and how far
    back rated:N reaches. Raises :class:`SearchError` for bad search text or an unknown deck or
    topic id.
    """
    source, where, params = _where(store, query, now, day, index_alone=order is None)
    if order is None and "card_search" in source:
        # One string of all the rowids, not one row (a Python tuple) per card: a third of the
        # time for 70,000.
        (joined,) = store.conn.execute(f"SELECT group_concat(card_search.rowid) {source}{where}",
                                       params).fetchone()
        return FoundCards(store, json.loads(f"[{joined}]") if joined else [])
    if order is None:
        # No words: state conditions read from the cards' indexes, which hold the ids too, so
        # the ids come at once, as one string (the count guards against an id holding the
        # separator, a parameter: char(31) would be a function call per card).
        params["separator"] = _SEPARATOR
        count, joined = store.conn.execute(
            f"SELECT count(*), group_concat(cards.id, :separator) {source}{where}",
            params).fetchone()
        ids = joined.split(_SEPARATOR) if joined else []
        if len(ids) == count:
            return FoundCards(store, [], ids)  # type: ignore[arg-type]  # CardId is str
    if order == "topic":
        source += _TOPICS
    sql = f"SELECT cards.rowid {source}{where} {_order(order, descending)}"
    return FoundCards(store, [row[0] for row in store.conn.execute(sql, params)])


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
