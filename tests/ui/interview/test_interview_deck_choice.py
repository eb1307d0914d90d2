"""The set-up's deck choice: a deck whose steps are not the flow's runs on even time, no rubric."""

from __future__ import annotations

from pathlib import Path

import pytest
from interview_screens import CTRL, PRESETS, Windows, button, click, open_setup, spins
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.interview.flow import FREE_QUESTION, NOT_FLOW
from app.paths import user_decks_dir

pytestmark = pytest.mark.gui

INCIDENTS = """\
deck:
  id: incidents
  title: Incident response
  version: 1
topics:
  - id: detect
    title: Detect
    step: 1
  - id: triage
    title: Triage
    step: 2
  - id: mitigate
    title: Mitigate
    step: 3
"""


def test_choosing_a_deck_off_the_flow_by_keys(qtbot: QtBot, data_dir: Path,
                                              windows: Windows) -> None:
    user_decks_dir(data_dir).mkdir(parents=True)
    (user_decks_dir(data_dir) / "incidents.yaml").write_text(INCIDENTS, encoding="utf-8")
    window = windows.open()
    page = open_setup(qtbot, window)
    box = page.setup.deck_box
    assert [box.itemText(i) for i in range(box.count())][1:] == ["Incident response"]
    assert box.currentIndex() == 0 and page.setup.deck_note.isHidden()
    assert spins(page) == PRESETS[45]

    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert page.deck.id == "incidents"
    assert not page.setup.deck_note.isHidden() and page.setup.deck_note.text() == NOT_FLOW
    assert spins(page) == (12, 11, 11, 0, 0, 0, 0, 0, 0, 11)  # 3 steps and the wrap-up
    # Only the deck's steps are shown; the ones it lacks have no row.
    assert [label.text() for label in page.setup.step_labels
            if label.isVisibleTo(page.setup)] == ["1. Detect", "2. Triage", "3. Mitigate",
                                                  "Wrap-up"]
    assert page.setup.selected_question() == FREE_QUESTION
    page.setup.budget_spins[0].setValue(4)
    click(qtbot, button(page.setup, "Reset to defaults"))
    assert spins(page) == (12, 11, 11, 0, 0, 0, 0, 0, 0, 11)

    qtbot.keyClick(box, Qt.Key.Key_Return, CTRL)
    session = page.session
    assert session is not None and session.question == FREE_QUESTION
    assert session.budgets.minutes == (12, 11, 11, 0, 0, 0, 0, 0, 0, 11)
    assert all(not step.rubric and not step.followups for step in session.steps)
    assert session.steps[0].title == "Detect"
    held = session.interview_id
    assert held is not None
    page.finish()

    # Back on the built-in deck: the flow's split (the even one was not remembered) and rubric.
    page = open_setup(qtbot, window)
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert box.currentIndex() == 0 and page.setup.deck_note.isHidden()
    assert spins(page) == PRESETS[45]
    assert page.steps[1].rubric and page.setup.selected_question() != FREE_QUESTION

    # Reviewed from the history, it is shown on the deck it was held on.
    page.open_past(held)
    assert box.currentIndex() == 1 and page.deck.id == "incidents"
    assert page.steps[0].title == "Detect" and not page.steps[1].rubric
