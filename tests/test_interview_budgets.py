"""Interview budgets: the presets, scaled splits that add up exactly, validation."""

from __future__ import annotations

import pytest

from app.interview.budgets import Budgets, default_budgets
from app.interview.steps import WRAP_UP


@pytest.mark.parametrize(("total", "minutes"), [
    (45, (6, 3, 3, 5, 5, 10, 4, 3, 4, 2)),
    (60, (7, 4, 4, 6, 6, 13, 5, 4, 7, 4)),
    (30, (4, 2, 2, 3, 3, 7, 3, 2, 3, 1)),
])
def test_preset_budgets(total: int, minutes: tuple[int, ...]) -> None:
    budgets = default_budgets(total)
    assert budgets == Budgets(total, minutes)
    assert sum(budgets.minutes) == total
    assert budgets.budget_s(WRAP_UP - 1) == minutes[-1] * 60


def test_custom_totals_scale_the_45_minute_split_and_add_up_exactly() -> None:
    for total in range(10, 241):
        budgets = default_budgets(total)
        assert sum(budgets.minutes) == budgets.total_minutes == total
        assert len(budgets.minutes) == 10
        assert min(budgets.minutes) >= 1
    assert default_budgets(90).minutes == tuple(2 * m for m in default_budgets(45).minutes)
    assert default_budgets(10).minutes == (1,) * 10
    # Largest remainder: 20 min -> floors sum to 16, the 4 largest fractions get a minute.
    assert default_budgets(20).minutes == (3, 1, 1, 2, 2, 5, 2, 1, 2, 1)


@pytest.mark.parametrize("total", [0, 9, 241, 1000])
def test_totals_outside_10_to_240_minutes_are_refused(total: int) -> None:
    with pytest.raises(ValueError, match="10 to 240 minutes"):
        default_budgets(total)


@pytest.mark.parametrize(("total", "minutes", "message"), [
    (45, (6, 3, 3, 5, 5, 10, 4, 3, 6), "need 10 values"),
    (46, (6, 3, 3, 5, 5, 10, 4, 3, 4, 2), "add up to 45 minutes, not 46"),
    (43, (6, 3, 3, 5, 5, 10, 4, 3, 4, 0), "at least 1 minute"),
])
def test_budgets_are_validated(total: int, minutes: tuple[int, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Budgets(total, minutes)
