"""What the interview screens share: the clock's text, the warning colours, score names, and
the pieces that let a screen fit a small window at a large font (a wrapping button row, a
label that elides)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRect, QSize, Qt, SignalInstance
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QLayout,
    QLayoutItem,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QWidget,
)

from app.interview.views import Level

SOFT_COLOUR, FIRM_COLOUR = QColor("#d97706"), QColor("#dc2626")
SCORE_NAMES = {1: "1 weak", 2: "2 shaky", 3: "3 solid", 4: "4 strong"}


def clock_text(seconds: float) -> str:
    """``m:ss`` (or ``-m:ss`` once over time)."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds) + 0.5) if seconds >= 0 else int(abs(seconds))
    return f"{sign}{whole // 60}:{whole % 60:02d}"


def level_colour(level: Level) -> QColor | None:
    """The colour of a step at or over its budget; None while under it."""
    return {Level.SOFT: SOFT_COLOUR, Level.FIRM: FIRM_COLOUR}.get(level)


def push_button(text: str, clicked: SignalInstance, tip: str = "") -> QPushButton:
    """A button that emits ``clicked`` (a screen's own signal, without arguments)."""
    button = QPushButton(text)
    if tip:
        button.setToolTip(tip)
    button.clicked.connect(clicked)
    return button


def button_row(left: Sequence[QWidget], right: Sequence[QWidget]) -> FlowRow:
    """A screen's bottom row: ``left`` at its left edge, ``right`` at its right edge; it
    wraps onto more lines when the window is too narrow for it (a large font)."""
    return FlowRow(left, right)


class FlowRow(QLayout):
    """Widgets on one line while it has the room, else on as many lines as they need.

    ``left`` flow from the left edge; ``right`` keep to the right edge, and once the row
    wraps they start a line of their own. Its minimum width is its widest widget's, so a row
    of buttons never holds a window wider than that.
    """

    def __init__(self, left: Sequence[QWidget], right: Sequence[QWidget] = ()) -> None:
        super().__init__()
        self._items: list[QLayoutItem] = []
        self._first_right = len(left)
        self.setContentsMargins(0, 0, 0, 0)
        for widget in (*left, *right):
            self.addWidget(widget)

    # --- QLayout ---------------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        if not 0 <= index < len(self._items):
            return None
        if index < self._first_right:
            self._first_right -= 1
        return self._items.pop(index)

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        shown = self._shown()
        width = sum(item.sizeHint().width() for item in shown)
        width += self._space() * max(0, len(shown) - 1)
        return self._with_margins(width, self._line_height(shown))

    def minimumSize(self) -> QSize:
        shown = self._shown()
        width = max((item.minimumSize().width() for item in shown), default=0)
        return self._with_margins(width, self._line_height(shown))

    # --- arranging -------------------------------------------------------------------------------

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _space(self) -> int:
        parent = self.parentWidget()
        style = parent.style() if parent is not None else QApplication.style()
        space = style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)
        return space if space >= 0 else 6

    @staticmethod
    def _line_height(items: Sequence[QLayoutItem]) -> int:
        return max((item.sizeHint().height() for item in items), default=0)

    def _with_margins(self, width: int, height: int) -> QSize:
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(),
                     height + margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the widgets in ``rect`` (only measure unless ``move``); the height used."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        space = self._space()
        left = [item for item in self._items[:self._first_right] if not item.isEmpty()]
        right = [item for item in self._items[self._first_right:] if not item.isEmpty()]

        def width_of(item: QLayoutItem) -> int:
            return min(item.sizeHint().width(), max(area.width(), item.minimumSize().width()))

        def span(items: list[QLayoutItem]) -> int:
            return sum(map(width_of, items)) + space * max(0, len(items) - 1)

        left_lines = self._lines(left, area.width(), width_of)
        right_lines = self._lines(right, area.width(), width_of)
        lines: list[tuple[list[QLayoutItem], list[QLayoutItem]]]
        if (left_lines and len(right_lines) == 1
                and span(left_lines[-1]) + space + span(right_lines[0]) <= area.width()):
            # The right-hand widgets fit beside the last line of the left-hand ones.
            lines = ([(line, []) for line in left_lines[:-1]]
                     + [(left_lines[-1], right_lines[0])])
        else:  # they start a line of their own
            lines = ([(line, []) for line in left_lines]
                     + [([], line) for line in right_lines])
        y = area.y()
        for at_left, at_right in lines:
            height = self._line_height(at_left + at_right)
            if move:
                x = area.x()
                for item in at_left:
                    item.setGeometry(QRect(x, y, width_of(item), height))
                    x += width_of(item) + space
                x = area.right() + 1
                for item in reversed(at_right):
                    x -= width_of(item)
                    item.setGeometry(QRect(x, y, width_of(item), height))
                    x -= space
            y += height + space
        used = y - area.y() - (space if lines else 0)
        return used + margins.top() + margins.bottom()

    def _lines(self, items: list[QLayoutItem], width: int,
               width_of: Callable[[QLayoutItem], int]) -> list[list[QLayoutItem]]:
        """``items`` split into lines of at most ``width`` (a wider item alone on its line)."""
        lines: list[list[QLayoutItem]] = []
        used = 0
        for item in items:
            needed = width_of(item) + (self._space() if lines and lines[-1] else 0)
            if not lines or (lines[-1] and used + needed > width):
                lines.append([])
                used = 0
                needed = width_of(item)
            lines[-1].append(item)
            used += needed
        return lines


class ElidedLabel(QLabel):
    """One line of plain text that elides in the middle when short of room, its whole text
    in the tooltip: a long step title ("6. Model Development and Offline Evaluation") at a
    large font does not hold the window wide."""

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 least_chars: int = 10) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.least_chars = least_chars
        self.setText(text)

    def setText(self, text: str) -> None:  # type: ignore[override]
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        least = self.fontMetrics().averageCharWidth() * self.least_chars
        margins = self.contentsMargins()
        return QSize(min(hint.width(), least + margins.left() + margins.right()),
                     hint.height())

    def shown_text(self) -> str:
        """The text as drawn at the label's width."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle,
                                             self.contentsRect().width())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())


def least_height(frame: QWidget, stack: QStackedWidget, width: int) -> int:
    """The least height ``frame``, holding only ``stack``, needs at ``width`` for the page
    shown in it. Qt gives the tallest page's preferred height, hidden pages included, so a
    scroll area around it would scroll at a large font even where the page shown fits."""
    outer, page = frame.layout(), stack.currentWidget()
    if outer is None or page is None:
        return -1
    margins = frame.contentsMargins() + outer.contentsMargins()
    least = page.minimumSizeHint().height()
    layout = page.layout()
    if layout is not None and layout.hasHeightForWidth():
        inner = width - margins.left() - margins.right()
        least = max(least, layout.totalMinimumHeightForWidth(inner))
    return least + margins.top() + margins.bottom()


def read_only_table(headers: Sequence[str]) -> QTableWidget:
    """A table of ``headers`` columns without row numbers that cannot be edited."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return table


def ask_keep_or_discard(parent: QWidget) -> str:
    """'keep', 'discard' or 'cancel' for closing during a running interview."""
    box = QMessageBox(QMessageBox.Icon.Question, "Interview in progress",
                      "An interview is running. Keep it to resume later, or discard it?",
                      parent=parent)
    keep = box.addButton("Keep for later", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return "keep" if clicked is keep else "discard" if clicked is discard else "cancel"


def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask before doing ``action`` (the button's text); Cancel is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
    box.exec()
    return box.clickedButton() is yes
