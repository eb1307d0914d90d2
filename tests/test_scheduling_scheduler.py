"""The FSRS wrapper: exact intervals with fuzz off, settings, interval labels and the study day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, Rating, Scheduler, State

from app.scheduling.scheduler import (
    MAX_STEPS,
    MAXIMUM_INTERVAL_RANGE,
    STEP_RANGE,
    CardState,
    Fsrs,
    Grade,
    Queue,
    SchedulerSettings,
    format_interval,
    study_day,
)

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
EST = timezone(timedelta(hours=-5))
BERLIN = ZoneInfo("Europe/Berlin")


def fsrs(**settings: object) -> Fsrs:
    return Fsrs(SchedulerSettings(fuzz=False, **settings))  # type: ignore[arg-type]


def reference(retention: float = 0.9) -> Scheduler:
    """py-fsrs's own scheduler with the settings the spec asks for."""
    return Scheduler(desired_retention=retention, learning_steps=(MINUTE, 10 * MINUTE),
                     relearning_steps=(10 * MINUTE,), maximum_interval=36500,
                     enable_fuzzing=False)


def run(scheduler: Fsrs, grades: list[Grade], start: datetime = NOW) -> list[CardState]:
    """Answer a new card with ``grades``, each exactly when the card falls due."""
    state, now, states = CardState(), start, []
    for grade in grades:
        state = scheduler.answer(state, grade, now)
        states.append(state)
        assert state.due is not None
        now = state.due
    return states


def anki_ordered(scheduler: Scheduler, card: Card, rating: Rating, now: datetime) -> Card:
    """py-fsrs's answer, with Anki's order on a review card's passing intervals (fuzz off):
    Hard at least 1 day, Good at least Hard + 1, Easy at least Good + 1
    (rslib/src/scheduler/states/review.rs, passing_fsrs_review_intervals)."""
    after, _ = scheduler.review_card(card, rating, now)
    if card.state != State.Review or rating == Rating.Again:
        return after
    minimum = 1
    for passing in (Rating.Hard, Rating.Good, Rating.Easy):
        other, _ = scheduler.review_card(card, passing, now)
        days = max(minimum, (other.due - now).days)
        if passing == rating:
            after.due = now + timedelta(days=days)
            break
        minimum = days + 1
    return after


def run_reference(grades: list[Grade], retention: float = 0.9,
                  start: datetime = NOW) -> list[Card]:
    scheduler, card, now, cards = reference(retention), Card(card_id=1, due=start), start, []
    for grade in grades:
        card = anki_ordered(scheduler, card, Rating(int(grade)), now)
        cards.append(card)
        now = card.due
    return cards


def intervals(states: list[CardState]) -> list[timedelta]:
    out = []
    for state in states:
        assert state.due is not None and state.last_review is not None
        out.append(state.due - state.last_review)
    return out


# --- exact intervals, fuzz off -------------------------------------------------------------------

@pytest.mark.parametrize(("grade", "interval", "queue", "step"), [
    (Grade.AGAIN, MINUTE, Queue.LEARNING, 0),
    (Grade.HARD, timedelta(minutes=5, seconds=30), Queue.LEARNING, 0),
    (Grade.GOOD, 10 * MINUTE, Queue.LEARNING, 1),
    (Grade.EASY, 8 * DAY, Queue.REVIEW, None),
])
def test_a_new_card_gets_the_literal_first_interval(grade: Grade, interval: timedelta,
                                                    queue: Queue, step: int | None) -> None:
    state = fsrs().answer(CardState(), grade, NOW)
    assert state.due == NOW + interval
    assert state.last_review == NOW
    assert (state.queue, state.step, state.reps, state.lapses) == (queue, step, 1, 0)


def test_good_good_good_good_matches_literal_and_reference_intervals() -> None:
    grades = [Grade.GOOD] * 4
    states = run(fsrs(), grades)
    assert intervals(states) == [10 * MINUTE, 2 * DAY, 11 * DAY, 46 * DAY]
    assert [s.queue for s in states] == [Queue.LEARNING, Queue.REVIEW, Queue.REVIEW,
                                        Queue.REVIEW]
    expected = run_reference(grades)
    assert [(s.due, s.stability, s.difficulty, s.step) for s in states] == [
        (c.due, c.stability, c.difficulty, c.step) for c in expected]
    assert states[-1].reps == 4 and states[-1].lapses == 0


def test_again_paths_match_the_reference_and_count_a_lapse_only_from_review() -> None:
    grades = [Grade.AGAIN, Grade.GOOD, Grade.GOOD, Grade.AGAIN, Grade.GOOD, Grade.GOOD]
    states = run(fsrs(), grades)
    # The last Good: py-fsrs gives 1 day, as for Hard; Good is at least Hard + 1 day (Anki).
    assert intervals(states) == [MINUTE, 10 * MINUTE, DAY, 10 * MINUTE, DAY, 2 * DAY]
    assert [s.queue for s in states] == [Queue.LEARNING, Queue.LEARNING, Queue.REVIEW,
                                        Queue.RELEARNING, Queue.REVIEW, Queue.REVIEW]
    # Again while learning is not a lapse; Again on a review card is.
    assert [s.lapses for s in states] == [0, 0, 0, 1, 1, 1]
    assert [s.reps for s in states] == [1, 2, 3, 4, 5, 6]
    expected = run_reference(grades)
    assert [(s.due, s.stability, s.difficulty, int(s.queue), s.step) for s in states] == [
        (c.due, c.stability, c.difficulty, int(c.state), c.step) for c in expected]


@pytest.mark.parametrize("grades", [
    [Grade.HARD, Grade.HARD, Grade.GOOD, Grade.HARD],
    [Grade.EASY, Grade.AGAIN, Grade.AGAIN, Grade.EASY, Grade.GOOD],
    [Grade.GOOD, Grade.EASY, Grade.HARD, Grade.AGAIN, Grade.HARD, Grade.GOOD],
])
def test_any_answer_sequence_matches_the_reference(grades: list[Grade]) -> None:
    states = run(fsrs(), grades)
    expected = run_reference(grades)
    assert [(s.due, s.stability, s.difficulty, int(s.queue), s.step) for s in states] == [
        (c.due, c.stability, c.difficulty, int(c.state), c.step) for c in expected]


def test_a_late_review_uses_the_actual_answer_time() -> None:
    scheduler = fsrs()
    graduated = run(scheduler, [Grade.GOOD, Grade.GOOD])[-1]
    assert graduated.due is not None
    late = graduated.due + 5 * DAY
    state = scheduler.answer(graduated, Grade.GOOD, late)
    card, now = Card(card_id=1, due=NOW), NOW
    for _ in range(2):
        card, _ = reference().review_card(card, Rating.Good, now)
        now = card.due
    card, _ = reference().review_card(card, Rating.Good, late)
    assert (state.due, state.stability, state.last_review) == (card.due, card.stability, late)
    assert state.due is not None and state.due - late > 11 * DAY  # later recall -> longer


def test_preview_gives_exactly_what_each_answer_gives() -> None:
    scheduler = fsrs()
    state = run(scheduler, [Grade.GOOD, Grade.GOOD])[-1]
    at = NOW + 3 * DAY
    preview = scheduler.preview(state, at)
    assert set(preview) == set(Grade)
    card = run_reference([Grade.GOOD, Grade.GOOD])[-1]
    for grade, planned in preview.items():
        assert planned == scheduler.answer(state, grade, at)
        expected, _ = reference().review_card(card, Rating(int(grade)), at)
        assert (planned.due, planned.stability, planned.difficulty, int(planned.queue)) == (
            expected.due, expected.stability, expected.difficulty, int(expected.state)), grade
    dues = [preview[g].due for g in Grade]
    assert dues == sorted(set(dues))  # type: ignore[type-var]  # four different outcomes


def test_states_stay_in_utc_even_when_given_another_zone() -> None:
    state = fsrs().answer(CardState(), Grade.GOOD, NOW.astimezone(EST))
    assert state.due == NOW + 10 * MINUTE
    assert state.due is not None and state.due.utcoffset() == timedelta(0)


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        fsrs().answer(CardState(), Grade.GOOD, datetime(2026, 1, 5, 12))


def test_retrievability() -> None:
    scheduler = fsrs()
    assert scheduler.retrievability(CardState(), NOW) == 0.0
    state = run(scheduler, [Grade.GOOD] * 3)[-1]  # due in 11 days at 90 % retention
    assert state.last_review is not None and state.due is not None
    assert scheduler.retrievability(state, state.last_review) == pytest.approx(1.0)
    at_due = scheduler.retrievability(state, state.due)
    assert at_due == pytest.approx(0.9, abs=0.005)
    assert scheduler.retrievability(state, state.due + 30 * DAY) < at_due


# --- settings ------------------------------------------------------------------------------------

def test_desired_retention_changes_the_intervals() -> None:
    grades = [Grade.GOOD] * 3
    got = {r: intervals(run(fsrs(desired_retention=r), grades))[-1] for r in (0.8, 0.9, 0.95)}
    assert got[0.8] > got[0.9] > got[0.95]
    assert got[0.9] == 11 * DAY
    for retention, interval in got.items():
        card = run_reference(grades, retention)[-1]
        assert card.last_review is not None
        assert interval == card.due - card.last_review


def test_defaults_are_the_spec() -> None:
    settings = SchedulerSettings()
    assert settings.desired_retention == 0.9
    assert (settings.new_per_day, settings.reviews_per_day, settings.rollover_hour) == (20, 200, 4)
    assert settings.learning_steps == (MINUTE, 10 * MINUTE)
    assert settings.relearning_steps == (10 * MINUTE,)
    assert settings.fuzz is True


def test_validated_clamps_settings() -> None:
    low = SchedulerSettings(desired_retention=0.1, new_per_day=-5, reviews_per_day=-1,
                            rollover_hour=-3).validated()
    assert (low.desired_retention, low.new_per_day, low.reviews_per_day, low.rollover_hour) == (
        0.7, 0, 0, 0)
    high = SchedulerSettings(desired_retention=1.5, rollover_hour=30).validated()
    assert (high.desired_retention, high.rollover_hour) == (0.99, 23)
    kept = SchedulerSettings(desired_retention=0.85, new_per_day=7)
    assert kept.validated() == kept
    assert Fsrs(SchedulerSettings(desired_retention=2.0, fuzz=False)).settings.desired_retention \
        == 0.99


def test_validated_clamps_the_maximum_interval_and_the_steps() -> None:
    low = SchedulerSettings(maximum_interval_days=0, learning_steps=(timedelta(seconds=5),),
                            relearning_steps=(timedelta(0), 10 * MINUTE)).validated()
    assert low.maximum_interval_days == MAXIMUM_INTERVAL_RANGE[0]
    assert low.learning_steps == (STEP_RANGE[0],)
    assert low.relearning_steps == (STEP_RANGE[0], 10 * MINUTE)
    many = tuple(timedelta(days=n) for n in range(1, MAX_STEPS + 5))
    high = SchedulerSettings(maximum_interval_days=10**6, learning_steps=many,
                             relearning_steps=()).validated()
    assert high.maximum_interval_days == MAXIMUM_INTERVAL_RANGE[1]
    assert len(high.learning_steps) == MAX_STEPS
    assert high.learning_steps == tuple(min(step, STEP_RANGE[1]) for step in many[:MAX_STEPS])
    assert high.relearning_steps == ()
    assert Fsrs(SchedulerSettings(maximum_interval_days=0)).settings.maximum_interval_days == 1


def test_custom_learning_steps_are_used() -> None:
    state = fsrs(learning_steps=(2 * MINUTE, 30 * MINUTE)).answer(CardState(), Grade.GOOD, NOW)
    assert state.due == NOW + 30 * MINUTE


# --- interval labels -----------------------------------------------------------------------------

@pytest.mark.parametrize(("delta", "label"), [
    (timedelta(0), "<1m"),
    (timedelta(seconds=59), "<1m"),
    (MINUTE, "1m"),
    (timedelta(minutes=5, seconds=30), "6m"),
    (10 * MINUTE, "10m"),
    (timedelta(minutes=59), "59m"),
    (timedelta(hours=1), "1h"),
    (timedelta(hours=3, minutes=10), "3h"),
    (timedelta(hours=23), "23h"),
    (DAY, "1d"),
    (2 * DAY, "2d"),
    (29 * DAY, "29d"),
    (30 * DAY, "1mo"),
    (46 * DAY, "1.5mo"),
    (61 * DAY, "2mo"),
    (364 * DAY, "1y"),  # 11.96 months rounds up into years
    (365 * DAY, "1y"),
    (400 * DAY, "1.1y"),
    (int(2.5 * 365.25) * DAY, "2.5y"),
])
def test_format_interval(delta: timedelta, label: str) -> None:
    assert format_interval(delta) == label


# --- the study day -------------------------------------------------------------------------------

def test_the_day_rolls_over_at_four_local_in_a_fixed_zone() -> None:
    before = study_day(datetime(2026, 1, 5, 3, 59, tzinfo=EST), EST)
    after = study_day(datetime(2026, 1, 5, 4, 0, tzinfo=EST), EST)
    assert before.start == datetime(2026, 1, 4, 9, 0, tzinfo=UTC)
    assert before.end == after.start == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert after.end == datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
    # The same moments given in UTC fall on the same days.
    assert study_day(datetime(2026, 1, 5, 8, 59, tzinfo=UTC), EST) == before
    assert study_day(datetime(2026, 1, 5, 9, 0, tzinfo=UTC), EST) == after
    assert after.start.utcoffset() == timedelta(0)


def test_the_day_in_utc_itself() -> None:
    day = study_day(datetime(2026, 1, 5, 1, 0, tzinfo=UTC), UTC)
    assert (day.start, day.end) == (datetime(2026, 1, 4, 4, tzinfo=UTC),
                                    datetime(2026, 1, 5, 4, tzinfo=UTC))


def test_a_custom_rollover_hour() -> None:
    day = study_day(datetime(2026, 1, 5, 5, 59, tzinfo=EST), EST, rollover_hour=6)
    assert day.start == datetime(2026, 1, 4, 11, 0, tzinfo=UTC)


def test_the_day_follows_berlin_into_summer_time() -> None:
    # Clocks go from 02:00 CET to 03:00 CEST on 29 March 2026.
    before = study_day(datetime(2026, 3, 29, 3, 59, tzinfo=BERLIN), BERLIN)
    after = study_day(datetime(2026, 3, 29, 4, 0, tzinfo=BERLIN), BERLIN)
    assert before.start == datetime(2026, 3, 28, 3, 0, tzinfo=UTC)  # 04:00 CET
    assert before.end == after.start == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)  # 04:00 CEST
    assert before.end - before.start == timedelta(hours=23)
    assert after.end - after.start == timedelta(hours=24)
    assert study_day(datetime(2026, 3, 29, 1, 59, tzinfo=UTC), BERLIN) == before
    assert study_day(datetime(2026, 3, 29, 2, 0, tzinfo=UTC), BERLIN) == after


def test_the_day_follows_berlin_back_to_winter_time() -> None:
    # Clocks go from 03:00 CEST back to 02:00 CET on 25 October 2026.
    before = study_day(datetime(2026, 10, 25, 3, 59, tzinfo=BERLIN), BERLIN)
    after = study_day(datetime(2026, 10, 25, 4, 0, tzinfo=BERLIN), BERLIN)
    assert before.start == datetime(2026, 10, 24, 2, 0, tzinfo=UTC)  # 04:00 CEST
    assert before.end == after.start == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # 04:00 CET
    assert before.end - before.start == timedelta(hours=25)
    # 02:30 happens twice that night; both are before the rollover.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert first.astimezone(BERLIN).hour == second.astimezone(BERLIN).hour == 2
    assert study_day(first, BERLIN) == study_day(second, BERLIN) == before


@pytest.mark.parametrize(("delta", "label"), [
    (timedelta(minutes=2, seconds=30), "3m"),  # half up, not to even
    (timedelta(minutes=59, seconds=45), "1h"),  # never "60m"
    (timedelta(hours=23, minutes=40), "1d"),  # never "24h"
    (timedelta(days=29, hours=13), "1mo"),  # never "30d"
])
def test_format_interval_rounds_half_up_into_the_next_unit(delta: timedelta, label: str) -> None:
    assert format_interval(delta) == label


@pytest.mark.parametrize("decay", [None, 0.3, 0.6])
@pytest.mark.parametrize("retention", [0.8, 0.9, 0.95])
def test_known_horizon_agrees_with_fsrs_retrievability(retention: float, decay: float | None
                                                       ) -> None:
    """With FSRS-6's decay (None) and with fitted parameters' (w20): ``settings.decay``."""
    from fsrs import Card, Scheduler, State

    from app.scheduling.optimizer import DEFAULT_PARAMETERS
    from app.scheduling.scheduler import DEFAULT_DECAY, known_horizon

    settings = SchedulerSettings(
        parameters=() if decay is None else (*DEFAULT_PARAMETERS[:20], decay))
    assert settings.decay == (DEFAULT_DECAY if decay is None else decay)
    scheduler = Scheduler(parameters=settings.parameters or DEFAULT_PARAMETERS)
    k = known_horizon(retention, settings.decay)
    reviewed = datetime(2026, 1, 1, tzinfo=UTC)
    for stability in (0.5, 1.0, 3.7, 12.0, 90.0):
        for days in range(0, 200, 3):
            card = Card(card_id=1, state=State.Review, stability=stability, difficulty=5.0,
                        due=reviewed, last_review=reviewed)
            r = scheduler.get_card_retrievability(card, reviewed + timedelta(days=days))
            if abs(r - retention) > 1e-9:  # exactly on the boundary either way is fine
                assert (days <= k * stability) == (r >= retention), (stability, days, r)


def test_default_decay_is_fsrs_default_and_the_one_our_scheduler_uses() -> None:
    from app.scheduling.scheduler import DEFAULT_DECAY

    # A new fsrs release with another default decay must fail here, not skew Anki exports and
    # the "known" horizon silently: DEFAULT_DECAY is hard-coded to keep fsrs off start-up.
    assert Scheduler().parameters[20] == DEFAULT_DECAY == 0.1542
    # Fsrs forgets along the curve with that decay: R(t) = (1 + F t / S) ** -decay.
    factor = 0.9 ** (-1 / DEFAULT_DECAY) - 1
    for stability, days in [(1.0, 1), (3.7, 10), (90.0, 30), (12.0, 365)]:
        state = CardState(queue=Queue.REVIEW, step=None, stability=stability, difficulty=5.0,
                          due=NOW, last_review=NOW)
        expected = (1 + factor * days / stability) ** -DEFAULT_DECAY
        assert fsrs().retrievability(state, NOW + days * DAY) == pytest.approx(expected, 1e-9)
