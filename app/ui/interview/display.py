"""What the interview screens share: the clock's text, the warning colours and score names."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QWidget,
)

from app.interview.views import Level

SOFT_COLOUR, FIRM_COLOUR = QColor("#d97706"), QColor("#dc2626")
SCORE_NAMES = {1: "1 weak", 2: "2 shaky", 3: "3 solid", 4: "4 strong"}


def clock_text(seconds: float) -> str:
    """``m:ss`` (or ``-m:ss`` once over time)."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds) + 0.5) if seconds >= 0 else int(abs(seconds))
    return f"{sign}{whole // 60}:{whole % 60:02d}"


def level_colour(level: Level) -> QColor | None:
    """The colour of a step at or over its budget; None while under it."""
    return {Level.SOFT: SOFT_COLOUR, Level.FIRM: FIRM_COLOUR}.get(level)


def push_button(text: str, clicked: SignalInstance, tip: str = "") -> QPushButton:
    """A button that emits ``clicked`` (a screen's own signal, without arguments)."""
    button = QPushButton(text)
    if tip:
        button.setToolTip(tip)
    button.clicked.connect(clicked)
    return button


def button_row(left: Sequence[QWidget], right: Sequence[QWidget]) -> QHBoxLayout:
    """A screen's bottom row: ``left`` at its left edge, ``right`` at its right edge."""
    row = QHBoxLayout()
    for widget in left:
        row.addWidget(widget)
    row.addStretch(1)
    for widget in right:
        row.addWidget(widget)
    return row


def read_only_table(headers: Sequence[str]) -> QTableWidget:
    """A table of ``headers`` columns without row numbers that cannot be edited."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return table


def ask_keep_or_discard(parent: QWidget) -> str:
    """'keep', 'discard' or 'cancel' for closing during a running interview."""
    box = QMessageBox(QMessageBox.Icon.Question, "Interview in progress",
                      "An interview is running. Keep it to resume later, or discard it?",
                      parent=parent)
    keep = box.addButton("Keep for later", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return "keep" if clicked is keep else "discard" if clicked is discard else "cancel"


def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask before doing ``action`` (the button's text); Cancel is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
    box.exec()
    return box.clickedButton() is yes
