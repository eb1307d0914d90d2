"""The outline item models, checked by Qt's own model tester and by what a view sees."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from shared import STEP_LABELS

from app.db.store import Store
from app.db.study import TopicCounts
from app.decks.tree import TreeNode, build_tree, find
from app.ui.main_window import MainWindow
from app.ui.safe_text import as_rich_text
from app.ui.tree_model import (
    CARDS,
    DUE,
    KNOWN,
    NEW,
    KeyRole,
    TopicFilterModel,
    TopicTreeModel,
    title_tip,
)

pytestmark = pytest.mark.gui


def test_tree_model_passes_qt_model_tester(qtmodeltester: ModelTester, store: Store) -> None:
    model = TopicTreeModel(build_tree(store))
    qtmodeltester.check(model, force_py=True)


def test_filter_model_passes_qt_model_tester(qtmodeltester: ModelTester, store: Store) -> None:
    proxy = TopicFilterModel()
    proxy.setSourceModel(TopicTreeModel(build_tree(store)))
    proxy.set_needle("ndcg")
    qtmodeltester.check(proxy, force_py=True)


def test_steps_come_first_under_the_deck_root(store: Store) -> None:
    model = TopicTreeModel(build_tree(store))
    assert model.rowCount() == 1
    root = model.index(0, 0)
    assert root.data() == "Machine Learning System Design"
    labels = [model.index(r, 0, root).data() for r in range(model.rowCount(root))]
    assert labels[:9] == STEP_LABELS
    assert labels.index("Sample questions") < labels.index("ML System Design Topics") \
        < labels.index("ML at big tech companies")
    # Steps are bold in the tree; ordinary topics are not.
    assert model.index(0, 0, root).data(Qt.ItemDataRole.FontRole).bold()
    step1 = model.index(0, 0, root)
    assert model.index(0, 0, step1).data(Qt.ItemDataRole.FontRole) is None


def _visible_keys(proxy: TopicFilterModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    keys: list[str] = []
    for row in range(proxy.rowCount(parent)):
        index = proxy.index(row, 0, parent)
        keys.append(str(index.data(KeyRole)))
        keys.extend(_visible_keys(proxy, index))
    return keys


def test_filter_keeps_matches_and_their_ancestors_only(store: Store) -> None:
    proxy = TopicFilterModel()
    proxy.setSourceModel(TopicTreeModel(build_tree(store)))
    everything = _visible_keys(proxy)
    proxy.set_needle("CANARY")
    shown = _visible_keys(proxy)
    assert 1 < len(shown) < len(everything) / 10
    nodes = [find_node(proxy, key) for key in shown]
    matching = [n for n in nodes if n.matches("canary")]
    assert any(n.title == "Canary release" for n in matching)
    # Everything shown either matches or is an ancestor of something that matches.
    ancestors = {a.key for n in matching for a in n.ancestors()}
    assert all(n.matches("canary") or n.key in ancestors for n in nodes)
    proxy.set_needle("")
    assert _visible_keys(proxy) == everything


def test_filter_with_no_match_shows_nothing(store: Store) -> None:
    proxy = TopicFilterModel()
    proxy.setSourceModel(TopicTreeModel(build_tree(store)))
    proxy.set_needle("zzz-no-such-topic")
    assert proxy.rowCount() == 0


def find_node(proxy: TopicFilterModel, key: str) -> TreeNode:
    source = proxy.sourceModel()
    assert isinstance(source, TopicTreeModel)
    node = find(source.roots, key)
    assert node is not None
    return node


def test_the_first_counts_tell_the_views_every_count_cell_changed(store: Store) -> None:
    """Counts arrive after the first paint; a view on a real screen repaints only the cells it
    is told about, so even the first counts must signal (offscreen grabs hid a silent one)."""
    roots = build_tree(store)
    model = TopicTreeModel(roots)
    changed: list[tuple[QModelIndex, QModelIndex]] = []
    model.dataChanged.connect(lambda top, bottom, _roles=(): changed.append((top, bottom)))
    model.set_counts({roots[0].key: TopicCounts(total=3, due=1, new=2)})
    assert changed, "no change signal for the first counts"
    top, bottom = changed[0]
    assert (top.row(), top.column(), bottom.column()) == (0, NEW, KNOWN)
    assert not top.parent().isValid()
    parents = {top.parent().internalPointer() for top, _ in changed[1:]}
    assert roots[0] in parents  # the rows below a root are told too


def test_the_new_column_shows_each_branchs_new_cards(store: Store) -> None:
    roots = build_tree(store)
    model = TopicTreeModel(roots)
    root = model.index(0, 0)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "Topic", "New", "Due", "Cards", "Known"]
    model.set_counts({roots[0].key: TopicCounts(total=9, due=0, new=7)})
    assert [root.siblingAtColumn(c).data() for c in (NEW, DUE, CARDS)] == ["7", "", "9"]
    model.set_counts({roots[0].key: TopicCounts(total=9, due=2, new=0)})
    assert [root.siblingAtColumn(c).data() for c in (NEW, DUE, CARDS)] == ["", "2", "9"]


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_a_title_shortened_in_the_middle_shows_whole_in_its_tooltip(
        qtbot: QtBot, window: MainWindow) -> None:
    """Hovering a long title in a narrow tree: Qt's tooltip is the whole title, then its path."""
    window.resize(800, 600)
    window.outline.setSizes([260, 540])
    node = max((n for root in window.outline.roots for n in root.walk()),
               key=lambda n: len(n.label))
    assert window.open_key(node.key)
    tree = window.tree
    index = tree.currentIndex()
    tree.scrollTo(index)
    rect = tree.visualRect(index)
    # The view draws it shortened in the middle: the text does not fit its cell.
    assert tree.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert tree.fontMetrics().horizontalAdvance(node.label) > rect.width()
    point = rect.center()
    QApplication.sendEvent(tree.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, point, tree.viewport().mapToGlobal(point)))
    path = " > ".join(n.label for n in node.ancestors())
    assert path.startswith("Machine Learning System Design > ")
    assert QToolTip.text() == as_rich_text(f"{node.label}\nin {path}")
    QToolTip.hideText()


def test_tooltips_name_the_title_then_its_path(store: Store) -> None:
    model = TopicTreeModel(build_tree(store))
    root = model.index(0, 0)
    step = model.index(1, 0, root)
    topic = model.index(0, 0, step)
    tip = Qt.ItemDataRole.ToolTipRole
    assert root.data(tip) == "<p>Machine Learning System Design</p>"
    assert step.data(tip) == f"<p>{STEP_LABELS[1]}<br>in Machine Learning System Design</p>"
    assert topic.data(tip) == (f"<p>{topic.data()}<br>in Machine Learning System Design &gt; "
                               f"{STEP_LABELS[1]}</p>")
    assert title_tip(model.node(topic)) == (  # type: ignore[arg-type]
        f"{topic.data()}\nin Machine Learning System Design > {STEP_LABELS[1]}")
