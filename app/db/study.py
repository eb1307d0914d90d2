"""Card rows and the review log: every query studying makes (raw sqlite3: the hot paths)."""

# The answer path (update the card, log the review, bury siblings, commit) is the hottest write in
# the app and the queue build the hottest read, both measured by tests/benchmarks/bench_review.py:
# plain sqlite3 statements inside Store.transaction, not sqlite-utils' table helpers.

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from app.clock import from_ms, to_ms
from app.db.settings import current_decay
from app.db.store import Store
from app.model import CardId, CardSpec, DeckId, TopicId
from app.scheduling.scheduler import CardState, Grade, Queue, known_horizon

_CARD_COLUMNS = ("id, deck_id, topic_id, kind, context, prompt, answer, sibling_group, ord, "
                 "queue, step, stability, difficulty, due, last_review, reps, lapses, suspended, "
                 "buried_until")


@dataclass(frozen=True, kw_only=True)
class StudyCard(CardSpec):
    """A card as studied: the generated card plus its scheduling state."""

    state: CardState
    suspended: bool = False
    buried_until: datetime | None = None


@dataclass(frozen=True)
class Scope:
    """Which cards a session draws from: all decks, or some topics (a branch) of one deck,
    optionally narrowed to an explicit set of cards (a filtered session: "study these cards")."""

    deck_id: DeckId | None = None
    topic_ids: frozenset[TopicId] | None = None
    card_ids: frozenset[CardId] | None = None

    @property
    def everything(self) -> bool:
        return self.deck_id is None and self.card_ids is None


@dataclass(frozen=True)
class LoggedAnswer:
    """What :func:`record_answer` wrote, enough to undo it exactly."""

    log_id: int
    card_id: CardId
    before: CardState
    buried: tuple[CardId, ...]


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else to_ms(moment)


def _dt(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def _card(row: Any) -> StudyCard:
    (card_id, deck_id, topic_id, kind, context, prompt, answer, group, order, queue, step,
     stability, difficulty, due, last_review, reps, lapses, suspended, buried) = row
    return StudyCard(
        id=CardId(card_id), deck_id=DeckId(deck_id), topic_id=TopicId(topic_id), kind=kind,
        context=context, prompt=prompt, answer=answer, sibling_group=group, order=order,
        state=CardState(queue=Queue(queue), step=step, stability=stability,
                        difficulty=difficulty, due=_dt(due), last_review=_dt(last_review),
                        reps=reps, lapses=lapses),
        suspended=bool(suspended), buried_until=_dt(buried))


def scope_where(scope: Scope) -> tuple[str, dict[str, Any]]:
    """A WHERE fragment (prefixed with AND) restricting cards to the scope, and its parameters.

    A pure query: the topic ids travel as one JSON parameter read by ``json_each``, so nothing
    is written and two scopes can be queried at once (no SQLITE_MAX_VARIABLE_NUMBER either).
    The card ids travel the same way.
    """
    where = ""
    params: dict[str, Any] = {}
    if scope.deck_id is not None:
        where += " AND deck_id = :deck"
        params["deck"] = scope.deck_id
        if scope.topic_ids is not None:
            where += " AND topic_id IN (SELECT value FROM json_each(:topics))"
            params["topics"] = json.dumps(sorted(scope.topic_ids))
    if scope.card_ids is not None:
        where += " AND id IN (SELECT value FROM json_each(:cards))"
        params["cards"] = json.dumps(sorted(scope.card_ids))
    return where, params


# The literal "retired = 0 AND suspended = 0" lets SQLite use the partial study indexes.
AVAILABLE = ("retired = 0 AND suspended = 0 AND (buried_until IS NULL OR buried_until <= :now)")
QueueKind = Literal["learning", "review", "new", "cram", "filtered"]
_QUEUES: dict[str, tuple[str, str]] = {
    "learning": ("queue IN (1, 3) AND due < :before AND " + AVAILABLE, "due"),
    "review": ("queue = 2 AND due < :before AND " + AVAILABLE, "due"),
    "new": ("queue = 0 AND " + AVAILABLE, "deck_id, ord"),
    "cram": ("retired = 0 AND suspended = 0", "deck_id, ord"),
    # Every available card of the scope now, due or not: cards already studied by due date,
    # then new cards in outline order.
    "filtered": (AVAILABLE, "queue = 0, due, deck_id, ord"),
}


def _select(store: Store, scope: Scope, kind: QueueKind, columns: str, now: datetime,
            before: datetime | None, limit: int | None) -> list[Any]:
    condition, order = _QUEUES[kind]
    where, params = scope_where(scope)
    sql = (f"SELECT {columns} FROM cards WHERE {condition}{where} "
           f"ORDER BY {order}" + (" LIMIT :limit" if limit is not None else ""))
    return store.conn.execute(sql, {
        **params, "now": to_ms(now), "before": None if before is None else to_ms(before),
        "limit": limit}).fetchall()


def queue_ids(store: Store, scope: Scope, kind: QueueKind, now: datetime,
              before: datetime | None = None, limit: int | None = None
              ) -> list[tuple[int | None, CardId]]:
    """(due in ms, id) of a queue's cards in the order they are studied.

    Sessions hold only these and read a card's row when it is shown: building the queue
    stays cheap even with tens of thousands of due cards.
    """
    if limit is not None and limit <= 0:
        return []
    return [(due, CardId(card_id)) for due, card_id
            in _select(store, scope, kind, "due, id", now, before, limit)]


def new_ids_by_group(store: Store, scope: Scope, now: datetime, review_before: datetime,
                     limit: int) -> list[tuple[int | None, CardId]]:
    """Like :func:`queue_ids` for new cards, but one card per sibling group, and none whose
    sibling is a review due before ``review_before``.

    Answering a card buries its new siblings, so a queue that held them would show fewer cards
    than it counted and than its limit allows: as Anki, gather one card per note. The rows are
    read lazily, only until the limit is reached; the sibling test uses the sibling index.
    """
    if limit <= 0:
        return []
    condition, order = _QUEUES["new"]
    where, params = scope_where(scope)
    cursor = store.conn.execute(
        f"SELECT due, id, sibling_group FROM cards WHERE {condition}{where} ORDER BY {order}",
        {**params, "now": to_ms(now)})
    found: list[tuple[int | None, CardId]] = []
    taken: set[str] = set()
    # By the sibling index: a group has a few cards, while SQLite would rather walk the
    # due-reviews index (tens of thousands of rows). One query per batch of rows read.
    sibling_due = ("SELECT DISTINCT sibling_group FROM cards INDEXED BY cards_by_sibling_group "
                   "WHERE sibling_group != '' AND sibling_group IN (SELECT value FROM "
                   "json_each(?)) AND queue = 2 AND due < ? AND retired = 0 AND suspended = 0 "
                   "AND (buried_until IS NULL OR buried_until <= ?)")
    now_ms, before_ms = to_ms(now), to_ms(review_before)
    try:
        while len(found) < limit:
            rows = cursor.fetchmany(max(64, 2 * (limit - len(found))))
            if not rows:
                break
            groups = sorted({group for _, _, group in rows if group})
            blocked = {r[0] for r in store.conn.execute(
                sibling_due, [json.dumps(groups), before_ms, now_ms])} if groups else set()
            for due, card_id, group in rows:
                if group:
                    if group in taken or group in blocked:
                        continue
                    taken.add(group)
                found.append((due, CardId(card_id)))
                if len(found) >= limit:
                    break
    finally:
        cursor.close()
    return found


def filtered_ids(store: Store, scope: Scope, now: datetime) -> list[tuple[Queue, CardId]]:
    """(queue, id) of every available card of the scope, due or not, in the order a filtered
    session shows them (suspended and buried cards left out)."""
    return [(Queue(queue), CardId(card_id)) for queue, card_id
            in _select(store, scope, "filtered", "queue, id", now, None, None)]


def card_ids(store: Store, scope: Scope) -> list[CardId]:
    """Ids of every active card of the scope, suspended ones included."""
    where, params = scope_where(scope)
    return [CardId(r[0]) for r in store.conn.execute(
        f"SELECT id FROM cards WHERE retired = 0{where}", params)]


def get_card(store: Store, card_id: str) -> StudyCard | None:
    row = store.conn.execute(f"SELECT {_CARD_COLUMNS} FROM cards WHERE id = ?",
                             [card_id]).fetchone()
    return None if row is None else _card(row)


def answered_today(store: Store, day_start: datetime) -> tuple[int, int]:
    """(new cards introduced, review cards answered) since ``day_start``, for the limits."""
    row = store.conn.execute(
        "SELECT COALESCE(SUM(queue_before = 0), 0), COALESCE(SUM(queue_before = 2), 0) "
        "FROM review_log WHERE reviewed_at >= ?", [to_ms(day_start)]).fetchone()
    return int(row[0]), int(row[1])


def record_answer(store: Store, card: StudyCard, grade: Grade, after: CardState,
                  now: datetime, duration_ms: int, bury_siblings_until: datetime | None
                  ) -> LoggedAnswer:
    """Store the new state, the review-log row and the buried siblings in one commit."""
    before = card.state
    now_ms = to_ms(now)
    with store.transaction() as conn:
        conn.execute(
            "UPDATE cards SET queue = ?, step = ?, stability = ?, difficulty = ?, due = ?, "
            "last_review = ?, reps = ?, lapses = ? WHERE id = ?",
            [int(after.queue), after.step, after.stability, after.difficulty, _ms(after.due),
             _ms(after.last_review), after.reps, after.lapses, card.id])
        cursor = conn.execute(
            "INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, queue_before, "
            "step_before, stability_before, difficulty_before, due_before, last_review_before, "
            "reps_before, lapses_before, queue_after, step_after, stability_after, "
            "difficulty_after, due_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)",
            [card.id, now_ms, int(grade), duration_ms, int(before.queue), before.step,
             before.stability, before.difficulty, _ms(before.due), _ms(before.last_review),
             before.reps, before.lapses, int(after.queue), after.step, after.stability,
             after.difficulty, _ms(after.due)])
        buried: list[CardId] = []
        if card.sibling_group and bury_siblings_until is not None:
            buried = [CardId(r[0]) for r in conn.execute(
                # The literal != '' lets SQLite use the partial sibling index.
                "SELECT id FROM cards WHERE sibling_group != '' AND sibling_group = ? "
                "AND id != ? AND retired = 0 "
                "AND queue IN (0, 2) AND (buried_until IS NULL OR buried_until <= ?)",
                [card.sibling_group, card.id, now_ms])]
            conn.executemany("UPDATE cards SET buried_until = ? WHERE id = ?",
                             [(to_ms(bury_siblings_until), b) for b in buried])
    return LoggedAnswer(log_id=int(cursor.lastrowid or 0), card_id=card.id, before=before,
                        buried=tuple(buried))


def undo_answer(store: Store, logged: LoggedAnswer) -> None:
    """Put the card back as it was, delete its log row and unbury what the answer buried."""
    b = logged.before
    with store.transaction() as conn:
        conn.execute(
            "UPDATE cards SET queue = ?, step = ?, stability = ?, difficulty = ?, due = ?, "
            "last_review = ?, reps = ?, lapses = ? WHERE id = ?",
            [int(b.queue), b.step, b.stability, b.difficulty, _ms(b.due), _ms(b.last_review),
             b.reps, b.lapses, logged.card_id])
        conn.execute("DELETE FROM review_log WHERE id = ?", [logged.log_id])
        conn.executemany("UPDATE cards SET buried_until = NULL WHERE id = ?",
                         [(c,) for c in logged.buried])


def record_cram(store: Store, card_id: str, grade: Grade, now: datetime,
                duration_ms: int) -> int:
    """Log a cram answer; the card's schedule is not touched."""
    with store.transaction() as conn:
        cursor = conn.execute("INSERT INTO cram_log (card_id, reviewed_at, rating, duration_ms) "
                              "VALUES (?, ?, ?, ?)", [card_id, to_ms(now), int(grade),
                                                      duration_ms])
    return int(cursor.lastrowid or 0)


def undo_cram(store: Store, log_id: int) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM cram_log WHERE id = ?", [log_id])


def set_suspended(store: Store, card_ids: Iterable[str], suspended: bool) -> None:
    with store.transaction() as conn:
        conn.executemany("UPDATE cards SET suspended = ? WHERE id = ?",
                         [(int(suspended), c) for c in card_ids])


def bury(store: Store, card_ids: Iterable[str], until: datetime) -> None:
    with store.transaction() as conn:
        conn.executemany("UPDATE cards SET buried_until = ? WHERE id = ?",
                         [(to_ms(until), c) for c in card_ids])


def unbury(store: Store, card_ids: Iterable[str]) -> None:
    with store.transaction() as conn:
        conn.executemany("UPDATE cards SET buried_until = NULL WHERE id = ?",
                         [(c,) for c in card_ids])


# A card is known (retrievability now >= the desired retention) when it was answered at least
# once and its whole days since the last review are within stability * k,
# k = known_horizon(retention). A new card given a due date in the browser has a memory state
# but no answer: not known. Parameters :now, :k.
KNOWN_SQL = ("queue != 0 AND reps > 0 AND stability IS NOT NULL AND last_review IS NOT NULL "
             "AND MAX(0, (:now - last_review) / 86400000) <= stability * :k")


@dataclass(frozen=True)
class TopicCounts:
    total: int
    due: int
    new: int
    known: int = 0  # cards whose retrievability now is at least the desired retention

    @property
    def mastery(self) -> float | None:
        """Share of the cards that are known (new cards count as not known)."""
        return None if not self.total else self.known / self.total


def topic_counts(store: Store, now: datetime, day_end: datetime, desired_retention: float = 0.9,
                 decay: float | None = None) -> dict[tuple[DeckId, TopicId], TopicCounts]:
    """Per topic (not aggregated): active cards, due today, new, and known (mastered), with
    the forgetting curve's ``decay`` (None: the parameters in use, fitted ones included)."""
    now_ms = to_ms(now)
    if decay is None:
        decay = current_decay(store)
    rows = store.conn.execute(
        "SELECT deck_id, topic_id, COUNT(*), "
        "SUM(queue != 0 AND due < :end AND (buried_until IS NULL OR buried_until <= :now)), "
        "SUM(queue = 0 AND (buried_until IS NULL OR buried_until <= :now)), "
        f"SUM({KNOWN_SQL}) "
        "FROM cards WHERE retired = 0 AND suspended = 0 GROUP BY deck_id, topic_id",
        {"end": to_ms(day_end), "now": now_ms, "k": known_horizon(desired_retention, decay)}
    ).fetchall()
    return {(DeckId(d), TopicId(t)): TopicCounts(int(n), int(due or 0), int(new or 0),
                                                  int(known or 0))
            for d, t, n, due, new, known in rows}


@dataclass(frozen=True)
class Upcoming:
    """What a scope holds beyond today's queue: for the overview and the finished screen."""

    next_studied_due: datetime | None  # the earliest due of a studied card (buried: unburied)
    new: int  # new cards, buried ones included
    buried: int  # cards buried now
    new_buried: int = 0  # new cards buried now


def upcoming(store: Store, scope: Scope, now: datetime) -> Upcoming:
    """Over the scope's active, unsuspended cards: when the next studied one comes due (a
    buried card counting from when it is unburied), how many are new and how many buried."""
    where, params = scope_where(scope)
    due, new, buried, new_buried = store.conn.execute(
        "SELECT MIN(CASE WHEN queue != 0 THEN MAX(due, COALESCE(buried_until, 0)) END), "
        "COALESCE(SUM(queue = 0), 0), COALESCE(SUM(buried_until > :now), 0), "
        "COALESCE(SUM(queue = 0 AND buried_until > :now), 0) "
        f"FROM cards WHERE retired = 0 AND suspended = 0{where}",
        {**params, "now": to_ms(now)}).fetchone()
    return Upcoming(_dt(due), int(new), int(buried), int(new_buried))


def unbury_scope(store: Store, scope: Scope, now: datetime) -> int:
    """Unbury every card of the scope buried now; how many were."""
    where, params = scope_where(scope)
    with store.transaction() as conn:
        cursor = conn.execute(f"UPDATE cards SET buried_until = NULL WHERE buried_until > :now"
                              f"{where}", {**params, "now": to_ms(now)})
    return int(cursor.rowcount)
