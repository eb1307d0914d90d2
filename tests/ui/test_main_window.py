"""The main window driven the way a person uses it: keyboard, filter, clicks, menus, restarts."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shipped_deck import ShippedDeck

from app import __version__
from app.db import study
from app.db.study import Scope
from app.model import DeckId, TopicId
from app.ui.about import about_html
from app.ui.actions import ACTIONS, PAGE_KEYS, resolve, shortcut_rows
from app.ui.app import open_data
from app.ui.dialogs.shortcuts import ShortcutsDialog
from app.ui.main_window import MainWindow, settings_for
from app.ui.tree_model import CARDS, KNOWN

pytestmark = pytest.mark.gui

S8 = "ml-system-design/s8"


def test_starts_on_the_deck_with_the_tree_focused(window: MainWindow,
                                                  shipped: ShippedDeck) -> None:
    node = window.current_node
    assert node is not None and node.kind == "deck"
    assert window.heading.text() == shipped.deck.title == "Machine Learning System Design"
    text = window.notes.toPlainText()
    assert "9-step flow" in text and "Alireza Dirafzoon" in text and "MIT" in text
    assert window.tree.hasFocus()
    children = window.outline.children_list
    assert children.count() == len(shipped.deck.topics)
    assert children.item(0).text().startswith("Step 1 Problem Formulation")
    assert f"{shipped.topics} topics in 1 deck" in window.page_status.text()


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_arrow_keys_walk_the_tree_and_the_detail_follows(qtbot: QtBot, window: MainWindow,
                                                         shipped: ShippedDeck) -> None:
    qtbot.keyClick(window.tree, Qt.Key.Key_Down)
    assert window.heading.text() == "Step 1 Problem Formulation"
    assert "Machine Learning System Design" in window.outline.crumbs.text()
    [step1] = [topic for topic, _ in shipped.deck.walk() if topic.step == 1]
    opening = _words(step1.notes.split("\n\n")[0])[:12]  # its explanation, as written
    assert len(opening) == 12 and _words(window.notes.toPlainText())[:12] == opening
    qtbot.keyClick(window.tree, Qt.Key.Key_Down)
    assert window.heading.text() == "Step 2 Metrics (Offline and Online)"
    # Enter opens a node with children, then Down goes into it.
    qtbot.keyClick(window.tree, Qt.Key.Key_Return)
    assert window.tree.isExpanded(window.tree.currentIndex())
    qtbot.keyClick(window.tree, Qt.Key.Key_Down)
    node = window.current_node
    assert node is not None and node.parent is not None and node.parent.step == 2
    assert node.breadcrumb().startswith("Step 2 Metrics (Offline and Online) > ")
    qtbot.keyClick(window.tree, Qt.Key.Key_Left)  # to the parent
    assert window.heading.text() == "Step 2 Metrics (Offline and Online)"


def test_filter_keeps_matches_visible_and_escape_clears(qtbot: QtBot, window: MainWindow) -> None:
    proxy, search = window.outline.proxy, window.outline.filter
    total = proxy.rowCount(proxy.index(0, 0))
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert search.hasFocus()
    qtbot.keyClicks(search, "two-tower")
    steps_left = proxy.rowCount(proxy.index(0, 0))
    assert 0 < steps_left < total
    qtbot.keyClick(search, Qt.Key.Key_Return)
    node = window.current_node
    assert node is not None and node.matches("two-tower")
    assert window.tree.hasFocus()
    chosen = node.key
    qtbot.keyClick(window.tree, Qt.Key.Key_Escape)
    assert search.text() == ""
    assert proxy.rowCount(proxy.index(0, 0)) == total
    current = window.current_node
    assert current is not None and current.key == chosen  # still on the match after clearing


def test_down_from_the_filter_goes_to_the_first_match(qtbot: QtBot, window: MainWindow) -> None:
    search = window.outline.filter
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(search, "two-tower")
    qtbot.keyClick(search, Qt.Key.Key_Down)
    node = window.current_node
    assert node is not None and node.matches("two-tower") and node.parent is not None
    assert window.tree.hasFocus() and search.text() == "two-tower"
    qtbot.keyClick(window.tree, Qt.Key.Key_Up)  # then on through the other matches
    other = window.current_node
    assert other is not None and other.key != node.key
    # A topic titled with the text comes before one that only mentions it in its explanation
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search.clear()
    qtbot.keyClicks(search, "embeddings")
    matching = [n for root in window.outline.model.roots for n in root.walk()
                if n.kind == "topic" and n.matches("embeddings")]
    assert matching[0].match_rank("embeddings") == 3  # the outline's first match: in notes
    qtbot.keyClick(search, Qt.Key.Key_Return)
    titled = window.current_node
    assert titled is not None and titled.label == "Embeddings"
    # Shift+Down in the filter still selects its text, as in any line edit
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(search, Qt.Key.Key_Home)
    qtbot.keyClick(search, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert search.hasFocus()


def test_filter_without_match_says_so(qtbot: QtBot, window: MainWindow) -> None:
    outline = window.outline
    qtbot.keyClicks(outline.filter, "no such topic anywhere")
    assert outline.proxy.rowCount() == 0
    assert outline.no_match.isVisible()
    qtbot.keyClick(outline.filter, Qt.Key.Key_Escape)
    assert not outline.no_match.isVisible()
    assert outline.proxy.rowCount() == 1


def test_clicking_a_subtopic_and_a_breadcrumb_navigates(qtbot: QtBot, window: MainWindow) -> None:
    children = window.outline.children_list
    assert window.open_key("ml-system-design/s7")
    titles = [children.item(i).text() for i in range(children.count())]
    row = next(i for i, t in enumerate(titles) if t.startswith("Batch vs Online prediction"))
    rect = children.visualItemRect(children.item(row))
    qtbot.mouseClick(children.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.heading.text() == "Batch vs Online prediction"
    assert window.tree.hasFocus()
    window.outline.crumbs.linkActivated.emit("ml-system-design/s7")
    assert window.heading.text() == "Step 7 Prediction Service"


def test_last_topic_geometry_and_splitter_are_remembered(qtbot: QtBot, data_dir: Path) -> None:
    store, report = open_data(data_dir)
    first = MainWindow(store, report, settings_for(data_dir))
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)  # the offscreen screen is 800x600
    first.splitter.setSizes([250, 450])
    assert first.open_key("ml-system-design/s9")
    sizes = first.splitter.sizes()
    first.close()
    store.close()

    store, report = open_data(data_dir)
    second = MainWindow(store, report, settings_for(data_dir))
    qtbot.addWidget(second)
    second.show()
    node = second.current_node
    assert node is not None and node.key == "ml-system-design/s9"
    assert (second.width(), second.height()) == (700, 500)
    assert second.splitter.sizes() == sizes
    second.close()
    store.close()


def test_closing_unchanged_leaves_the_state_file_alone(qtbot: QtBot, data_dir: Path) -> None:
    state = data_dir / "ui-state.ini"
    written = []
    # The second start may still move the window once (its first placement is the platform's).
    for go_to in ("", "", "", "ml-system-design/s4"):
        store, report = open_data(data_dir)
        window = MainWindow(store, report, settings_for(data_dir))
        qtbot.addWidget(window)
        window.show()
        assert not go_to or window.open_key(go_to)
        window.close()
        store.close()
        written.append(state.stat().st_ino)  # a rewrite puts a new file in place
    _, settled, unchanged, moved = written
    assert unchanged == settled  # nothing moved: not written again
    assert moved != settled  # another topic opened: saved


def test_a_bad_user_deck_is_shown_and_the_rest_still_loads(qtbot: QtBot, data_dir: Path) -> None:
    decks = data_dir / "decks"
    decks.mkdir(parents=True)
    bad = decks / "mine.yaml"
    bad.write_text("deck:\n  id: mine\n  title: Mine\n  version: 1\ntopics:\n  - id: a\n"
                   "    titel: A\n", encoding="utf-8")
    store, report = open_data(data_dir)
    window = MainWindow(store, report, settings_for(data_dir))
    qtbot.addWidget(window)
    window.show()
    assert window.banner.isVisible()
    message = window.banner_text.text()
    assert f"{bad}:7:5: topic a: unknown key 'titel'" in message
    assert window.model.rowCount() == 1  # the shipped deck is there
    window.close()
    store.close()


def test_about_names_version_source_and_licence(window: MainWindow) -> None:
    text = about_html(Path("/data/here"))
    assert __version__ in text
    assert "io.github.mlsdstudy.MLSDStudy" in text and "/data/here" in text and "Qt 6." in text
    assert "alirezadir/Machine-Learning-Interviews" in text and "MIT" in text
    assert window.menuBar().actions()[-1].text() == "&Help"


def test_follows_the_system_palette(window: MainWindow) -> None:
    # No hard-coded colours: the widgets use the application palette.
    palette = QApplication.palette()
    assert window.notes.palette().color(window.notes.backgroundRole()) == \
        palette.color(window.notes.backgroundRole())
    assert window.styleSheet() == ""


def test_card_counts_fill_in_right_after_the_first_paint(qtbot: QtBot, window: MainWindow,
                                                         shipped: ShippedDeck) -> None:
    root = window.outline.proxy.index(0, 0)
    qtbot.waitUntil(lambda: root.siblingAtColumn(CARDS).data() == str(len(shipped.cards)),
                    timeout=5000)
    assert root.siblingAtColumn(KNOWN).data() == "0%"  # nothing studied yet


def test_nothing_is_counted_before_the_outline_is_painted(qtbot: QtBot, data_dir: Path,
                                                          shipped: ShippedDeck) -> None:
    store, report = open_data(data_dir)
    window = MainWindow(store, report, settings_for(data_dir))
    qtbot.addWidget(window)
    painted: list[bool] = []
    window.outline.first_painted.connect(lambda: painted.append(True))
    cards = window.outline.proxy.index(0, 0).siblingAtColumn(CARDS)
    QApplication.processEvents()
    assert painted == [] and cards.data() == ""  # not shown yet: not counted either
    window.show()
    qtbot.waitUntil(lambda: cards.data() == str(len(shipped.cards)), timeout=5000)
    assert painted == [True]
    window.close()
    store.close()


# --- the actions table ---------------------------------------------------------------------------

def _branch(window: MainWindow, key: str) -> tuple[set[str], int]:
    """The topic ids of a branch, and its Cards column as the tree shows it."""
    node = window.outline.proxy.node(window.tree.currentIndex())
    assert node is not None and node.key == key
    shown = window.model.index_of(node, CARDS).data()
    return {str(n.topic_id) for n in node.walk() if n.topic_id}, int(shown)


def _column(data_dir: Path, column: str, topics: set[str]) -> list[object]:
    marks = ",".join("?" * len(topics))
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        rows = conn.execute(f"SELECT {column} FROM cards WHERE topic_id IN ({marks})",
                            sorted(topics)).fetchall()
    return sorted({row[0] for row in rows}, key=str)


def test_suspend_and_unsuspend_act_on_the_selected_branch_only(
        qtbot: QtBot, window: MainWindow, data_dir: Path, shipped: ShippedDeck) -> None:
    window.refresh_counts()
    assert window.open_key(S8)
    topics, before = _branch(window, S8)
    assert before == shipped.cards_under(topics) > 0
    window.actions_by_id["suspend"].trigger()
    assert _column(data_dir, "suspended", topics) == [1]
    others = set(str(t.id) for t, _ in shipped.deck.walk()) - topics
    assert _column(data_dir, "suspended", others) == [0]
    assert _branch(window, S8)[1] == 0  # the Cards column leaves suspended cards out
    assert f"Suspended {before} cards of Step 8" in window.statusBar().currentMessage()
    window.actions_by_id["unsuspend"].trigger()
    assert _column(data_dir, "suspended", topics) == [0]
    assert _branch(window, S8)[1] == before


def test_unbury_frees_the_branch(window: MainWindow, data_dir: Path) -> None:
    window.refresh_counts()
    assert window.open_key(S8)
    topics, _ = _branch(window, S8)
    scope = Scope(DeckId("ml-system-design"), frozenset(TopicId(t) for t in topics))
    study.bury(window.store, study.card_ids(window.store, scope),
               datetime(2099, 1, 1, tzinfo=UTC))
    assert _column(data_dir, "buried_until", topics) != [None]
    window.actions_by_id["unbury"].trigger()
    assert _column(data_dir, "buried_until", topics) == [None]


def test_study_commands_are_off_while_reviewing_and_back_after(qtbot: QtBot,
                                                               window: MainWindow) -> None:
    outline_only = [s.id for s in ACTIONS if s.enabled_when == "outline"]
    assert {"study_branch", "cram_branch", "study_all", "suspend"} <= set(outline_only)
    assert window.open_key(S8)
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)  # the branch's overview
    qtbot.keyClick(window.pages.currentWidget(), Qt.Key.Key_Return)  # Study now
    assert window.pages.currentWidget() is window.review
    assert not any(window.actions_by_id[i].isEnabled() for i in outline_only)
    assert window.actions_by_id["export"].isEnabled()  # not tied to the outline
    qtbot.keyClick(window.review, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.outline
    assert all(window.actions_by_id[i].isEnabled() for i in outline_only)


def test_every_command_in_the_table_reaches_the_window(window: MainWindow) -> None:
    for spec in ACTIONS:
        assert callable(resolve(window, spec.handler)), spec.id
        assert window.actions_by_id[spec.id].text() == spec.text
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == list(dict.fromkeys(spec.menu for spec in ACTIONS))  # the table's order
    assert menus[0] == "&File" and menus[-1] == "&Help"


def test_no_two_commands_share_a_key(window: MainWindow) -> None:
    seen: dict[str, str] = {}
    for action_id, action in window.actions_by_id.items():
        for sequence in action.shortcuts():
            key = sequence.toString()
            assert key not in seen, f"{key} is bound to both {seen[key]} and {action_id}"
            seen[key] = action_id
    assert seen["Ctrl+E"] == "export" and seen["Ctrl+I"] == "new_interview"


def test_f1_shows_every_key_from_the_table(qtbot: QtBot, window: MainWindow,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[ShortcutsDialog] = []
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda dialog: shown.append(dialog) or 0)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    [dialog] = shown
    qtbot.addWidget(dialog)
    listed = set()
    for group in range(dialog.table.topLevelItemCount()):
        item = dialog.table.topLevelItem(group)
        assert item is not None
        listed |= {(item.text(0), item.child(r).text(0), item.child(r).text(1))
                   for r in range(item.childCount())}
    assert listed == set(shortcut_rows())
    assert ("File menu", "Ctrl+E", "Export to Anki") in listed
    assert ("In the outline", "Space", "Study the selected branch") in listed
    assert {(k.where, k.text(), k.what) for k in PAGE_KEYS} <= listed
    # Every key a menu command has is in the help, in the text the menus show.
    for action_id, action in window.actions_by_id.items():
        text = action.text().replace("&", "").rstrip("…")
        for sequence in action.shortcuts():
            native = sequence.toString(QKeySequence.SequenceFormat.NativeText)
            assert any(native in keys and what == text for _, keys, what in listed), action_id
