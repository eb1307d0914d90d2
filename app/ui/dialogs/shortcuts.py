"""Help > Keyboard shortcuts (F1): every key, generated from the actions table."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.actions import shortcut_rows

#: About this many rows show without scrolling, where the screen has the room.
ROWS_SHOWN = 26


class ShortcutsDialog(QDialog):
    """The keys grouped by where they work: the menus, the outline, reviewing, interviews."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["Keys", "Does"])
        self.table.setRootIsDecorated(False)
        self.table.setAccessibleName("Keyboard shortcuts")
        # A description is never cut short: in a window too narrow for it, the list scrolls.
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.header().setStretchLastSection(False)
        rows = shortcut_rows()
        groups: dict[str, QTreeWidgetItem] = {}
        for where, keys, what in rows:
            group = groups.get(where)
            if group is None:
                group = groups[where] = QTreeWidgetItem(self.table, [where])
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFirstColumnSpanned(True)
            QTreeWidgetItem(group, [keys, what])
        self.table.expandAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self._fit(rows, layout, buttons)

    def _fit(self, rows: list[tuple[str, str, str]], layout: QVBoxLayout,
             buttons: QWidget) -> None:
        """The keys column as wide as the widest keys (a group's title spans both columns);
        the window wide enough for every description on one line and tall enough for
        ROWS_SHOWN rows, within the screen."""
        metrics = self.table.fontMetrics()
        spare = 3 * metrics.averageCharWidth()
        keys = max(metrics.horizontalAdvance(k) for _, k, _ in rows)
        self.table.setColumnWidth(0, keys + self.table.indentation() + spare)
        what = max(metrics.horizontalAdvance(w) for _, _, w in rows)
        self.table.setColumnWidth(1, what + spare)
        margins = layout.contentsMargins()
        frame = 2 * self.table.frameWidth()
        width = (self.table.columnWidth(0) + self.table.columnWidth(1) + frame
                 + self.table.verticalScrollBar().sizeHint().width()
                 + margins.left() + margins.right())
        height = (ROWS_SHOWN * (metrics.height() + 4) + margins.top() + margins.bottom()
                  + buttons.sizeHint().height() + layout.spacing())
        room = self.screen().availableGeometry().size()
        self.resize(min(width, room.width()), min(height, room.height()))
