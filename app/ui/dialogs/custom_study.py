"""Custom study (as in Anki): more new cards today, review ahead, forgotten cards, preview new
cards; says how many cards each choice finds before it is taken."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.db.custom_study import AMOUNT_RANGES, CustomKind, CustomStudy
from app.plural import counted

#: Each option: its radio text, the words before the number, the noun counted (singular) and the
#: words after it, and the number it starts with (cards or days).
OPTIONS: dict[CustomKind, tuple[str, str, tuple[str, str], int]] = {
    "more_new": ("Increase today's &new card limit", "Increase by", ("card", ", today only"), 10),
    "review_ahead": ("Review &ahead", "Cards due in the next", ("day", ", reviewed now"), 1),
    "forgotten": ("Review &forgotten cards", "Cards answered Again in the last", ("day", ""), 1),
    "preview_new": ("&Preview new cards", "The next", ("new card", "; nothing is scheduled"),
                    10),
}


class CustomStudyDialog(QDialog):
    """``count`` tells how many cards a choice would study (for more_new: the new cards there
    are); OK is refused while it finds none."""

    def __init__(self, where: str, count: Callable[[CustomStudy], int],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Custom study")
        self.count = count
        self.amounts: dict[CustomKind, int] = {kind: o[3] for kind, o in OPTIONS.items()}
        self.kind: CustomKind = "more_new"

        heading = QLabel(textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        heading.setText(f"Study {where} beyond today's schedule:")
        self.group = QButtonGroup(self)
        self.radios: dict[CustomKind, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        for kind, (text, *_rest) in OPTIONS.items():
            radio = QRadioButton(text)
            radio.toggled.connect(lambda on, k=kind: self._choose(k) if on else None)
            self.group.addButton(radio)
            self.radios[kind] = radio
            layout.addWidget(radio)

        self.before = QLabel()
        self.amount = QSpinBox()
        self.amount.setAccessibleName("Amount")
        self.before.setBuddy(self.amount)
        self.after = QLabel(wordWrap=True)
        self.amount.valueChanged.connect(self._amount_changed)
        row = QHBoxLayout()
        row.addWidget(self.before)
        row.addWidget(self.amount)
        row.addWidget(self.after, 1)
        layout.addSpacing(6)
        layout.addLayout(row)
        self.found = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.found.setAccessibleName("Cards found")
        layout.addWidget(self.found)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Study")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.radios["more_new"].setChecked(True)
        self.amount.setFocus()
        # Wide enough for the longest option's line at any font size, so switching options
        # does not wrap it into a taller dialog.
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 58)

    def choice(self) -> CustomStudy:
        return CustomStudy(self.kind, self.amount.value())

    def _choose(self, kind: CustomKind) -> None:
        self.kind = kind
        self.before.setText(OPTIONS[kind][1])
        low, high = AMOUNT_RANGES[kind]
        self.amount.blockSignals(True)
        self.amount.setRange(low, high)
        self.amount.setValue(self.amounts[kind])
        self.amount.blockSignals(False)
        self._update()

    def _amount_changed(self, value: int) -> None:
        self.amounts[self.kind] = value
        self._update()

    def _update(self) -> None:
        noun, rest = OPTIONS[self.kind][2]
        # "1 day", "7 days": the number in the box is the count
        self.after.setText(counted(self.amount.value(), noun).partition(" ")[2] + rest)
        found = self.count(self.choice())
        if self.kind == "more_new":
            text = (f"{counted(found, 'new card')} here." if found else
                    "No new cards here: nothing to add.")
        elif found:
            text = f"{counted(found, 'card')} to study."
        else:
            text = "No cards match: choose another option or a larger number."
        self.found.setText(text)
        self.ok.setEnabled(found > 0)

    def accept(self) -> None:
        if self.ok.isEnabled():
            super().accept()
