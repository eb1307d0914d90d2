"""Shared test setup: Qt runs offscreen, and every test gets its own data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Set before pytest-qt creates the QApplication, so no test needs a display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

REPO = Path(__file__).resolve().parent.parent
SHIPPED_DECK = REPO / "decks" / "ml-system-design.yaml"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder; MLSD_STUDY_DATA points at it so nothing touches the real one."""
    folder = tmp_path / "data"
    monkeypatch.setenv("MLSD_STUDY_DATA", str(folder))
    return folder


@pytest.fixture
def user_deck(data_dir: Path) -> Path:
    """The small test deck (tests/shared.py) as a user deck, written before the app opens the
    data folder."""
    from shared import DECK

    from app.paths import user_decks_dir

    folder = user_decks_dir(data_dir)
    folder.mkdir(parents=True)
    path = folder / "demo.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path
