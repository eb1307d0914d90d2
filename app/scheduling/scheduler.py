"""The FSRS wrapper: stored card state <-> ``fsrs.Card``, answers, interval previews, study days.

All datetimes are aware UTC; "today" starts at the rollover hour (4 a.m.) in the user's local
time zone, which is passed in so tests can fix it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import IntEnum
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
    """FSRS-6 with our settings: the fitted parameters when there are some, else the defaults
    (fuzz uses py-fsrs's own RNG)."""

    def __init__(self, settings: SchedulerSettings | None = None) -> None:
        import fsrs  # bound once here: the answer path should not repeat import lookups

        self._fsrs = fsrs
        Scheduler = fsrs.Scheduler

        self.settings = (settings or SchedulerSettings()).validated()
        fitted = {"parameters": self.settings.parameters} if self.settings.parameters else {}
        self._scheduler = Scheduler(
            **fitted,
            desired_retention=self.settings.desired_retention,
            learning_steps=self.settings.learning_steps,
            relearning_steps=self.settings.relearning_steps,
            maximum_interval=self.settings.maximum_interval_days,
            enable_fuzzing=self.settings.fuzz,
        )

    def _to_fsrs(self, state: CardState, now: datetime) -> Card:
        Card, State = self._fsrs.Card, self._fsrs.State
        if state.queue == Queue.NEW:
            return Card(card_id=1, state=State.Learning, step=0, due=now)
        return Card(card_id=1, state=State(int(state.queue)), step=state.step,
                    stability=state.stability, difficulty=state.difficulty,
                    due=_utc(state.due or now), last_review=state.last_review)

    def answer(self, state: CardState, grade: Grade, now: datetime) -> CardState:
        """The card's state after answering ``grade`` at ``now``."""
        now = _utc(now)
        new, _log = self._scheduler.review_card(self._to_fsrs(state, now),
                                                self._fsrs.Rating(int(grade)), now)
        lapse = state.queue == Queue.REVIEW and grade == Grade.AGAIN
        return CardState(queue=Queue(int(new.state)), step=new.step, stability=new.stability,
                         difficulty=new.difficulty, due=new.due, last_review=new.last_review,
                         reps=state.reps + 1, lapses=state.lapses + int(lapse))

    def preview(self, state: CardState, now: datetime) -> dict[Grade, CardState]:
        """The state each button would give; the answer then uses the chosen one, so the
        interval shown on a button is exactly the one applied, fuzz included."""
        return {grade: self.answer(state, grade, now) for grade in Grade}

    def retrievability(self, state: CardState, now: datetime) -> float:
        if state.queue == Queue.NEW or state.stability is None or state.last_review is None:
            return 0.0
        return float(self._scheduler.get_card_retrievability(self._to_fsrs(state, now),
                                                             _utc(now)))


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
