"""The app around the window: recovery at start, restoring a backup, timed and closing backups,
removing a deck, and one instance per data folder (a real second process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from shared import DECK

from app.db.backup import backups_dir, create_backup, list_backups
from app.db.store import DB_NAME
from app.paths import user_decks_dir
from app.ui.app import Controller, fit_to_screen, open_data, open_or_recover
from app.ui.dialogs.backups import BackupScheduler, RestoreDialog
from app.ui.main_window import MainWindow, settings_for
from app.ui.single_instance import ALREADY_RUNNING, try_hand_over

pytestmark = pytest.mark.gui

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _damage(data_dir: Path) -> bytes:
    store, _ = open_data(data_dir)
    store.close()
    path = data_dir / DB_NAME
    data = bytearray(path.read_bytes())
    data[4096:4096 * 3] = os.urandom(8192)  # pages in the middle, header intact
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_damaged_database_is_moved_aside_and_a_fresh_one_opens(data_dir: Path) -> None:
    damaged = _damage(data_dir)
    asked: list[str] = []
    told: list[str] = []

    def ask(error: object, folder: Path, _local: object, _parent: object) -> str:
        asked.append(str(getattr(error, "path", "")))
        return "start-fresh"

    opened = open_or_recover(data_dir, ask, told.append)  # type: ignore[arg-type]
    assert opened is not None
    store, _report = opened
    try:
        assert asked == [str(data_dir / DB_NAME)]
        assert len(told) == 1 and "kept as" in told[0] and "fresh database" in told[0]
        assert store.decks(), "the shipped deck is loaded into the fresh database"
    finally:
        store.close()
    aside = [p for p in data_dir.iterdir()
             if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged


def test_quitting_at_the_recovery_prompt_leaves_the_damaged_file_alone(data_dir: Path) -> None:
    damaged = _damage(data_dir)
    assert open_or_recover(data_dir, lambda *_: "quit", pytest.fail) is None
    assert (data_dir / DB_NAME).read_bytes() == damaged
    assert not any(".damaged-" in p.name for p in data_dir.iterdir())


@pytest.fixture
def controller(qtbot: QtBot, qapp: QApplication, data_dir: Path) -> Iterator[Controller]:
    store, report = open_data(data_dir)
    made = Controller(qapp, data_dir, store, report)
    qtbot.addWidget(made.window)
    made.window.show()
    yield made
    made.window.close()
    made.store.close()


def test_restoring_a_backup_reopens_the_window_on_the_old_data(
        qtbot: QtBot, controller: Controller, data_dir: Path) -> None:
    controller.store.set_setting("marker", "before")
    backup = create_backup(controller.store, data_dir, NOW, reason="manual")
    controller.store.set_setting("marker", "after")
    old_window = controller.window

    controller.restore(backup)

    assert controller.window is not old_window and controller.window.isVisible()
    qtbot.addWidget(controller.window)
    assert controller.store.setting("marker") == "before"
    assert "Restored" in controller.window.statusBar().currentMessage()
    safety = [b for b in list_backups(data_dir) if b.reason == "before-restore"]
    assert len(safety) == 1
    # The safety copy holds what was replaced: restoring it brings "after" back.
    controller.restore(safety[0].path)
    qtbot.addWidget(controller.window)
    assert controller.store.setting("marker") == "after"


def test_the_restore_dialog_lists_backups_newest_first(qtbot: QtBot, controller: Controller,
                                                       data_dir: Path) -> None:
    create_backup(controller.store, data_dir, NOW - timedelta(days=1), reason="auto")
    create_backup(controller.store, data_dir, NOW, reason="close")
    dialog = RestoreDialog(data_dir, UTC, controller.window)
    qtbot.addWidget(dialog)
    assert dialog.table.topLevelItemCount() == 2
    first = dialog.table.topLevelItem(0)
    assert first is not None and first.text(1) == "on close" and "cards" in first.text(2)
    assert dialog.chosen is not None and dialog.chosen.reason == "close"
    assert dialog.restore_button.isEnabled()


def test_the_backup_timer_backs_up_when_due_and_not_again_soon(
        qtbot: QtBot, controller: Controller, data_dir: Path) -> None:
    clock = [NOW]
    scheduler = BackupScheduler(data_dir, lambda: clock[0], lambda: (4, 10, 4), controller)
    with qtbot.waitSignal(scheduler.finished, timeout=20000) as done:
        assert scheduler.tick()
    assert isinstance(done.args[0], Path) and done.args[0].is_file()
    clock[0] = NOW + timedelta(hours=3)
    assert not scheduler.tick()
    clock[0] = NOW + timedelta(hours=4, minutes=1)
    with qtbot.waitSignal(scheduler.finished, timeout=20000):
        assert scheduler.tick()
    # Pruning keeps the newest backup of each day: the second replaces the first.
    [kept] = list_backups(data_dir)
    assert (kept.reason, kept.taken_at) == ("auto", NOW + timedelta(hours=4, minutes=1))


def test_closing_takes_a_backup(controller: Controller, data_dir: Path) -> None:
    controller.backup_on_close()
    assert [b.reason for b in list_backups(data_dir)] == ["close"]


def test_an_imported_deck_is_removed_after_asking_and_its_progress_kept(
        qtbot: QtBot, data_dir: Path) -> None:
    user_decks_dir(data_dir).mkdir(parents=True)
    deck_file = user_decks_dir(data_dir) / "demo.yaml"
    deck_file.write_text(DECK, encoding="utf-8")
    store, report = open_data(data_dir)
    window = MainWindow(store, report, settings_for(data_dir))
    qtbot.addWidget(window)
    asked: list[str] = []
    window.confirm = lambda _parent, title, text: asked.append(text) or True
    try:
        assert window.open_key("ml-system-design")
        window.files.remove_deck()
        assert asked == [], "the built-in deck is not removable, so nobody is asked"
        assert "cannot be removed" in window.statusBar().currentMessage()
        assert window.open_key("demo")
        window.files.remove_deck()
        assert len(asked) == 1 and "backup" in asked[0]
        assert [root.deck_id for root in window.model.roots] == ["ml-system-design"]
        assert not deck_file.exists()
        moved = list((backups_dir(data_dir) / "removed-decks").iterdir())
        assert len(moved) == 1 and moved[0].read_text(encoding="utf-8") == DECK
        assert [b.reason for b in list_backups(data_dir)] == ["before-removing-demo"]
        # Progress stays: the cards are still in the database, only hidden.
        count = store.conn.execute("SELECT count(*) FROM cards WHERE deck_id = 'demo'")
        assert count.fetchone()[0] > 0
    finally:
        window.close()
        store.close()


def test_a_second_launch_hands_over_to_the_running_window(qtbot: QtBot, data_dir: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MLSD_STUDY_DATA": str(data_dir)}
    command = [sys.executable, "-m", "app", "--data-dir", str(data_dir)]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # The running app listens right after its first paint; knock until it answers.
        qtbot.waitUntil(lambda: try_hand_over(data_dir, timeout_ms=300), timeout=30000)
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0
        assert ALREADY_RUNNING in second.stderr
        assert first.poll() is None, "the first instance keeps running"
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)


def test_the_application_identity_is_set_once_from_the_package(qapp: QApplication) -> None:
    from app import __version__
    from app.paths import APP_ID
    from app.ui.app import application

    assert application() is qapp
    assert (qapp.organizationName(), qapp.applicationName()) == ("MLSD Study", "mlsd-study")
    assert qapp.applicationVersion() == __version__
    assert qapp.desktopFileName() == APP_ID
    sizes = {(s.width(), s.height()) for s in qapp.windowIcon().availableSizes()}
    assert {(48, 48), (256, 256)} <= sizes


def test_a_first_window_larger_than_the_screen_is_shrunk_to_fit(qtbot: QtBot) -> None:
    big, small = QWidget(), QWidget()
    qtbot.addWidget(big)
    qtbot.addWidget(small)
    room = big.screen().availableGeometry().size()
    big.resize(room.width() + 500, room.height() + 300)
    small.resize(room.width() - 100, room.height() - 100)
    fit_to_screen(big)
    fit_to_screen(small)
    assert (big.width(), big.height()) == (room.width(), room.height())
    assert (small.width(), small.height()) == (room.width() - 100, room.height() - 100)


def test_a_remembered_size_larger_than_the_screen_fits_it_after_a_restart(
        qtbot: QtBot, data_dir: Path) -> None:
    """As after moving from a big monitor to a laptop: the window comes up inside the screen."""
    store, report = open_data(data_dir)
    try:
        first = MainWindow(store, report, settings_for(data_dir))
        qtbot.addWidget(first)
        room = first.screen().availableGeometry().size()
        first.resize(room.width() + 400, room.height() + 300)
        first.close()  # remembers the geometry
        second = MainWindow(store, report, settings_for(data_dir))
        qtbot.addWidget(second)
        fit_to_screen(second)  # as the app does once the window has restored its geometry
        assert second.width() <= room.width() and second.height() <= room.height()
        assert second.width() >= room.width() - 50  # shrunk to the screen, not to a default
        second.close()
    finally:
        store.close()
