"""The browser's table: the ids a search found, their rows read a page at a time when shown."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from app.db import browse
from app.db.search import CardRow, SortKey, find_cards
from app.db.store import Store
from app.errors import AppError
from app.model import CardId
from app.scheduling.scheduler import Queue, StudyDay, format_interval

__all__ = ["COLUMNS", "FLAG_COLOURS", "CardTableModel", "row_colour"]

#: (header, sort key, tooltip) of each column, in order.
COLUMNS: tuple[tuple[str, SortKey, str], ...] = (
    ("Front", "front", "The card's question"),
    ("Topic", "topic", "The topic the card belongs to"),
    ("Due", "due", "When the card is next due (new cards have no date)"),
    ("Interval", "interval", "Days from the last review to the due date"),
    ("Stability", "stability", "FSRS stability: days until recall falls to 90%"),
    ("Difficulty", "difficulty", "FSRS difficulty, 1 (easy) to 10 (hard)"),
    ("Reviews", "reviews", "Answers given"),
    ("Lapses", "lapses", "Times forgotten after being learnt"),
)
CHUNK = 200  # rows the view is given at a time (canFetchMore / fetchMore)
PAGE = 100   # rows read from the store at a time
MAX_PAGES = 60  # pages kept; beyond that the cache starts again (a long scroll)
# Anki's flag colours (1-7), drawn translucent over the base so rows read on light and dark.
FLAG_COLOURS = ("", "#ef4444", "#f97316", "#22c55e", "#3b82f6", "#ec4899", "#14b8a6", "#a855f7")
SUSPENDED_COLOUR, BURIED_COLOUR = "#eab308", "#8b8b8b"
ROW_ALPHA = 80
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def row_colour(row: CardRow) -> QColor | None:
    """The row's background: its flag's colour, else yellow when suspended, grey when buried
    (Anki's order)."""
    name = (FLAG_COLOURS[row.flag] if 0 < row.flag < len(FLAG_COLOURS)
            else SUSPENDED_COLOUR if row.suspended else BURIED_COLOUR if row.buried else "")
    if not name:
        return None
    colour = QColor(name)
    colour.setAlpha(ROW_ALPHA)
    return colour


class CardTableModel(QAbstractTableModel):
    """Holds the found ids in their SQL order; a row is read from the store when the view
    first asks for it, a page of rows at a time. ``search`` (and ``sort``) run the query again.
    """

    #: Emitted after a search or sort with the number of cards found.
    searched = Signal(int)

    def __init__(self, store: Store, clock: Callable[[], datetime],
                 day_of: Callable[[datetime], StudyDay], local: tzinfo) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.day_of = day_of
        self.local = local
        self.query = ""
        self.order: SortKey | None = "outline"
        self.descending = False
        self.ids: Sequence[CardId] = []
        self.shown = 0  # rows given to the view so far
        self._pages: dict[int, dict[str, CardRow]] = {}
        self._now = clock()

    # --- searching -------------------------------------------------------------------------------

    def search(self, query: str) -> None:
        """Find the cards (raises SearchError, leaving the table as it was)."""
        now = self.clock()
        ids = find_cards(self.store, query, now, self.day_of(now), self.order, self.descending)
        self.query = query
        self._reset(ids, now)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted by SQL: the same search again in the column's order."""
        if column >= len(COLUMNS):
            return
        # No column (the header's indicator cleared): the outline's order, as at first.
        self.order = COLUMNS[column][1] if column >= 0 else "outline"
        self.descending = column >= 0 and order == Qt.SortOrder.DescendingOrder
        now = self.clock()
        try:
            ids = find_cards(self.store, self.query, now, self.day_of(now), self.order,
                             self.descending)
        except AppError:  # it ran before; a deck removed since: keep what is shown
            return
        self._reset(ids, now)

    def _reset(self, ids: Sequence[CardId], now: datetime) -> None:
        self.beginResetModel()
        self.ids = ids
        self.shown = min(CHUNK, len(ids))
        self._pages.clear()
        self._now = now
        self.endResetModel()
        self.searched.emit(len(ids))

    def refresh(self, card_ids: Iterable[str] = ()) -> None:
        """Read the rows again (after an action changed them); the found set stays."""
        del card_ids  # every page is dropped: cheaper than finding which hold them
        self._pages.clear()
        self._now = self.clock()
        if self.shown:
            self.dataChanged.emit(self.index(0, 0), self.index(self.shown - 1, len(COLUMNS) - 1))

    def card_id(self, row: int) -> CardId:
        return self.ids[row]

    def card_row(self, row: int) -> CardRow | None:
        """The card at ``row``, read with its page if not yet read; None if it is gone."""
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            if len(self._pages) >= MAX_PAGES:
                self._pages.clear()
            found = browse.card_rows(self.store, self.ids[page * PAGE:(page + 1) * PAGE],
                                     self._now)
            rows = self._pages[page] = {r.id: r for r in found}
        return rows.get(self.ids[row])

    # --- Qt's model ------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.shown

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and self.shown < len(self.ids)

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if parent.isValid():
            return
        more = min(CHUNK, len(self.ids) - self.shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self.shown, self.shown + more - 1)
        self.shown += more
        self.endInsertRows()

    def fetch_all_to(self, row: int) -> None:
        """Give the view every row up to ``row`` (to select or scroll to it)."""
        while self.shown <= row and self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][2]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.shown:
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self.ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.TextAlignmentRole):
            return None
        card = self.card_row(index.row())
        if card is None:
            return "(deleted)" if role == Qt.ItemDataRole.DisplayRole and index.column() == 0 \
                else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return row_colour(card)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if index.column() >= 3 else None
        text = self.cell(card, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(card) if index.column() == 0 else text
        return text

    def cell(self, card: CardRow, column: int) -> str:
        """The text of one cell, as shown."""
        key = COLUMNS[column][1]
        if key == "front":
            return " ".join(card.front.split())  # one line in the table
        if key == "topic":
            return card.topic
        if key == "due":
            return self.due_text(card)
        if key == "interval":
            return format_interval(timedelta(days=card.interval)) if card.interval else ""
        if key == "stability":
            return "" if card.stability is None else f"{card.stability:.1f}d"
        if key == "difficulty":
            return "" if card.difficulty is None else f"{card.difficulty:.1f}"
        return str(card.reviews if key == "reviews" else card.lapses)

    def due_text(self, card: CardRow) -> str:
        """"New", else the local date, in parentheses while the card is suspended or buried,
        as Anki shows it (card info has a learning step's time)."""
        if card.queue == Queue.NEW or card.due is None:
            text = "New"
        else:
            text = card.due.astimezone(self.local).strftime("%Y-%m-%d")
        return f"({text})" if card.suspended or card.buried else text


def _tooltip(card: CardRow) -> str:
    states = [name for name, on in (("suspended", card.suspended), ("buried", card.buried))
              if on]
    flag = f"{browse.FLAG_NAMES[card.flag]} flag" if card.flag else ""
    extra = ", ".join([*states, flag] if flag else states)
    return card.front + (f"\n({extra})" if extra else "")
