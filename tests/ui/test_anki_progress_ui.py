"""File > Import progress from Anki… and Settings > Study > Optimise from my reviews (GUI)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from anki_sim import anki_collection, export, import_with_scheduling, review_days
from fsrs_sim import histories
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.clock import from_ms, utc_now
from app.db.anki_import import ReplayedReview, write_progress
from app.db.settings import load_study_settings
from app.db.store import Store
from app.decks.library import load_stored_deck
from app.export.package import export_deck
from app.scheduling.scheduler import CardState, Fsrs, Grade, SchedulerSettings
from app.ui.dialogs.settings import SettingsDialog
from app.ui.main_window import MainWindow


def _reviewed_in_anki(store: Store, folder: Path) -> tuple[Path, int]:
    deck = store.decks()[0]
    ours = export_deck(store, load_stored_deck(store, deck.id), folder / "ours.apkg",
                       now=utc_now() - timedelta(days=5), with_progress=True).path
    with anki_collection(folder / "anki") as col:
        import_with_scheduling(col, ours)
        answers = review_days(col, 3)
        return export(col, folder / "back.apkg"), answers


def test_the_file_menu_imports_and_the_tree_updates(qtbot: QtBot, window: MainWindow,
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    package, answers = _reviewed_in_anki(window.store, tmp_path)
    assert answers > 0
    shown: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *args, **kwargs: (str(package), ""))
    monkeypatch.setattr(QMessageBox, "information",
                        lambda _parent, _title, text: shown.append(text))
    counted: list[bool] = []
    original = window.refresh_counts

    def refresh() -> None:
        counted.append(True)
        original()

    monkeypatch.setattr(window, "refresh_counts", refresh)
    [action] = [a for a in window.findChildren(QAction)
                if a.text() == "Import &progress from Anki…"]
    action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    assert f"Reviews added: {answers}" in shown[0]
    assert counted  # the tree's counts were recomputed
    (logged,) = window.store.conn.execute("SELECT count(*) FROM review_log").fetchone()
    assert logged == answers
    box = QMessageBox(QMessageBox.Icon.Information, "Progress imported from Anki", shown[0])
    qtbot.addWidget(box)
    box.show()
    box.grab().save(str(tmp_path / "anki19-import-report-default.png"))
    box.resize(800, 600)
    box.grab().save(str(tmp_path / "anki19-import-report-800x600.png"))


@pytest.fixture
def reviewed(store: Store) -> Store:
    ids = [r[0] for r in store.conn.execute("SELECT id FROM cards ORDER BY id")]
    fsrs = Fsrs(SchedulerSettings(fuzz=False))
    reviews = []
    for card_id, history in zip(ids, histories(len(ids), 300), strict=True):
        state = CardState()
        for at, rating in history:
            after = fsrs.answer(state, Grade(rating), from_ms(at))
            reviews.append(ReplayedReview(None, card_id, at, rating, 5000, None, state, after))
            state = after
    write_progress(store, reviews, [])
    return store


def test_optimise_from_my_reviews_runs_off_the_gui_thread_and_applies(
        qtbot: QtBot, reviewed: Store, tmp_path: Path) -> None:
    dialog = SettingsDialog(reviewed)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    applied: list[Any] = []
    dialog.applied.connect(applied.append)
    panel = dialog.optimise
    panel.button.setFocus()
    qtbot.keyClick(panel.button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: panel.outcome is not None or panel.error is not None,
                    timeout=60_000)
    assert panel.error is None
    assert panel.outcome is not None and panel.outcome.applied
    assert "RMSE" in panel.result.text() and "Applied" in panel.result.text()
    stored = load_study_settings(reviewed).parameters
    assert stored == pytest.approx(panel.outcome.fit.after)
    assert applied and dialog.saved.study.parameters == stored
    # OK afterwards keeps the fit (the dialog's copy was updated).
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert load_study_settings(reviewed).parameters == stored
    dialog.show()
    dialog.grab().save(str(tmp_path / "anki19-optimise-default.png"))
    dialog.resize(800, 600)
    dialog.grab().save(str(tmp_path / "anki19-optimise-800x600.png"))


def test_too_few_reviews_says_so_in_the_panel(qtbot: QtBot, store: Store) -> None:
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.optimise.button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.optimise.error is not None, timeout=30_000)
    assert "at least 400" in dialog.optimise.result.text()
    assert load_study_settings(store).parameters == ()
