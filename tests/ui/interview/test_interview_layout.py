"""The interview screens at 800x600, at the default font and at 16 pt (issue 17): each fits the
window's width (no horizontal scrolling), cuts no label or button, and long step titles elide
in the middle with the whole title in the tooltip. Driven by keys as a person would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from interview_screens import CTRL, STEP1_GOAL, VIDEO, open_setup, type_line
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot
from shared import FakeClock
from text_fit import text_cut

from app.db.settings import Appearance
from app.ui.appearance import apply_appearance
from app.ui.interview.display import ElidedLabel
from app.ui.interview.page import InterviewPage
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

SMALL = QSize(800, 600)
SHIFT = Qt.KeyboardModifier.ShiftModifier
LONGEST_STEP = "6. Model Development and Offline Evaluation"


@pytest.fixture(autouse=True)
def platform_look(qapp: QApplication) -> Iterator[None]:
    """Every test ends with the platform's font again."""
    yield
    apply_appearance(qapp, Appearance())


def _scroller(window: MainWindow) -> QScrollArea:
    area = window.pages.parentWidget().parentWidget()
    assert isinstance(area, QScrollArea)
    return area


def _cut(screen: QWidget) -> list[str]:
    """Every visible label or button of ``screen`` whose text does not fit its room; an
    eliding label instead must carry its whole text in the tooltip."""
    problems = []
    for widget in screen.findChildren(QWidget):
        if not widget.isVisibleTo(screen):
            continue
        if isinstance(widget, ElidedLabel):
            if widget.toolTip() != widget.text():
                problems.append(f"{widget.text()!r} is elided without its tooltip")
            continue
        if (problem := text_cut(widget)) is not None:
            problems.append(problem)
    return problems


def _overlapping_buttons(screen: QWidget) -> list[str]:
    """Buttons drawn over each other or outside the screen (a wrapping row gone wrong)."""
    shown = [b for b in screen.findChildren(QAbstractButton)
             if b.isVisibleTo(screen) and b.text()]
    boxes = [(b.text(), QRect(b.mapTo(screen, b.rect().topLeft()), b.size())) for b in shown]
    problems = [f"{text!r} is outside the screen" for text, box in boxes
                if not screen.rect().contains(box)]
    for index, (text, box) in enumerate(boxes):
        problems += [f"{text!r} overlaps {other!r}" for other, second in boxes[index + 1:]
                     if box.intersects(second)]
    return problems


def _fits(qtbot: QtBot, window: MainWindow, page: InterviewPage, screen: QWidget) -> None:
    assert page.stack.currentWidget() is screen
    for _ in range(3):  # a layout request goes up one level of nesting per round
        QApplication.processEvents()
    area = _scroller(window)
    room = area.viewport().width()
    # The page asks only for the screen shown: the set-up, built first, holds nothing wide.
    assert page.minimumSizeHint().width() <= room, type(screen).__name__
    assert screen.minimumSizeHint().width() <= room
    assert not area.horizontalScrollBar().isVisible()
    # Each screen fits the height too, as it stands (the set-up's budget rows scroll in
    # their box instead).
    assert not area.verticalScrollBar().isVisible(), type(screen).__name__
    assert window.size() == SMALL
    assert _cut(screen) == [], type(screen).__name__
    assert _overlapping_buttons(screen) == [], type(screen).__name__


@pytest.mark.parametrize("font_size", [0, 16])
def test_every_interview_screen_fits_800x600(qtbot: QtBot, qapp: QApplication,
                                             window: MainWindow, clock: FakeClock,
                                             font_size: int) -> None:
    apply_appearance(qapp, Appearance(font_size=font_size))
    window.resize(SMALL)
    qtbot.waitUntil(lambda: window.size() == SMALL)

    page = open_setup(qtbot, window)
    _fits(qtbot, window, page, page.setup)

    page.setup.select_question(VIDEO)
    qtbot.keyClick(page.setup.question_tree, Qt.Key.Key_Return, CTRL)
    type_line(qtbot, page, STEP1_GOAL)
    clock.advance(5 * 60)
    page.tick()
    for _ in range(5):  # to the step with the longest title
        qtbot.keyClick(page.running.notes, Qt.Key.Key_Right, CTRL)
    assert page.running.step_title.text().endswith("Model Development and Offline Evaluation")
    _fits(qtbot, window, page, page.running)

    qtbot.keyClick(page.running.notes, Qt.Key.Key_Return, CTRL | SHIFT)  # finish
    assert page.stack.currentWidget() is page.summary
    for _ in range(5):
        qtbot.keyClick(page.summary.table, Qt.Key.Key_Down)
    assert page.summary.table.currentRow() == 5
    _fits(qtbot, window, page, page.summary)

    qtbot.keyClick(window, Qt.Key.Key_H, CTRL)
    assert page.stack.currentWidget() is page.history
    assert page.history.table.rowCount() == 1
    _fits(qtbot, window, page, page.history)


def test_the_empty_history_fits_800x600_at_16pt(qtbot: QtBot, qapp: QApplication,
                                                window: MainWindow) -> None:
    apply_appearance(qapp, Appearance(font_size=16))
    window.resize(SMALL)
    qtbot.waitUntil(lambda: window.size() == SMALL)
    qtbot.keyClick(window, Qt.Key.Key_H, CTRL)
    page = window.interview
    assert page is not None and page.history.empty.isVisible()
    _fits(qtbot, window, page, page.history)


def test_long_step_titles_elide_in_the_middle_at_16pt(qtbot: QtBot, qapp: QApplication,
                                                      window: MainWindow) -> None:
    apply_appearance(qapp, Appearance(font_size=16))
    window.resize(SMALL)
    qtbot.waitUntil(lambda: window.size() == SMALL)
    page = open_setup(qtbot, window)
    QApplication.processEvents()
    [label] = [lb for lb in page.setup.step_labels if lb.text() == LONGEST_STEP]
    shown = label.shown_text()
    assert shown != LONGEST_STEP and "…" in shown
    head, tail = shown.split("…")
    assert LONGEST_STEP.startswith(head) and LONGEST_STEP.endswith(tail) and head and tail
    assert label.toolTip() == LONGEST_STEP
    # With the room for it (the default font), the whole title shows.
    apply_appearance(qapp, Appearance())
    window.resize(1120, 740)
    qtbot.waitUntil(lambda: label.shown_text() == LONGEST_STEP)


def test_the_set_up_makes_room_for_its_titles_after_a_font_change(
        qtbot: QtBot, qapp: QApplication, window: MainWindow) -> None:
    """Built at the default font, then 16 pt is chosen: the budgets take the width their
    titles now ask for (the window, 1120 wide, has it)."""
    page = open_setup(qtbot, window)
    [label] = [lb for lb in page.setup.step_labels if lb.text() == LONGEST_STEP]
    qtbot.waitUntil(lambda: label.shown_text() == LONGEST_STEP)
    list_width = page.setup.question_tree.width()
    apply_appearance(qapp, Appearance(font_size=16))
    qtbot.waitUntil(lambda: label.shown_text() == LONGEST_STEP
                    and label.fontMetrics().height() > 20)
    assert page.setup.question_tree.width() < list_width  # the room came from the list
