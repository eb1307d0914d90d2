"""The set-up screen: preset and custom lengths, edited splits remembered, refused splits."""

from __future__ import annotations

import pytest
from interview_screens import (
    CTRL,
    PRESETS,
    button,
    click,
    open_setup,
    spins,
)
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shared import FakeClock

from app.db import interviews as interview_store
from app.interview.budgets import default_budgets
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_presets_and_a_custom_duration(qtbot: QtBot, window: MainWindow) -> None:
    page = open_setup(qtbot, window)
    for minutes in (30, 60, 45):
        qtbot.mouseClick(page.setup.duration_buttons.button(minutes), Qt.MouseButton.LeftButton)
        assert spins(page) == PRESETS[minutes]
        assert page.setup.budget_total.text() == f"Total: {minutes} min"
        assert not page.setup.custom_minutes.isEnabled()
    qtbot.mouseClick(page.setup.duration_buttons.button(0), Qt.MouseButton.LeftButton)
    assert page.setup.duration_buttons.checkedId() == 0
    assert page.setup.custom_minutes.isEnabled()
    page.setup.custom_minutes.setValue(90)
    assert spins(page) == default_budgets(90).minutes
    assert sum(spins(page)) == 90 and page.setup.budget_total.text() == "Total: 90 min"
    assert spins(page)[5] == max(spins(page))  # model development stays the longest step
    assert all(b >= a for a, b in zip(PRESETS[45], spins(page), strict=True))
    page.setup.custom_minutes.setValue(12)
    assert sum(spins(page)) == 12 and min(spins(page)) >= 1


def test_an_edited_split_is_remembered_for_its_duration(qtbot: QtBot, window: MainWindow,
                                                        clock: FakeClock) -> None:
    page = open_setup(qtbot, window)
    model_dev = page.setup.budget_spins[5]
    model_dev.setFocus()
    qtbot.keyClick(model_dev, Qt.Key.Key_Up)
    qtbot.keyClick(model_dev, Qt.Key.Key_Up)
    assert model_dev.value() == 12 and page.setup.budget_total.text() == "Total: 47 min"
    qtbot.keyClick(model_dev, Qt.Key.Key_Return, CTRL)
    session = page.session
    assert session is not None
    assert session.budgets.minutes == (6, 3, 3, 5, 5, 12, 4, 3, 4, 2)
    assert session.budgets.total_minutes == 47
    assert page.running.total_clock.text() == "Total left 47:00"
    clock.advance(60)
    page.finish()

    page = open_setup(qtbot, window)
    assert page.setup.duration_buttons.checkedId() == 0 and page.setup.custom_minutes.value() == 47
    assert spins(page) == (6, 3, 3, 5, 5, 12, 4, 3, 4, 2)
    assert page.setup.budget_total.text() == "Total: 47 min"
    qtbot.mouseClick(page.setup.duration_buttons.button(45), Qt.MouseButton.LeftButton)
    assert spins(page) == PRESETS[45]  # the preset itself is untouched

    # A split that keeps the total is remembered for the duration chosen.
    page.setup.budget_spins[0].setValue(8)
    page.setup.budget_spins[5].setValue(8)
    click(qtbot, page.setup.start_button)
    page.finish()
    page = open_setup(qtbot, window)
    assert page.setup.duration_buttons.checkedId() == 45
    assert spins(page) == (8, 3, 3, 5, 5, 8, 4, 3, 4, 2)
    click(qtbot, button(page.setup, "Reset to defaults"))
    assert spins(page) == PRESETS[45]


def test_a_step_without_minutes_is_refused(qtbot: QtBot, window: MainWindow,
                                           errors: list[str]) -> None:
    page = open_setup(qtbot, window)
    page.setup.budget_spins[9].setValue(0)
    qtbot.keyClick(page.setup.question_tree, Qt.Key.Key_Return, CTRL)
    assert errors == ["every step of an interview needs at least 1 minute"]
    errors.clear()
    assert page.session is None and page.stack.currentWidget() is page.setup
    assert interview_store.unfinished_interviews(window.store) == []
    # A step of the flow at 0 minutes is refused too, and the split is not remembered.
    page.setup.budget_spins[9].setValue(2)
    page.setup.budget_spins[2].setValue(0)
    qtbot.keyClick(page.setup.question_tree, Qt.Key.Key_Return, CTRL)
    assert errors == ["every step of an interview needs at least 1 minute"]
    errors.clear()
    assert page.session is None
    assert interview_store.load_budgets(window.store, 42).minutes != (
        6, 3, 0, 5, 5, 10, 4, 3, 4, 2)


def test_ctrl_and_the_keypads_enter_start_as_ctrl_return_does(qtbot: QtBot,
                                                              window: MainWindow) -> None:
    page = open_setup(qtbot, window)
    assert page.setup.start_button.toolTip() == "Ctrl+Enter"
    qtbot.keyClick(page.setup.question_tree, Qt.Key.Key_Enter,
                   CTRL | Qt.KeyboardModifier.KeypadModifier)
    assert page.session is not None and page.stack.currentWidget() is page.running
