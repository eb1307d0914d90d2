"""Fixtures for the GUI tests: a real store with the shipped deck, and the main window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from shipped_deck import ShippedDeck, load_shipped

from app.db.store import Store
from app.ui.app import open_data
from app.ui.main_window import MainWindow, settings_for

pytestmark = pytest.mark.gui


@pytest.fixture(scope="session")
def shipped() -> ShippedDeck:
    return load_shipped()


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    opened, _report = open_data(data_dir)
    yield opened
    opened.close()


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    opened, report = open_data(data_dir)
    main = MainWindow(opened, report, settings_for(data_dir))
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()
    opened.close()
