"""Review of session 6, in the main window: browser messages and the topic filter, driven by
keys (the window fixture of tests/ui/conftest.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.browser.page import BrowserPage
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


# --- the main window: browser messages and the topic filter -------------------------------------

def test_flagging_one_card_says_has(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.tree, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    page = window.pages.currentWidget()
    assert isinstance(page, BrowserPage)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert len(page.selected_ids()) == 1
    qtbot.keyClick(page.table, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "1 card now has red flag."


def test_a_steps_exact_title_in_the_filter_goes_to_the_step(qtbot: QtBot,
                                                            window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.outline.filter, "Feature Engineering")
    qtbot.keyClick(window.outline.filter, Qt.Key.Key_Return)
    node = window.current_node
    assert node is not None and node.step == 5


def test_down_from_an_empty_filter_keeps_the_current_topic(qtbot: QtBot,
                                                           window: MainWindow) -> None:
    key = "ml-system-design/s2-metric-tradeoffs"
    assert window.open_key(key)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.outline.filter.hasFocus() and window.outline.filter.text() == ""
    qtbot.keyClick(window.outline.filter, Qt.Key.Key_Down)
    node = window.current_node
    assert window.tree.hasFocus() and node is not None and node.key == key
