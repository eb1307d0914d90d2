"""Interview time budgets: minutes per segment, the 30/45/60-minute presets and scaled splits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.interview.steps import SEGMENTS, StepInfo

MIN_TOTAL_MINUTES, MAX_TOTAL_MINUTES = 10, 240
NEEDS_A_MINUTE = "every step of an interview needs at least 1 minute"

_PRESETS: dict[int, tuple[int, ...]] = {
    45: (6, 3, 3, 5, 5, 10, 4, 3, 4, 2),
    60: (7, 4, 4, 6, 6, 13, 5, 4, 7, 4),
    30: (4, 2, 2, 3, 3, 7, 3, 2, 3, 1),
}


@dataclass(frozen=True)
class Budgets:
    """Minutes for steps 1..9 then the wrap-up; they add up to ``total_minutes``. A step the
    deck does not have takes 0 (:func:`check_fits` checks a split against a deck's steps)."""

    total_minutes: int
    minutes: tuple[int, ...]

    def __post_init__(self) -> None:
        values = (self.total_minutes, *self.minutes)
        if any(isinstance(v, bool) or not isinstance(v, int) for v in values):
            raise ValueError("interview budgets are whole minutes")
        if len(self.minutes) != SEGMENTS:
            raise ValueError(f"interview budgets need {SEGMENTS} values (steps 1..9 and the "
                             f"wrap-up), not {len(self.minutes)}")
        if min(self.minutes) < 0:
            raise ValueError("a step's budget cannot be negative")
        if self.minutes[-1] < 1:
            raise ValueError(NEEDS_A_MINUTE)
        if sum(self.minutes) != self.total_minutes:
            raise ValueError(f"the step budgets add up to {sum(self.minutes)} minutes, not "
                             f"{self.total_minutes}")

    def budget_s(self, index: int) -> int:
        """The budget of step ``index`` (0-based; 9 is the wrap-up) in seconds."""
        return self.minutes[index] * 60


def check_fits(budgets: Budgets, steps: Sequence[StepInfo]) -> None:
    """Raises ValueError unless every step the deck has gets at least 1 minute."""
    if any(minutes < 1 for minutes, step in zip(budgets.minutes, steps, strict=True)
           if step.present):
        raise ValueError(NEEDS_A_MINUTE)


def default_budgets(total_minutes: int) -> Budgets:
    """The preset split for 30, 45 or 60 minutes; other totals scale the 45-minute split."""
    if total_minutes in _PRESETS:
        return Budgets(total_minutes, _PRESETS[total_minutes])
    if not MIN_TOTAL_MINUTES <= total_minutes <= MAX_TOTAL_MINUTES:
        raise ValueError(f"an interview lasts {MIN_TOTAL_MINUTES} to {MAX_TOTAL_MINUTES} "
                         f"minutes, not {total_minutes}")
    base = _PRESETS[45]
    weight = sum(base)
    # Largest remainder: floor every exact share, then hand the minutes left over to the
    # largest fractions (ties to the bigger step, then the earlier one).
    exact = [total_minutes * b / weight for b in base]
    minutes = [max(1, int(share)) for share in exact]
    # A step lifted to the 1-minute floor has had its rounding up already.
    by_fraction = sorted((i for i in range(SEGMENTS) if exact[i] >= 1),
                         key=lambda i: (-(exact[i] - int(exact[i])), -base[i], i))
    for i in by_fraction[:max(0, total_minutes - sum(minutes))]:
        minutes[i] += 1
    # Short totals: the 1-minute floor may overshoot; take it back from the largest steps.
    while sum(minutes) > total_minutes:
        i = max(range(SEGMENTS), key=lambda j: (minutes[j], -j))
        minutes[i] -= 1
    return Budgets(total_minutes, tuple(minutes))
