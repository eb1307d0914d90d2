"""The keys pages handle come from the table in app/ui/actions.py, which the shortcut help lists."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

import app.ui.actions as actions
from app.ui.actions import (
    INTERVIEW_START,
    INTERVIEW_STEP,
    OUTLINE_CRAM,
    OUTLINE_OPEN,
    OUTLINE_STUDY,
    PAGE_KEYS,
    REVIEW_BURY,
    REVIEW_CONFIRM,
    REVIEW_GRADE,
    REVIEW_SUSPEND,
    PageKey,
    bind_page_key,
    shortcut_rows,
)

pytestmark = pytest.mark.gui

UI = Path(actions.__file__).parent
NAMED = {name: value for name, value in vars(actions).items() if isinstance(value, PageKey)}
CTRL, SHIFT, KEYPAD = (Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier,
                       Qt.KeyboardModifier.KeypadModifier)


def press(key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
          text: str = "") -> QKeyEvent:
    return QKeyEvent(QEvent.Type.KeyPress, key, modifiers, text)


def page_modules() -> dict[str, ast.Module]:
    return {str(path.relative_to(UI)): ast.parse(path.read_text(encoding="utf-8"))
            for path in UI.rglob("*.py") if path.name != "actions.py"}


def test_every_listed_page_key_is_bound_by_a_page() -> None:
    assert set(NAMED.values()) == set(PAGE_KEYS) and len(NAMED) == len(PAGE_KEYS)
    imported = {alias.name for tree in page_modules().values() for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module == "app.ui.actions"
                for alias in node.names}
    assert sorted(set(NAMED) - imported) == []


def test_no_page_binds_a_key_the_table_does_not_list() -> None:
    """A key written into a page (a Qt.Key, a QShortcut, a key read from an event) would be
    missing from the shortcut help: pages take their keys from the table."""
    found = [f"{name}:{node.lineno}" for name, tree in page_modules().items()
             for node in ast.walk(tree) if _names_a_key(node)]
    assert found == []


def _names_a_key(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr.startswith("Key_")  # Qt.Key.Key_Space
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Name):
        return node.func.id in ("QShortcut", "QKeySequence")
    return isinstance(node.func, ast.Attribute) and node.func.attr == "key" and not node.args


def test_the_help_shows_each_key_as_the_page_binds_it() -> None:
    rows = shortcut_rows(specs=(), page_keys=PAGE_KEYS)
    assert ("While reviewing", "Space, Enter", REVIEW_CONFIRM.what) in rows
    assert ("While reviewing", "1, 2, 3, 4", "Again, Hard, Good, Easy") in rows
    assert ("In a mock interview", "Ctrl+Enter", INTERVIEW_START.what) in rows
    assert ("In a mock interview", "Ctrl+Right, Ctrl+Left", INTERVIEW_STEP.what) in rows


def test_enter_is_the_main_return_key_and_the_keypads_enter() -> None:
    assert REVIEW_CONFIRM.index(press(Qt.Key.Key_Space)) == 0
    assert REVIEW_CONFIRM.index(press(Qt.Key.Key_Return)) == 1
    assert REVIEW_CONFIRM.index(press(Qt.Key.Key_Enter, KEYPAD)) == 1
    assert OUTLINE_OPEN.matches(press(Qt.Key.Key_Return))
    assert INTERVIEW_START.matches(press(Qt.Key.Key_Return, CTRL))
    assert INTERVIEW_START.matches(press(Qt.Key.Key_Enter, CTRL | KEYPAD))
    assert not INTERVIEW_START.matches(press(Qt.Key.Key_Return))


def test_modifiers_must_be_the_listed_ones_except_the_keypads() -> None:
    assert OUTLINE_STUDY.matches(press(Qt.Key.Key_Space))
    assert not OUTLINE_STUDY.matches(press(Qt.Key.Key_Space, SHIFT))
    assert OUTLINE_CRAM.matches(press(Qt.Key.Key_Space, SHIFT))
    assert REVIEW_GRADE.index(press(Qt.Key.Key_2, KEYPAD, "2")) == 1
    assert REVIEW_GRADE.index(press(Qt.Key.Key_4)) == 3
    assert REVIEW_GRADE.index(press(Qt.Key.Key_2, CTRL)) is None
    assert INTERVIEW_STEP.index(press(Qt.Key.Key_Left, CTRL)) == 1
    assert INTERVIEW_STEP.index(press(Qt.Key.Key_Left)) is None


def test_a_symbol_is_the_character_typed_whatever_the_layout_needs_for_it() -> None:
    assert REVIEW_SUSPEND.matches(press(Qt.Key.Key_At, SHIFT, "@"))  # Shift+2 on a US layout
    assert REVIEW_SUSPEND.matches(press(Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier, "@"))
    assert REVIEW_BURY.matches(press(Qt.Key.Key_Minus, KEYPAD, "-"))
    assert not REVIEW_BURY.matches(press(Qt.Key.Key_Underscore, SHIFT, "_"))


def test_binding_needs_one_slot_per_key(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    with pytest.raises(ValueError, match="1 slots for the 2 keys"):
        bind_page_key(widget, INTERVIEW_STEP, lambda: None)
