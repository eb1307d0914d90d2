"""The banner above the pages that names the deck files that could not be loaded."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from app.errors import Problem
from app.plural import counted


class ProblemBanner(QFrame):
    """Hidden while every deck loaded; the ✕ hides it until the next start."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = QLabel(wordWrap=True, textInteractionFlags=(
            Qt.TextInteractionFlag.TextSelectableByMouse))
        close = QToolButton(autoRaise=True)
        close.setText("✕")
        close.setToolTip("Hide this message")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)

    def show_problems(self, problems: list[Problem]) -> None:
        if not problems:
            self.hide()
            return
        files = sorted({p.path for p in problems})
        lines = "<br>".join(html.escape(str(p), quote=False) for p in problems[:8])
        more = f"<br>… and {len(problems) - 8} more" if len(problems) > 8 else ""
        self.text.setText(
            f"<b>{counted(len(files), 'deck file')} could not be loaded</b> (other decks are fine; "
            f"a deck seen before keeps its last good copy). Fix the file and restart, or check "
            f"it with <code>mlsd-study check-deck</code>:<br>{lines}{more}")
        self.show()
