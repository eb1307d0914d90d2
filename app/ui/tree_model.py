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

from app.tree import TreeNode

NodeRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


class TopicTreeModel(QAbstractItemModel):
    """Read-only model of decks (roots) and their topics, one column."""

    def __init__(self, roots: list[TreeNode], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roots = roots

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

    def index_of(self, node: TreeNode) -> QModelIndex:
        return self.createIndex(node.row, 0, node)

    # --- QAbstractItemModel ----------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        siblings = self._children(parent)
        if row >= len(siblings):
            return QModelIndex()
        return self.createIndex(row, 0, siblings[row])

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
        return 1

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
        return self.rowCount(parent) > 0

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return node.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return node.breadcrumb() or node.title
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
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and section == 0:
            return "Topic"
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
