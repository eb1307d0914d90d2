"""Fixtures for the interview screen tests: a fake clock, recorded errors, main windows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from interview_screens import Questions, Windows
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from shared import FakeClock

import app.ui.interview.page as interview_page
import app.ui.main_window as main_window
import app.ui.resume_bar as resume_bar
from app.errors import AppError
from app.ui.main_window import MainWindow


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Error messages shown, instead of a modal box; a test that expects one empties the list."""
    shown: list[str] = []

    def record(_parent: QWidget | None, error: AppError, title: str = "MLSD Study") -> None:
        shown.append(error.message)

    monkeypatch.setattr(interview_page, "show_error", record)
    monkeypatch.setattr(main_window, "show_error", record)
    yield shown
    assert shown == [], "unexpected error messages"


@pytest.fixture(autouse=True)
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    """Every confirmation an interview screen asks is recorded and answered yes."""
    asked = Questions()
    monkeypatch.setattr(interview_page, "confirm", asked.confirm)
    monkeypatch.setattr(resume_bar, "ask_discard", asked.discard)
    return asked


@pytest.fixture
def windows(qtbot: QtBot, data_dir: Path, clock: FakeClock,
            errors: list[str]) -> Iterator[Windows]:
    opened = Windows(qtbot, data_dir, clock)
    yield opened
    opened.close_all()


@pytest.fixture
def window(windows: Windows) -> MainWindow:
    return windows.open()
