"""The card browser page (Ctrl+B): a search box, the found cards, a preview, actions as in Anki."""

from __future__ import annotations

import html
import random
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QSplitter,
    QStatusBar,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.db import browse
from app.db.search import CardRow
from app.db.settings import load_study_settings
from app.db.store import Store
from app.decks.render import render_markdown
from app.errors import AppError
from app.model import CardId
from app.plural import counted
from app.scheduling.scheduler import StudyDay, study_day
from app.ui.actions import (
    BROWSER_BACK,
    BROWSER_BURY,
    BROWSER_DUE,
    BROWSER_FLAG,
    BROWSER_FORGET,
    BROWSER_INFO,
    BROWSER_SEARCH,
    BROWSER_STUDY,
    BROWSER_SUSPEND,
    BROWSER_TOPIC,
    PageKey,
)
from app.ui.browser.model import COLUMNS, CardTableModel
from app.ui.browser.questions import ask_due, ask_forget
from app.ui.card_info import facts, show_card_info
from app.ui.errors import show_error
from app.ui.safe_text import SafeTextBrowser

if TYPE_CHECKING:
    from app.ui.review_page import ReviewPage

__all__ = ["SEARCH_HELP", "BrowserHost", "BrowserPage"]

#: The search syntax, as the "?" button shows it (app/decks/query.py has the full list).
SEARCH_HELP: tuple[tuple[str, str], ...] = (
    ("recall", "a word starting with “recall” in the front, back, topic title or explanation"),
    ("\"a phrase\"", "these words in this order"),
    ("is:due  is:new  is:learn  is:review", "by state (due: due today)"),
    ("is:suspended  is:buried", "suspended or buried cards"),
    ("flag:1 … flag:4  flag:0", "red, orange, green, blue flag; no flag"),
    ("step:N", "under step N (1-9) of the flow"),
    ("deck:ID  topic:ID", "a deck; a topic and everything below it"),
    ("prop:ivl>10", "interval in days; also lapses, reps, s (stability), d (difficulty 1-10); "
                    "< > = != <= >="),
    ("rated:N  rated:N:G", "answered in the last N days (with grade G: 1 Again … 4 Easy)"),
    ("-term   a b   a or b   ( )", "not; both; either; grouping"),
)


def search_help_html() -> str:
    rows = "".join(f"<tr><td><code>{html.escape(term)}</code>&nbsp;&nbsp;</td>"
                   f"<td>{html.escape(what)}</td></tr>" for term, what in SEARCH_HELP)
    return f"<p><b>Search</b> (Enter runs it; empty finds every card):</p><table>{rows}</table>"


class BrowserHost(Protocol):
    """What the browser asks of the window around it."""

    def close_review(self) -> None: ...
    def open_key(self, key: str) -> bool: ...
    def study_cards(self, card_ids: Sequence[str], title: str) -> None: ...
    def show_browser(self, query: str | None = None) -> None: ...
    @property
    def review(self) -> ReviewPage: ...
    def statusBar(self) -> QStatusBar: ...


#: The columns that give way to the front when the list is narrow, first to last (Difficulty,
#: Stability, Interval, Lapses, Reviews); the preview shows them all for the current card.
GIVE_WAY = (5, 4, 3, 7, 6)


class _CardTable(QTableView):
    """The list; its columns are fitted again when its width or font changes."""

    def __init__(self, fit: Callable[[], None]) -> None:
        super().__init__()
        self._fit = fit

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()


class BrowserPage(QWidget):
    """Search, the list of found cards (read lazily), the selected card, and actions on the
    selection from the Cards menu, the context menu and Anki's keys."""

    def __init__(self, store: Store, clock: Callable[[], datetime], local: tzinfo,
                 host: BrowserHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.clock, self.local, self.host = store, clock, local, host
        self.rng = random.Random()
        # Asked before forgetting and for a due date; tests may answer for the person.
        self.ask_forget: Callable[[QWidget, int], tuple[bool, bool]] = ask_forget
        self.ask_due: Callable[[QWidget, int], str | None] = ask_due
        self.model = CardTableModel(store, clock, self.day_of, local)
        self.model.searched.connect(self._found)

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_search_bar())
        self.problem = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.problem.setAccessibleName("Search problem")
        self.problem.setStyleSheet("color: #b91c1c")
        self.problem.hide()
        layout.addWidget(self.problem)
        # The preview under the list, not beside it: the list keeps the window's width for its
        # columns, down to 800 pixels.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self._build_table())
        self.preview = SafeTextBrowser()
        self.preview.setAccessibleName("Card preview")
        self.preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)
        self._build_actions()

    # --- construction ----------------------------------------------------------------------------

    def _build_search_bar(self) -> QHBoxLayout:
        self.search_box = QLineEdit()
        self.search_box.setAccessibleName("Search")
        self.search_box.setPlaceholderText('Search: words, "a phrase", is:due, flag:1, '
                                           "prop:ivl>10 … then Enter")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(lambda: self.search(self.search_box.text()))
        self.help_button = QToolButton()
        self.help_button.setText("?")
        self.help_button.setCheckable(True)
        self.help_button.setAccessibleName("Search help")
        self.help_button.setToolTip(search_help_html())
        # The help takes the preview's place: the list keeps its room at any font size.
        self.help_button.toggled.connect(lambda _on: self.show_current())
        self.cards_button = QToolButton()
        self.cards_button.setText("Cards")
        self.cards_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.count = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.search_box, 1)
        bar.addWidget(self.help_button)
        bar.addWidget(self.count)
        bar.addWidget(self.cards_button)
        return bar

    def _build_table(self) -> QTableView:
        self.table = _CardTable(self._fit_columns)
        self.table.setAccessibleName("Cards found")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the outline's order
        header.setSortIndicatorShown(True)
        header.setMinimumSectionSize(24)
        self.table.setSortingEnabled(True)
        self._fit_columns()
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self.show_current())
        return self.table

    def _fit_columns(self) -> None:
        """The number columns as wide as their header (and sort arrow), the topic as wide as
        a short step title; the front takes the rest. Where they would leave the front less
        than two fifths of the list (a small window, a large font), the columns the preview
        also shows give way, least used first: squeezed, they would read as "…"."""
        header = self.table.horizontalHeader()
        metrics = header.fontMetrics()
        wanted = {column: metrics.horizontalAdvance("(2026-12-31)" if title == "Due" else title)
                  + 24 for column, (title, _, _) in enumerate(COLUMNS) if column >= 2}
        wanted[1] = metrics.horizontalAdvance("Step 3 Architectural Comp")
        room = self.table.viewport().width() * 3 // 5
        hidden: set[int] = set()
        for column in GIVE_WAY:
            if sum(w for c, w in wanted.items() if c not in hidden) <= room:
                break
            hidden.add(column)
        for column, width in wanted.items():
            header.setSectionHidden(column, column in hidden)
            header.resizeSection(column, width)

    def _action(self, text: str, key: PageKey, slot: Callable[[], object], position: int = 0
                ) -> QAction:
        action = QAction(text, self)
        action.setShortcuts(key.sequences(position))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda *_: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.suspend_action = self._action("Toggle &suspend", BROWSER_SUSPEND,
                                           self.toggle_suspended)
        self.bury_action = self._action("Toggle &bury", BROWSER_BURY, self.toggle_buried)
        self.forget_action = self._action("&Forget…", BROWSER_FORGET, self.forget)
        self.due_action = self._action("Set &due date…", BROWSER_DUE, self.set_due_date)
        self.flag_actions = [
            self._action(f"&{name}", BROWSER_FLAG, self._flagger(flag), flag - 1)
            for flag, name in enumerate(browse.FLAG_NAMES[1:5], start=1)]
        self.info_action = self._action("Card &info", BROWSER_INFO, self.card_info)
        self.topic_action = self._action("&Go to topic", BROWSER_TOPIC, self.go_to_topic)
        self.study_action = self._action("S&tudy these cards", BROWSER_STUDY, self.study)
        self._action("Search", BROWSER_SEARCH, self.focus_search)
        self.cards_button.setMenu(self.cards_menu(self))

    def _flagger(self, flag: int) -> Callable[[], None]:
        return lambda: self.toggle_flag(flag)

    def cards_menu(self, parent: QWidget) -> QMenu:
        """The actions on the selection, for the Cards button and the context menu."""
        menu = QMenu("Cards", parent)
        menu.addActions([self.suspend_action, self.bury_action, self.forget_action,
                         self.due_action])
        flags = menu.addMenu("F&lag")
        flags.addActions(self.flag_actions)
        menu.addSeparator()
        menu.addActions([self.info_action, self.topic_action, self.study_action])
        return menu

    def _context_menu(self, position: QPoint) -> None:
        self.cards_menu(self).exec(self.table.viewport().mapToGlobal(position))

    # --- searching -------------------------------------------------------------------------------

    def day_of(self, now: datetime) -> StudyDay:
        return study_day(now, self.local, load_study_settings(self.store).rollover_hour)

    def search(self, query: str) -> bool:
        """Run the search; a mistake is shown under the box and the list stays as it was."""
        if self.search_box.text() != query:
            self.search_box.setText(query)
        try:
            self.model.search(query)
        except AppError as error:
            self.problem.setText(error.message)
            self.problem.show()
            return False
        self.problem.hide()
        if self.model.rowCount():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        else:
            self.show_current()
        return True

    def _found(self, count: int) -> None:
        self.count.setText(f"{count:,} card{'' if count == 1 else 's'}")

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def status_text(self) -> str:
        """The page's line in the window's status bar."""
        shown = (BROWSER_SUSPEND, BROWSER_FLAG, BROWSER_INFO, BROWSER_BACK)
        return " · ".join(f"{key.text()}: {key.what}" for key in shown) + " · F1: every key"

    # --- the selection ---------------------------------------------------------------------------

    def current_id(self) -> CardId | None:
        index = self.table.currentIndex()
        return self.model.card_id(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[CardId]:
        """The selected cards in the table's order; the current one if none is selected."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if rows:
            return [self.model.card_id(row) for row in rows]
        current = self.current_id()
        return [] if current is None else [current]

    def show_current(self) -> None:
        """The current card in the preview: its front and back and what card info lists."""
        if self.help_button.isChecked():
            self.preview.setHtml(search_help_html())
            return
        card_id = self.current_id()
        details = None if card_id is None else browse.card_details(self.store, card_id)
        if details is None:
            self.preview.setHtml("<p>No card selected.</p>" if self.model.ids else
                                 "<p>No cards found.</p>")
            return
        now = self.clock()
        decay = browse.decay_of(load_study_settings(self.store))
        rows = "".join(f"<tr><td>{html.escape(label)}&nbsp;&nbsp;</td>"
                       f"<td>{html.escape(value)}</td></tr>"
                       for label, value in facts(details, now, self.local, decay)[:13])
        self.preview.setHtml(
            f'<table width="100%"><tr><td width="62%">{render_markdown(details.front)}<hr>'
            f'{render_markdown(details.back)}</td><td width="4%"></td>'
            f"<td><table>{rows}</table></td></tr></table>")

    def _changed(self, message: str) -> None:
        self.model.refresh()
        self.show_current()
        self.host.statusBar().showMessage(message, 6000)

    def _act(self, what: Callable[[list[CardId]], str]) -> None:
        ids = self.selected_ids()
        if not ids:
            self.host.statusBar().showMessage("Select a card first.", 6000)
            return
        try:
            message = what(ids)
        except AppError as error:
            show_error(self, error)
            return
        if message:
            self._changed(message)

    def _current_row(self) -> CardRow | None:
        index = self.table.currentIndex()
        return self.model.card_row(index.row()) if index.isValid() else None

    def toggle_suspended(self) -> None:
        """Suspend the selection, or unsuspend it when the current card is suspended (Anki)."""
        current = self._current_row()
        suspend = not (current is not None and current.suspended)

        def act(ids: list[CardId]) -> str:
            browse.set_suspended(self.store, ids, suspend)
            return f"{'Suspended' if suspend else 'Unsuspended'} {counted(len(ids), 'card')}."
        self._act(act)

    def toggle_buried(self) -> None:
        current = self._current_row()
        bury = not (current is not None and current.buried)

        def act(ids: list[CardId]) -> str:
            if bury:
                browse.bury(self.store, ids, self.day_of(self.clock()).end)
                return f"Buried {counted(len(ids), 'card')} until tomorrow."
            browse.unbury(self.store, ids)
            return f"Unburied {counted(len(ids), 'card')}."
        self._act(act)

    def toggle_flag(self, flag: int) -> None:
        """Flag the selection; the current card's own flag again removes it (as in Anki)."""
        current = self._current_row()
        chosen = 0 if current is not None and current.flag == flag else flag

        def act(ids: list[CardId]) -> str:
            browse.set_flag(self.store, ids, chosen)
            what = f"{browse.FLAG_NAMES[chosen].lower()} flag" if chosen else "no flag"
            return f"{counted(len(ids), 'card')} now {'has' if len(ids) == 1 else 'have'} {what}."
        self._act(act)

    def forget(self) -> None:
        def act(ids: list[CardId]) -> str:
            go, reset_counts = self.ask_forget(self, len(ids))
            if not go:
                return ""
            browse.forget(self.store, ids, reset_counts)
            return (f"Forgot {counted(len(ids), 'card')}: "
                    f"{'it is' if len(ids) == 1 else 'they are'} new again.")
        self._act(act)

    def set_due_date(self) -> None:
        def act(ids: list[CardId]) -> str:
            text = self.ask_due(self, len(ids))
            if text is None:
                return ""
            days = browse.parse_due_days(text)
            settings = load_study_settings(self.store)
            changed, new = browse.set_due_date(self.store, ids, days, self.clock(), self.local,
                                               settings.rollover_hour, self.rng,
                                               settings.parameters)
            when = (f"in {counted(days[0], 'day')}" if days[0] == days[1] else
                    f"in {days[0]}-{days[1]} days")
            if days == (0, 0):
                when = "today"
            made = ("" if not new else
                    "; it was new, now a review card" if changed == 1 else
                    f"; {new} of them new, now review cards")
            return f"{counted(changed, 'card')} due {when}{made}."
        self._act(act)

    def card_info(self) -> None:
        card_id = self.current_id()
        if card_id is not None:
            show_card_info(self, self.store, card_id, self.clock(), self.local)

    def go_to_topic(self) -> None:
        """Back to the outline with the current card's topic selected."""
        current = self._current_row()
        if current is None:
            return
        self.host.close_review()
        if not self.host.open_key(f"{current.deck_id}/{current.topic_id}"):
            self.host.statusBar().showMessage(f"The topic '{current.topic}' is not in the "
                                              "outline any more.", 6000)

    def study(self) -> None:
        """Study the selected cards (two or more), else every card found, as real reviews."""
        selected = self.selected_ids()
        ids = selected if len(selected) > 1 else list(self.model.ids)
        if not ids:
            self.host.statusBar().showMessage("No cards to study: search for some first.", 6000)
            return
        query = self.model.query.strip()
        what = (f"{counted(len(ids), 'selected card')}" if ids is selected
                else f"“{query}”" if query else "every card")
        # Esc and Back in that session come back here, with this search (as in Anki).
        review = self.host.review
        review.return_next_session_to("browser", self.come_back)
        try:
            self.host.study_cards(ids, f"Browser: {what}")
        finally:
            review.return_next_session_to(None)  # armed for that session only

    def come_back(self) -> None:
        """Back from studying: this page with its search, its rows read again (studied)."""
        self.host.show_browser()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- keys ------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if BROWSER_BACK.matches(event):
            self.host.close_review()
            return
        super().keyPressEvent(event)

    def select_row(self, row: int) -> None:
        """Make ``row`` current and selected (fetching rows up to it), as a click would."""
        self.model.fetch_all_to(row)
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)

    def index_of(self, card_id: str) -> QModelIndex:
        row = self.model.ids.index(CardId(card_id))
        self.model.fetch_all_to(row)
        return self.model.index(row, 0)
