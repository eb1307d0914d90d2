"""One window per data folder: a second launch hands over to the running one over a local socket."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.errors import AppError

ALREADY_RUNNING = "MLSD Study is already running; its window was brought to the front."
ACTIVATION_TOKEN = "XDG_ACTIVATION_TOKEN"
_REPLY = b"ok\n"
_MAX_MESSAGE = 64 * 1024  # a knock is a few hundred bytes; anything bigger is not ours
_MAX_TOKEN = 1024  # Wayland activation tokens are short printable strings
_KNOCK_TIMEOUT_MS = 5000  # a client that connects and says nothing is dropped after this
_PROBE_TIMEOUT_MS = 500


class SingleInstanceError(AppError):
    """Another process owns this data folder's socket but does not answer."""


def server_name(data_dir: Path) -> str:
    """The socket name for one data folder and user.

    Two different ``--data-dir`` folders get different names, so they run side by side; two
    launches on one folder meet. The user is part of the name because the socket lives in a
    shared temporary folder (and Windows pipe names are global).
    """
    folder = str(data_dir.expanduser().resolve())
    user = str(os.getuid()) if hasattr(os, "getuid") else _user_digest()
    digest = hashlib.sha256(folder.encode("utf-8")).hexdigest()[:16]
    return f"mlsd-study-{user}-{digest}"


def _user_digest() -> str:
    return hashlib.sha256(getpass.getuser().encode("utf-8")).hexdigest()[:8]


def try_hand_over(data_dir: Path, timeout_ms: int = 2000, argv: Sequence[str] = (),
                  activation_token: str | None = None) -> bool:
    """Ask the instance running on ``data_dir`` to come to the front.

    True when it answered (the caller then exits 0 with ``ALREADY_RUNNING`` on stderr); False
    when nobody listens, or nobody answers within ``timeout_ms``. Needs a QCoreApplication.
    The wait runs a local event loop instead of blocking, so the caller's own Qt objects keep
    working (the tests run both ends in one process). ``activation_token`` defaults to the
    Wayland token the launcher gave this process, which lets the running one take the focus.
    """
    token = os.environ.get(ACTIVATION_TOKEN) if activation_token is None else activation_token
    message = {"command": "activate", "argv": list(argv)}
    if token:
        message["activation_token"] = token
    payload = json.dumps(message).encode("utf-8") + b"\n"

    socket = QLocalSocket()
    loop = QEventLoop()
    reply = bytearray()
    finished = False

    def finish() -> None:
        nonlocal finished
        finished = True
        loop.quit()

    def read() -> None:
        reply.extend(socket.readAll().data())
        if b"\n" in reply or len(reply) > len(_REPLY):
            finish()

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(finish)
    socket.connected.connect(lambda: socket.write(payload))
    socket.readyRead.connect(read)
    socket.errorOccurred.connect(finish)  # refused, no such server, or closed early
    socket.connectToServer(server_name(data_dir))
    timer.start(timeout_ms)
    if not finished:  # a missing server fails inside connectToServer, before the loop runs
        loop.exec()
    timer.stop()
    if socket.isOpen():
        reply.extend(socket.readAll().data())
    for signal in (socket.connected, socket.readyRead, socket.errorOccurred):
        signal.disconnect()
    socket.abort()
    return bytes(reply) == _REPLY


def _answers(name: str) -> bool:
    """Whether a process accepts connections on ``name`` (a crashed one leaves a dead socket)."""
    probe = QLocalSocket()
    probe.connectToServer(name)
    # The kernel completes a local connection without the server's event loop, so blocking
    # here is safe even when that server lives in this very thread.
    alive = probe.waitForConnected(_PROBE_TIMEOUT_MS)
    probe.abort()
    return alive


class SingleInstance(QObject):
    """The running instance's end: listens on the data folder's socket for later launches.

    ``activated`` carries the later launch's arguments; connect it to bring the main window to
    the front. This keeps windows single; ``app.instance_lock`` is what keeps writers single
    (a hung process, the CLI, or Windows, where two pipe servers can share a name).
    """

    activated = Signal(list)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.name = server_name(data_dir)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def listen(self) -> None:
        """Start answering later launches; recovers the socket a crashed instance left.

        Call it after ``try_hand_over`` found nobody and after taking the data folder's
        ``InstanceLock``: the lock is what makes the check below free of races.
        """
        # Check first: with UserAccessOption, Qt binds elsewhere and renames the socket into
        # place, which would silently take over a live instance's name instead of failing.
        if _answers(self.name):
            raise SingleInstanceError(
                f"Another MLSD Study is running on {self.data_dir} but does not answer. Wait "
                "for it or end it, then start again; or choose another folder with --data-dir.")
        # Nobody behind the name: any socket file is one a crashed instance left.
        QLocalServer.removeServer(self.name)
        if not self._server.listen(self.name):
            raise SingleInstanceError(
                f"Cannot listen for other launches on {self._server.fullServerName()}: "
                f"{self._server.errorString()}. Check that the temporary folder is writable.")

    def close(self) -> None:
        """Stop listening (also removes the socket file)."""
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if socket is not None:
                self._serve(socket)

    def _serve(self, socket: QLocalSocket) -> None:
        received = bytearray()

        def read() -> None:
            received.extend(socket.readAll().data())
            if len(received) > _MAX_MESSAGE:
                socket.abort()
            elif b"\n" in received:
                socket.readyRead.disconnect(read)
                self._answer(socket, bytes(received.split(b"\n", 1)[0]))

        socket.disconnected.connect(socket.deleteLater)
        socket.readyRead.connect(read)
        QTimer.singleShot(_KNOCK_TIMEOUT_MS, socket, socket.abort)
        read()  # the knock may have arrived before the connection was accepted

    def _answer(self, socket: QLocalSocket, line: bytes) -> None:
        try:
            message = json.loads(line)
        except (UnicodeDecodeError, ValueError):
            message = None
        if not isinstance(message, dict) or message.get("command") != "activate":
            socket.abort()
            return
        argv = message.get("argv")
        token = message.get("activation_token")
        socket.write(_REPLY)
        socket.flush()
        socket.disconnectFromServer()
        if isinstance(token, str) and 0 < len(token) <= _MAX_TOKEN and token.isprintable():
            # Qt's Wayland backend activates a window with this token, consumed on use; the
            # launcher issued it to the new process, which is handing its turn to us.
            os.environ[ACTIVATION_TOKEN] = token
        self.activated.emit([str(arg) for arg in argv] if isinstance(argv, list) else [])
