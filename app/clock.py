"""The one source of "now": passed into the core, fixed in tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """A UTC timestamp as stored in the database (ISO 8601, seconds precision)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
    return moment.astimezone(UTC).isoformat(timespec="seconds")
