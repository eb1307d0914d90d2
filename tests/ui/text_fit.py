"""One check shared by the layout tests: does a label's or a button's text fit its room."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget


def text_cut(widget: QWidget) -> str | None:
    """Why the text of a label or button is cut (what it needs against what it has), or None
    when it fits or the widget shows no text. A wrapped label needs its height for its width."""
    if isinstance(widget, QLabel) and widget.text():
        needs = (QSize(widget.minimumSizeHint().width(), widget.heightForWidth(widget.width()))
                 if widget.wordWrap() else widget.sizeHint())
    elif isinstance(widget, QAbstractButton) and widget.text():
        needs = widget.sizeHint()
    else:
        return None
    if needs.width() > widget.width() + 1 or needs.height() > widget.height() + 1:
        return (f"{type(widget).__name__} {widget.text()[:40]!r}: needs {needs.toTuple()}, "
                f"has {widget.size().toTuple()}")
    return None
