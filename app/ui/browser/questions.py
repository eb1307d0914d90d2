"""The browser's two questions before a change: forget the selected cards, and when they are due."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QInputDialog, QLineEdit, QMessageBox, QWidget

from app.plural import counted

__all__ = ["ask_due", "ask_forget"]


def ask_forget(parent: QWidget, count: int) -> tuple[bool, bool]:
    """(go ahead, also reset the review and lapse counts), as Anki's Reset asks."""
    box = QMessageBox(QMessageBox.Icon.Question, "Forget cards",
                      f"Make {counted(count, 'card')} new again? "
                      + ("Its schedule and memory state go; its review history stays."
                         if count == 1 else
                         "Their schedule and memory state go; their review history stays."),
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    reset = QCheckBox("Also reset the review and lapse counts")
    box.setCheckBox(reset)
    return box.exec() == QMessageBox.StandardButton.Ok, reset.isChecked()


def ask_due(parent: QWidget, count: int) -> str | None:
    text, ok = QInputDialog.getText(
        parent, "Set due date",
        f"Show {counted(count, 'card')} again in how many days? 0 is today;\n"
        "a range such as 1-7 picks a day in it for each card.", QLineEdit.EchoMode.Normal, "0")
    return text if ok else None
