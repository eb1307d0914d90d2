"""The window's page area: the stack of pages, the status line each page owns, Esc to leave.

A page is any widget added to the window's ``pages`` stack. What the shell asks of it, all
optional, so a new page (an overview, a browser) works without any wiring:

- ``status_text() -> str``: the status line while it is shown; otherwise the keys the
  actions table lists for the page's group (``_show_page(page, where)``), or just Esc and F1.
- ``has_running_interview() -> bool``: while True, a stray Esc does not leave the page (a
  mock interview's clock is running; its own screens bind Esc where leaving is safe).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QStackedWidget, QWidget

from app.decks.tree import TreeNode
from app.plural import counted
from app.ui.actions import OUTLINE, PAGE_BACK, PAGE_KEYS, PageKey, shortcut_rows

__all__ = ["PageStack", "StatusLine", "framed", "keys_status", "leaves_on_escape",
           "outline_status", "page_status"]


class PageStack(QStackedWidget):
    """A stack whose size hints are the shown page's: a large page built earlier and hidden
    behind (an interview's set-up) must not keep the window from being made smaller."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    def hasHeightForWidth(self) -> bool:
        page = self.currentWidget()
        return page is not None and page.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:
        """The shown page's (Qt's stack gives the tallest page's, hidden ones too)."""
        page = self.currentWidget()
        return page.heightForWidth(width) if page is not None else super().heightForWidth(width)


def framed(stack: PageStack) -> QScrollArea:
    """The stack in a frameless scroll area: a page that needs more room than the window has
    (at a large font on a small screen) scrolls instead of holding the window large."""
    area = QScrollArea()
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidgetResizable(True)
    area.setWidget(stack)
    return area


class StatusLine(QLabel):
    """The page's own line in the status bar: elided to the room there is (the whole text in
    its tooltip), so a long line never widens the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setMinimumWidth(1)

    def set_status(self, text: str) -> None:
        self.setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:
        return QSize(1, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(1, super().sizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                              rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         shown)


def _help_key() -> str:
    """How the shortcut help is opened, as the menus show it ("F1")."""
    rows = shortcut_rows(page_keys=())
    return next((keys for _, keys, what in rows if what == "Keyboard shortcuts"), "")


def keys_status(keys: Iterable[PageKey]) -> str:
    """A status line from the keys table: "Space: Study the selected branch · …"."""
    parts = [f"{key.text()}: {key.what}" for key in keys]
    help_key = _help_key()
    if help_key:
        parts.append(f"{help_key}: every key")
    return " · ".join(parts)


def outline_status(roots: list[TreeNode]) -> str:
    """The outline's line: how much there is, then its keys."""
    count = sum(len(root.walk()) - 1 for root in roots)
    keys = [key for key in PAGE_KEYS if key.where == OUTLINE]
    return f"{counted(count, 'topic')} in {counted(len(roots), 'deck')}. " + keys_status(keys)


def page_status(page: QWidget, where: str = "") -> str:
    """The status line of ``page``: its own, or the keys listed for ``where``, else Esc's."""
    own = getattr(page, "status_text", None)
    if callable(own):
        return str(own())
    keys = [key for key in PAGE_KEYS if key.where == where] if where else []
    return keys_status(keys or [PAGE_BACK])


def leaves_on_escape(page: QWidget | None) -> bool:
    """Whether an Esc no widget of ``page`` used takes the window back to the outline."""
    running = getattr(page, "has_running_interview", None)
    return not (callable(running) and running())
