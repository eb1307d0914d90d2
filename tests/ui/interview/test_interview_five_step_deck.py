"""A mock interview on an imported 5-step deck, by keys from set-up to review: only its steps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from interview_screens import CTRL, Windows, open_setup, spins, type_line
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot
from shared import FakeClock

from app.db.settings import Appearance
from app.decks.library import import_outline
from app.decks.loader import load_path
from app.interview.flow import FREE_QUESTION, NOT_FLOW
from app.ui.app import open_data
from app.ui.appearance import apply_appearance
from app.ui.interview.running import NO_DECK_RUBRIC
from app.ui.interview.setup import NOT_REMEMBERED
from app.ui.interview.summary import NO_DECK_RUBRIC as NO_DECK_REFERENCE
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

OUTLINE = """\
# Incident drills

How we run an incident, start to finish.

## 1. Detect

- Alerts on the error budget
- Dashboards

## 2. Triage

- Severity
- Who is on call

## 3. Mitigate

- Roll back first

## 4. Resolve

- Root cause

## 5. Learn

- A blameless review
"""
STEPS = ["1. Detect", "2. Triage", "3. Mitigate", "4. Resolve", "5. Learn", "Wrap-up"]


@pytest.fixture(autouse=True)
def platform_look(qapp: QApplication) -> Iterator[None]:
    apply_appearance(qapp, Appearance())
    yield
    apply_appearance(qapp, Appearance())


@pytest.fixture
def drills(data_dir: Path, tmp_path: Path, clock: FakeClock) -> None:
    """The outline imported as a user would (File > Import), before the window opens."""
    source = tmp_path / "incident-drills.md"
    source.write_text(OUTLINE, encoding="utf-8")
    store, _report = open_data(data_dir)
    try:
        result = import_outline(store, source, data_dir, clock())
    finally:
        store.close()
    assert (result.deck_id, result.title) == ("incident-drills", "Incident drills")
    deck = load_path(result.path)
    assert [(t.title, t.step) for t in deck.topics] == [
        ("Detect", 1), ("Triage", 2), ("Mitigate", 3), ("Resolve", 4), ("Learn", 5)]


def shot(window: MainWindow, path: Path) -> QImage:
    QApplication.processEvents()
    assert window.grab().save(str(path))
    return QImage(str(path))


def shots_of(window: MainWindow, folder: Path, name: str) -> dict[str, QImage]:
    """The window at its size, at 800x600, and at 800x600 with a 16 pt font (then as before),
    saved for a person to look at."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    size = window.size()
    taken = {name: shot(window, folder / f"{name}.png")}
    window.resize(QSize(800, 600))
    taken[f"{name}-800x600"] = shot(window, folder / f"{name}-800x600.png")
    apply_appearance(app, Appearance(font_size=16))
    taken[f"{name}-16pt"] = shot(window, folder / f"{name}-16pt.png")
    apply_appearance(app, Appearance())
    window.resize(size)
    return taken


def visible_rows(count: int, hidden: list[bool]) -> list[int]:
    return [row for row in range(count) if not hidden[row]]


def test_a_five_step_deck_from_set_up_to_review(qtbot: QtBot, windows: Windows,
                                                clock: FakeClock, drills: None,
                                                tmp_path: Path) -> None:
    window = windows.open()
    page = open_setup(qtbot, window)
    box = page.setup.deck_box
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert page.deck.id == "incident-drills"
    assert page.setup.deck_note.text() == NOT_FLOW
    assert page.setup.budgets_box.title() == NOT_REMEMBERED

    # Set-up: the deck's five steps and the wrap-up, sharing 45 minutes evenly; nothing else.
    shown = [label.text() for label in page.setup.step_labels if label.isVisibleTo(page.setup)]
    assert shown == STEPS
    assert [spin.isVisibleTo(page.setup) for spin in page.setup.budget_spins] == [
        True] * 5 + [False] * 4 + [True]
    assert spins(page) == (8, 8, 8, 7, 7, 0, 0, 0, 0, 7)
    assert page.setup.budget_total.text() == "Total: 45 min"
    shots = shots_of(window, tmp_path, "setup")

    qtbot.keyClick(box, Qt.Key.Key_Return, CTRL)
    session = page.session
    assert session is not None and session.question == FREE_QUESTION
    running = page.running
    assert page.stack.currentWidget() is running and running.notes.hasFocus()

    # Running: the step list has the deck's rows only; no rubric, and it says why.
    rows = running.step_list
    hidden = [rows.isRowHidden(row) for row in range(rows.count())]
    assert [rows.item(row).text().split("\n")[0]
            for row in visible_rows(rows.count(), hidden)] == STEPS
    # No rubric and no follow-ups: the side panel gives its room to the notes, and it says why.
    assert running.side.isHidden() and not running.no_rubric.isHidden()
    assert running.no_rubric.text() == NO_DECK_RUBRIC
    assert running.step_title.text() == "Step 1 · Detect" and running.step_clock.text() == "8:00"
    assert not running.previous_button.isEnabled()

    type_line(qtbot, page, "Page on the error budget burn, then check the dashboards.")
    clock.advance(120)
    page.tick()
    seen = [running.step_title.text()]
    for _ in range(5):  # steps 2..5, then straight to the wrap-up
        qtbot.keyClick(running.notes, Qt.Key.Key_Right, CTRL)
        seen.append(running.step_title.text())
    assert seen == ["Step 1 · Detect", "Step 2 · Triage", "Step 3 · Mitigate",
                    "Step 4 · Resolve", "Step 5 · Learn", "Wrap-up"]
    assert session.current == 9 and not running.next_button.isEnabled()
    qtbot.keyClick(running.notes, Qt.Key.Key_Left, CTRL)
    assert session.current == 4 and running.step_title.text() == "Step 5 · Learn"
    type_line(qtbot, page, "A blameless review with actions and owners.")
    clock.advance(60)
    page.tick()
    shots |= shots_of(window, tmp_path, "running")

    # Review: the deck's steps only, their even budgets, and no rubric said once per step.
    qtbot.keyClick(running.notes, Qt.Key.Key_Return,
                   CTRL | Qt.KeyboardModifier.ShiftModifier)
    summary = page.summary
    assert page.stack.currentWidget() is summary
    table = summary.table
    shown_rows = [row for row in range(table.rowCount()) if not table.isRowHidden(row)]
    assert [table.item(row, 0).text() for row in shown_rows] == STEPS
    assert [table.item(row, 1).text() for row in shown_rows] == [
        "2:00 / 8:00", "0:00 / 8:00", "0:00 / 8:00", "0:00 / 7:00", "1:00 / 7:00",
        "0:00 / 7:00"]
    assert table.currentRow() == 0
    assert NO_DECK_REFERENCE in summary.comparison.toPlainText()
    assert "Reference answer" not in summary.comparison.toPlainText()
    # No rubric: only self-scores name the weakest steps; none yet, so nothing to study.
    assert summary.weakest.text() == "" and not summary.study_button.isEnabled()
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentRow() == 1 and "2. Triage" in summary.notes_label.text()
    score = table.cellWidget(1, 3)
    assert isinstance(score, QComboBox)
    score.setCurrentIndex(1)  # "Poor"
    assert summary.weakest.text() == "<b>Weakest steps:</b> 2. Triage"
    assert "Self-score 1 weak" in summary.comparison.toPlainText()
    assert summary.study_button.isEnabled()
    shots |= shots_of(window, tmp_path, "summary")
    assert len(shots) == 9 and len({image.cacheKey() for image in shots.values()}) == 9
