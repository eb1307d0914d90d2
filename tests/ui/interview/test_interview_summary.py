"""After the interview: the summary, the Markdown export and the history."""

from __future__ import annotations

from pathlib import Path

import pytest
from interview_screens import (
    CTRL,
    STEP1_GOAL,
    VIDEO,
    button,
    click,
    score_combo,
    start,
    type_line,
)
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shared import FakeClock

from app.model import STEP_COUNT
from app.ui.interview.page import InterviewPage
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def _finished(qtbot: QtBot, window: MainWindow, clock: FakeClock,
              question_id: str = VIDEO) -> InterviewPage:
    page = start(qtbot, window, question_id)
    type_line(qtbot, page, STEP1_GOAL)
    clock.advance(90)
    click(qtbot, button(page.running, "Finish interview"))
    return page


def test_export_to_markdown(qtbot: QtBot, window: MainWindow, clock: FakeClock,
                            tmp_path: Path) -> None:
    page = _finished(qtbot, window, clock)
    score_combo(page, 0).setCurrentIndex(3)
    target = tmp_path / "x.md"
    assert page.export_markdown(str(target)) == target
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Mock interview: Video recommendation (Netflix, YouTube)\n")
    assert STEP1_GOAL in text
    assert "## Step 1 Problem Formulation\n\n- Time: 1:30 of 6:00\n- Score: 3/4\n" in text
    rubric = page.steps[0].rubric
    assert f"- Coverage: 1/{len(rubric)} items\n  - [x] {rubric[0].text}: “{STEP1_GOAL}”\n" \
        in text  # the sentence that met it
    assert "## Step 2 Metrics (Offline and Online)\n\n- Time: 0:00 of 3:00" in text
    assert "1:30 of 45:00" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "x.md"]
    assert page.settings.value("interview/export_folder") == str(tmp_path)


def test_export_into_a_missing_folder_shows_an_error(qtbot: QtBot, window: MainWindow,
                                                     clock: FakeClock, tmp_path: Path,
                                                     errors: list[str]) -> None:
    page = _finished(qtbot, window, clock)
    target = tmp_path / "missing" / "x.md"
    assert page.export_markdown(str(target)) is None
    assert len(errors) == 1
    assert errors[0].startswith(f"Could not write {target}: ")
    assert errors[0].endswith("Choose another folder.")
    errors.clear()
    assert not target.parent.exists()
    # A target that cannot be replaced (a folder) leaves no temporary file behind either.
    folder = tmp_path / "taken.md"
    folder.mkdir()
    assert page.export_markdown(str(folder)) is None
    assert len(errors) == 1
    errors.clear()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "taken.md"]
    assert list(folder.iterdir()) == []


def test_history_lists_newest_first_and_opens_read_only(qtbot: QtBot, window: MainWindow,
                                                        clock: FakeClock) -> None:
    page = _finished(qtbot, window, clock)
    score_combo(page, 0).setCurrentIndex(2)
    page.summary.overall.setCurrentIndex(3)
    clock.advance(3600)
    page = _finished(qtbot, window, clock, "q-people-you-may-know")
    score_combo(page, 0).setCurrentIndex(3)
    score_combo(page, 5).setCurrentIndex(1)

    qtbot.keyClick(window, Qt.Key.Key_H, CTRL)
    assert window.pages.currentWidget() is page
    assert page.stack.currentWidget() is page.history
    table = page.history.table
    assert table.rowCount() == 2 and not page.history.empty.isVisible()
    assert table.item(0, 1).text() == "People you may know (LinkedIn)"
    assert table.item(1, 1).text() == "Video recommendation (Netflix, YouTube)"
    assert table.item(0, 3).text() == "–" and table.item(1, 3).text() == "3 solid"
    assert table.item(1, 2).text() == "2 min"  # 90 s
    # 1 rubric item covered of all those of steps 1..9
    items = sum(len(step.rubric) for step in page.steps if step.is_step)
    assert table.item(1, 4).text() == f"{1 / items:.0%}"

    trend = page.history.trend
    assert trend.rowCount() == STEP_COUNT
    assert trend.item(0, 0).text() == "1. Problem Formulation"
    assert trend.item(0, 1).text() == "▄2 ▆3"
    assert trend.item(5, 1).text() == "▂1"
    assert trend.item(1, 1).text() == "no scores yet"

    table.setFocus()
    table.setCurrentCell(1, 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert page.stack.currentWidget() is page.summary
    assert "Video recommendation" in page.summary.title.text()
    assert "read-only" in page.summary.title.text()
    assert score_combo(page, 0).currentData() == 2
    assert not any(score_combo(page, row).isEnabled() for row in range(9))
    assert not page.summary.overall.isEnabled() and page.summary.overall.currentData() == 3
    assert page.summary.table.item(0, 1).text() == "1:30 / 6:00"


def test_history_when_empty(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_H, CTRL)
    page = window.interview
    assert page is not None and page.stack.currentWidget() is page.history
    assert page.history.table.rowCount() == 0 and page.history.empty.isVisible()
    assert page.history.trend.item(0, 1).text() == "no scores yet"
    click(qtbot, button(page.history, "New interview"))
    assert page.stack.currentWidget() is page.setup
