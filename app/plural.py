"""A count with its noun, as a person writes it: "1 card", "3 cards", "no" never."""

from __future__ import annotations

__all__ = ["counted"]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, the noun in the plural unless the count is exactly 1 ("1 card",
    "0 cards", "2 new cards"); ``plural`` when adding "s" is wrong ("1 child", "2 children")."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
