"""Statistics figures on a real SQLite file: hand-made review logs, cards and interviews."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, Scheduler, State

from app.clock import to_ms
from app.db import stats
from app.db.stats import DayCount, InterviewPoint, StateCounts, StepMastery, WeekRetention
from app.db.store import Store
from app.decks.library import USER, sync_decks

# A Thursday; Berlin is UTC+1 in January, so study days start at 03:00 UTC.
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 1, 15)
DAY = timedelta(days=1)

DECK = """\
deck:
  id: demo
  title: Demo
  version: 1
topics:
  - id: s1
    title: Framing
    step: 1
    notes: Framing notes.
    children:
      - id: s1a
        title: Scope
        notes: Scope notes.
      - id: s1b
        title: Users
        notes: Users notes.
        children:
          - id: s1b-x
            title: Personas
            notes: Persona notes.
  - id: s2
    title: Metrics
    step: 2
    notes: Metrics notes.
  - id: extra
    title: Extra
    notes: Not a step.
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "demo.yaml").write_text(DECK, encoding="utf-8")
    opened = Store.open(tmp_path / "data")
    assert sync_decks(opened, [(decks, USER)], NOW - 60 * DAY).problems == ()
    # The generated cards are retired so each test states exactly the cards it counts.
    opened.conn.execute("UPDATE cards SET retired = 1")
    yield opened
    opened.close()


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "empty")
    yield opened
    opened.close()


_serial = iter(range(1_000_000))


def add_card(store: Store, topic: str = "s1", *, queue: int = 2, due: datetime | None = None,
             stability: float | None = 10.0, last_review: datetime | None = None,
             suspended: bool = False, retired: bool = False) -> str:
    card_id = f"demo/{topic}/test/{next(_serial)}"
    if queue == 0:
        stability, due, last_review = None, None, None
    store.conn.execute(  # a card out of the new queue was answered (reps 1)
        "INSERT INTO cards (id, deck_id, topic_id, kind, context, prompt, answer, ord, retired, "
        "queue, reps, stability, difficulty, due, last_review, suspended, created_at) "
        "VALUES (?, 'demo', ?, 'qa', '', 'Q', 'A', 0, ?, ?, ?, ?, 5.0, ?, ?, ?, 0)",
        [card_id, topic, int(retired), queue, int(queue != 0), stability,
         None if due is None else to_ms(due),
         None if last_review is None else to_ms(last_review), int(suspended)])
    return card_id


def log(store: Store, at: datetime, *, rating: int = 3, duration_ms: int = 1000,
        queue_before: int = 2, card_id: str | None = None) -> None:
    card_id = card_id or add_card(store, due=NOW + 5 * DAY, retired=True)
    store.conn.execute(
        "INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, queue_before, "
        "reps_before, lapses_before, queue_after, due_after) VALUES (?, ?, ?, ?, ?, 0, 0, 2, ?)",
        [card_id, to_ms(at), rating, duration_ms, queue_before, to_ms(at + DAY)])


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


# --- reviews per study day -----------------------------------------------------------------------

def test_heatmap_counts_per_study_day_with_the_4am_local_rollover(store: Store) -> None:
    log(store, utc(13, 10), duration_ms=1500)
    log(store, utc(15, 2, 59), duration_ms=2500)   # 03:59 in Berlin: still the 14th
    log(store, utc(15, 3, 0), duration_ms=4000)    # 04:00 in Berlin: the 15th begins
    log(store, utc(15, 11, 59), duration_ms=10_000)
    log(store, utc(16, 3, 0), duration_ms=99_000)  # tomorrow: not shown
    log(store, NOW - 400 * DAY)                    # before the window

    assert stats.review_heatmap(store, NOW, BERLIN, days=3) == [
        DayCount(date(2026, 1, 13), 1, 1.5),
        DayCount(date(2026, 1, 14), 1, 2.5),
        DayCount(date(2026, 1, 15), 2, 14.0),
    ]
    year = stats.review_heatmap(store, NOW, BERLIN)
    assert len(year) == 365
    assert (year[0].day, year[-1].day) == (TODAY - 364 * DAY, TODAY)
    assert sum(d.reviews for d in year) == 4
    assert all(d.reviews == 0 and d.seconds == 0 for d in year[:-3])


def test_before_the_rollover_today_is_still_yesterday(store: Store) -> None:
    early = utc(15, 2, 30)  # 03:30 in Berlin
    log(store, utc(15, 2, 0))
    days = stats.review_heatmap(store, early, BERLIN, days=2)
    assert [(d.day, d.reviews) for d in days] == [(date(2026, 1, 13), 0), (date(2026, 1, 14), 1)]


def test_study_time_sums_seconds_per_day(store: Store) -> None:
    log(store, utc(14, 9), duration_ms=30_000)
    log(store, utc(14, 9, 5), duration_ms=12_500)
    log(store, utc(15, 9), duration_ms=60_000)
    assert stats.study_time_by_day(store, NOW, BERLIN, days=3) == [
        DayCount(date(2026, 1, 13), 0, 0.0),
        DayCount(date(2026, 1, 14), 2, 42.5),
        DayCount(date(2026, 1, 15), 1, 60.0),
    ]
    assert len(stats.study_time_by_day(store, NOW, BERLIN)) == 30


# --- forecast ------------------------------------------------------------------------------------

def test_forecast_counts_due_cards_per_study_day_with_overdue_today(store: Store) -> None:
    add_card(store, due=NOW - 5 * DAY)                   # overdue: today
    add_card(store, due=utc(16, 2))                      # 03:00 Berlin on the 16th: today
    add_card(store, queue=1, due=utc(16, 3, 30))         # tomorrow
    add_card(store, queue=3, due=utc(17, 12))            # the day after
    add_card(store, due=NOW + 40 * DAY)                  # beyond the span
    add_card(store, due=NOW, suspended=True)
    add_card(store, due=NOW, retired=True)
    add_card(store, queue=0)

    assert stats.due_forecast(store, NOW, BERLIN, days=3) == [
        (date(2026, 1, 15), 2), (date(2026, 1, 16), 1), (date(2026, 1, 17), 1)]
    month = stats.due_forecast(store, NOW, BERLIN)
    assert len(month) == 30 and month[-1][0] == TODAY + 29 * DAY
    assert sum(n for _, n in month) == 4


# --- true retention ------------------------------------------------------------------------------

def test_true_retention_counts_only_answers_in_review_state(store: Store) -> None:
    log(store, utc(6, 10), rating=4)                     # week of Mon 5 Jan
    log(store, utc(12, 2, 59), rating=3)                 # Mon 03:59 Berlin: still that week
    log(store, utc(13, 10), rating=3)                    # week of Mon 12 Jan
    log(store, utc(14, 10), rating=1)                    # Again fails
    log(store, utc(14, 11), rating=2)                    # Hard passes
    log(store, utc(14, 12), rating=3, queue_before=1)    # learning: not counted
    log(store, utc(14, 13), rating=1, queue_before=3)    # relearning: not counted
    log(store, utc(14, 14), rating=3, queue_before=0)    # new: not counted

    weeks = stats.true_retention_by_week(store, NOW, BERLIN, weeks=3)
    assert weeks == [
        WeekRetention(date(2025, 12, 29), 0, 0),
        WeekRetention(date(2026, 1, 5), 2, 2),
        WeekRetention(date(2026, 1, 12), 3, 2),
    ]
    assert [w.rate for w in weeks] == [None, 1.0, pytest.approx(2 / 3)]
    assert len(stats.true_retention_by_week(store, NOW, BERLIN)) == 12


# --- card states ---------------------------------------------------------------------------------

def test_cards_by_state_counts_suspended_apart_and_skips_retired(store: Store) -> None:
    for _ in range(2):
        add_card(store, queue=0)
    add_card(store, queue=1, due=NOW)
    add_card(store, queue=3, due=NOW)
    for _ in range(3):
        add_card(store, due=NOW)
    add_card(store, due=NOW, suspended=True)
    add_card(store, queue=0, suspended=True)
    add_card(store, due=NOW, retired=True)
    assert stats.cards_by_state(store) == StateCounts(new=2, learning=2, review=3, suspended=2)


# --- mastery -------------------------------------------------------------------------------------

def test_known_multiplier_is_one_at_the_default_retention() -> None:
    assert stats.known_multiplier(0.9) == pytest.approx(1.0)
    assert stats.known_multiplier(0.95) < 1 < stats.known_multiplier(0.8)
    with pytest.raises(ValueError, match="desired retention"):
        stats.known_multiplier(0)


def test_mastery_by_topic_counts_known_cards_by_whole_elapsed_days(store: Store) -> None:
    add_card(store, "s1a", stability=10, last_review=NOW - 10 * DAY)                 # R = 0.9
    add_card(store, "s1a", stability=10, last_review=NOW - timedelta(days=10, hours=23))
    add_card(store, "s1a", stability=10, last_review=NOW - 11 * DAY)                 # forgotten
    add_card(store, "s1a", queue=1, stability=0.5, last_review=NOW - DAY / 24)       # learning
    add_card(store, "s1a", queue=0)                                                  # new
    add_card(store, "s1a", stability=None, last_review=NOW)                          # no stability
    add_card(store, "s1a", stability=100, last_review=NOW, suspended=True)
    add_card(store, "s2", stability=100, last_review=NOW - DAY)
    add_card(store, "s2", stability=100, last_review=NOW, retired=True)

    assert stats.mastery_by_topic(store, NOW, 0.9) == {("demo", "s1a"): (3, 6),
                                                      ("demo", "s2"): (1, 1)}
    # A higher bar: only the learning card (0 whole days) and the recent s2 card stay known.
    assert stats.mastery_by_topic(store, NOW, 0.95)[("demo", "s1a")] == (1, 6)


@pytest.mark.parametrize("retention", [0.7, 0.85, 0.9, 0.95, 0.99])
def test_known_agrees_with_fsrs_retrievability(store: Store, retention: float) -> None:
    rng = random.Random(retention)
    scheduler = Scheduler(desired_retention=retention)
    expected: dict[tuple[str, str], tuple[int, int]] = {}
    for i in range(300):
        stability = rng.uniform(0.1, 400)
        last = NOW - timedelta(milliseconds=rng.randint(0, 500 * 86_400_000))
        card = Card(card_id=i + 1, state=State.Review, stability=stability, difficulty=5.0,
                    due=NOW, last_review=last)
        recall = scheduler.get_card_retrievability(card, NOW)
        if abs(recall - retention) < 1e-9:
            continue  # a tie on the float boundary says nothing about the formula
        topic = f"eq{i}"
        add_card(store, topic, stability=stability, last_review=last, due=NOW)
        expected[("demo", topic)] = (int(recall >= retention), 1)
    assert stats.mastery_by_topic(store, NOW, retention) == expected
    assert 0 < sum(known for known, _ in expected.values()) < len(expected)


def test_mastery_by_step_aggregates_each_step_subtree(store: Store) -> None:
    add_card(store, "s1", stability=50, last_review=NOW - DAY)        # known
    add_card(store, "s1a", stability=50, last_review=NOW - 100 * DAY)  # forgotten
    add_card(store, "s1b", queue=0)                                    # new
    add_card(store, "s1b-x", stability=50, last_review=NOW - 2 * DAY)  # known, two levels down
    add_card(store, "s1b-x", stability=50, last_review=NOW, suspended=True)
    add_card(store, "s2", stability=5, last_review=NOW - 20 * DAY)
    add_card(store, "extra", stability=50, last_review=NOW)            # not under a step

    steps = stats.mastery_by_step(store, "demo", NOW, 0.9)
    assert steps == [StepMastery(1, "Framing", 2, 4), StepMastery(2, "Metrics", 0, 1)]
    assert [s.share for s in steps] == [0.5, 0.0]
    assert StepMastery(3, "Data", 0, 0).share == 0.0
    assert stats.mastery_by_step(store, "no-such-deck", NOW, 0.9) == []


# --- interviews ----------------------------------------------------------------------------------

def add_interview(store: Store, started: datetime, status: str,
                  steps: dict[int, tuple[int | None, int, int]], budget_s: int = 300) -> None:
    cursor = store.conn.execute(
        "INSERT INTO interviews (deck_id, question_id, question_title, started_at, updated_at, "
        "status, total_minutes) VALUES ('demo', 'q', 'Question', ?, ?, ?, 45)",
        [to_ms(started), to_ms(started), status])
    store.conn.executemany(
        "INSERT INTO interview_steps (interview_id, step, budget_s, score, covered, total) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(cursor.lastrowid, step, budget_s, *values) for step, values in steps.items()])


def test_interview_points_list_finished_interviews_oldest_first(store: Store) -> None:
    late, early = NOW - DAY, NOW - 10 * DAY
    add_interview(store, late, "finished", {2: (4, 3, 3), 1: (3, 2, 4), 10: (2, 1, 1)})
    add_interview(store, early, "finished", {1: (None, 0, 4)})
    add_interview(store, NOW, "running", {1: (1, 1, 1)})
    add_interview(store, NOW, "discarded", {1: (1, 1, 1)})
    assert stats.interview_points(store) == [
        InterviewPoint(early, 1, None, 0, 4),
        InterviewPoint(late, 1, 3, 2, 4),
        InterviewPoint(late, 2, 4, 3, 3),
    ]


def test_steps_a_deck_lacks_are_not_points_of_its_interviews(store: Store) -> None:
    """A 5-step deck's interview keeps slots 6-9 at no time and no score: not in the grid."""
    add_interview(store, NOW - DAY, "finished", {1: (3, 2, 4), 5: (None, 0, 0)})
    add_interview(store, NOW - DAY, "finished", {6: (None, 0, 0), 9: (None, 0, 0)}, budget_s=0)
    add_interview(store, NOW, "finished", {7: (2, 0, 0)}, budget_s=0)  # scored: kept
    assert [(p.step, p.score) for p in stats.interview_points(store)] == [
        (1, 3), (5, None), (7, 2)]


# --- everything together -------------------------------------------------------------------------

def test_all_figures_agree_with_the_single_figures(store: Store) -> None:
    for days_ago in (0, 3, 40, 200, 364, 365):
        log(store, NOW - days_ago * DAY, rating=1 + days_ago % 4, duration_ms=days_ago * 10)
    add_card(store, "s1a", due=NOW + 2 * DAY, last_review=NOW - DAY)
    add_card(store, "s2", queue=0)
    add_interview(store, NOW - DAY, "finished", {1: (3, 2, 4)})

    figures = stats.all_figures(store, NOW, BERLIN, 0.9, deck_id="demo")
    assert figures.heatmap == stats.review_heatmap(store, NOW, BERLIN)
    assert figures.study_time == stats.study_time_by_day(store, NOW, BERLIN)
    assert figures.retention == stats.true_retention_by_week(store, NOW, BERLIN)
    assert figures.forecast == stats.due_forecast(store, NOW, BERLIN)
    assert figures.states == stats.cards_by_state(store) == StateCounts(1, 0, 1, 0)
    assert figures.mastery == stats.mastery_by_step(store, "demo", NOW, 0.9)
    assert figures.interviews == stats.interview_points(store)
    assert figures.total_reviews == 6
    assert sum(d.reviews for d in figures.heatmap) == 5
    # For every deck, mastery is summed per step over the decks with steps (here just one).
    assert stats.all_figures(store, NOW, BERLIN, 0.9).mastery == figures.mastery
    assert figures.desired_retention == 0.9


def test_an_empty_store_gives_zeros_and_empty_lists(empty: Store) -> None:
    figures = stats.all_figures(empty, NOW, BERLIN, 0.9, deck_id="demo")
    assert len(figures.heatmap) == 365 and not any(d.reviews for d in figures.heatmap)
    assert len(figures.study_time) == 30 and not any(d.seconds for d in figures.study_time)
    assert figures.forecast == [(TODAY + n * DAY, 0) for n in range(30)]
    assert len(figures.retention) == 12
    assert all(w.reviews == 0 and w.rate is None for w in figures.retention)
    assert figures.retention[-1].week_start == date(2026, 1, 12)
    assert figures.states == StateCounts(0, 0, 0, 0)
    assert figures.mastery == [] and figures.interviews == []
    assert figures.total_reviews == 0
    assert stats.mastery_by_topic(empty, NOW, 0.9) == {}


def test_the_day_figures_read_the_covering_index_not_the_whole_log(store: Store) -> None:
    """The plan of the query the statistics page runs (not a copy of it)."""
    plan = [str(row[-1]) for row in store.conn.execute(
        "EXPLAIN QUERY PLAN " + stats.DAILY_SQL,
        {"shift": 0, "day": stats.DAY_MS, "first": 20_000, "last": 20_400})]
    log_steps = [step for step in plan if "review_log" in step]
    assert len(log_steps) == 1, plan
    assert log_steps[0].startswith("SEARCH review_log USING COVERING INDEX review_log_stats"), \
        plan


def test_day_boundaries_hold_with_many_reviews(store: Store) -> None:
    for n in range(60):
        log(store, NOW - timedelta(hours=7 * n, minutes=n), rating=1 + n % 4,
            duration_ms=100 * n, queue_before=n % 4)
    log(store, utc(15, 2, 59))
    log(store, utc(15, 3, 0))
    figures = stats.all_figures(store, NOW, BERLIN, 0.9)
    assert sum(d.reviews for d in figures.heatmap) == 62


# --- a deck or a branch --------------------------------------------------------------------------

def _other_deck(store: Store) -> None:
    """A second deck 'other' with one step topic, straight in the tables."""
    store.conn.execute("INSERT INTO decks (id, title, version, synced_at) "
                       "VALUES ('other', 'Other', 1, '2026-01-01')")
    store.conn.execute("INSERT INTO topics (deck_id, id, position, title, step) "
                       "VALUES ('other', 'o1', 0, 'Other framing', 1)")


def _other_card(store: Store, *, due: datetime, last_review: datetime) -> str:
    card_id = f"other/o1/test/{next(_serial)}"
    store.conn.execute(
        "INSERT INTO cards (id, deck_id, topic_id, kind, context, prompt, answer, ord, queue, "
        "reps, stability, difficulty, due, last_review, created_at) "
        "VALUES (?, 'other', 'o1', 'qa', '', 'Q', 'A', 0, 2, 3, 50, 5.0, ?, ?, 0)",
        [card_id, to_ms(due), to_ms(last_review)])
    return card_id


def _interview_on(store: Store, deck: str, started: datetime,
                  steps: dict[int, tuple[int | None, int, int]]) -> None:
    add_interview(store, started, "finished", steps)
    store.conn.execute("UPDATE interviews SET deck_id = ? WHERE id = (SELECT MAX(id) FROM "
                       "interviews)", [deck])


def test_every_figure_narrows_to_a_deck_or_a_branch(store: Store) -> None:
    _other_deck(store)
    framing = add_card(store, "s1a", due=NOW + DAY, last_review=NOW - DAY)        # step 1 branch
    metrics = add_card(store, "s2", due=NOW + 2 * DAY, last_review=NOW - DAY)     # step 2
    add_card(store, "s1b", queue=0)                                                # new, step 1
    other = _other_card(store, due=NOW + 3 * DAY, last_review=NOW - DAY)
    log(store, NOW - DAY, card_id=framing, duration_ms=60_000)
    log(store, NOW - 2 * DAY, card_id=framing, rating=1)
    log(store, NOW - DAY, card_id=metrics)
    for _ in range(3):
        log(store, NOW - 5 * DAY, card_id=other)
    _interview_on(store, "demo", NOW - DAY, {1: (3, 2, 4), 2: (2, 1, 4)})
    _interview_on(store, "other", NOW - 2 * DAY, {1: (4, 4, 4)})

    every = stats.all_figures(store, NOW, BERLIN, 0.9)
    demo = stats.all_figures(store, NOW, BERLIN, 0.9, deck_id="demo")
    branch = stats.all_figures(store, NOW, BERLIN, 0.9, deck_id="demo",
                               topic_ids=["s1", "s1a", "s1b", "s1b-x"])
    assert (every.total_reviews, demo.total_reviews, branch.total_reviews) == (6, 3, 2)
    assert [every.year_reviews, demo.year_reviews, branch.year_reviews] == [6, 3, 2]
    assert [d.reviews for d in branch.heatmap[-3:]] == [1, 1, 0]
    assert branch.study_time[-2].seconds == 60.0
    assert (branch.retention[-1].reviews, branch.retention[-1].passed) == (2, 1)
    assert sum(n for _, n in every.forecast) == 3 and sum(n for _, n in demo.forecast) == 2
    assert [n for _, n in branch.forecast][:3] == [0, 1, 0]
    assert every.states == StateCounts(1, 0, 3, 0)
    assert demo.states == StateCounts(1, 0, 2, 0)
    assert branch.states == StateCounts(1, 0, 1, 0)
    # Mastery: every deck sums step 1 over both decks; the branch has step 1 only.
    assert every.mastery == [StepMastery(1, "Framing", 2, 3), StepMastery(2, "Metrics", 1, 1)]
    assert demo.mastery == [StepMastery(1, "Framing", 1, 2), StepMastery(2, "Metrics", 1, 1)]
    assert branch.mastery == [StepMastery(1, "Framing", 1, 2)]
    # Interviews: by the deck they were held on, and for a branch only its steps.
    assert [(p.step, p.score) for p in every.interviews] == [(1, 4), (1, 3), (2, 2)]
    assert [(p.step, p.score) for p in demo.interviews] == [(1, 3), (2, 2)]
    assert [(p.step, p.score) for p in branch.interviews] == [(1, 3)]
    # A branch outside every step has no mastery and no interview rows; its answers still count.
    extra = stats.all_figures(store, NOW, BERLIN, 0.9, deck_id="demo", topic_ids=["extra"])
    assert extra.mastery == [] and extra.interviews == [] and extra.total_reviews == 0
    # The single figures take the same scope.
    scope = stats.scope_of("demo", ["s2"])
    assert sum(d.reviews for d in stats.review_heatmap(store, NOW, BERLIN, scope=scope)) == 1
    assert stats.cards_by_state(store, scope) == StateCounts(0, 0, 1, 0)
    assert stats.due_forecast(store, NOW, BERLIN, 3, scope=scope)[2][1] == 1


def test_key_figures_of_the_year() -> None:
    start = TODAY - 364 * DAY
    counts = {364: 2, 363: 1, 361: 5, 10: 1}
    figures = stats.Figures(
        heatmap=[DayCount(start + n * DAY, counts.get(n, 0), 0.0) for n in range(365)],
        forecast=[], states=StateCounts(0, 0, 0, 0), study_time=[], mastery=[], interviews=[],
        retention=[WeekRetention(TODAY - 7 * DAY * n, 10, 10 - n) for n in range(5, -1, -1)],
        total_reviews=9)
    assert (figures.year_reviews, figures.study_days, figures.streak) == (9, 4, 2)
    assert figures.recent_retention == WeekRetention(TODAY - 21 * DAY, 40, 34)
    # No answers yet today: the streak runs to yesterday (363), which follows a quiet day (362).
    quiet = [*figures.heatmap[:-1], DayCount(TODAY, 0, 0.0)]
    assert stats.Figures(**{**figures.__dict__, "heatmap": quiet}).streak == 1


def test_a_scoped_day_query_reads_each_cards_answers_from_the_covering_index(store: Store
                                                                             ) -> None:
    """The plan of the query for a deck among others or a branch (not a copy of it)."""
    for scope in (stats.scope_of("demo"), stats.scope_of("demo", ["s1", "s1a"])):
        where, params = stats._card_filter(scope)
        plan = [str(row[-1]) for row in store.conn.execute(
            "EXPLAIN QUERY PLAN " + stats.SCOPED_DAILY_SQL.format(scope=where),
            params | {"shift": 0, "day": stats.DAY_MS, "first": 20_000, "last": 20_400})]
        log_steps = [step for step in plan if "review_log" in step]
        assert len(log_steps) == 1, plan
        assert log_steps[0].startswith(
            "SEARCH review_log USING COVERING INDEX review_log_by_card_stats (card_id=? AND "
            "reviewed_at>? AND reviewed_at<?)"), plan


def test_a_deck_that_holds_every_card_reads_the_log_by_day(store: Store) -> None:
    card = add_card(store, "s2", due=NOW + DAY, last_review=NOW - DAY)
    log(store, NOW - DAY, card_id=card)
    assert stats.answers_reading(store, stats.scope_of("demo")) == "all"
    assert stats.answers_reading(store, stats.scope_of(None)) == "all"
    assert stats.answers_reading(store, stats.scope_of("demo", ["s2"])) == "cards"
    _other_deck(store)  # a deck, but no cards in it yet
    assert stats.answers_reading(store, stats.scope_of("demo")) == "all"
    _other_card(store, due=NOW + DAY, last_review=NOW - DAY)
    # Most cards are demo's (the fixture's retired ones count: their answers are history).
    assert stats.answers_reading(store, stats.scope_of("demo")) == "rest"
    assert stats.answers_reading(store, stats.scope_of("other")) == "cards"
    alone = stats.all_figures(store, NOW, BERLIN, 0.9, "demo")
    assert alone.total_reviews == 1 and alone.year_reviews == 1


def test_every_way_of_reading_a_decks_answers_agrees(store: Store) -> None:
    """A deck read as all answers less the other deck's equals its cards read one by one."""
    rng = random.Random(17)
    _other_deck(store)
    topics = ["s1", "s1a", "s1b", "s1b-x", "s2", "extra"]
    demo = [add_card(store, rng.choice(topics), due=NOW + DAY, last_review=NOW - DAY)
            for _ in range(30)]
    other = [_other_card(store, due=NOW + DAY, last_review=NOW - DAY) for _ in range(8)]
    for _ in range(400):
        log(store, NOW - timedelta(minutes=rng.randint(0, 400 * 24 * 60)),
            rating=rng.randint(1, 4), duration_ms=rng.randint(1, 60_000),
            queue_before=rng.randint(0, 3), card_id=rng.choice(demo + other))
    every_topic = [t for (t,) in store.conn.execute(
        "SELECT DISTINCT topic_id FROM cards WHERE deck_id = 'demo'")]
    assert stats.answers_reading(store, stats.scope_of("demo")) == "rest"
    assert stats.answers_reading(store, stats.scope_of("demo", every_topic)) == "cards"
    assert stats.answers_reading(store, stats.scope_of("other")) == "cards"
    deck = stats.all_figures(store, NOW, BERLIN, 0.9, "demo")
    cards = stats.all_figures(store, NOW, BERLIN, 0.9, "demo", topic_ids=every_topic)
    small = stats.all_figures(store, NOW, BERLIN, 0.9, "other")
    every = stats.all_figures(store, NOW, BERLIN, 0.9)
    assert (deck.heatmap, deck.study_time, deck.retention) == (
        cards.heatmap, cards.study_time, cards.retention)
    assert deck.total_reviews == cards.total_reviews > 0 and small.total_reviews > 0
    assert deck.total_reviews + small.total_reviews == every.total_reviews == 400
    for mine, theirs, both in zip(deck.heatmap, small.heatmap, every.heatmap,
                                       strict=True):
        assert mine.day == theirs.day == both.day
        assert mine.reviews + theirs.reviews == both.reviews
        assert mine.seconds + theirs.seconds == pytest.approx(both.seconds)
