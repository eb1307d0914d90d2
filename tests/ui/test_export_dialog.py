"""File > Export to Anki: the dialog runs the export off the GUI thread and reports counts."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot
from shipped_deck import ShippedDeck

from app.ui.dialogs.export import ExportDialog
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def _dialog(qtbot: QtBot, window: MainWindow, branch: bool = False) -> ExportDialog:
    assert window.store.path is not None
    deck_id, choices = window.export_choices(branch_first=branch)
    dialog = ExportDialog(window.store.path.parent, deck_id, choices, window.settings, window)
    qtbot.addWidget(dialog)
    return dialog


def test_exports_a_branch_with_counts(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                     shipped: ShippedDeck) -> None:
    assert window.open_key("ml-system-design/s8")
    node = window.current_node
    assert node is not None
    branch = {str(n.topic_id) for n in node.walk() if n.topic_id}
    dialog = _dialog(qtbot, window, branch=True)
    assert dialog.choice().label == "This branch: Step 8 Online Testing and Deployment"
    assert dialog.path.text().endswith("ml-system-design-s8.apkg")
    target = tmp_path / "out" / "branch.apkg"
    target.parent.mkdir()
    dialog.path.setText(str(target))
    dialog.export()
    qtbot.waitUntil(lambda: dialog.outcome is not None or dialog.error is not None,
                    timeout=30_000)
    assert dialog.error is None
    assert target.exists() and zipfile.is_zipfile(target)
    notes = getattr(dialog.outcome, "notes", 0)
    assert notes == shipped.cards_under(branch) < len(shipped.cards)  # the branch, no more
    assert f"Exported {notes} notes" in dialog.message.text()
    assert dialog.show_folder.isVisibleTo(dialog)
    assert dialog.bar.value() == dialog.bar.maximum()
    assert window.settings.value("export/folder") == str(target.parent)  # remembered


def test_export_runs_in_a_worker_thread(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        shipped: ShippedDeck) -> None:
    from PySide6.QtWidgets import QApplication

    seen: list[bool] = []
    import app.export.package as exporter

    real = exporter.export_deck

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        app = QApplication.instance()
        assert app is not None
        seen.append(QThread.currentThread() is app.thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(exporter, "export_deck", watched)
    dialog = _dialog(qtbot, window)
    dialog.path.setText(str(tmp_path / "all.apkg"))
    dialog.export()
    qtbot.waitUntil(lambda: dialog.outcome is not None or dialog.error is not None,
                    timeout=60_000)
    assert seen == [False]  # not on the GUI thread
    assert getattr(dialog.outcome, "notes", 0) == len(shipped.cards)


def test_an_unwritable_target_is_a_message_not_a_crash(qtbot: QtBot, window: MainWindow,
                                                       tmp_path: Path) -> None:
    dialog = _dialog(qtbot, window)
    target = tmp_path / "missing-folder" / "deck.apkg"
    dialog.path.setText(str(target))
    dialog.export()
    qtbot.waitUntil(lambda: dialog.outcome is not None or dialog.error is not None,
                    timeout=30_000)
    assert dialog.outcome is None and dialog.error is not None
    assert dialog.message.text().startswith("Not exported: ")
    assert str(target.parent) in dialog.message.text()
    assert not target.parent.exists()
    assert dialog.export_button.isEnabled()


def test_the_weak_steps_choice_builds_no_interview_page_and_reads_no_deck_file(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime, timedelta

    import app.decks.loader
    from app.db.interviews import create_interview, finish_interview
    from app.decks.library import interview_deck
    from app.decks.tree import find
    from app.interview.budgets import default_budgets
    from app.interview.session import InterviewSession
    from app.interview.steps import interview_steps

    deck = interview_deck(window.store)
    assert deck is not None
    steps = interview_steps(deck)
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    session = InterviewSession(deck.questions[0], steps, default_budgets(45), start)
    for index, score in enumerate((4, 1, 4, 4, 2, 4, 3, 4, 4)):  # steps 2, 5, 7 weakest
        session.set_score(index, score)
    create_interview(window.store, session, deck.id, start)
    finish_interview(window.store, session, start + timedelta(minutes=45))

    def no_yaml(*_args: object) -> None:
        pytest.fail("listing the export choices read a deck file")

    monkeypatch.setattr(app.decks.loader, "load_path", no_yaml)
    assert window.open_key("ml-system-design/s3")
    deck_id, choices = window.export_choices()
    assert window.interview is None  # the interview page was not built for this
    assert deck_id == deck.id
    assert [c.label for c in choices] == [
        "The whole deck: Machine Learning System Design",
        "This branch: Step 3 Architectural Components (MVP Logic)",
        "Only the weakest steps of your last interview (Step 2, Step 5, Step 7)"]
    expected: set[str] = set()
    for step in (steps[1], steps[4], steps[6]):
        node = find(window.model.roots, f"{deck.id}/{step.topic_id}")
        assert node is not None
        expected |= {str(n.topic_id) for n in node.walk() if n.topic_id}
    assert choices[-1].topic_ids == expected
