"""One exception root; every subclass carries a message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.plural import counted


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
        super().__init__(first if not more else f"{first} (and {counted(more, 'more problem')})")


class OutlineError(DeckError):
    """A Markdown outline could not be imported; holds every problem found, with file:line.

    A kind of :class:`DeckError` (an outline is a deck's source), so callers that report deck
    problems line by line report these the same way.
    """


class StoreError(AppError):
    """The database cannot be opened, read or written; the message says why and what to do."""


class DatabaseDamaged(StoreError):
    """The database file is corrupt or not a database at all; ``path`` names it.

    The app offers to restore the latest backup, start fresh or quit; either way the damaged
    file is renamed and kept, never overwritten.
    """

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(
            f"{path} is not a readable MLSD Study database ({detail}). Restore the latest "
            "backup, start fresh or quit; the damaged file will be kept beside it, renamed.")
