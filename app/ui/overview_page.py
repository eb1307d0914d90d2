"""A branch's overview before studying it (as Anki's): new, learning and due today, Study now,
Custom study, Unbury; it shows an :class:`Overview` and forwards keys."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.plural import counted
from app.scheduling.overview import Overview, describe_when
from app.ui.actions import OVERVIEW_CUSTOM, OVERVIEW_STUDY, OVERVIEW_UNBURY, REVIEW_BACK
from app.ui.pages import keys_status
from app.ui.review_page import LEARN_COLOUR, NEW_COLOUR, REVIEW_COLOUR, custom_and_unbury


def _waiting_line(total: int, today: int, waiting: int) -> str:
    """Why ``waiting`` of ``total`` new cards do not come today (``today`` do): each asks a
    fact another card asks. Other held-back cards (buried ones) are said elsewhere."""
    held = total - today  # not today, waiting ones and buried ones
    if today == 0:
        head = f"{counted(total, 'new card')} here, none of them today:"
        who = ("it asks" if total == 1 else
               "each asks" if waiting == total else f"{waiting} of them ask")
    else:
        head = f"{counted(total, 'new card')} here, {today} of them today:"
        who = ("the other asks" if held == 1 else
               f"the {waiting} others ask" if waiting == held else
               "1 of the others asks" if waiting == 1 else f"{waiting} of the others ask")
    then = "it waits" if (waiting == 1) else "they wait"
    return f"{head} {who} a fact another card asks, so {then} for a later day."


class OverviewPage(QWidget):
    """Enter or Space studies now, C opens custom study, U unburies, Esc goes back."""

    study_requested = Signal()
    custom_study_requested = Signal()
    unbury_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.overview: Overview | None = None
        self.title = QLabel(textFormat=Qt.TextFormat.PlainText, wordWrap=True,
                            alignment=Qt.AlignmentFlag.AlignCenter)  # deck text: never HTML
        self.title.setAccessibleName("Branch")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.title.setFont(font)

        grid = QGridLayout()
        grid.setHorizontalSpacing(28)
        self.numbers: dict[str, QLabel] = {}
        for column, (name, colour, tip) in enumerate((
                ("New", NEW_COLOUR, "New cards this session shows (today's limit applies)"),
                ("Learning", LEARN_COLOUR, "Cards in learning due today"),
                ("Due", REVIEW_COLOUR, "Reviews due today (today's limit applies)"))):
            label = QLabel(name, alignment=Qt.AlignmentFlag.AlignCenter)
            number = QLabel("0", alignment=Qt.AlignmentFlag.AlignCenter)
            number.setAccessibleName(name)
            number.setToolTip(tip)
            number.setStyleSheet(f"color: {colour}; font-weight: bold")
            big = number.font()
            big.setPointSizeF(big.pointSizeF() * 2)
            number.setFont(big)
            grid.addWidget(number, 0, column)
            grid.addWidget(label, 1, column)
            self.numbers[name] = number
        counts = QHBoxLayout()
        counts.addStretch(1)
        counts.addLayout(grid)
        counts.addStretch(1)

        self.details = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter,
                              textFormat=Qt.TextFormat.RichText)
        self.details.setAccessibleName("Details")

        self.study_button = QPushButton("Study now")
        self.study_button.setToolTip(OVERVIEW_STUDY.text())
        self.study_button.setDefault(True)
        self.study_button.clicked.connect(self.study_requested.emit)
        self.custom_button, self.unbury_button = custom_and_unbury(
            self.custom_study_requested.emit, self.unbury_requested.emit)
        back = QPushButton("Back")
        back.setToolTip(replace(REVIEW_BACK, what="Back to the outline").text())
        back.clicked.connect(self.closed.emit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.study_button, self.custom_button, self.unbury_button, back):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the page takes the keys
            buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addSpacing(12)
        layout.addLayout(counts)
        layout.addSpacing(8)
        layout.addWidget(self.details)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        layout.addStretch(2)

    def show_overview(self, title: str, overview: Overview, now: datetime,
                      local: tzinfo) -> None:
        self.overview = overview
        self.title.setText(title)
        counts = overview.counts
        for name, value in (("New", counts.new), ("Learning", counts.learning),
                            ("Due", counts.review)):
            self.numbers[name].setText(str(value))
        lines = []
        new_here = counted(overview.new_total, "new card")
        waiting = overview.new_waiting
        if overview.new_total and overview.new_limit and waiting:
            lines.append(f"{_waiting_line(overview.new_total, counts.new, waiting)} Today's "
                         f"limit has room for {overview.new_limit} more.")
        elif overview.new_total and overview.new_limit:
            lines.append(f"{new_here} here; today's limit has room for "
                         f"{overview.new_limit} more.")
        elif overview.new_total:
            lines.append(f"{new_here} here; today's new-card limit is reached (Custom study "
                         "can raise it).")
        if overview.empty:
            if overview.next_due is None:
                lines.append("Nothing to study here: no card will come due (the rest are "
                             "suspended, or there are none).")
            else:
                words = describe_when(overview.next_due, now, local)
                exact = f"{overview.next_due.astimezone(local):%a %d %b %Y, %H:%M}"
                lines.append(f"Nothing to study here now. Next card due: <b>{html.escape(words)}"
                             f"</b> ({html.escape(exact)}).")
        if overview.buried:
            lines.append(f"{counted(overview.buried, 'card')} buried until tomorrow.")
        self.details.setText("<br>".join(lines))
        self.study_button.setEnabled(not overview.empty)
        self.unbury_button.setText(f"Unbury {counted(overview.buried, 'card')}")
        self.unbury_button.setVisible(bool(overview.buried))
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def status_text(self) -> str:
        """The window's status line while this page shows (app/ui/pages.py): the keys that
        do something now."""
        overview = self.overview
        keys = [] if overview is None or overview.empty else [OVERVIEW_STUDY]
        keys.append(OVERVIEW_CUSTOM)
        if overview is not None and overview.buried:
            keys.append(OVERVIEW_UNBURY)
        return keys_status([*keys, REVIEW_BACK])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        overview = self.overview
        if REVIEW_BACK.matches(event):
            self.closed.emit()
        elif overview is not None and OVERVIEW_STUDY.matches(event):
            if not overview.empty:
                self.study_requested.emit()
        elif OVERVIEW_CUSTOM.matches(event):
            self.custom_study_requested.emit()
        elif overview is not None and overview.buried and OVERVIEW_UNBURY.matches(event):
            self.unbury_requested.emit()
        else:
            super().keyPressEvent(event)
