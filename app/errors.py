"""One exception root; every subclass carries a message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass


class AppError(Exception):
    """Base of every error MLSD Study reports to a person instead of a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Problem:
    """One problem found in a deck file, with its location (1-based line and column)."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class DeckError(AppError):
    """A deck file could not be read or is not a valid deck; holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("DeckError needs at least one problem")
        self.problems = tuple(problems)
        first = str(problems[0])
        more = len(problems) - 1
        super().__init__(first if not more else f"{first} (and {more} more problem(s))")


class StoreError(AppError):
    """The database cannot be opened, read or written; the message says why and what to do."""
