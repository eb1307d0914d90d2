"""The main window driven the way a person uses it: keyboard, filter, clicks, restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import __version__
from app.ui.app import open_data
from app.ui.main_window import MainWindow, about_html, settings_for

pytestmark = pytest.mark.gui


def test_starts_on_the_deck_with_the_tree_focused(window: MainWindow) -> None:
    node = window.current_node
    assert node is not None and node.kind == "deck"
    assert window.heading.text() == "Machine Learning System Design"
    text = window.notes.toPlainText()
    assert "9-step flow" in text and "Alireza Dirafzoon" in text and "MIT" in text
    assert window.tree.hasFocus()
    assert window.children_list.count() == 14
    assert window.children_list.item(0).text().startswith("Step 1 Problem Formulation")
    assert "343 topics" in window.statusBar().currentMessage()


def test_arrow_keys_walk_the_tree_and_the_detail_follows(qtbot: QtBot,
                                                         window: MainWindow) -> None:
    qtbot.keyClick(window.tree, Qt.Key.Key_Down)
    assert window.heading.text() == "Step 1 Problem Formulation"
    assert "Machine Learning System Design" in window.crumbs.text()
    assert len(window.notes.toPlainText().split()) > 80
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
    total = window.proxy.rowCount(window.proxy.index(0, 0))
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.filter.hasFocus()
    qtbot.keyClicks(window.filter, "two-tower")
    steps_left = window.proxy.rowCount(window.proxy.index(0, 0))
    assert 0 < steps_left < total
    qtbot.keyClick(window.filter, Qt.Key.Key_Return)
    node = window.current_node
    assert node is not None and node.matches("two-tower")
    assert window.tree.hasFocus()
    chosen = node.key
    qtbot.keyClick(window.tree, Qt.Key.Key_Escape)
    assert window.filter.text() == ""
    assert window.proxy.rowCount(window.proxy.index(0, 0)) == total
    current = window.current_node
    assert current is not None and current.key == chosen  # still on the match after clearing


def test_filter_without_match_says_so(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClicks(window.filter, "no such topic anywhere")
    assert window.proxy.rowCount() == 0
    assert window.no_match.isVisible()
    qtbot.keyClick(window.filter, Qt.Key.Key_Escape)
    assert not window.no_match.isVisible()
    assert window.proxy.rowCount() == 1


def test_clicking_a_subtopic_and_a_breadcrumb_navigates(qtbot: QtBot, window: MainWindow) -> None:
    assert window.open_key("ml-system-design/s7")
    titles = [window.children_list.item(i).text() for i in range(window.children_list.count())]
    row = next(i for i, t in enumerate(titles) if t.startswith("Batch vs Online prediction"))
    item = window.children_list.item(row)
    rect = window.children_list.visualItemRect(item)
    qtbot.mouseClick(window.children_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())
    assert window.heading.text() == "Batch vs Online prediction"
    assert window.tree.hasFocus()
    window.crumbs.linkActivated.emit("ml-system-design/s7")
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


def test_card_counts_fill_in_right_after_the_first_paint(qtbot: QtBot,
                                                         window: MainWindow) -> None:
    from app.ui.tree_model import CARDS, KNOWN

    root = window.proxy.index(0, 0)
    qtbot.waitUntil(lambda: root.siblingAtColumn(CARDS).data() == "847", timeout=5000)
    assert root.siblingAtColumn(KNOWN).data() == "0%"  # nothing studied yet
