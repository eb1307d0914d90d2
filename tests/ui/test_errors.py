"""Unexpected errors reach errors.log with their traceback and a message box with Details."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

import app.db.restore
import app.ui.dialogs.backups
from app.db.backup import create_backup
from app.errors import AppError
from app.ui import errors
from app.ui.app import Controller, open_data
from app.ui.errors import UnexpectedError, install_excepthook
from app.ui.main_window import MainWindow
from app.ui.worker import run_in_background

pytestmark = pytest.mark.gui


@dataclass(frozen=True)
class Box:
    icon: QMessageBox.Icon
    text: str
    details: str


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[Box]]:
    """Message boxes shown (none is left open waiting), with the log in ``tmp_path``."""
    shown: list[Box] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(Box(box.icon(), box.text(), box.detailedText()))
        return int(QMessageBox.StandardButton.Ok.value)

    def warning(_parent: object, _title: str, text: str) -> None:
        shown.append(Box(QMessageBox.Icon.Warning, text, ""))

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(errors, "_log_dir", [])
    errors.set_log_dir(tmp_path)
    yield shown


def _fail_deep() -> None:
    raise RuntimeError("the disk caught fire")


def test_a_worker_job_that_raises_is_logged_with_its_traceback(
        qtbot: QtBot, boxes: list[Box], tmp_path: Path) -> None:
    failed: list[AppError] = []

    def work(_progress: object) -> object:
        _fail_deep()
        return None

    run_in_background(work, on_done=pytest.fail, on_error=failed.append)
    qtbot.waitUntil(lambda: bool(boxes), timeout=10_000)

    [error] = failed  # the caller still hears of it, to put its screen back
    assert isinstance(error, UnexpectedError) and "the disk caught fire" in error.message
    log = (tmp_path / "errors.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log
    assert "in _fail_deep" in log and "RuntimeError: the disk caught fire" in log
    [box] = boxes
    assert box.icon == QMessageBox.Icon.Critical
    assert str(tmp_path / "errors.log") in box.text and "saved data is safe" in box.text
    assert box.details.startswith("Traceback (most recent call last)")
    assert "in work" in box.details and "in _fail_deep" in box.details
    assert box.details.strip().endswith("RuntimeError: the disk caught fire")


def test_an_expected_error_in_a_worker_is_only_its_message(
        qtbot: QtBot, boxes: list[Box], tmp_path: Path) -> None:
    failed: list[AppError] = []

    def work(_progress: object) -> object:
        raise AppError("The disk is full.")

    run_in_background(work, on_done=pytest.fail, on_error=failed.append)
    qtbot.waitUntil(lambda: bool(failed), timeout=10_000)
    assert [e.message for e in failed] == ["The disk is full."]
    assert boxes == [] and not (tmp_path / "errors.log").exists()


def test_a_failed_backup_now_shows_one_box_with_details(
        qtbot: QtBot, boxes: list[Box], window: MainWindow,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> Path:
        raise KeyError("policy")

    monkeypatch.setattr(app.ui.dialogs.backups, "backup_now", broken)
    window.files.back_up_now()
    qtbot.waitUntil(lambda: bool(boxes), timeout=10_000)
    qtbot.wait(50)  # a second box would come from the same queued call
    [box] = boxes  # show_error does not repeat what the worker showed
    assert "KeyError: 'policy'" in box.details
    assert window.statusBar().currentMessage() == ""  # "Backing up…" is gone


def test_an_uncaught_error_is_logged_and_shown_with_details(
        boxes: list[Box], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook(tmp_path)
    try:
        _fail_deep()
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    log = (tmp_path / "errors.log").read_text(encoding="utf-8")
    assert "in _fail_deep" in log
    [box] = boxes
    assert "in _fail_deep" in box.details and str(tmp_path / "errors.log") in box.text


def test_an_uncaught_app_error_is_its_message_only(
        boxes: list[Box], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook(tmp_path)
    sys.excepthook(AppError, AppError("Choose another folder."), None)
    assert [(b.icon, b.details) for b in boxes] == [(QMessageBox.Icon.Warning, "")]
    assert "Choose another folder." in boxes[0].text
    assert not (tmp_path / "errors.log").exists()


def test_an_unexpected_failure_while_restoring_is_logged_and_the_app_comes_back(
        qtbot: QtBot, qapp: QApplication, boxes: list[Box], data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    store, report = open_data(data_dir)
    controller = Controller(qapp, data_dir, store, report)
    qtbot.addWidget(controller.window)
    backup = create_backup(store, data_dir, datetime(2026, 1, 1, tzinfo=UTC), reason="manual")

    def broken(*_args: object) -> None:
        _fail_deep()

    monkeypatch.setattr(app.db.restore, "restore_backup", broken)
    try:
        controller.restore(backup)
        qtbot.addWidget(controller.window)
        assert controller.window.isVisible() and controller.store is not None
        assert "Nothing was restored" in controller.window.statusBar().currentMessage()
        [box] = boxes
        assert "in _fail_deep" in box.details and "nothing was restored" in box.text
        assert "in _fail_deep" in (tmp_path / "errors.log").read_text(encoding="utf-8")
    finally:
        controller.window.close()
        if controller.store is not None:
            controller.store.close()
