"""Guards against Qt binding releases whose bugs would crash the app in normal use."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal

pytestmark = pytest.mark.gui


class _Emitter(QObject):
    ping = Signal()


def test_emitting_signals_from_python_keeps_bool_refcounts(qapp: object) -> None:
    # PySide6 6.12.0 on CPython 3.11 dropped a reference to True on every emit(); after a few
    # hundred emits the interpreter aborts ("bool_dealloc"). pyproject.toml excludes it.
    emitter = _Emitter()
    received: list[int] = []
    emitter.ping.connect(lambda: received.append(1))
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.ping.emit()
    assert len(received) == 200
    assert sys.getrefcount(True) >= before - 5
