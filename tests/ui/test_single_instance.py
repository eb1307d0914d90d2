"""A second launch on the same data folder hands over to the running one (real local sockets)."""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalSocket
from pytestqt.qtbot import QtBot

from app.ui.single_instance import (
    ACTIVATION_TOKEN,
    SingleInstance,
    SingleInstanceError,
    server_name,
    try_hand_over,
)

pytestmark = pytest.mark.gui
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files")


@pytest.fixture
def instances(qapp: object) -> Iterator[list[SingleInstance]]:
    """Instances made by a test; each is closed afterwards so no socket file is left behind."""
    made: list[SingleInstance] = []
    yield made
    for instance in made:
        instance.close()


def _listening(instances: list[SingleInstance], data_dir: Path) -> SingleInstance:
    instance = SingleInstance(data_dir)
    instances.append(instance)
    instance.listen()
    return instance


def _socket_path(data_dir: Path) -> Path:
    # QLocalServer puts a relative name in the temporary folder.
    return Path(QDir.tempPath()) / server_name(data_dir)


def test_a_second_launch_hands_over_and_the_first_is_activated(
        qtbot: QtBot, instances: list[SingleInstance], tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _listening(instances, data)
    assert first.listening
    with qtbot.waitSignal(first.activated, timeout=3000) as knocked:
        assert try_hand_over(data, argv=["--data-dir", str(data)])
    assert knocked.args == [["--data-dir", str(data)]]
    # Knocking again works too: each launch gets its own answer.
    with qtbot.waitSignal(first.activated, timeout=3000):
        assert try_hand_over(data)


def test_a_second_instance_on_the_same_folder_cannot_listen(
        instances: list[SingleInstance], tmp_path: Path) -> None:
    data = tmp_path / "data"
    _listening(instances, data)
    second = SingleInstance(data)
    instances.append(second)
    with pytest.raises(SingleInstanceError, match="Another MLSD Study is running on"):
        second.listen()
    assert not second.listening


def test_the_folder_is_named_by_its_resolved_path(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "link").symlink_to(data)
    same = {server_name(data), server_name(tmp_path / "x" / ".." / "data"),
            server_name(tmp_path / "link")}
    assert len(same) == 1
    assert server_name(tmp_path / "other") != server_name(data)
    if hasattr(os, "getuid"):  # another user's launch never meets ours
        assert server_name(data).split("-")[2] == str(os.getuid())


def test_different_folders_run_side_by_side(
        qtbot: QtBot, instances: list[SingleInstance], tmp_path: Path) -> None:
    first = _listening(instances, tmp_path / "one")
    second = _listening(instances, tmp_path / "two")
    with qtbot.assertNotEmitted(first.activated, wait=100), \
            qtbot.waitSignal(second.activated, timeout=3000):
        assert try_hand_over(tmp_path / "two")


def test_nobody_running_means_no_hand_over_and_no_wait(qapp: object, tmp_path: Path) -> None:
    started = time.monotonic()
    assert not try_hand_over(tmp_path / "data", timeout_ms=10_000)
    # A refused connection ends the attempt at once instead of waiting for the timeout.
    assert time.monotonic() - started < 5


@posix_only
def test_a_crashed_instances_socket_is_recovered(
        qtbot: QtBot, instances: list[SingleInstance], tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = _socket_path(data)
    # A socket file nobody listens on, as a killed instance leaves it.
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()
    try:
        assert path.exists()
        assert not try_hand_over(data, timeout_ms=1000)
        instance = _listening(instances, data)
        with qtbot.waitSignal(instance.activated, timeout=3000):
            assert try_hand_over(data)
    finally:
        for instance in instances:
            instance.close()
    assert not path.exists()  # closing removes the socket file


@posix_only
def test_a_hung_instance_is_not_replaced(qapp: object, instances: list[SingleInstance],
                                         tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = _socket_path(data)
    # Connections are accepted by the kernel but nobody ever answers: a hung process.
    hung = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    hung.bind(str(path))
    hung.listen(8)
    try:
        assert not try_hand_over(data, timeout_ms=200)
        instance = SingleInstance(data)
        instances.append(instance)
        with pytest.raises(SingleInstanceError, match="does not answer"):
            instance.listen()
        assert path.exists()  # its socket was left alone
    finally:
        hung.close()
        path.unlink()


def test_a_knock_that_is_not_ours_is_refused(
        qtbot: QtBot, instances: list[SingleInstance], tmp_path: Path) -> None:
    data = tmp_path / "data"
    instance = _listening(instances, data)
    stranger = QLocalSocket()
    with qtbot.waitSignal(stranger.connected, timeout=3000):
        stranger.connectToServer(instance.name)
    with qtbot.assertNotEmitted(instance.activated), \
            qtbot.waitSignal(stranger.disconnected, timeout=3000):
        stranger.write(b'{"command": "quit"}\n')
    assert stranger.readAll().data() == b""
    # The instance still answers real launches.
    with qtbot.waitSignal(instance.activated, timeout=3000):
        assert try_hand_over(data)


def test_the_launchers_activation_token_is_passed_on(
        qtbot: QtBot, instances: list[SingleInstance], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    instance = _listening(instances, data)
    monkeypatch.setenv(ACTIVATION_TOKEN, "token-of-the-new-launch")
    with qtbot.waitSignal(instance.activated, timeout=3000):
        assert try_hand_over(data, activation_token="token-sent-over")
    # The running instance activates its window with the token the launcher issued.
    assert os.environ[ACTIVATION_TOKEN] == "token-sent-over"
