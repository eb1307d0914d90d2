"""The FSRS wrapper: stored card state <-> ``fsrs.Card``, answers, interval previews, study days.

All datetimes are aware UTC; "today" starts at the rollover hour (4 a.m.) in the user's local
time zone, which is passed in so tests can fix it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import IntEnum
from hashlib import blake2b
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # fsrs is imported when a session starts, not to paint the first window
    from fsrs import Card

__all__ = [
    "MAXIMUM_INTERVAL_RANGE",
    "MAX_STEPS",
    "NEW_PER_DAY_RANGE",
    "RETENTION_RANGE",
    "REVIEWS_PER_DAY_RANGE",
    "ROLLOVER_HOUR_RANGE",
    "STEP_RANGE",
    "CardState",
    "Fsrs",
    "Grade",
    "Queue",
    "SchedulerSettings",
    "StudyDay",
    "format_interval",
    "study_day",
]


class Grade(IntEnum):
    """The four answer buttons, numbered as their keys."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class Queue(IntEnum):
    """Where a card stands. NEW has never been answered; the rest mirror FSRS states."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


# The bounds of each study setting: SchedulerSettings.validated() clamps into them, and
# app.db.settings (loading a stored value) and the settings dialog use the same ones.
RETENTION_RANGE = (0.70, 0.99)
NEW_PER_DAY_RANGE = (0, 9999)
REVIEWS_PER_DAY_RANGE = (0, 99999)
ROLLOVER_HOUR_RANGE = (0, 23)
MAXIMUM_INTERVAL_RANGE = (1, 36500)
MAX_STEPS = 10
STEP_RANGE = (timedelta(minutes=1), timedelta(days=7))


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(bounds[1], max(bounds[0], value))


def _clamped_steps(steps: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
    """The first ``MAX_STEPS`` steps, each clamped into ``STEP_RANGE``."""
    low, high = STEP_RANGE
    return tuple(min(high, max(low, step)) for step in steps[:MAX_STEPS])


@dataclass(frozen=True)
class SchedulerSettings:
    desired_retention: float = 0.9
    new_per_day: int = 20
    reviews_per_day: int = 200
    rollover_hour: int = 4
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    fuzz: bool = True
    maximum_interval_days: int = 36500
    #: FSRS parameters fitted to the user's reviews (``mlsd-study optimize-fsrs``); empty for
    #: FSRS-6's defaults.
    parameters: tuple[float, ...] = ()

    @property
    def decay(self) -> float:
        """The forgetting curve's decay in use (w20): the fitted parameters' once a fit is
        applied, else FSRS-6's default."""
        return self.parameters[20] if len(self.parameters) > 20 else DEFAULT_DECAY

    def validated(self) -> SchedulerSettings:
        """The same settings with every value clamped into its range (``RETENTION_RANGE``...;
        steps into ``STEP_RANGE``, at most ``MAX_STEPS`` of them)."""
        return replace(
            self,
            desired_retention=_clamp(float(self.desired_retention), RETENTION_RANGE),
            new_per_day=int(_clamp(int(self.new_per_day), NEW_PER_DAY_RANGE)),
            reviews_per_day=int(_clamp(int(self.reviews_per_day), REVIEWS_PER_DAY_RANGE)),
            rollover_hour=int(_clamp(int(self.rollover_hour), ROLLOVER_HOUR_RANGE)),
            maximum_interval_days=int(_clamp(int(self.maximum_interval_days),
                                             MAXIMUM_INTERVAL_RANGE)),
            learning_steps=_clamped_steps(tuple(self.learning_steps)),
            relearning_steps=_clamped_steps(tuple(self.relearning_steps)),
        )


@dataclass(frozen=True)
class CardState:
    """The scheduling half of a card row. ``due``/``last_review`` are aware UTC datetimes."""

    queue: Queue = Queue.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True)
class StudyDay:
    """The study day containing a moment: [start, end) in UTC."""

    start: datetime
    end: datetime


def study_day(now: datetime, local: tzinfo, rollover_hour: int = 4) -> StudyDay:
    """The study day of ``now``: it starts at ``rollover_hour`` local time, like Anki's."""
    here = now.astimezone(local)
    day = here.date() if here.hour >= rollover_hour else here.date() - timedelta(days=1)
    start = datetime.combine(day, time(rollover_hour), tzinfo=local)
    end = datetime.combine(day + timedelta(days=1), time(rollover_hour), tzinfo=local)
    # combine() with a zoneinfo handles DST; normalise to UTC for storage and comparison.
    return StudyDay(start.astimezone(UTC), end.astimezone(UTC))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the scheduler; pass an aware UTC datetime")
    return moment.astimezone(UTC)


class Fsrs:
    """FSRS-6 with our settings: the fitted parameters when there are some, else the defaults.

    py-fsrs gives each answer's memory state and unfuzzed interval; the passing intervals of a
    review card are then constrained and fuzzed together as Anki does (see
    :meth:`_passing_review`), so Hard <= Good < Easy on the buttons and in the schedule.
    """

    def __init__(self, settings: SchedulerSettings | None = None) -> None:
        import fsrs  # bound once here: the answer path should not repeat import lookups

        self._fsrs = fsrs
        Scheduler = fsrs.Scheduler

        self.settings = (settings or SchedulerSettings()).validated()
        fitted = {"parameters": self.settings.parameters} if self.settings.parameters else {}
        # Fuzz is ours (_fuzzed_days): it must come after the constraint and keep the order.
        self._scheduler = Scheduler(
            **fitted,
            desired_retention=self.settings.desired_retention,
            learning_steps=self.settings.learning_steps,
            relearning_steps=self.settings.relearning_steps,
            maximum_interval=self.settings.maximum_interval_days,
            enable_fuzzing=False,
        )

    def _to_fsrs(self, state: CardState, now: datetime) -> Card:
        Card, State = self._fsrs.Card, self._fsrs.State
        if state.queue == Queue.NEW:
            return Card(card_id=1, state=State.Learning, step=0, due=now)
        return Card(card_id=1, state=State(int(state.queue)), step=state.step,
                    stability=state.stability, difficulty=state.difficulty,
                    due=_utc(state.due or now), last_review=state.last_review)

    def answer(self, state: CardState, grade: Grade, now: datetime) -> CardState:
        """The card's state after answering ``grade`` at ``now``: the same as
        ``preview(state, now)[grade]``, fuzz included."""
        now = _utc(now)
        fuzz = self._fuzz_factor(state, now)
        if state.queue == Queue.REVIEW and grade != Grade.AGAIN:
            return self._passing_review(state, now, fuzz, until=grade)[grade]
        return self._answered(state, grade, now, fuzz)

    def preview(self, state: CardState, now: datetime) -> dict[Grade, CardState]:
        """The state each button would give; the answer then uses the chosen one, so the
        interval shown on a button is exactly the one applied, fuzz included."""
        now = _utc(now)
        fuzz = self._fuzz_factor(state, now)
        plan = {Grade.AGAIN: self._answered(state, Grade.AGAIN, now, fuzz)}
        if state.queue == Queue.REVIEW:
            plan.update(self._passing_review(state, now, fuzz, until=Grade.EASY))
        else:
            plan.update((grade, self._answered(state, grade, now, fuzz))
                        for grade in (Grade.HARD, Grade.GOOD, Grade.EASY))
        return plan

    def _fsrs_answer(self, card: Card, grade: Grade, now: datetime) -> Card:
        """py-fsrs's answer (it copies ``card``): the memory state, queue, step and unfuzzed
        due."""
        return self._scheduler.review_card(card, self._fsrs.Rating(int(grade)), now)[0]

    @staticmethod
    def _state(state: CardState, grade: Grade, new: Card, due: datetime) -> CardState:
        lapse = state.queue == Queue.REVIEW and grade == Grade.AGAIN
        return CardState(queue=Queue(int(new.state)), step=new.step, stability=new.stability,
                         difficulty=new.difficulty, due=due, last_review=new.last_review,
                         reps=state.reps + 1, lapses=state.lapses + int(lapse))

    def _answered(self, state: CardState, grade: Grade, now: datetime,
                  fuzz: float | None) -> CardState:
        """An answer other than a review card's Hard/Good/Easy: learning and relearning steps
        as py-fsrs gives them; a day interval (graduating, or Again without relearning steps)
        fuzzed on its own."""
        new = self._fsrs_answer(self._to_fsrs(state, now), grade, now)
        due = new.due
        if int(new.state) == Queue.REVIEW:
            due = now + self._fuzzed_days((due - now) / _DAY, 1, fuzz) * _DAY
        return self._state(state, grade, new, due)

    def _passing_review(self, state: CardState, now: datetime, fuzz: float | None,
                        until: Grade) -> dict[Grade, CardState]:
        """Hard, Good and Easy (up to ``until``) of a review card, as Anki's
        ``passing_fsrs_review_intervals`` (rslib/src/scheduler/states/review.rs): Hard at least
        1 day, Good at least Hard + 1, Easy at least Good + 1, each fuzzed within those bounds
        with one fuzz factor, so the order holds after fuzz too (all three stop at the maximum
        interval, where they may meet). FSRS alone can give Good <= Hard: independent fuzz, or
        every interval rounding to 1 day when a weak card is studied early."""
        plan: dict[Grade, CardState] = {}
        card, minimum = self._to_fsrs(state, now), 1
        for grade in (Grade.HARD, Grade.GOOD, Grade.EASY):
            new = self._fsrs_answer(card, grade, now)  # a passed review card stays in review
            days = self._fuzzed_days((new.due - now) / _DAY, minimum, fuzz)
            plan[grade] = self._state(state, grade, new, now + days * _DAY)
            if grade == until:
                break
            minimum = days + 1
        return plan

    def _fuzz_factor(self, state: CardState, now: datetime) -> float | None:
        """One factor in [0, 1) for all the buttons of a card shown at ``now`` (None with fuzz
        off). Derived from the card's state and the moment, not drawn, so that ``answer`` and
        ``preview`` agree; cards shown at other moments get other factors (Anki seeds it from
        the card id and its review count)."""
        if not self.settings.fuzz:
            return None
        last = state.last_review.timestamp() if state.last_review is not None else None
        key = f"{state.reps}|{last}|{now.timestamp()}".encode()
        return int.from_bytes(blake2b(key, digest_size=8).digest()) / 2**64

    def _fuzzed_days(self, interval: float, minimum: int, fuzz: float | None) -> int:
        """Anki's ``constrain_passing_interval`` with FSRS: ``interval`` in whole days, at
        least ``minimum`` and 1, at most the maximum interval, and fuzzed within those bounds
        (rslib/src/scheduler/states/fuzz.rs, ``with_review_fuzz``)."""
        maximum = max(1, self.settings.maximum_interval_days)
        minimum = min(max(1, minimum), maximum)
        if fuzz is None:
            return min(maximum, max(minimum, _round_half_up(interval)))
        lower, upper = _fuzz_bounds(interval, minimum, maximum)
        return math.floor(lower + fuzz * (1 + upper - lower))

    def retrievability(self, state: CardState, now: datetime) -> float:
        if state.queue == Queue.NEW or state.stability is None or state.last_review is None:
            return 0.0
        return float(self._scheduler.get_card_retrievability(self._to_fsrs(state, now),
                                                             _utc(now)))


_DAY = timedelta(days=1)

#: Anki's fuzz ranges (and py-fsrs's): an interval is fuzzed by 1 day plus these fractions of
#: its days in each range, (start, end, factor).
_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))


def _round_half_up(value: float) -> int:
    """Rust's ``f32::round`` for the non-negative intervals here (Python's round() is
    half-to-even)."""
    return math.floor(value + 0.5)


def _fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """Anki's ``constrained_fuzz_bounds``: the fuzz range of ``interval`` within [minimum,
    maximum], at least two days wide when those allow it (and the interval is over 2 days)."""
    interval = min(max(interval, minimum), maximum)
    delta = 0.0 if interval < 2.5 else 1.0 + sum(
        factor * max(0.0, min(interval, end) - start) for start, end, factor in _FUZZ_RANGES)
    lower = min(max(_round_half_up(interval - delta), minimum), maximum)
    upper = min(max(_round_half_up(interval + delta), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


#: FSRS-6's default forgetting-curve decay (w20 of py-fsrs's default parameters, which
#: :class:`Fsrs` runs with): the one value the app and the Anki export use. A constant, so
#: fsrs stays off the start-up path; tests/test_scheduling_scheduler.py fails if fsrs changes it.
DEFAULT_DECAY = 0.1542


def known_horizon(desired_retention: float, decay: float = DEFAULT_DECAY) -> float:
    """k such that a card's retrievability is >= ``desired_retention`` while the whole days
    since its last review are <= k * stability (FSRS: R(t) = (1 + F t / S) ** -decay, with
    R(S) = 0.9). Lets SQL decide "known" without pow(); k is 1 at a retention of 0.9."""
    factor = 0.9 ** (-1 / decay) - 1
    return float((desired_retention ** (-1 / decay) - 1) / factor)


def format_interval(delta: timedelta) -> str:
    """Anki-style short interval: ``<1m``, ``10m``, ``3h``, ``4d``, ``1.5mo``, ``2.1y``.

    Values are rounded half up, and a value that rounds up to the next unit is shown in that
    unit (59m45s is "1h", not "60m").
    """
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    for size, limit, suffix in ((60, 60, "m"), (3600, 24, "h"), (86400, 30, "d")):
        value = math.floor(seconds / size + 0.5)
        if value < limit:
            return f"{value}{suffix}"
    days = seconds / 86400
    months = math.floor(days / 30.4375 * 10 + 0.5) / 10
    if months < 12:
        return f"{_one_decimal(months)}mo"
    return f"{_one_decimal(math.floor(days / 365.25 * 10 + 0.5) / 10)}y"


def _one_decimal(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
