"""What the interview screen shows, as plain values: each step's time, level and coverage."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from app.interview.steps import Segment
from app.model import Question, RubricItem

SOFT_AT, FIRM_AT = 1.0, 1.5  # share of a step's budget that raises each warning


class Level(IntEnum):
    """How far a step is over its budget."""

    OK = 0
    SOFT = 1  # at or over 100% of the budget
    FIRM = 2  # at or over 150%


def level_for(elapsed_s: float, budget_s: int) -> Level:
    if elapsed_s >= budget_s * FIRM_AT:
        return Level.FIRM
    if elapsed_s >= budget_s * SOFT_AT:
        return Level.SOFT
    return Level.OK


@dataclass(frozen=True)
class StepView(Segment):
    """One step as shown: time against budget, notes, coverage (after manual ticks), score."""

    budget_s: int
    elapsed_s: float
    level: Level
    notes: str
    covered: tuple[bool, ...]
    auto_covered: tuple[bool, ...]
    rubric: tuple[RubricItem, ...]
    score: int | None
    present: bool = True  # False: a step the deck does not have, shown nowhere

    @property
    def coverage_ratio(self) -> float | None:
        """Covered items over rubric items; None for a step without a rubric."""
        return sum(self.covered) / len(self.rubric) if self.rubric else None

    @property
    def over_s(self) -> float:
        """Seconds over budget (negative while under)."""
        return self.elapsed_s - self.budget_s


@dataclass(frozen=True)
class InterviewView:
    """Everything the interview screen needs, as plain values. ``current`` is 0-based."""

    question: Question
    current: int
    steps: tuple[StepView, ...]
    step_remaining_s: float
    total_remaining_s: float
    total_elapsed_s: float
    paused: bool
    finished: bool
    message: str

