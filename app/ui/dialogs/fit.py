"""Dialogs sized by their text: wide enough for their lines, tall enough for wrapped ones.

A window's minimum size comes from its layout, which does not count a word-wrapped label's
height at the window's width, and an explicit minimum width stops the layout from widening the
window for a larger font: so a dialog's size is set from its content, here, once it has it.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

ZERO_WIDTH_SPACE = "\u200b"


def breakable(path: Path | str) -> str:
    """``path`` as text that may wrap after each folder separator (a long path in a
    word-wrapped label is one word, and would be cut off at the edge)."""
    text = str(path)
    for separator in {os.sep, "/"}:
        text = text.replace(separator, separator + ZERO_WIDTH_SPACE)
    return text


def _room(window: QWidget) -> QSize:
    screen = window.screen()
    return screen.availableGeometry().size() if screen is not None else QSize(10**5, 10**5)


def fit_width(window: QWidget, least: int) -> None:
    """Make ``window`` as wide as its content asks (at least ``least``, at most the screen),
    and tall enough for its wrapped text at that width."""
    width = min(max(least, window.sizeHint().width()), _room(window).width())
    window.resize(width, window.height())
    fit_height(window)


def fit_height(window: QWidget) -> None:
    """Grow ``window`` (never shrink it) to the height its content needs at its width, the
    wrapped labels' lines included; at most the screen's height."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    width = window.width()
    if layout.hasHeightForWidth():
        needed = layout.totalHeightForWidth(width)
    else:
        needed = layout.totalSizeHint().height()
    needed = min(max(needed, layout.totalMinimumSize().height()), _room(window).height())
    if needed > window.height():
        window.resize(width, needed)
