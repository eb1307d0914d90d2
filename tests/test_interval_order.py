"""A review card's passing intervals keep Anki's order: Hard <= Good < Easy, Good at least
Hard + 1 day and Easy at least Good + 1 day, fuzz on or off, early or late, on the buttons and
in what an answer schedules (rslib/src/scheduler/states/review.rs,
passing_fsrs_review_intervals)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler, State
from hypothesis import given, settings
from hypothesis import strategies as st
from shared import ALPHA, DECK, set_state

from app.db import study as db
from app.db.store import Store
from app.db.study import Scope
from app.decks.library import USER, sync_decks
from app.model import CardId
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import (
    CardState,
    Fsrs,
    Grade,
    Queue,
    SchedulerSettings,
    format_interval,
)

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
PASSING = (Grade.HARD, Grade.GOOD, Grade.EASY)


def review_card(stability: float, difficulty: float, elapsed: timedelta,
                reps: int = 5) -> CardState:
    """A review card last reviewed ``elapsed`` before NOW, due a stability later."""
    last = NOW - elapsed
    return CardState(Queue.REVIEW, None, stability, difficulty, last + stability * DAY, last,
                     reps, 0)


def days(plan: dict[Grade, CardState], now: datetime = NOW) -> tuple[int, ...]:
    """The whole days to each passing answer's due date."""
    out = []
    for grade in PASSING:
        due = plan[grade].due
        assert due is not None and (due - now) % DAY == timedelta(0), (grade, due)
        out.append((due - now) // DAY)
    return tuple(out)


def py_fsrs_days(state: CardState, now: datetime, retention: float = 0.9) -> tuple[int, ...]:
    """py-fsrs's own intervals without fuzz, each answer on its own."""
    scheduler = Scheduler(desired_retention=retention, enable_fuzzing=False)
    card = Card(card_id=1, state=State.Review, stability=state.stability,
                difficulty=state.difficulty, due=state.due, last_review=state.last_review)
    return tuple((scheduler.review_card(card, Rating(int(grade)), now)[0].due - now) // DAY
                 for grade in PASSING)


def assert_anki_order(hard: int, good: int, easy: int, maximum: int = 36500) -> None:
    assert 1 <= hard <= good <= easy <= maximum
    assert good >= min(hard + 1, maximum) and easy >= min(good + 1, maximum)


# --- the property ---------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(stability=st.floats(0.1, 3650), difficulty=st.floats(1, 10),
       elapsed_share=st.floats(0, 2), retention=st.floats(0.7, 0.97), fuzz=st.booleans(),
       reps=st.integers(1, 60))
def test_hard_good_easy_are_ordered_with_anki_gaps(stability: float, difficulty: float,
                                                   elapsed_share: float, retention: float,
                                                   fuzz: bool, reps: int) -> None:
    state = review_card(stability, difficulty, elapsed_share * stability * DAY, reps)
    scheduler = Fsrs(SchedulerSettings(desired_retention=retention, fuzz=fuzz))
    plan = scheduler.preview(state, NOW)
    hard, good, easy = days(plan)
    assert_anki_order(hard, good, easy)
    if easy < 36500:
        assert hard < good < easy
    reference = Scheduler(desired_retention=retention, enable_fuzzing=False)
    card = Card(card_id=1, state=State.Review, stability=state.stability,
                difficulty=state.difficulty, due=state.due, last_review=state.last_review)
    for grade in Grade:
        # The button is what the answer gives; the memory state is FSRS's, untouched.
        assert scheduler.answer(state, grade, NOW) == plan[grade]
        expected, _ = reference.review_card(card, Rating(int(grade)), NOW)
        assert (plan[grade].stability, plan[grade].difficulty) == (expected.stability,
                                                                  expected.difficulty)
        assert plan[grade].queue == (Queue.RELEARNING if grade == Grade.AGAIN else Queue.REVIEW)
    if not fuzz:
        # Raised only as far as the order needs: an interval already in order is FSRS's.
        raw_hard, raw_good, raw_easy = py_fsrs_days(state, NOW, retention)
        assert hard == raw_hard
        assert good == min(36500, max(raw_good, hard + 1))
        assert easy == min(36500, max(raw_easy, good + 1))


# --- the two symptoms -----------------------------------------------------------------------


def test_py_fsrs_alone_fuzzes_hard_past_good() -> None:
    """The cause of the first symptom: py-fsrs fuzzes each answer with its own draw, so Hard
    can land after Good (the README render showed Hard 16d, Good 15d, Easy 20d)."""
    state = review_card(11.0, 5.0, 2 * DAY)
    assert py_fsrs_days(state, NOW) == (14, 17, 22)
    scheduler = Scheduler(enable_fuzzing=True)
    card = Card(card_id=1, state=State.Review, stability=11.0, difficulty=5.0, due=state.due,
                last_review=state.last_review)
    random.seed(26)  # py-fsrs draws from the module RNG, once per answer in Review
    fuzzed = [(scheduler.review_card(card, Rating(int(grade)), NOW)[0].due - NOW) // DAY
              for grade in PASSING]
    assert fuzzed == [16, 15, 20]


def test_a_card_studied_two_days_early_keeps_the_order_under_fuzz() -> None:
    state = review_card(11.0, 5.0, 2 * DAY)
    assert days(Fsrs(SchedulerSettings(fuzz=False)).preview(state, NOW)) == (14, 17, 22)
    scheduler = Fsrs(SchedulerSettings(fuzz=True))
    seen: set[tuple[int, ...]] = set()
    for second in range(300):
        now = NOW + second * SECOND
        plan = scheduler.preview(state, now)
        hard, good, easy = days(plan, now)
        assert hard < good < easy, (hard, good, easy)
        # Fuzz stays within Anki's range of each: 14 +- 2.375, 17 +- 2.675, 22 +- 3.075.
        assert 12 <= hard <= 16 and 14 <= good <= 20 and 19 <= easy <= 25
        seen.add((hard, good, easy))
        assert {g: scheduler.answer(state, g, now) for g in Grade} == plan
    assert len({hard for hard, _, _ in seen}) == 5  # fuzz was on: every Hard of 12..16


@pytest.mark.parametrize("fuzz", [False, True])
def test_a_weak_card_studied_again_the_same_day_is_not_1d_1d_1d(fuzz: bool) -> None:
    """The second symptom: FSRS's short-term stability rounds every pass to 1 day."""
    state = review_card(0.5, 7.0, timedelta(hours=2))
    assert py_fsrs_days(state, NOW) == (1, 1, 1)
    scheduler = Fsrs(SchedulerSettings(fuzz=fuzz))
    plan = scheduler.preview(state, NOW)
    hard, good, easy = days(plan)
    assert (hard, good) == (1, 2)
    assert easy == 3 if not fuzz else easy in (3, 4)  # 3 fuzzes into 3..4 (Anki's bounds)
    assert [scheduler.answer(state, g, NOW) for g in Grade] == [plan[g] for g in Grade]


def test_the_maximum_interval_caps_all_three_where_they_may_meet() -> None:
    """As Anki's extreme_multiplier_fuzz: the maximum wins over the gaps."""
    state = review_card(400.0, 3.0, 300 * DAY)
    for fuzz in (False, True):
        scheduler = Fsrs(SchedulerSettings(fuzz=fuzz, maximum_interval_days=5))
        assert days(scheduler.preview(state, NOW)) == (5, 5, 5)
    hard, good, easy = days(Fsrs(SchedulerSettings(fuzz=False, maximum_interval_days=30))
                            .preview(review_card(20.0, 3.0, 20 * DAY), NOW))
    assert_anki_order(hard, good, easy, maximum=30)


def test_learning_and_relearning_steps_keep_their_own_intervals() -> None:
    """Only a review card's passes are constrained (Anki's ReviewState); a relearning card's
    steps and graduation are py-fsrs's, as are a learning card's."""
    scheduler = Fsrs(SchedulerSettings(fuzz=False))
    reference = Scheduler(enable_fuzzing=False)
    relearning = CardState(Queue.RELEARNING, 0, 0.4, 8.0, NOW, NOW - 10 * 60 * SECOND, 6, 1)
    learning = CardState(Queue.LEARNING, 0, 0.212, 6.4133, NOW, NOW - 60 * SECOND, 1, 0)
    for state, fsrs_state in ((relearning, State.Relearning), (learning, State.Learning)):
        card = Card(card_id=1, state=fsrs_state, step=0, stability=state.stability,
                    difficulty=state.difficulty, due=state.due, last_review=state.last_review)
        plan = scheduler.preview(state, NOW)
        for grade in Grade:
            expected, _ = reference.review_card(card, Rating(int(grade)), NOW)
            assert (plan[grade].due, plan[grade].step, int(plan[grade].queue)) == (
                expected.due, expected.step, int(expected.state))
    # e.g. relearning's Good and Easy both graduate to 1 day: no gap forced there.
    plan = scheduler.preview(relearning, NOW)
    assert plan[Grade.GOOD].due == plan[Grade.EASY].due == NOW + DAY


# --- the review screen ----------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "deck.yaml").write_text(DECK, encoding="utf-8")
    opened = Store.open(tmp_path / "data")
    assert sync_decks(opened, [(folder, USER)], NOW - 30 * DAY).problems == ()
    yield opened
    opened.close()


@pytest.mark.parametrize(("fuzz", "state", "grade"), [
    (False, review_card(0.5, 7.0, timedelta(hours=2)), Grade.GOOD),
    (True, review_card(11.0, 5.0, 2 * DAY), Grade.HARD),
    (True, review_card(11.0, 5.0, 2 * DAY), Grade.EASY),
])
def test_early_review_buttons_are_ordered_and_are_what_the_card_gets(
        store: Store, fuzz: bool, state: CardState, grade: Grade) -> None:
    set_state(store, ALPHA, state)
    review = ReviewSession(store, Fsrs(SchedulerSettings(fuzz=fuzz)),
                           Scope(card_ids=frozenset({CardId(ALPHA)})), NOW, UTC, "filtered")
    view = review.reveal(NOW)
    assert view.card is not None and view.card.id == ALPHA
    labels = {button.grade: button.interval for button in view.buttons}
    hard, good, easy = (int(labels[g].removesuffix("d")) for g in PASSING)
    assert hard < good < easy, labels
    if not fuzz:
        assert [labels[g] for g in Grade] == ["10m", "1d", "2d", "3d"]
    answered_at = NOW + 7 * SECOND
    review.answer(grade, answered_at)
    after = db.get_card(store, ALPHA)
    assert after is not None and after.state.due is not None
    assert format_interval(after.state.due - answered_at) == labels[grade]
