"""The Settings dialog: study, interview, appearance and backup settings, applied live."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import app.db.interviews as interviews
from app.db.settings import (
    EVERY_HOURS_RANGE,
    FONT_SIZE_RANGE,
    INTERVIEW_MINUTES_RANGE,
    KEEP_DAILY_RANGE,
    KEEP_WEEKLY_RANGE,
    THEMES,
    Appearance,
    AppSettings,
    BackupSettings,
    InterviewDefaults,
    format_steps,
    load_settings,
    parse_steps,
    save_settings,
)
from app.db.store import Store
from app.errors import AppError
from app.scheduling.scheduler import (
    MAXIMUM_INTERVAL_RANGE,
    NEW_PER_DAY_RANGE,
    RETENTION_RANGE,
    REVIEWS_PER_DAY_RANGE,
    ROLLOVER_HOUR_RANGE,
    SchedulerSettings,
)
from app.ui.appearance import THEME_NAMES, apply_appearance, default_font_size
from app.ui.errors import show_error

PRESET_MINUTES = (30, 45, 60)
PROBLEM_COLOUR = "#e5484d"  # readable on the light and the dark palette
Button = QDialogButtonBox.StandardButton


def _spin(bounds: tuple[int, int], suffix: str = "", tip: str = "") -> QSpinBox:
    spin = QSpinBox(minimum=bounds[0], maximum=bounds[1], suffix=suffix)
    spin.setToolTip(tip)
    return spin


def _hint(text: str) -> QLabel:
    """A one-line explanation under a field, in the muted text colour."""
    label = QLabel(text)  # short and unwrapped: a wrapped label gets clipped in a small window
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _page(form: QFormLayout) -> QWidget:
    page = QWidget()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
    page.setLayout(form)
    return page


class SettingsDialog(QDialog):
    """Every setting in four tabs. OK and Apply save and emit :attr:`applied`; the theme and
    font size preview as they are changed, and Cancel puts them back."""

    applied = Signal(object)  # the AppSettings just saved

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.store = store
        self.saved = load_settings(store)
        self._forget_budgets = False
        self._showing = False  # widgets are being filled: no previews
        self._orders: list[tuple[QWidget, ...]] = []  # keyboard order of each tab's fields

        self.tabs = QTabWidget()
        self.tabs.addTab(self._study_tab(), "&Study")
        self.tabs.addTab(self._interview_tab(), "&Interview")
        self.tabs.addTab(self._appearance_tab(), "A&ppearance")
        self.tabs.addTab(self._backups_tab(), "&Backups")
        for order in self._orders:  # once every field is inside this window
            for first, second in pairwise(order):
                QWidget.setTabOrder(first, second)
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet(f"color: {PROBLEM_COLOUR}")
        self.problem.hide()
        self.buttons = QDialogButtonBox(Button.Ok | Button.Cancel | Button.Apply
                                        | Button.RestoreDefaults)
        self.buttons.button(Button.Apply).setText("&Apply")
        self.buttons.button(Button.RestoreDefaults).setText("&Restore defaults")
        self.buttons.button(Button.RestoreDefaults).setToolTip(
            "Put every field back to its default; nothing is saved until OK or Apply")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(Button.Apply).clicked.connect(self.apply)
        self.buttons.button(Button.RestoreDefaults).clicked.connect(self.restore_defaults)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.show_settings(self.saved)

    # --- the tabs --------------------------------------------------------------------------------

    def _study_tab(self) -> QWidget:
        low, high = (round(r * 100) for r in RETENTION_RANGE)
        self.retention = _spin((low, high), " %", "The chance of recalling a card on the day it "
                               "comes due. Higher means more reviews for the same cards.")
        self.new_per_day = _spin(NEW_PER_DAY_RANGE, tip="New cards introduced per study day, "
                                 "at most")
        self.reviews_per_day = _spin(REVIEWS_PER_DAY_RANGE, tip="Review cards shown per study "
                                     "day, at most; the rest wait for the next day")
        self.learning_steps = QLineEdit()
        self.learning_steps.setToolTip('Waits between the first answers of a new card, e.g. '
                                       '"1m 10m"; m minutes, h hours, d days. Empty: none.')
        self.relearning_steps = QLineEdit()
        self.relearning_steps.setToolTip('Waits after forgetting a review card, e.g. "10m"')
        for edit in (self.learning_steps, self.relearning_steps):
            edit.textChanged.connect(self._check_steps)
        self.maximum_interval = _spin(MAXIMUM_INTERVAL_RANGE, " days",
                                      "No card waits longer than this between reviews")
        self.rollover_hour = _spin(ROLLOVER_HOUR_RANGE, ":00", "The hour (local time) when a "
                                   "new study day starts, as in Anki: late-night study counts "
                                   "for the day before")
        form = QFormLayout()
        form.addRow("Desired re&tention", self.retention)
        form.addRow("", _hint("Higher means more reviews;\n90 % suits most people."))
        form.addRow("&New cards per day", self.new_per_day)
        form.addRow("Maximum re&views per day", self.reviews_per_day)
        form.addRow("&Learning steps", self.learning_steps)
        form.addRow("R&elearning steps", self.relearning_steps)
        form.addRow("Ma&ximum interval", self.maximum_interval)
        form.addRow("&Day starts at", self.rollover_hour)
        from app.clock import local_zone
        from app.ui.dialogs.anki_progress import OptimisePanel

        self.optimise = OptimisePanel(self.store.path.parent if self.store.path else None,
                                      local_zone())
        self.optimise.optimised.connect(self._optimised)
        form.addRow(self.optimise)  # a row of its own: a button, not a field
        self._orders.append((self.retention, self.new_per_day, self.reviews_per_day,
                             self.learning_steps, self.relearning_steps, self.maximum_interval,
                             self.rollover_hour, self.optimise.button,
                             self.optimise.reschedule))
        return _page(form)

    def _interview_tab(self) -> QWidget:
        self.length = QComboBox()
        self.length.addItems([f"{m} minutes" for m in PRESET_MINUTES] + ["Custom"])
        self.length.setToolTip("The length a new mock interview starts with; the length of "
                               "the last interview you ran is remembered here")
        self.custom_minutes = _spin(INTERVIEW_MINUTES_RANGE, " min", "A custom length")
        self.custom_minutes.setAccessibleName("Custom length")
        self.length.currentIndexChanged.connect(self._length_changed)
        length = QHBoxLayout()
        length.setContentsMargins(0, 0, 0, 0)
        length.addWidget(self.length)
        length.addWidget(self.custom_minutes)
        length.addStretch(1)
        self.splits = QLabel()
        self.forget_splits = QPushButton("&Forget remembered splits")
        self.forget_splits.setToolTip("Every length starts from its preset split of the steps "
                                      "again (applied with OK or Apply)")
        self.forget_splits.clicked.connect(self._forget_splits)
        form = QFormLayout()
        label = QLabel("Default len&gth")
        label.setBuddy(self.length)  # the field is a layout: name its combo box
        form.addRow(label, length)
        form.addRow("Step budgets", self.splits)
        form.addRow("", self.forget_splits)
        self._show_splits()
        self._orders.append((self.length, self.custom_minutes, self.forget_splits))
        return _page(form)

    def _appearance_tab(self) -> QWidget:
        self.theme = QComboBox()
        for theme in THEMES:
            self.theme.addItem(THEME_NAMES[theme], theme)
        self.theme.setToolTip("System follows your desktop; Light and Dark apply everywhere")
        app = QApplication.instance()
        default = default_font_size(app) if isinstance(app, QApplication) else 0
        # One below the smallest size stands for "Default": the spin shows its special text.
        self.font_size = _spin((FONT_SIZE_RANGE[0] - 1, FONT_SIZE_RANGE[1]), " pt",
                               "The size of the text everywhere; headings keep their "
                               "proportion")
        self.font_size.setSpecialValueText(f"Default ({default:g} pt)")
        self.theme.currentIndexChanged.connect(self._preview)
        self.font_size.valueChanged.connect(self._preview)
        form = QFormLayout()
        form.addRow("T&heme", self.theme)
        form.addRow("Font si&ze", self.font_size)
        form.addRow("", _hint("Changes show at once; Cancel puts them back."))
        self._orders.append((self.theme, self.font_size))
        return _page(form)

    def _backups_tab(self) -> QWidget:
        self.keep_daily = _spin(KEEP_DAILY_RANGE, " copies", "How many daily copies of the "
                                "database to keep (the most recent days)")
        self.keep_weekly = _spin(KEEP_WEEKLY_RANGE, " copies", "How many weekly copies to "
                                 "keep, beyond the daily ones")
        self.every_hours = _spin(EVERY_HOURS_RANGE, " hours", "The least time between two "
                                 "automatic copies")
        form = QFormLayout()
        form.addRow("Keep dail&y copies", self.keep_daily)
        form.addRow("Keep &weekly copies", self.keep_weekly)
        form.addRow("Back &up at most every", self.every_hours)
        form.addRow("", _hint("Copies are kept in the data folder."))
        self._orders.append((self.keep_daily, self.keep_weekly, self.every_hours))
        return _page(form)

    # --- settings <-> widgets --------------------------------------------------------------------

    def show_settings(self, settings: AppSettings) -> None:
        """Fill every field from ``settings`` (previewing its appearance)."""
        self._showing = True
        study = settings.study
        self.retention.setValue(round(study.desired_retention * 100))
        self.new_per_day.setValue(study.new_per_day)
        self.reviews_per_day.setValue(study.reviews_per_day)
        self.learning_steps.setText(format_steps(study.learning_steps))
        self.relearning_steps.setText(format_steps(study.relearning_steps))
        self.maximum_interval.setValue(study.maximum_interval_days)
        self.rollover_hour.setValue(study.rollover_hour)
        minutes = settings.interview.minutes
        preset = PRESET_MINUTES.index(minutes) if minutes in PRESET_MINUTES else None
        self.length.setCurrentIndex(len(PRESET_MINUTES) if preset is None else preset)
        self.custom_minutes.setValue(minutes)
        self.custom_minutes.setEnabled(preset is None)
        self.theme.setCurrentIndex(THEMES.index(settings.appearance.theme))
        size = settings.appearance.font_size
        self.font_size.setValue(size if size > 0 else self.font_size.minimum())
        self.keep_daily.setValue(settings.backups.keep_daily)
        self.keep_weekly.setValue(settings.backups.keep_weekly)
        self.every_hours.setValue(settings.backups.every_hours)
        self._showing = False
        self._preview()

    def appearance(self) -> Appearance:
        size = self.font_size.value()
        return Appearance(theme=THEMES[self.theme.currentIndex()],
                          font_size=0 if size == self.font_size.minimum() else size)

    def settings(self) -> AppSettings:
        """The settings the fields show; ValueError if a field cannot be read."""
        study: SchedulerSettings = replace(
            self.saved.study, desired_retention=self.retention.value() / 100,
            new_per_day=self.new_per_day.value(), reviews_per_day=self.reviews_per_day.value(),
            learning_steps=parse_steps(self.learning_steps.text()),
            relearning_steps=parse_steps(self.relearning_steps.text()),
            maximum_interval_days=self.maximum_interval.value(),
            rollover_hour=self.rollover_hour.value())
        index = self.length.currentIndex()
        minutes = (PRESET_MINUTES[index] if index < len(PRESET_MINUTES)
                   else self.custom_minutes.value())
        return AppSettings(study=study, interview=InterviewDefaults(minutes),
                           appearance=self.appearance(),
                           backups=BackupSettings(keep_daily=self.keep_daily.value(),
                                                  keep_weekly=self.keep_weekly.value(),
                                                  every_hours=self.every_hours.value()))

    # --- reactions -------------------------------------------------------------------------------

    def _preview(self) -> None:
        app = QApplication.instance()
        if not self._showing and isinstance(app, QApplication):
            apply_appearance(app, self.appearance())

    def _optimised(self, parameters: tuple[float, ...]) -> None:
        """The fit is stored already: later saves keep it, and the window recounts."""
        self.saved = replace(self.saved, study=replace(self.saved.study, parameters=parameters))
        self.applied.emit(self.saved)

    def _length_changed(self, index: int) -> None:
        custom = index >= len(PRESET_MINUTES)
        self.custom_minutes.setEnabled(custom)
        if not custom:
            self.custom_minutes.setValue(PRESET_MINUTES[index])

    def _check_steps(self) -> None:
        problems = []
        for name, edit in (("Learning steps", self.learning_steps),
                           ("Relearning steps", self.relearning_steps)):
            try:
                parse_steps(edit.text())
            except ValueError as error:
                problems.append(f"{name}: {error}.")
        self.problem.setText(" ".join(problems))
        self.problem.setVisible(bool(problems))
        for button in (Button.Ok, Button.Apply):
            self.buttons.button(button).setEnabled(not problems)

    def _show_splits(self) -> None:
        totals = interviews.remembered_budget_totals(self.store)
        if self._forget_budgets:
            text = "Forgotten when you apply: every length\nstarts from its preset split."
        elif totals:
            text = (f"Your own split is remembered for\n{', '.join(map(str, totals))} "
                    "minutes.")
        else:
            text = "Every length starts from its preset split."
        self.splits.setText(text)
        self.forget_splits.setEnabled(bool(totals) and not self._forget_budgets)

    def _forget_splits(self) -> None:
        self._forget_budgets = True
        self._show_splits()
        self.length.setFocus()  # the button just disabled itself

    def restore_defaults(self) -> None:
        """Every field back to its default; saved only by OK or Apply."""
        self.show_settings(AppSettings())

    # --- buttons ---------------------------------------------------------------------------------

    def apply(self) -> bool:
        """Save what the fields show and emit :attr:`applied`; False if it was not saved."""
        try:
            chosen = self.settings()
        except ValueError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return False
        try:
            save_settings(self.store, chosen)
            if self._forget_budgets:
                interviews.forget_budgets(self.store)
        except AppError as error:
            show_error(self, error)
            return False
        self._forget_budgets = False
        self.saved = load_settings(self.store)
        self._show_splits()
        self.applied.emit(self.saved)
        return True

    def accept(self) -> None:
        if self.apply():
            super().accept()

    def reject(self) -> None:
        """Close without saving; the appearance goes back to the last saved one."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_appearance(app, self.saved.appearance)
        super().reject()
