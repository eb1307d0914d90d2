"""What the interview screens share: the clock's text, the warning colours and score names."""

from __future__ import annotations

from PySide6.QtGui import QColor

from app.interview.views import Level

SOFT_COLOUR, FIRM_COLOUR = QColor("#d97706"), QColor("#dc2626")
SCORE_NAMES = {1: "1 weak", 2: "2 shaky", 3: "3 solid", 4: "4 strong"}


def clock_text(seconds: float) -> str:
    """``m:ss`` (or ``-m:ss`` once over time)."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds) + 0.5) if seconds >= 0 else int(abs(seconds))
    return f"{sign}{whole // 60}:{whole % 60:02d}"


def level_colour(level: Level) -> QColor | None:
    """The colour of a step at or over its budget; None while under it."""
    return {Level.SOFT: SOFT_COLOUR, Level.FIRM: FIRM_COLOUR}.get(level)
