"""Statistics page figures, in SQL over the review log, cards and interviews (raw sqlite3)."""

# Raw sqlite3: read-only aggregates tuned to the covering indexes (see _daily), measured by
# tests/benchmarks/bench_stats.py. Study days start at ``rollover_hour`` (4 a.m.) local time,
# like the scheduler's. To group in SQL each timestamp is shifted by the local UTC offset *at
# ``now``* minus the rollover hours and then integer-divided into days. That is exact for every day
# on the same side of the last daylight-saving change as ``now``; across a change, reviews within
# an hour of the rollover can fall into the neighbouring day (the same approximation Anki's
# statistics make). Retrievability uses the decay of the FSRS parameters in use (fitted ones
# once applied) without ``pow()`` in SQL: the threshold is turned into a multiple of stability
# here.
#
# Every figure can be narrowed to a Scope (one deck, or a branch's topics of one deck): cards by
# their deck and topic, answers by their card's, interviews by the deck they were held on and,
# for a branch, the steps the branch lies in.

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from app.clock import from_ms, to_ms
from app.db.settings import current_decay
from app.db.store import Store
from app.db.study import KNOWN_SQL, Scope
from app.model import DeckId, TopicId
from app.scheduling.scheduler import DEFAULT_DECAY, known_horizon

__all__ = ["DayCount", "Figures", "InterviewPoint", "StateCounts", "StepMastery", "WeekRetention",
           "all_figures", "answers_reading", "cards_by_state", "due_forecast", "interview_points",
           "known_multiplier", "mastery_by_step", "mastery_by_topic", "mastery_of_every_deck",
           "review_heatmap", "scope_of", "streak", "study_time_by_day", "true_retention_by_week"]

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
_EPOCH_DAY = date(1970, 1, 1)
# 1970-01-01 was a Thursday: day index + 3, integer-divided by 7, counts Monday-started weeks.
_MONDAY_SHIFT = 3


@dataclass(frozen=True)
class DayCount:
    day: date
    reviews: int
    seconds: float


@dataclass(frozen=True)
class WeekRetention:
    """Answers to cards in review state during one Monday-started week; pass is Hard or better."""

    week_start: date
    reviews: int
    passed: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None


@dataclass(frozen=True)
class StateCounts:
    new: int
    learning: int  # learning and relearning
    review: int
    suspended: int


@dataclass(frozen=True)
class StepMastery:
    step: int
    title: str
    known: int
    total: int

    @property
    def share(self) -> float:
        return self.known / self.total if self.total else 0.0


@dataclass(frozen=True)
class InterviewPoint:
    started_at: datetime
    step: int
    score: int | None
    covered: int
    total: int


def streak(days: Sequence[DayCount]) -> int:
    """Days in a row with answers ending with the last of ``days`` (today), or with the one
    before it when today has none yet."""
    counts = [day.reviews for day in days]
    if counts and counts[-1] == 0:
        counts.pop()
    run = 0
    for count in reversed(counts):
        if not count:
            break
        run += 1
    return run


@dataclass(frozen=True)
class Figures:
    heatmap: list[DayCount]
    forecast: list[tuple[date, int]]
    retention: list[WeekRetention]
    states: StateCounts
    study_time: list[DayCount]
    mastery: list[StepMastery]
    interviews: list[InterviewPoint]
    total_reviews: int
    desired_retention: float = 0.9  # the target the retention chart is read against

    @property
    def year_reviews(self) -> int:
        """Answers in the heatmap's year."""
        return sum(day.reviews for day in self.heatmap)

    @property
    def study_days(self) -> int:
        """Days of the heatmap's year with at least one answer."""
        return sum(1 for day in self.heatmap if day.reviews)

    @property
    def streak(self) -> int:
        """Days in a row with answers ending today, or yesterday when today has none yet."""
        return streak(self.heatmap)

    @property
    def recent_retention(self) -> WeekRetention | None:
        """The last four weeks' answers in review state taken together; None without weeks."""
        weeks = self.retention[-4:]
        if not weeks:
            return None
        return WeekRetention(weeks[0].week_start, sum(w.reviews for w in weeks),
                             sum(w.passed for w in weeks))


# --- scope ---------------------------------------------------------------------------------------

_EVERYTHING = Scope()

def scope_of(deck_id: str | None, topic_ids: Collection[str] | None = None) -> Scope:
    """The Scope for a deck (None: every deck) or, with ``topic_ids``, a branch of it."""
    if deck_id is None:
        return Scope()
    topics = None if topic_ids is None else frozenset(TopicId(t) for t in topic_ids)
    return Scope(deck_id=DeckId(deck_id), topic_ids=topics)


def answers_reading(store: Store, scope: Scope) -> str:
    """How the answers to a scope's cards are read, each answer's card existing (a foreign key)
    and in one deck: "all" for every deck or a deck that holds every card (the log by day),
    "rest" for a deck with most of the cards (all answers less those to the other decks'
    cards), else "cards" (its cards' answers, card by card)."""
    if scope.deck_id is None:
        return "all"
    if scope.topic_ids is not None:
        return "cards"
    inside, total = store.conn.execute(
        "SELECT (SELECT COUNT(*) FROM cards WHERE deck_id = :deck), (SELECT COUNT(*) FROM cards)",
        {"deck": scope.deck_id}).fetchone()
    return "all" if inside == total else "rest" if 2 * inside > total else "cards"


def _card_filter(scope: Scope, table: str = "cards") -> tuple[str, dict[str, Any]]:
    """An ``AND ...`` fragment keeping the scope's cards of ``table``, and its parameters.

    The topic ids travel as one JSON parameter read by ``json_each`` (no variable limit)."""
    if scope.deck_id is None:
        return "", {}
    if scope.topic_ids is None:
        return f" AND {table}.deck_id = :deck", {"deck": scope.deck_id}
    return (f" AND {table}.deck_id = :deck AND {table}.topic_id IN "
            "(SELECT value FROM json_each(:topics))",
            {"deck": scope.deck_id, "topics": json.dumps(sorted(scope.topic_ids))})


# --- study days ----------------------------------------------------------------------------------

def _day_shift_ms(now: datetime, local: tzinfo, rollover_hour: int) -> int:
    """What to add to a UTC ms timestamp so that whole days of it are study days."""
    offset = now.astimezone(local).utcoffset() or timedelta(0)
    return int(offset.total_seconds() * 1000) - rollover_hour * HOUR_MS


def _today(now: datetime, shift: int) -> int:
    return (to_ms(now) + shift) // DAY_MS


def _date(day_index: int) -> date:
    return _EPOCH_DAY + timedelta(days=day_index)


# What one study day adds up to: answers, time, answers to review cards, and those passed.
_DAY_FIGURES = ("COUNT(*), TOTAL(duration_ms), TOTAL(queue_before = 2), "
                "TOTAL(queue_before = 2 AND rating >= 2)")


# One range of the covering index review_log_stats (schema 5) per day, walked in order: no scan
# or sort of the whole log. Parameters :first and :last (day indexes), :day (ms), :shift (ms).
DAILY_SQL = f"""
    WITH RECURSIVE days(day) AS (
        SELECT :first UNION ALL SELECT day + 1 FROM days WHERE day < :last)
    SELECT day, (SELECT json_array({_DAY_FIGURES}) FROM review_log
                 WHERE reviewed_at >= day * :day - :shift
                 AND reviewed_at < (day + 1) * :day - :shift)
    FROM days"""


def _daily(store: Store, shift: int, first: int, last: int
           ) -> dict[int, tuple[int, int, int, int]]:
    """Per study day in [first, last]: (answers, duration ms, review-state answers, passed)."""
    params = {"shift": shift, "day": DAY_MS, "first": first, "last": last}
    rows = [(day, *json.loads(figures)) for day, figures
            in store.conn.execute(DAILY_SQL, params)]
    return {day: (int(count), int(ms), int(mature), int(passed))
            for day, count, ms, mature, passed in rows if count}


# The answers to one scope's cards, per study day: its cards first (by deck and topic), then each
# card's answers in the window from the covering index review_log_by_card_stats (schema 9).
SCOPED_DAILY_SQL = f"""
    SELECT (reviewed_at + :shift) / :day AS day, {_DAY_FIGURES}
    FROM cards CROSS JOIN review_log ON review_log.card_id = cards.id
        AND reviewed_at >= :first * :day - :shift AND reviewed_at < (:last + 1) * :day - :shift
    WHERE 1 {{scope}}
    GROUP BY day"""


def _others(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The ``AND ...`` fragment keeping the cards of every deck but the scope's."""
    return (" AND (cards.deck_id < :deck OR cards.deck_id > :deck)", {"deck": scope.deck_id})


def _scoped_daily(store: Store, scope: Scope, shift: int, first: int, last: int
                  ) -> dict[int, tuple[int, int, int, int]]:
    """:func:`_daily` for the answers to the cards of one deck or branch."""
    reading = answers_reading(store, scope)
    if reading == "all":
        return _daily(store, shift, first, last)

    def by_card(where: str, params: dict[str, Any]) -> dict[int, tuple[int, int, int, int]]:
        params = params | {"shift": shift, "day": DAY_MS, "first": first, "last": last}
        return {day: (int(count), int(ms), int(mature), int(passed)) for day, count, ms, mature,
                passed in store.conn.execute(SCOPED_DAILY_SQL.format(scope=where), params)}

    if reading == "cards":
        return by_card(*_card_filter(scope))
    others = by_card(*_others(scope))
    rest = {}
    for day, figures in _daily(store, shift, first, last).items():
        left = tuple(a - b for a, b in zip(figures, others.get(day, (0, 0, 0, 0)), strict=True))
        if left[0]:
            rest[day] = (left[0], left[1], left[2], left[3])
    return rest


def _answer_count(store: Store, scope: Scope) -> int:
    """Answers ever given to the scope's cards (read as :func:`answers_reading` says)."""
    reading = answers_reading(store, scope)
    (everything,) = store.conn.execute("SELECT COUNT(*) FROM review_log").fetchone()
    if reading == "all":
        return int(everything)
    where, params = _card_filter(scope) if reading == "cards" else _others(scope)
    (count,) = store.conn.execute(
        "SELECT COUNT(*) FROM cards CROSS JOIN review_log ON review_log.card_id = cards.id "
        f"WHERE 1{where}", params).fetchone()
    return int(count) if reading == "cards" else int(everything) - int(count)


def _day_counts(daily: dict[int, tuple[int, int, int, int]], today: int, days: int
                ) -> list[DayCount]:
    result = []
    for day in range(today - days + 1, today + 1):
        count, ms, _, _ = daily.get(day, (0, 0, 0, 0))
        result.append(DayCount(_date(day), count, ms / 1000))
    return result


def _first_week(today: int, weeks: int) -> int:
    return (today + _MONDAY_SHIFT) // 7 - weeks + 1


def _week_retention(daily: dict[int, tuple[int, int, int, int]], today: int, weeks: int
                    ) -> list[WeekRetention]:
    first = _first_week(today, weeks)
    totals = {week: [0, 0] for week in range(first, first + weeks)}
    for day, (_, _, mature, passed) in daily.items():
        week = (day + _MONDAY_SHIFT) // 7
        if week in totals:
            totals[week][0] += mature
            totals[week][1] += passed
    return [WeekRetention(_date(week * 7 - _MONDAY_SHIFT), reviews, passed)
            for week, (reviews, passed) in totals.items()]


# --- the figures ---------------------------------------------------------------------------------

def review_heatmap(store: Store, now: datetime, local: tzinfo, days: int = 365,
                   rollover_hour: int = 4, scope: Scope = _EVERYTHING) -> list[DayCount]:
    """Answers and time per study day for the last ``days`` days, oldest first, zeros kept."""
    shift = _day_shift_ms(now, local, rollover_hour)
    today = _today(now, shift)
    return _day_counts(_scoped_daily(store, scope, shift, today - days + 1, today), today, days)


def study_time_by_day(store: Store, now: datetime, local: tzinfo, days: int = 30,
                      rollover_hour: int = 4, scope: Scope = _EVERYTHING) -> list[DayCount]:
    """The heatmap's figures over a shorter span, for the study-time chart."""
    return review_heatmap(store, now, local, days, rollover_hour, scope)


def true_retention_by_week(store: Store, now: datetime, local: tzinfo, weeks: int = 12,
                           rollover_hour: int = 4, scope: Scope = _EVERYTHING
                           ) -> list[WeekRetention]:
    """Anki's True Retention per week, oldest first, this (partial) week last.

    Only answers to cards that were in review state (``queue_before = 2``) count; Hard, Good and
    Easy pass, Again fails. Learning and relearning steps are left out, as in Anki.
    """
    shift = _day_shift_ms(now, local, rollover_hour)
    today = _today(now, shift)
    first_day = _first_week(today, weeks) * 7 - _MONDAY_SHIFT
    return _week_retention(_scoped_daily(store, scope, shift, first_day, today), today, weeks)


def due_forecast(store: Store, now: datetime, local: tzinfo, days: int = 30,
                 rollover_hour: int = 4, scope: Scope = _EVERYTHING) -> list[tuple[date, int]]:
    """Cards due on each of the next ``days`` study days (today first; overdue counts as today).

    New, suspended and retired cards are left out; buried cards count on the day they are due.
    """
    shift = _day_shift_ms(now, local, rollover_hour)
    today = _today(now, shift)
    # retired = 0 AND suspended = 0 lets SQLite use the partial index cards_study_due.
    where, params = _card_filter(scope)
    rows = store.conn.execute(
        "SELECT MAX(0, (due + :shift) / :day - :today) AS day, COUNT(*) FROM cards "
        "WHERE queue IN (1, 2, 3) AND due < :end AND retired = 0 AND suspended = 0"
        f"{where} GROUP BY day",
        params | {"shift": shift, "day": DAY_MS, "today": today,
                  "end": (today + days) * DAY_MS - shift}).fetchall()
    counts = dict(rows)
    return [(_date(today + offset), int(counts.get(offset, 0))) for offset in range(days)]


def cards_by_state(store: Store, scope: Scope = _EVERYTHING) -> StateCounts:
    """Active cards by state; suspended cards are counted apart, not in their state."""
    where, params = _card_filter(scope)
    new, learning, review, suspended = store.conn.execute(
        "SELECT TOTAL(suspended = 0 AND queue = 0), TOTAL(suspended = 0 AND queue IN (1, 3)), "
        "       TOTAL(suspended = 0 AND queue = 2), TOTAL(suspended != 0) "
        f"FROM cards WHERE retired = 0{where}", params).fetchone()
    return StateCounts(int(new), int(learning), int(review), int(suspended))


def known_multiplier(desired_retention: float, decay: float = DEFAULT_DECAY) -> float:
    """k such that FSRS retrievability after t days is >= ``desired_retention`` iff t <= S * k
    (see :func:`app.scheduling.scheduler.known_horizon`, which computes it)."""
    if not 0 < desired_retention <= 1:
        raise ValueError(f"desired retention must be in (0, 1], not {desired_retention}")
    return known_horizon(desired_retention, decay)


# A card is known when answered, has a stability, and its whole elapsed days (py-fsrs counts
# ``timedelta.days``, floored and at least 0) are within stability * k. Parameters :now (ms), :k.
_KNOWN = f"({KNOWN_SQL})"


def _known_k(store: Store, desired_retention: float, decay: float | None) -> float:
    """:func:`known_multiplier` with ``decay``, or the decay of the parameters in use."""
    return known_multiplier(desired_retention, current_decay(store) if decay is None else decay)


def mastery_by_topic(store: Store, now: datetime, desired_retention: float,
                     decay: float | None = None) -> dict[tuple[str, str], tuple[int, int]]:
    """(deck id, topic id) -> (known, total) over each topic's own cards, not its subtree.

    Suspended and retired cards are left out; new cards count in the total but are not known.
    """
    rows = store.conn.execute(
        f"SELECT deck_id, topic_id, TOTAL({_KNOWN}), COUNT(*) FROM cards "
        "WHERE retired = 0 AND suspended = 0 GROUP BY deck_id, topic_id",
        {"now": to_ms(now), "k": _known_k(store, desired_retention, decay)}).fetchall()
    return {(deck_id, topic_id): (int(known), total) for deck_id, topic_id, known, total in rows}


def mastery_by_step(store: Store, deck_id: str, now: datetime, desired_retention: float,
                    topic_ids: Collection[str] | None = None, decay: float | None = None
                    ) -> list[StepMastery]:
    """Known/total for each step of a deck (topics with step 1..9), their subtrees included.

    Steps are listed in order; a deck without step topics gives an empty list. With
    ``topic_ids`` (a branch) only those topics' cards count, and only the steps they lie in.
    """
    rows = store.conn.execute(
        f"""
        WITH RECURSIVE branch(step, id) AS (
            SELECT step, id FROM topics
            WHERE deck_id = :deck AND step BETWEEN 1 AND 9 AND retired = 0
            UNION
            SELECT branch.step, topics.id FROM topics JOIN branch
                ON topics.deck_id = :deck AND topics.parent_id = branch.id
        ),
        own(topic_id, known, total) AS (
            SELECT topic_id, TOTAL({_KNOWN}), COUNT(*) FROM cards
            WHERE deck_id = :deck AND retired = 0 AND suspended = 0 GROUP BY topic_id
        )
        SELECT branch.step,
               (SELECT title FROM topics WHERE deck_id = :deck AND step = branch.step
                AND retired = 0 ORDER BY position LIMIT 1),
               TOTAL(own.known), TOTAL(own.total)
        FROM branch LEFT JOIN own ON own.topic_id = branch.id
        WHERE :topics IS NULL OR branch.id IN (SELECT value FROM json_each(:topics))
        GROUP BY branch.step ORDER BY branch.step
        """,
        {"deck": deck_id, "now": to_ms(now), "k": _known_k(store, desired_retention, decay),
         "topics": None if topic_ids is None else json.dumps(sorted(topic_ids))}
    ).fetchall()
    return [StepMastery(step, title, int(known), int(total))
            for step, title, known, total in rows]


def mastery_of_every_deck(store: Store, now: datetime, desired_retention: float,
                          decay: float | None = None) -> list[StepMastery]:
    """:func:`mastery_by_step` summed per step number over every deck with steps; a step's
    title is the first such deck's (by id)."""
    decks = [deck for (deck,) in store.conn.execute(
        "SELECT DISTINCT deck_id FROM topics WHERE step BETWEEN 1 AND 9 AND retired = 0 "
        "ORDER BY deck_id")]
    summed: dict[int, StepMastery] = {}
    decay = current_decay(store) if decay is None else decay
    for deck in decks:
        for step in mastery_by_step(store, deck, now, desired_retention, decay=decay):
            before = summed.get(step.step)
            summed[step.step] = step if before is None else StepMastery(
                step.step, before.title, before.known + step.known, before.total + step.total)
    return [summed[step] for step in sorted(summed)]


def interview_points(store: Store, deck_id: str | None = None,
                     steps: Collection[int] | None = None) -> list[InterviewPoint]:
    """Finished mock interviews, oldest first, one point per step 1..9 (not the wrap-up).

    ``deck_id`` keeps the interviews held on that deck; ``steps`` keeps only those steps. The
    slots of steps a deck lacks (no time, never scored) are not steps of that interview."""
    rows = store.conn.execute(
        "SELECT interviews.started_at, steps.step, steps.score, steps.covered, steps.total "
        "FROM interviews JOIN interview_steps AS steps ON steps.interview_id = interviews.id "
        "WHERE interviews.status = 'finished' AND steps.step BETWEEN 1 AND 9 "
        "AND (steps.budget_s > 0 OR steps.score IS NOT NULL) "
        "AND (:deck IS NULL OR interviews.deck_id = :deck) "
        "AND (:steps IS NULL OR steps.step IN (SELECT value FROM json_each(:steps))) "
        "ORDER BY interviews.started_at, interviews.id, steps.step",
        {"deck": deck_id, "steps": None if steps is None else json.dumps(sorted(steps))}
    ).fetchall()
    return [InterviewPoint(from_ms(started), step, score, covered, total)
            for started, step, score, covered, total in rows]


def all_figures(store: Store, now: datetime, local: tzinfo, desired_retention: float,
                deck_id: str | None = None, rollover_hour: int = 4,
                topic_ids: Collection[str] | None = None, decay: float | None = None
                ) -> Figures:
    """Every figure the statistics page shows, with the default spans, for every deck
    (``deck_id`` None), one deck, or a branch of it (``topic_ids``, the branch's topics).

    The review log is read once for the heatmap, study time and retention. For every deck,
    mastery is summed per step over the decks that have steps (:func:`mastery_of_every_deck`).
    """
    scope = scope_of(deck_id, topic_ids)
    shift = _day_shift_ms(now, local, rollover_hour)
    today = _today(now, shift)
    heat_days, time_days, weeks = 365, 30, 12
    first = min(today - heat_days + 1, _first_week(today, weeks) * 7 - _MONDAY_SHIFT)
    daily = _scoped_daily(store, scope, shift, first, today)
    total_reviews = _answer_count(store, scope)
    mastery = (mastery_of_every_deck(store, now, desired_retention, decay) if deck_id is None
               else mastery_by_step(store, deck_id, now, desired_retention, topic_ids, decay))
    steps = None if topic_ids is None else [m.step for m in mastery]
    return Figures(
        heatmap=_day_counts(daily, today, heat_days),
        forecast=due_forecast(store, now, local, 30, rollover_hour, scope),
        retention=_week_retention(daily, today, weeks),
        states=cards_by_state(store, scope),
        study_time=_day_counts(daily, today, time_days),
        mastery=mastery,
        interviews=interview_points(store, deck_id, steps),
        total_reviews=int(total_reviews),
        desired_retention=desired_retention,
    )
