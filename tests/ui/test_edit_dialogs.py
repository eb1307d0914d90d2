"""Editing by keys: a topic's explanation, an own cloze card studied and edited from the review
screen, a restart, and a built-in upgrade that changed text under an edit."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot
from shipped_deck import ShippedDeck

from app.db import study
from app.db.study import Scope
from app.decks.editing import conflicts, save_card
from app.decks.library import SHIPPED, sync_decks
from app.model import AuthoredCard, DeckId, TopicId
from app.paths import shipped_decks_dir
from app.ui.app import open_data
from app.ui.dialogs.edit_card import EditCardDialog, wrap_cloze
from app.ui.dialogs.edit_conflicts import EditConflictsDialog
from app.ui.dialogs.edit_topic import EditTopicDialog
from app.ui.main_window import MainWindow

CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier
DECK = "ml-system-design"


def leaf(shipped: ShippedDeck) -> str:
    """A topic with no children and an explanation: its own cards are easy to count."""
    return next(str(t.id) for t, parents in shipped.deck.walk()
                if parents and not t.children and t.notes and not t.cards)


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Make ``widget``'s window the active one, as a click would: its keys act only then (the
    offscreen platform does not hand activation back when a dialog closes)."""
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def modal(qtbot: QtBot, action: Callable[[], None], reply: Callable[[QWidget], None]) -> None:
    """Run ``action``, which opens a modal dialog (at once, or after a button's click animation
    for a mnemonic), and work the dialog with ``reply``. A failing reply closes every open
    dialog, else the test would wait in it forever."""
    failed: list[BaseException] = []
    ran: list[bool] = []
    opener = QApplication.activeWindow()
    before = QApplication.activeModalWidget()
    timer = QTimer()
    timer.setInterval(5)

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog is before or ran:
            return
        ran.append(True)
        timer.stop()
        try:
            activate(qtbot, dialog)
            reply(dialog)
            # A save runs off the GUI thread: the dialog closes once it is done.
            qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
        except BaseException as error:  # re-raised below, once the dialogs are closed
            failed.append(error)
            while (open_dialog := QApplication.activeModalWidget()) not in (None, before):
                assert isinstance(open_dialog, QDialog)
                open_dialog.done(QDialog.DialogCode.Rejected)  # even one that is saving

    timer.timeout.connect(answer)
    timer.start()
    try:
        action()
        qtbot.waitUntil(lambda: bool(ran), timeout=3000)
    finally:
        timer.stop()
    if failed:
        raise failed[0]
    if opener is not None:
        activate(qtbot, opener)


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(widget, text)


def test_edit_study_edit_restart_and_upgrade_by_keys(qtbot: QtBot, window: MainWindow,
                                                     shipped: ShippedDeck,
                                                     data_dir: Path, tmp_path: Path) -> None:
    topic = leaf(shipped)
    assert window.open_key(f"{DECK}/{topic}")
    window.outline.focus_tree()

    # F2 on the tree: the explanation, saved with Ctrl+S; the tree and its notes pane show it.
    def explain(dialog: QWidget) -> None:
        assert isinstance(dialog, EditTopicDialog) and dialog.text.built_in
        type_into(qtbot, dialog.notes, "My own words for it.")
        qtbot.keyClick(dialog.notes, Qt.Key.Key_S, CTRL)

    modal(qtbot, lambda: qtbot.keyClick(window.tree, Qt.Key.Key_F2), explain)
    node = window.current_node
    assert node is not None and node.topic_id == topic and node.notes == "My own words for it."
    assert study.get_card(window.store, f"{DECK}/{topic}/explain").answer == (  # type: ignore[union-attr]
        "My own words for it.")

    # Add cloze (Alt+L) in the topic's editor, then Esc closes it.
    def add_cloze(dialog: QWidget) -> None:
        def fill(card: QWidget) -> None:
            assert isinstance(card, EditCardDialog) and card.cloze_button.isChecked()
            type_into(qtbot, card.cloze, "Recall this ")
            qtbot.keyClick(card.cloze, Qt.Key.Key_Left)  # before the space, then select "this"
            for _ in range(4):
                qtbot.keyClick(card.cloze, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
            qtbot.keyClick(card.cloze, Qt.Key.Key_C, CTRL | Qt.KeyboardModifier.ShiftModifier)
            assert card.cloze.toPlainText() == "Recall {{c1::this}} "
            qtbot.keyClick(card.cloze, Qt.Key.Key_Return, CTRL)

        assert isinstance(dialog, EditTopicDialog)
        modal(qtbot, lambda: qtbot.keyClick(dialog, Qt.Key.Key_L, ALT), fill)
        assert [dialog.cards.item(i).text() for i in range(dialog.cards.count())] == [
            "Cloze: Recall {{c1::this}} (yours)"]
        qtbot.keyClick(dialog.cards, Qt.Key.Key_Escape)

    modal(qtbot, lambda: qtbot.keyClick(window.tree, Qt.Key.Key_F2), add_cloze)
    card_id = f"{DECK}/{topic}/cloze/mine-1/c1"
    assert study.get_card(window.store, card_id) is not None

    # Study it; E on the review screen edits it and the card on screen changes at once.
    window.study_cards([card_id], "my card")
    page = window.review
    assert "Recall [...]" in page.card_view.toPlainText()

    def reword(card: QWidget) -> None:
        assert isinstance(card, EditCardDialog) and card.key == "mine-1"
        type_into(qtbot, card.cloze, "Recall {{c1::that}} later")
        qtbot.keyClick(card.cloze, Qt.Key.Key_Return, CTRL)

    modal(qtbot, lambda: qtbot.keyClick(page, Qt.Key.Key_E), reword)
    assert "Recall [...] later" in page.card_view.toPlainText()
    qtbot.keyClick(page, Qt.Key.Key_Space)
    assert "that" in page.card_view.toPlainText()  # the answer is the new text too
    qtbot.keyClick(page, Qt.Key.Key_3)
    answered = study.get_card(window.store, card_id)
    assert answered is not None and answered.state.reps == 1
    qtbot.keyClick(page, Qt.Key.Key_Escape)

    # Edited again from the tree: the schedule and the review stay the card's.
    assert window.open_key(f"{DECK}/{topic}")
    window.outline.focus_tree()

    def edit_again(dialog: QWidget) -> None:
        def change(card: QWidget) -> None:
            assert isinstance(card, EditCardDialog)
            type_into(qtbot, card.cloze, "Recall {{c1::that}} much later")
            qtbot.keyClick(card.cloze, Qt.Key.Key_Return, CTRL)

        assert isinstance(dialog, EditTopicDialog)
        dialog.cards.setFocus()
        modal(qtbot, lambda: qtbot.keyClick(dialog.cards, Qt.Key.Key_Return), change)
        qtbot.keyClick(dialog.cards, Qt.Key.Key_Escape)

    modal(qtbot, lambda: qtbot.keyClick(window.tree, Qt.Key.Key_F2), edit_again)
    edited = study.get_card(window.store, card_id)
    assert edited is not None and edited.prompt == "Recall [...] much later"
    assert edited.state == answered.state

    # A restart: a second store on the same file sees all of it.
    store, _report = open_data(data_dir)
    try:
        again = study.get_card(store, card_id)
        assert again is not None and again.state == answered.state
        notes = store.conn.execute("SELECT notes FROM topics WHERE deck_id = ? AND id = ?",
                                   [DECK, topic]).fetchone()[0]
        assert notes == "My own words for it."
    finally:
        store.close()

    # An upgrade of the built-in deck rewrites the explanation under the edit: the user's text
    # still shows, and Edit > Built-in deck changes offers both; Alt+T takes the new one.
    folder = tmp_path / "upgraded"
    folder.mkdir()
    source = shipped_decks_dir() / f"{DECK}.yaml"
    built = next(t for t, _ in shipped.deck.walk() if t.id == topic)
    text = source.read_text(encoding="utf-8")
    first_line = built.notes.splitlines()[0]
    assert text.count(first_line) == 1
    (folder / source.name).write_text(text.replace(first_line, "Upgraded: " + first_line),
                                      encoding="utf-8")
    later = window.clock() + timedelta(days=1)
    assert sync_decks(window.store, [(folder, SHIPPED)], later).problems == ()
    window.reload_decks(f"{DECK}/{topic}")
    node = window.current_node
    assert node is not None and node.notes == "My own words for it."
    assert [c.what for c in conflicts(window.store)] == ["explanation"]
    window.edit("announce")  # what the window does when it opens
    assert window.actions_by_id["edit_conflicts"].text() == "&Built-in deck changes (1)…"
    assert "changed 1 text you had edited" in window.statusBar().currentMessage()

    def take_built_in(dialog: QWidget) -> None:
        assert isinstance(dialog, EditConflictsDialog)
        assert dialog.mine.toPlainText() == "My own words for it."
        assert dialog.theirs.toPlainText().startswith("Upgraded: ")
        qtbot.keyClick(dialog, Qt.Key.Key_T, ALT)
        qtbot.waitUntil(lambda: dialog.list.count() == 0)  # after the button's click animation
        assert not dialog.empty.isHidden() and not dialog.keep.isEnabled()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    modal(qtbot, window.actions_by_id["edit_conflicts"].trigger, take_built_in)
    node = window.current_node
    assert node is not None and node.notes.startswith("Upgraded: ")
    assert conflicts(window.store) == []
    assert window.actions_by_id["edit_conflicts"].text() == "&Built-in deck changes…"
    shutil.rmtree(folder)


def test_e_on_a_shown_answer_edits_it_and_keeps_it_shown(qtbot: QtBot, window: MainWindow,
                                                         shipped: ShippedDeck) -> None:
    topic = leaf(shipped)
    key = save_card(window.store, DECK, topic, None,
                    AuthoredCard(question="Which metric?", answer="Recall at k"), window.clock())
    [card_id] = [c for c in study.card_ids(window.store, Scope(DeckId(DECK),
                                                               frozenset({TopicId(topic)})))
                 if key in c]
    window.study_cards([card_id], "my card")
    page = window.review
    qtbot.keyClick(page, Qt.Key.Key_Space)  # the answer shows, with the grade buttons
    assert "Recall at k" in page.card_view.toPlainText() and page.bottom.currentIndex() == 1
    buttons = [b.text() for b in page.grade_buttons.values()]

    def reword(card: QWidget) -> None:
        assert isinstance(card, EditCardDialog) and card.key == key
        type_into(qtbot, card.answer, "Recall at k, of the top k shown")
        qtbot.keyClick(card.answer, Qt.Key.Key_Return, CTRL)

    modal(qtbot, lambda: qtbot.keyClick(page, Qt.Key.Key_E), reword)
    # The same card, its new answer still shown, the same intervals on the buttons.
    assert page.view is not None and page.view.revealed and page.view.card is not None
    assert page.view.card.id == card_id
    assert "Recall at k, of the top k shown" in page.card_view.toPlainText()
    assert page.bottom.currentIndex() == 1
    assert [b.text() for b in page.grade_buttons.values()] == buttons
    qtbot.keyClick(page, Qt.Key.Key_3)
    answered = study.get_card(window.store, card_id)
    assert answered is not None and answered.state.reps == 1
    assert answered.answer == "Recall at k, of the top k shown"


def test_a_generated_card_opens_its_topic_saying_why(qtbot: QtBot, window: MainWindow,
                                                     shipped: ShippedDeck) -> None:
    topic = leaf(shipped)
    card_id = f"{DECK}/{topic}/explain"
    window.study_cards([card_id], "one")
    page = window.review

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, EditTopicDialog)
        assert not dialog.shown_note.isHidden()
        assert "cannot be edited as text" in dialog.shown_note.text()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    modal(qtbot, lambda: qtbot.keyClick(page, Qt.Key.Key_E), look)


def test_bad_card_text_is_refused_in_the_dialog(qtbot: QtBot, window: MainWindow,
                                                shipped: ShippedDeck) -> None:
    topic = leaf(shipped)
    dialog = EditCardDialog(window.store, DECK, topic, None, AuthoredCard(), window.clock,
                            parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    qtbot.keyClick(dialog.cloze_button, Qt.Key.Key_Space)
    type_into(qtbot, dialog.cloze, "no gap here")
    qtbot.keyClick(dialog.cloze, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "no deletion" in dialog.problem.text())  # checked where it saves
    assert dialog.isVisible() and dialog.saved_key is None
    assert dialog.cloze.toPlainText() == "no gap here" and not dialog.cloze.isReadOnly()


@pytest.mark.parametrize(("text", "selection", "expected"), [
    ("a b", (0, 1), "{{c1::a}} b"),
    ("{{c1::a}} b", (10, 11), "{{c1::a}} {{c2::b}}"),
    ("x", (1, 1), "x{{c1::…}}"),
])
def test_make_cloze_numbers_the_next_deletion(text: str, selection: tuple[int, int],
                                              expected: str) -> None:
    assert wrap_cloze(text, *selection)[0] == expected


def test_a_user_deck_is_rewritten_in_place_by_keys(qtbot: QtBot, user_deck: Path,
                                                   window: MainWindow) -> None:
    before = user_deck.read_text(encoding="utf-8")
    assert window.open_key("demo/bravo")
    window.outline.focus_tree()

    def rename(dialog: QWidget) -> None:
        assert isinstance(dialog, EditTopicDialog) and not dialog.text.built_in
        assert "demo.yaml" in dialog.where.text().replace("\u200b", "")
        type_into(qtbot, dialog.title, "Bravo, renamed")
        qtbot.keyClick(dialog.title, Qt.Key.Key_S, CTRL)

    modal(qtbot, lambda: qtbot.keyClick(window.tree, Qt.Key.Key_F2), rename)
    after = user_deck.read_text(encoding="utf-8")
    assert after == before.replace("    title: Bravo\n", "    title: Bravo, renamed\n")
    node = window.current_node
    assert node is not None and node.title == "Bravo, renamed"


@pytest.fixture
def edit_under_an_update(data_dir: Path, shipped: ShippedDeck) -> str:
    """An explanation edited over built-in text that has changed since (a base the deck no
    longer has), stored before the window opens the data folder."""
    from app.db import user_layer
    from app.db.store import Store

    topic = leaf(shipped)
    store = Store.open(data_dir)
    user_layer.save_edit(store, DECK, topic, "notes", "Mine.", "The old built-in text.",
                         datetime(2026, 3, 1, tzinfo=UTC))
    store.close()
    return topic


def test_the_window_says_when_an_update_changed_text_under_an_edit(
        qtbot: QtBot, edit_under_an_update: str, window: MainWindow) -> None:
    action = window.actions_by_id["edit_conflicts"]
    qtbot.waitUntil(lambda: action.text() == "&Built-in deck changes (1)…")
    assert window.open_key(f"{DECK}/{edit_under_an_update}")
    node = window.current_node
    assert node is not None and node.notes == "Mine."
