"""The Settings dialog and the live theme and font size, driven through real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

import app.db.interviews as interviews
from app.db.settings import (
    Appearance,
    AppSettings,
    BackupSettings,
    InterviewDefaults,
    load_settings,
    save_settings,
)
from app.db.store import Store
from app.interview.budgets import Budgets, default_budgets
from app.scheduling.scheduler import SchedulerSettings
from app.ui.appearance import apply_appearance, default_font_size
from app.ui.dialogs.settings import SettingsDialog
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

Button = QDialogButtonBox.StandardButton
MINUTE = timedelta(minutes=1)
WINDOW = QPalette.ColorRole.Window
DARK_WINDOW, LIGHT_WINDOW = QColor("#353535"), QColor("#efefef")
CHANGED = AppSettings(
    study=SchedulerSettings(desired_retention=0.85, new_per_day=7, reviews_per_day=150,
                            learning_steps=(5 * MINUTE, 60 * MINUTE), relearning_steps=(),
                            maximum_interval_days=365, rollover_hour=2),
    interview=InterviewDefaults(minutes=47),
    appearance=Appearance(theme="dark", font_size=14),
    backups=BackupSettings(keep_daily=3, keep_weekly=0, every_hours=12),
)


@pytest.fixture(autouse=True)
def system_appearance(qapp: QApplication) -> Iterator[None]:
    """Every test starts and ends on the platform's look: the application is shared."""
    apply_appearance(qapp, Appearance())
    yield
    apply_appearance(qapp, Appearance())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def dialog(qtbot: QtBot, store: Store) -> SettingsDialog:
    shown = SettingsDialog(store)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def click(qtbot: QtBot, dialog: SettingsDialog, which: QDialogButtonBox.StandardButton) -> None:
    button = dialog.buttons.button(which)
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Replace a field's text the way a person does: select it all, then type."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def pixel(widget: QWidget) -> QColor:
    """The colour actually painted near the bottom-right corner (plain background)."""
    image = widget.grab().toImage()
    return image.pixelColor(image.width() - 3, image.height() - 3)


# --- showing and saving --------------------------------------------------------------------------

def test_opens_on_the_stored_settings(qtbot: QtBot, store: Store) -> None:
    save_settings(store, CHANGED)
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.retention.value() == 85 and dialog.retention.suffix() == " %"
    assert (dialog.new_per_day.value(), dialog.reviews_per_day.value()) == (7, 150)
    assert dialog.learning_steps.text() == "5m 1h"
    assert dialog.relearning_steps.text() == ""
    assert (dialog.maximum_interval.value(), dialog.rollover_hour.text()) == (365, "2:00")
    assert dialog.length.currentText() == "Custom" and dialog.custom_minutes.value() == 47
    assert dialog.custom_minutes.isEnabled()
    assert dialog.theme.currentText() == "Dark" and dialog.font_size.text() == "14 pt"
    assert (dialog.keep_daily.value(), dialog.keep_weekly.value(),
            dialog.every_hours.value()) == (3, 0, 12)
    assert dialog.settings() == CHANGED


def test_a_fresh_store_shows_the_defaults(dialog: SettingsDialog, qapp: QApplication) -> None:
    assert dialog.settings() == AppSettings()
    assert dialog.length.currentText() == "45 minutes"
    assert not dialog.custom_minutes.isEnabled()
    assert dialog.theme.currentText() == "System"
    assert dialog.font_size.text() == f"Default ({default_font_size(qapp):g} pt)"
    assert dialog.learning_steps.text() == "1m 10m"


def test_ok_saves_every_field_and_says_so(qtbot: QtBot, dialog: SettingsDialog,
                                         store: Store) -> None:
    type_into(qtbot, dialog.retention, "85")
    type_into(qtbot, dialog.new_per_day, "7")
    type_into(qtbot, dialog.reviews_per_day, "150")
    type_into(qtbot, dialog.learning_steps, "5m 1h")
    type_into(qtbot, dialog.relearning_steps, "")
    qtbot.keyClick(dialog.relearning_steps, Qt.Key.Key_Backspace)
    type_into(qtbot, dialog.maximum_interval, "365")
    dialog.rollover_hour.setValue(2)
    dialog.tabs.setCurrentIndex(1)
    dialog.length.setFocus()
    qtbot.keyClick(dialog.length, Qt.Key.Key_End)  # Custom
    assert dialog.custom_minutes.isEnabled()
    type_into(qtbot, dialog.custom_minutes, "47")
    dialog.tabs.setCurrentIndex(2)
    qtbot.keyClick(dialog.theme, Qt.Key.Key_End)  # Dark
    dialog.font_size.setValue(14)
    dialog.tabs.setCurrentIndex(3)
    type_into(qtbot, dialog.keep_daily, "3")
    type_into(qtbot, dialog.keep_weekly, "0")
    type_into(qtbot, dialog.every_hours, "12")
    assert load_settings(store) == AppSettings()  # nothing saved before OK

    with qtbot.waitSignal(dialog.applied) as signal:
        click(qtbot, dialog, Button.Ok)
    assert signal.args == [CHANGED]
    assert load_settings(store) == CHANGED
    assert not dialog.isVisible()
    assert QApplication.font().pointSize() == 14


def test_a_preset_length_is_saved_as_its_minutes(qtbot: QtBot, dialog: SettingsDialog,
                                                 store: Store) -> None:
    dialog.tabs.setCurrentIndex(1)
    dialog.length.setFocus()
    qtbot.keyClick(dialog.length, Qt.Key.Key_Home)
    assert dialog.length.currentText() == "30 minutes"
    assert dialog.custom_minutes.value() == 30 and not dialog.custom_minutes.isEnabled()
    click(qtbot, dialog, Button.Apply)
    assert load_settings(store).interview.minutes == 30


def test_apply_saves_and_stays_open(qtbot: QtBot, dialog: SettingsDialog, store: Store) -> None:
    dialog.keep_daily.setValue(20)
    with qtbot.waitSignal(dialog.applied) as signal:
        click(qtbot, dialog, Button.Apply)
    assert dialog.isVisible()
    assert signal.args[0].backups.keep_daily == 20
    assert load_settings(store).backups.keep_daily == 20
    dialog.keep_daily.setValue(30)
    click(qtbot, dialog, Button.Cancel)
    assert load_settings(store).backups.keep_daily == 20  # Cancel drops only what followed


def test_cancel_saves_nothing(qtbot: QtBot, dialog: SettingsDialog, store: Store) -> None:
    dialog.new_per_day.setValue(99)
    dialog.font_size.setValue(12)
    with qtbot.assertNotEmitted(dialog.applied):
        qtbot.keyClick(dialog.new_per_day, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert store.conn.execute("SELECT COUNT(*) FROM settings").fetchone()[0] == 0


def test_restore_defaults_fills_the_fields_and_saves_on_ok(qtbot: QtBot, store: Store) -> None:
    save_settings(store, CHANGED)
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, dialog, Button.RestoreDefaults)
    assert dialog.settings() == AppSettings()
    assert dialog.theme.currentText() == "System" and dialog.length.currentText() == "45 minutes"
    assert load_settings(store) == CHANGED  # not yet saved
    click(qtbot, dialog, Button.Ok)
    assert load_settings(store) == AppSettings()


def test_unreadable_steps_block_ok_until_fixed(qtbot: QtBot, dialog: SettingsDialog,
                                              store: Store) -> None:
    type_into(qtbot, dialog.learning_steps, "1m 10x")
    assert dialog.problem.isVisible()
    assert dialog.problem.text().startswith('Learning steps: "10x" is not a step')
    assert not dialog.buttons.button(Button.Ok).isEnabled()
    assert not dialog.buttons.button(Button.Apply).isEnabled()
    qtbot.keyClick(dialog.learning_steps, Qt.Key.Key_Return)
    assert dialog.isVisible() and load_settings(store) == AppSettings()
    qtbot.keyClick(dialog.learning_steps, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.learning_steps, "h")
    assert not dialog.problem.isVisible()
    qtbot.keyClick(dialog.learning_steps, Qt.Key.Key_Return)  # Enter is OK
    assert not dialog.isVisible()
    assert load_settings(store).study.learning_steps == (MINUTE, 10 * 60 * MINUTE)


def test_remembered_splits_are_forgotten_only_when_applied(qtbot: QtBot, store: Store) -> None:
    split = Budgets(47, (6, 3, 3, 5, 5, 12, 4, 3, 4, 2))
    interviews.save_budgets(store, split)
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(1)
    assert "remembered for\n47 minutes" in dialog.splits.text()
    qtbot.mouseClick(dialog.forget_splits, Qt.MouseButton.LeftButton)
    assert "Forgotten when you apply" in dialog.splits.text()
    assert not dialog.forget_splits.isEnabled()
    click(qtbot, dialog, Button.Cancel)
    assert interviews.load_budgets(store, 47) == split

    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.forget_splits, Qt.MouseButton.LeftButton)
    click(qtbot, dialog, Button.Apply)
    assert interviews.remembered_budget_totals(store) == []
    assert dialog.splits.text() == "Every length starts from its preset split."
    assert interviews.load_budgets(store, 45) == default_budgets(45)


def test_fields_are_labelled_and_follow_each_other_on_tab(qtbot: QtBot,
                                                          dialog: SettingsDialog) -> None:
    labels = {label.buddy(): label.text() for label in dialog.findChildren(QLabel)
              if label.buddy() is not None and not isinstance(label.buddy(), QLabel)}
    assert labels[dialog.retention] == "Desired re&tention"
    assert labels[dialog.length] == "Default len&gth"
    assert labels[dialog.font_size] == "Font si&ze"
    assert len(labels) == 13
    for field in labels:
        assert field.toolTip(), labels[field]
    order = [dialog.retention, dialog.new_per_day, dialog.reviews_per_day,
             dialog.learning_steps, dialog.relearning_steps, dialog.maximum_interval,
             dialog.rollover_hour]
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.retention.setFocus()
    for expected in order[1:]:
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is expected or expected.isAncestorOf(focused), expected
    # Alt + the tab's letter shows the tab.
    qtbot.keyClick(dialog, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert dialog.tabs.currentIndex() == 3


# --- live appearance -----------------------------------------------------------------------------

def test_the_theme_previews_live_and_cancel_puts_it_back(qtbot: QtBot,
                                                        dialog: SettingsDialog) -> None:
    other = QLabel("An open window")
    qtbot.addWidget(other)
    other.resize(200, 60)
    other.show()
    qtbot.waitExposed(other)
    assert other.palette().color(WINDOW) == LIGHT_WINDOW and pixel(other) == LIGHT_WINDOW
    default_size = other.font().pointSizeF()

    dialog.tabs.setCurrentIndex(2)
    dialog.theme.setFocus()
    qtbot.keyClick(dialog.theme, Qt.Key.Key_End)
    assert dialog.theme.currentText() == "Dark"
    assert other.palette().color(WINDOW) == DARK_WINDOW and pixel(other) == DARK_WINDOW
    assert pixel(dialog) == DARK_WINDOW
    dialog.font_size.setValue(16)
    assert other.font().pointSizeF() == 16

    click(qtbot, dialog, Button.Cancel)
    assert other.palette().color(WINDOW) == LIGHT_WINDOW and pixel(other) == LIGHT_WINDOW
    assert other.font().pointSizeF() == default_size


def test_ok_keeps_the_new_look(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.theme.setCurrentIndex(2)
    click(qtbot, dialog, Button.Ok)
    assert QApplication.palette().color(WINDOW) == DARK_WINDOW
    assert QApplication.style().name().lower() == "fusion"


def test_appearance_changes_reach_widgets_already_open(qtbot: QtBot, qapp: QApplication) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    plain = QLabel("text")
    heading = QLabel("heading")
    big = heading.font()
    big.setPointSizeF(big.pointSizeF() * 1.5)
    heading.setFont(big)
    bold = QLabel("bold", heading)  # a font of its own, its size from its parent
    bold_font = bold.font()
    bold_font.setBold(True)
    bold.setFont(bold_font)
    layout = QVBoxLayout(window)
    layout.addWidget(plain)
    layout.addWidget(heading)
    window.resize(200, 120)
    window.show()
    qtbot.waitExposed(window)
    base = plain.font().pointSizeF()
    ratio = heading.font().pointSizeF() / base
    assert ratio == 1.5

    apply_appearance(qapp, Appearance(theme="dark", font_size=20))
    assert window.palette().color(WINDOW) == DARK_WINDOW and pixel(window) == DARK_WINDOW
    assert plain.palette().color(QPalette.ColorRole.WindowText).lightness() > 200
    assert plain.font().pointSizeF() == 20
    assert heading.font().pointSizeF() == 30  # keeps its proportion
    assert bold.font().pointSizeF() == 30 and bold.font().bold()

    apply_appearance(qapp, Appearance(theme="light", font_size=10))
    assert pixel(window) == LIGHT_WINDOW
    assert (plain.font().pointSizeF(), heading.font().pointSizeF()) == (10, 15)

    apply_appearance(qapp, Appearance())
    assert plain.font().pointSizeF() == base and heading.font().pointSizeF() == base * 1.5
    assert pixel(window) == LIGHT_WINDOW  # the platform's own palette (offscreen: light)


# --- the interview form uses the default length --------------------------------------------------

def test_the_new_interview_form_starts_at_the_default_length(qtbot: QtBot,
                                                             window: MainWindow) -> None:
    save_settings(window.store, AppSettings(interview=InterviewDefaults(60)))
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    page = window.interview
    assert page is not None
    assert page.setup.duration_buttons.checkedId() == 60
    assert sum(s.value() for s in page.setup.budget_spins) == 60
