"""Help > Keyboard shortcuts (F1): every key, generated from the actions table."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.actions import shortcut_rows


class ShortcutsDialog(QDialog):
    """The keys grouped by where they work: the menus, the outline, reviewing, interviews."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(560, 600)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["Keys", "Does"])
        self.table.setRootIsDecorated(False)
        self.table.setAccessibleName("Keyboard shortcuts")
        groups: dict[str, QTreeWidgetItem] = {}
        for where, keys, what in shortcut_rows():
            group = groups.get(where)
            if group is None:
                group = groups[where] = QTreeWidgetItem(self.table, [where])
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFirstColumnSpanned(True)
            QTreeWidgetItem(group, [keys, what])
        self.table.expandAll()
        self.table.resizeColumnToContents(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
