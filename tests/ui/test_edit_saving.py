"""Editors save off the GUI thread: the dialog says it is saving and keeps the edit until the
save is done; a failed save leaves the dialog open with the text, to fix and save again.

A save is held in its worker thread by a :class:`Gate` (a threading.Event the test releases),
so the saving state is seen while the work is still running: the GUI thread is free then.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from test_edit_dialogs import activate, modal, type_into
from text_fit import text_cut

from app.db.settings import Appearance
from app.model import AuthoredCard
from app.ui.appearance import apply_appearance
from app.ui.dialogs import edit_card, edit_topic
from app.ui.dialogs.edit_card import EditCardDialog, SavingDialog
from app.ui.dialogs.edit_topic import EditTopicDialog
from app.ui.main_window import MainWindow

CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier


class Gate:
    """Stands in for a save function: records the thread it runs on, then holds the work there
    until the test releases it, then runs the real function."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.started = threading.Event()
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.current_thread())
        self.started.set()
        self.release.wait(30)  # a failed test lets go of it too (the fixture's teardown)
        return self.real(*args, **kwargs)


@pytest.fixture
def hold(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[ModuleType, str], Gate]]:
    made: list[Gate] = []

    def gate(module: ModuleType, name: str) -> Gate:
        made.append(Gate(getattr(module, name)))
        monkeypatch.setattr(module, name, made[-1])
        return made[-1]

    yield gate
    for each in made:
        each.release.set()


def save_button(dialog: QWidget) -> QPushButton:
    [box] = dialog.findChildren(QDialogButtonBox)
    button = box.button(QDialogButtonBox.StandardButton.Save)
    assert button is not None
    return button


def saving(dialog: SavingDialog) -> bool:
    return dialog.saving_row.isVisible()


def test_a_topic_saves_off_the_gui_thread_and_the_tree_shows_it(
        qtbot: QtBot, user_deck: Path, window: MainWindow,
        hold: Callable[[ModuleType, str], Gate], tmp_path: Path) -> None:
    gate = hold(edit_topic, "save_topic")
    before = user_deck.read_text(encoding="utf-8")
    assert window.open_key("demo/bravo")
    window.outline.focus_tree()

    def rename(dialog: QWidget) -> None:
        assert isinstance(dialog, EditTopicDialog)
        type_into(qtbot, dialog.title, "Bravo, renamed")
        qtbot.keyClick(dialog.title, Qt.Key.Key_S, CTRL)
        # The work is held in its thread, and the dialog shows meanwhile that it is saving.
        qtbot.waitUntil(gate.started.is_set)
        qtbot.waitUntil(lambda: saving(dialog))
        assert gate.threads[0] is not threading.main_thread()
        assert dialog.saving_text.text() == "Saving into demo.yaml…"
        assert dialog.saving_bar.maximum() == 0  # busy
        assert not save_button(dialog).isEnabled() and dialog.title.isReadOnly()
        assert dialog.notes.isReadOnly() and not dialog.edit_button.isEnabled()
        dialog.grab().save(str(tmp_path / "edit-topic-saving.png"))
        qtbot.keyClick(dialog.title, Qt.Key.Key_S, CTRL)  # a second save waits for the first
        assert len(gate.threads) == 1
        # Esc and closing the window wait for the save: the edit is not lost half way.
        qtbot.keyClick(dialog.title, Qt.Key.Key_Escape)
        assert not dialog.close()
        assert dialog.isVisible() and "can close once it is done" in dialog.saving_text.text()
        assert dialog.title.text() == "Bravo, renamed"
        assert user_deck.read_text(encoding="utf-8") == before  # nothing written yet
        gate.release.set()
        qtbot.waitUntil(lambda: not dialog.isVisible())

    modal(qtbot, lambda: qtbot.keyClick(window.tree, Qt.Key.Key_F2), rename)
    assert user_deck.read_text(encoding="utf-8") == before.replace(
        "    title: Bravo\n", "    title: Bravo, renamed\n")
    node = window.current_node
    assert node is not None and node.title == "Bravo, renamed"
    assert window.tree.currentIndex().data() == "Bravo, renamed"


def test_a_failed_save_keeps_the_dialog_open_with_the_text(qtbot: QtBot, user_deck: Path,
                                                           window: MainWindow) -> None:
    before = user_deck.read_text(encoding="utf-8")
    assert window.open_key("demo/bravo")
    window.outline.focus_tree()

    def fail_then_save(dialog: QWidget) -> None:
        assert isinstance(dialog, EditTopicDialog)
        type_into(qtbot, dialog.title, "Bravo, renamed")
        type_into(qtbot, dialog.notes, "New notes.")
        user_deck.unlink()  # the deck file goes while the editor is open
        qtbot.keyClick(dialog.notes, Qt.Key.Key_S, CTRL)
        qtbot.waitUntil(lambda: dialog.problem.isVisible())
        assert f"Cannot read the deck file {user_deck}" in dialog.problem.text()
        assert dialog.isVisible() and not saving(dialog)
        assert dialog.title.text() == "Bravo, renamed"
        assert dialog.notes.toPlainText() == "New notes."
        assert not dialog.notes.isReadOnly() and save_button(dialog).isEnabled()
        assert QApplication.focusWidget() is dialog.notes  # back where the typing was
        assert not user_deck.exists()

        # An empty title is refused the same way, the explanation kept.
        dialog.title.setFocus()
        qtbot.keyClick(dialog.title, Qt.Key.Key_A, CTRL)
        qtbot.keyClick(dialog.title, Qt.Key.Key_Delete)
        qtbot.keyClick(dialog.title, Qt.Key.Key_S, CTRL)
        qtbot.waitUntil(lambda: "The title is empty" in dialog.problem.text())
        assert dialog.isVisible() and dialog.notes.toPlainText() == "New notes."

        # The file back, the same text saves and the dialog closes.
        user_deck.write_text(before, encoding="utf-8")
        qtbot.keyClicks(dialog.title, "Bravo, renamed")
        qtbot.keyClick(dialog.title, Qt.Key.Key_S, CTRL)
        qtbot.waitUntil(lambda: not dialog.isVisible())

    modal(qtbot, lambda: qtbot.keyClick(window.tree, Qt.Key.Key_F2), fail_then_save)
    node = window.current_node
    assert node is not None and node.title == "Bravo, renamed" and node.notes == "New notes."


def test_cards_save_and_delete_off_the_gui_thread(
        qtbot: QtBot, user_deck: Path, window: MainWindow,
        hold: Callable[[ModuleType, str], Gate]) -> None:
    adding = hold(edit_card, "save_card")
    deleting = hold(edit_topic, "remove_card")
    assert window.open_key("demo/bravo")
    window.outline.focus_tree()

    def add_then_delete(dialog: QWidget) -> None:
        assert isinstance(dialog, EditTopicDialog)

        def fill(card: QWidget) -> None:
            assert isinstance(card, EditCardDialog)
            type_into(qtbot, card.question, "What is C?")
            type_into(qtbot, card.answer, "The third letter.")
            qtbot.keyClick(card.answer, Qt.Key.Key_Return, CTRL)
            qtbot.waitUntil(adding.started.is_set)
            assert saving(card)
            assert card.saving_text.text() == "Saving into demo.yaml…"
            assert card.answer.isReadOnly() and not card.cloze_button.isEnabled()
            qtbot.keyClick(card.answer, Qt.Key.Key_Escape)
            assert card.isVisible() and adding.threads[0] is not threading.main_thread()
            adding.release.set()
            qtbot.waitUntil(lambda: not card.isVisible())

        modal(qtbot, lambda: qtbot.keyClick(dialog, Qt.Key.Key_Q, ALT), fill)
        lines = [dialog.cards.item(i).text() for i in range(dialog.cards.count())]
        assert lines == ["Q: What is B? (yours)", "Q: What is C? (yours)"]
        assert dialog.cards.currentRow() == 1 and "What is C?" in user_deck.read_text()

        qtbot.keyClick(dialog.cards, Qt.Key.Key_Delete)
        qtbot.waitUntil(deleting.started.is_set)
        assert saving(dialog) and deleting.threads[0] is not threading.main_thread()
        assert dialog.saving_text.text() == "Deleting the card from demo.yaml…"
        assert dialog.cards.count() == 2 and not dialog.delete_button.isEnabled()
        deleting.release.set()
        qtbot.waitUntil(lambda: dialog.cards.count() == 1)
        assert not saving(dialog) and dialog.delete_button.isEnabled()
        qtbot.keyClick(dialog.cards, Qt.Key.Key_Escape)

    modal(qtbot, lambda: qtbot.keyClick(window.tree, Qt.Key.Key_F2), add_then_delete)
    assert "What is C?" not in user_deck.read_text(encoding="utf-8")


def test_a_failed_card_save_keeps_its_text(qtbot: QtBot, user_deck: Path,
                                           window: MainWindow) -> None:
    dialog = EditCardDialog(window.store, "demo", "bravo", "0",
                            AuthoredCard(question="What is B?", answer="The second letter."),
                            window.clock, path=str(user_deck), parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    type_into(qtbot, dialog.answer, "Bee.")
    user_deck.unlink()
    qtbot.keyClick(dialog.answer, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: dialog.problem.isVisible())
    message = dialog.problem.text()
    assert f"Cannot read the deck file: {user_deck}:1:1: cannot read the file" in message
    assert "Put the file back or mend it" in message and "nothing was changed" in message
    assert dialog.isVisible() and dialog.saved_key is None
    assert dialog.answer.toPlainText() == "Bee." and not dialog.answer.isReadOnly()
    assert save_button(dialog).isEnabled()


@pytest.mark.parametrize("font_size", [0, 16])
def test_the_saving_state_fits_at_any_font(qtbot: QtBot, qapp: QApplication, user_deck: Path,
                                           window: MainWindow,
                                           hold: Callable[[ModuleType, str], Gate],
                                           tmp_path: Path, font_size: int) -> None:
    gate = hold(edit_topic, "save_topic")
    apply_appearance(qapp, Appearance(font_size=font_size))
    try:
        dialog = EditTopicDialog(window.store, "demo", "bravo", window.clock, parent=window)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        activate(qtbot, dialog)
        qtbot.keyClick(dialog.title, Qt.Key.Key_S, CTRL)
        qtbot.waitUntil(lambda: saving(dialog))
        qtbot.keyClick(dialog.title, Qt.Key.Key_Escape)  # the longer text, still saving
        cut = [problem for widget in dialog.findChildren(QWidget)
               if widget.isVisibleTo(dialog) and (problem := text_cut(widget)) is not None]
        assert cut == []
        dialog.grab().save(str(tmp_path / f"edit-topic-saving-{font_size or 'default'}pt.png"))
        gate.release.set()
        qtbot.waitUntil(lambda: not dialog.isVisible())
    finally:
        apply_appearance(qapp, Appearance())


def test_f2_reads_the_topic_off_the_gui_thread_then_opens_its_editor(
        qtbot: QtBot, user_deck: Path, window: MainWindow,
        hold: Callable[[ModuleType, str], Gate]) -> None:
    reading = hold(edit_topic, "topic_text")
    assert window.open_key("demo/bravo")
    window.outline.focus_tree()

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, EditTopicDialog) and dialog.title.text() == "Bravo"
        qtbot.keyClick(dialog.title, Qt.Key.Key_Escape)

    def press_f2() -> None:
        qtbot.keyClick(window.tree, Qt.Key.Key_F2)
        qtbot.waitUntil(reading.started.is_set)
        # The deck is being read: the window says so, and F2 again opens no second editor.
        assert reading.threads[0] is not threading.main_thread()
        assert window.statusBar().currentMessage() == "Opening the editor of “Bravo”…"
        assert QApplication.activeModalWidget() is None
        qtbot.keyClick(window.tree, Qt.Key.Key_F2)
        assert len(reading.threads) == 1
        reading.release.set()

    modal(qtbot, press_f2, look)
    assert len(reading.threads) == 1 and window.statusBar().currentMessage() == ""
