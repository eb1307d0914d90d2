"""Helpers for the interview screen tests: windows on one data folder, keys, clicks, the store."""

from __future__ import annotations

import sqlite3
from datetime import UTC
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from shared import FakeClock

from app.db.store import Store
from app.ui.app import open_data
from app.ui.interview.page import InterviewPage
from app.ui.main_window import MainWindow, settings_for

CTRL = Qt.KeyboardModifier.ControlModifier
PRESETS = {
    30: (4, 2, 2, 3, 3, 7, 3, 2, 3, 1),
    45: (6, 3, 3, 5, 5, 10, 4, 3, 4, 2),
    60: (7, 4, 4, 6, 6, 13, 5, 4, 7, 4),
}
DECK = "ml-system-design"
VIDEO = "q-video-recommendation"
# Sentences, not keyword lists, that the rubric credits: item 0 of s1 (business objective) and
# item 1 (scale).
STEP1_GOAL = "The business objective is to grow long-term engagement and retention of viewers."
STEP1_SCALE = "We serve about 100 million daily active users, so scale matters."
STEP2_HEADINGS = ("## Offline metrics", "## Online metrics", "## Trade-offs b/w metrics")


class Windows:
    """Opens main windows on one data folder; each closes (keeping any interview) at the end."""

    def __init__(self, qtbot: QtBot, data_dir: Path, clock: FakeClock) -> None:
        self.qtbot = qtbot
        self.data_dir = data_dir
        self.clock = clock
        self.stores: list[Store] = []

    def open(self, *, crashes: bool = False) -> MainWindow:
        """A shown window; one that ``crashes`` is not handed to qtbot, which would close it."""
        store, report = open_data(self.data_dir)
        self.stores.append(store)
        window = MainWindow(store, report, settings_for(self.data_dir), clock=self.clock,
                            local=UTC)
        window.ask_interview_close = lambda _parent: "keep"  # never a modal box in a test
        if not crashes:
            self.qtbot.addWidget(window, before_close_func=_keep_on_close)
        # Menu shortcuts (Ctrl+I, Ctrl+H) reach only the active window; offscreen, showing a
        # window does not always activate it.
        with self.qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        return window

    def close(self, window: MainWindow) -> bool:
        """Close as a person does (through closeEvent); the store closes with the window."""
        closed = window.close()
        if closed:
            window.store.close()
        return closed

    def crash(self, window: MainWindow) -> None:
        """Gone without closeEvent: no keep/discard question, no final save."""
        if window.interview is not None:
            window.interview.timer.stop()
        window.store.close()
        shiboken6.delete(window)

    def close_all(self) -> None:
        for store in self.stores:
            store.close()


class Questions:
    """The confirmations asked (instead of modal boxes), answered with ``answer``."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answer = True

    def confirm(self, _parent: QWidget, title: str, text: str, _action: str = "") -> bool:
        self.asked.append(f"{title} {text}")
        return self.answer

    def discard(self, _parent: QWidget) -> bool:
        return self.confirm(_parent, "Discard interview?", "")


def _keep_on_close(window: QWidget) -> None:
    if isinstance(window, MainWindow):
        window.ask_interview_close = lambda _parent: "keep"


def button(parent: QWidget, text: str) -> QPushButton:
    found = [b for b in parent.findChildren(QPushButton) if b.text() == text]
    assert len(found) == 1, f"{len(found)} buttons say {text!r}"
    return found[0]


def click(qtbot: QtBot, widget: QPushButton) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.text()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def open_setup(qtbot: QtBot, window: MainWindow) -> InterviewPage:
    qtbot.keyClick(window, Qt.Key.Key_I, CTRL)
    page = window.interview
    assert page is not None and window.pages.currentWidget() is page
    assert page.stack.currentWidget() is page.setup
    return page


def start(qtbot: QtBot, window: MainWindow, question_id: str = VIDEO) -> InterviewPage:
    page = open_setup(qtbot, window)
    page.setup.select_question(question_id)
    qtbot.keyClick(page.setup.question_tree, Qt.Key.Key_Return, CTRL)
    assert page.stack.currentWidget() is page.running
    assert page.session is not None and page.session.question.id == question_id
    return page


def type_line(qtbot: QtBot, page: InterviewPage, text: str) -> None:
    qtbot.keyClicks(page.running.notes, text)
    qtbot.keyClick(page.running.notes, Qt.Key.Key_Return)


def checked(page: InterviewPage) -> list[bool]:
    return [page.running.rubric.item(row).checkState() == Qt.CheckState.Checked
            for row in range(page.running.rubric.count())]


def ticked(rubric_size: int, *rows: int) -> list[bool]:
    """The rubric's check states with only ``rows`` ticked."""
    return [row in rows for row in range(rubric_size)]


def spins(page: InterviewPage) -> tuple[int, ...]:
    return tuple(spin.value() for spin in page.setup.budget_spins)


def elapsed(page: InterviewPage, index: int, clock: FakeClock) -> float:
    assert page.session is not None
    return page.session.elapsed_s(index, clock())


def score_combo(page: InterviewPage, row: int) -> QComboBox:
    combo = page.summary.table.cellWidget(row, 3)
    assert isinstance(combo, QComboBox)
    return combo


def stored_steps(data_dir: Path) -> dict[int, tuple[str, int, int | None]]:
    """Step number -> (notes, elapsed_ms, score) of the only interview, read by a second
    connection (so only what is committed)."""
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        rows = conn.execute("SELECT step, notes, elapsed_ms, score FROM interview_steps").fetchall()
    return {step: (notes, ms, score) for step, notes, ms, score in rows}


def statuses(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "mlsd-study.db") as conn:
        return [s for (s,) in conn.execute("SELECT status FROM interviews ORDER BY id")]
