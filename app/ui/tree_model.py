"""Item models over the outline tree: the tree itself and the filter that keeps ancestors."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from app.db.study import TopicCounts
from app.decks.tree import TreeNode
from app.ui.safe_text import as_rich_text

NodeRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


TITLE, NEW, DUE, CARDS, KNOWN = 0, 1, 2, 3, 4
#: The count columns, left to right (as in Anki's deck list: new, then due).
COUNT_COLUMNS = (NEW, DUE, CARDS, KNOWN)
_HEADERS = {TITLE: "Topic", NEW: "New", DUE: "Due", CARDS: "Cards", KNOWN: "Known"}
_HEADER_TIPS = {NEW: "New cards in this branch, never studied (today's new-card limit decides "
                     "how many a session shows)",
                DUE: "Cards due today in this branch (learning and reviews)",
                CARDS: "Cards in this branch (new ones included, suspended ones not)",
                KNOWN: "Mastery: the share of this branch's cards you would recall today with "
                       "at least your desired retention (new cards count as not known)"}


def title_tip(node: TreeNode) -> str:
    """A title's tooltip: the whole title (the tree shortens long ones in the middle) and,
    below it, the path to it from its deck."""
    path = " > ".join(n.label for n in node.ancestors())
    return f"{node.label}\nin {path}" if path else node.label


class TopicTreeModel(QAbstractItemModel):
    """Read-only model of decks (roots) and their topics: title, new, due and all cards, and
    how many are known."""

    def __init__(self, roots: list[TreeNode], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roots = roots
        self._counts: dict[str, TopicCounts] = {}

    def set_counts(self, counts: dict[str, TopicCounts]) -> None:
        """New card counts per node key (aggregated over subtrees)."""
        # Always signal: the counts come after the first paint, and a view on a real screen
        # only repaints the cells it is told about (offscreen grabs hid this).
        self._counts = counts
        if self._roots:
            last = self.index(len(self._roots) - 1, KNOWN)
            self.dataChanged.emit(self.index(0, NEW), last)
            for root in self._roots:  # views repaint children lazily; tell them all changed
                self._changed_below(root)

    def _changed_below(self, node: TreeNode) -> None:
        if node.children:
            parent = self.createIndex(node.row, 0, node)
            self.dataChanged.emit(self.index(0, NEW, parent),
                                  self.index(len(node.children) - 1, KNOWN, parent))
            for child in node.children:
                self._changed_below(child)

    def counts(self, node: TreeNode) -> TopicCounts | None:
        return self._counts.get(node.key)

    @property
    def roots(self) -> list[TreeNode]:
        return self._roots

    def set_roots(self, roots: list[TreeNode]) -> None:
        self.beginResetModel()
        self._roots = roots
        self.endResetModel()

    def node(self, index: Index) -> TreeNode | None:
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, TreeNode) else None

    def index_of(self, node: TreeNode, column: int = TITLE) -> QModelIndex:
        return self.createIndex(node.row, column, node)

    # --- QAbstractItemModel ----------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if not 0 <= column < len(_HEADERS) or row < 0 or (parent.isValid()
                                                          and parent.column() != 0):
            return QModelIndex()
        siblings = self._children(parent)
        if row >= len(siblings):
            return QModelIndex()
        return self.createIndex(row, column, siblings[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        node = self.node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(parent))

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(_HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        column = index.column()
        if column != TITLE:
            counts = self._counts.get(node.key)
            if role == Qt.ItemDataRole.DisplayRole:
                if counts is None:
                    return ""
                if column == KNOWN:
                    mastery = counts.mastery
                    return "" if mastery is None else f"{mastery:.0%}"
                value = {NEW: counts.new, DUE: counts.due}.get(column, counts.total)
                return str(value) if value or column == CARDS else ""
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if role == Qt.ItemDataRole.ToolTipRole and counts is not None:
                return (f"{counts.due} due today, {counts.new} new, {counts.known} of "
                        f"{counts.total} cards known in this branch")
            if role == NodeRole:
                return node
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return node.label
        if role == Qt.ItemDataRole.ToolTipRole:  # deck text: shown verbatim, never as HTML
            return as_rich_text(title_tip(node))
        if role == Qt.ItemDataRole.FontRole and (node.kind == "deck" or node.step):
            font = QFont()
            font.setBold(True)
            return font
        if role == NodeRole:
            return node
        if role == KeyRole:
            return node.key
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or section not in _HEADERS:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TIPS.get(section)
        return None

    def _children(self, parent: Index) -> list[TreeNode]:
        node = self.node(parent)
        return self._roots if node is None else node.children


class TopicFilterModel(QSortFilterProxyModel):
    """Keeps nodes whose label or explanation matches, with their ancestors."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self._needle = ""

    @property
    def needle(self) -> str:
        return self._needle

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        node = model.index(source_row, 0, source_parent).data(NodeRole)
        return isinstance(node, TreeNode) and node.matches(self._needle)

    def node(self, index: Index) -> TreeNode | None:
        node = index.data(NodeRole) if index.isValid() else None
        return node if isinstance(node, TreeNode) else None
