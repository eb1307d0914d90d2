"""The study settings dialog: desired retention and the daily limits."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from app.scheduler import SchedulerSettings


class StudySettingsDialog(QDialog):
    """Edits a copy of the settings; the caller saves :meth:`settings` when accepted."""

    def __init__(self, current: SchedulerSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Study settings")
        self._current = current
        self.retention = QDoubleSpinBox(decimals=2, minimum=0.70, maximum=0.99, singleStep=0.01)
        self.retention.setValue(current.desired_retention)
        self.retention.setToolTip("The chance of remembering a card when it comes due. Higher "
                                  "means more reviews; 0.90 suits most people.")
        self.new_per_day = QSpinBox(minimum=0, maximum=9999)
        self.new_per_day.setValue(current.new_per_day)
        self.reviews_per_day = QSpinBox(minimum=0, maximum=99999)
        self.reviews_per_day.setValue(current.reviews_per_day)
        form = QFormLayout(self)
        form.addRow("Desired retention", self.retention)
        form.addRow("New cards per day", self.new_per_day)
        form.addRow("Reviews per day", self.reviews_per_day)
        form.addRow(QLabel("A new study day starts at 4 a.m. local time."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def settings(self) -> SchedulerSettings:
        return replace(self._current, desired_retention=round(self.retention.value(), 2),
                       new_per_day=self.new_per_day.value(),
                       reviews_per_day=self.reviews_per_day.value()).validated()
