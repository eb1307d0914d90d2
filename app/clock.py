"""The one source of "now": passed into the core, fixed in tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """A UTC timestamp as stored in the database (ISO 8601, seconds precision)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def to_ms(moment: datetime) -> int:
    """An aware datetime as integer milliseconds since the Unix epoch (how cards store time)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    """Milliseconds since the epoch as an aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def local_zone() -> tzinfo:
    """The machine's current local time zone (for the 4 a.m. day rollover)."""
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC
