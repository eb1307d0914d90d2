"""The outline pane: the filter, the topic tree with its counts, the selected topic explained."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.decks.tree import TreeNode, find
from app.ui.actions import (
    OUTLINE_CLEAR,
    OUTLINE_CRAM,
    OUTLINE_OPEN,
    OUTLINE_STUDY,
    OUTLINE_TO_MATCH,
)
from app.ui.safe_text import SafeTextBrowser, as_rich_text
from app.ui.tree_model import (
    CARDS,
    COUNT_COLUMNS,
    DUE,
    KNOWN,
    NEW,
    TITLE,
    TopicFilterModel,
    TopicTreeModel,
)

#: The count columns in the order they give up their room to the titles in a narrow pane:
#: the total first, Due last (what is waiting today matters most).
YIELD_ORDER = (CARDS, KNOWN, NEW, DUE)
#: The room a title keeps before a count column gives way, in average characters.
TITLE_CHARACTERS = 22


class OutlinePane(QSplitter):
    """Browsing only: it shows topics and says what the person asked for; the window acts."""

    #: Space ("study") or Shift+Space ("cram") in the tree.
    study_requested = Signal(str)
    #: A right click on a topic (now the current one), at this global position.
    menu_requested = Signal(QPoint, object)
    #: A link in an explanation that was not opened (only web links open).
    link_refused = Signal(str)
    #: Once, right after the outline has been painted for the first time: what is not needed
    #: to show it (counts, background services) starts then.
    first_painted = Signal()

    def __init__(self, roots: list[TreeNode], parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent, childrenCollapsible=False)
        self.model = TopicTreeModel(roots, self)
        self.proxy = TopicFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self._current: TreeNode | None = None
        self._painted = False
        self.addWidget(self._build_browser())
        self.addWidget(self._build_explanation())
        self.setStretchFactor(0, 2)
        self.setStretchFactor(1, 3)
        # The tree: the flow's longest step title whole beside four count columns, by default.
        self.setSizes([580, 540])

    # --- construction ----------------------------------------------------------------------------

    def _build_browser(self) -> QWidget:
        self.filter = QLineEdit(placeholderText="Filter topics (Ctrl+F)", clearButtonEnabled=True)
        self.filter.setAccessibleName("Filter topics")
        self.filter.textChanged.connect(self._on_filter)
        self.filter.installEventFilter(self)

        self.tree = QTreeView(uniformRowHeights=True)
        # A long title keeps its start and its end ("Step 2 Metri…Online)").
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.tree.setAccessibleName("Outline")
        self.tree.setModel(self.proxy)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column in COUNT_COLUMNS:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        self.fit_count_columns()
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        self.tree.activated.connect(self._on_activated)
        self.tree.installEventFilter(self)
        # The header tells of the viewport's width changes (it is as wide) and the filter box
        # of the first paint, not the viewport: the first viewport() call costs ~20 ms
        # (PySide6 resolves a plain QWidget's type through every widget class).
        header.installEventFilter(self)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_menu)
        self.no_match = QLabel("No topic matches. Press Esc to clear the filter.", wordWrap=True)
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match.hide()

        browser = QWidget()
        layout = QVBoxLayout(browser)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.no_match)
        return browser

    def _build_explanation(self) -> QWidget:
        self.crumbs = QLabel(wordWrap=True)
        self.crumbs.setObjectName("breadcrumb")
        self.crumbs.setTextFormat(Qt.TextFormat.RichText)
        self.crumbs.linkActivated.connect(self.open_key)
        self.heading = QLabel(wordWrap=True)
        self.heading.setObjectName("topicTitle")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)  # a deck title is never HTML
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heading_font = self.heading.font()
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.5)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.notes = SafeTextBrowser()
        self.notes.document().setDocumentMargin(10)
        notes_font = self.notes.font()
        notes_font.setPointSizeF(notes_font.pointSizeF() * 1.1)
        self.notes.setFont(notes_font)
        self.notes.setAccessibleName("Explanation")
        self.notes.refused.connect(self.link_refused)
        self.children_label = QLabel("Subtopics")
        self.children_list = QListWidget()
        self.children_list.setAccessibleName("Subtopics")
        self.children_list.itemActivated.connect(self._on_child)
        self.children_list.itemClicked.connect(self._on_child)

        explanation = QWidget()
        layout = QVBoxLayout(explanation)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.crumbs)
        layout.addWidget(self.heading)
        layout.addWidget(self.notes, 3)
        layout.addWidget(self.children_label)
        layout.addWidget(self.children_list, 1)
        return explanation

    # --- state -----------------------------------------------------------------------------------

    @property
    def current_node(self) -> TreeNode | None:
        return self._current

    @property
    def roots(self) -> list[TreeNode]:
        return self.model.roots

    def open_key(self, key: str) -> bool:
        """Select the node with this key (expanding its ancestors); False if it is gone."""
        node = find(self.model.roots, key)
        if node is None:
            return False
        index = self.proxy.mapFromSource(self.model.index_of(node))
        if not index.isValid():  # hidden by the filter: show everything again
            self.filter.clear()
            index = self.proxy.mapFromSource(self.model.index_of(node))
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    def open_first(self) -> None:
        """Select the first deck; with no deck at all, say so in the explanation."""
        if self.model.roots:
            self.tree.setCurrentIndex(self.proxy.index(0, 0))
        else:
            self.show_node(None)

    def set_roots(self, roots: list[TreeNode], select: str = "") -> None:
        """Show new decks (after an import or a removal), keeping the place where possible."""
        current = self._current.key if self._current is not None else ""
        self.model.set_roots(roots)
        self.collapse_to_roots()
        if not (select and self.open_key(select)) and not (current and self.open_key(current)):
            self.open_first()

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def focus_tree(self) -> None:
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def collapse_to_roots(self) -> None:
        self.tree.collapseAll()
        for row in range(self.proxy.rowCount()):
            self.tree.expand(self.proxy.index(row, 0))

    def show_node(self, node: TreeNode | None) -> None:
        self._current = node
        self.children_list.clear()
        if node is None:
            self.crumbs.clear()
            self.heading.setText("Select a topic")
            self.notes.show_markdown("Pick a step or topic in the outline on the left.")
            self.children_label.hide()
            self.children_list.hide()
            return
        links = [f'<a href="{html.escape(a.key)}">{html.escape(a.label)}</a>'
                 for a in node.ancestors()]
        self.crumbs.setText(" › ".join(links))
        self.crumbs.setVisible(bool(links))
        self.heading.setText(node.label)
        body = node.notes.strip() or "*No explanation yet for this topic.*"
        if node.source_credit:
            body += "\n\n" + node.source_credit
        self.notes.show_markdown(body)
        for child in node.children:
            item = QListWidgetItem(child.label + (f"  ({len(child.children)})"
                                                  if child.children else ""))
            item.setData(Qt.ItemDataRole.UserRole, child.key)
            item.setToolTip(as_rich_text(child.notes.strip().split("\n", 1)[0][:200]))
            self.children_list.addItem(item)
        self.children_label.setVisible(bool(node.children))
        self.children_list.setVisible(bool(node.children))

    def fit_count_columns(self) -> None:
        """The count columns fit their headers and four digits at the current font size, and
        give way to the titles where the pane is narrow."""
        header = self.tree.header()
        digits = self.tree.fontMetrics().horizontalAdvance("88888")  # a digit's room to spare
        self._count_widths = {column: max(header.sectionSizeHint(column), digits)
                              for column in COUNT_COLUMNS}
        for column, width in self._count_widths.items():
            header.resizeSection(column, width)
        self.yield_count_columns()

    def yield_count_columns(self) -> None:
        """Hide the count columns, least needed first (YIELD_ORDER), until the titles keep
        TITLE_CHARACTERS of room; each comes back when the pane is wide enough again."""
        room = self.tree.header().width()
        title = (self.tree.fontMetrics().averageCharWidth() * TITLE_CHARACTERS
                 + 3 * self.tree.indentation())  # a step's topics are two levels down
        shown = list(COUNT_COLUMNS)
        for column in YIELD_ORDER:
            if room - sum(self._count_widths[c] for c in shown) >= title:
                break
            shown.remove(column)
        header = self.tree.header()
        for column in COUNT_COLUMNS:
            header.setSectionHidden(column, column not in shown)

    # --- slots -----------------------------------------------------------------------------------

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.show_node(self.proxy.node(current))

    def _on_activated(self, index: QModelIndex) -> None:
        """Enter opens: a node with children toggles open, a leaf moves to its explanation."""
        if self.proxy.hasChildren(index):
            self.tree.setExpanded(index, not self.tree.isExpanded(index))
        else:
            self.notes.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_child(self, item: QListWidgetItem) -> None:
        self.open_key(str(item.data(Qt.ItemDataRole.UserRole)))
        self.focus_tree()

    def _on_filter(self, text: str) -> None:
        self.proxy.set_needle(text)
        self.no_match.setVisible(self.proxy.rowCount() == 0)
        if text.strip():
            self.tree.expandAll()
        else:
            self.collapse_to_roots()
            if self._current is not None:
                self.open_key(self._current.key)

    def _focus_first_match(self) -> None:
        """Into the tree, on the best match in outline order: a topic titled with the filter's
        text ("Embeddings"), else one whose title starts with it or holds it, else the first
        whose explanation holds it."""
        needle = self.proxy.needle
        if not needle:  # nothing to match: the tree, on the topic already chosen
            self.focus_tree()
            return
        first: QModelIndex | None = None
        best = 4
        stack = [self.proxy.index(r, 0) for r in range(self.proxy.rowCount())][::-1]
        while stack and best:
            index = stack.pop()
            node = self.proxy.node(index)
            rank = None if node is None else node.match_rank(needle)
            if rank is not None and rank < best:
                first, best = index, rank
            stack.extend(self.proxy.index(r, 0, index)
                         for r in reversed(range(self.proxy.rowCount(index))))
        if first is not None:
            self.tree.setCurrentIndex(first)
        self.focus_tree()

    def _on_menu(self, position: QPoint) -> None:
        index = self.tree.indexAt(position)
        if not index.isValid():
            return
        self.tree.setCurrentIndex(index)
        self.menu_requested.emit(self.tree.viewport().mapToGlobal(position),
                                 self.proxy.node(index))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.tree.header():
            self.yield_count_columns()
        if (event.type() == QEvent.Type.Paint and not self._painted
                and watched is self.filter):  # painted with the tree, in the same pass
            self._painted = True
            QTimer.singleShot(0, self, self.first_painted.emit)  # after this paint is done
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if OUTLINE_CLEAR.matches(event) and self.filter.text():
                self.filter.clear()
                self.focus_tree()
                return True
            if watched is self.tree and self._tree_key(event):
                return True
            if watched is self.filter and OUTLINE_TO_MATCH.matches(event):
                self._focus_first_match()
                return True
        return super().eventFilter(watched, event)

    def _tree_key(self, event: QKeyEvent) -> bool:
        """Whether a key pressed in the tree is one of the outline's own, done here."""
        current = self.tree.currentIndex()
        if OUTLINE_OPEN.matches(event) and current.isValid():
            self._on_activated(current)
        elif OUTLINE_STUDY.matches(event):
            self.study_requested.emit("study")
        elif OUTLINE_CRAM.matches(event):
            self.study_requested.emit("cram")
        else:
            return False
        return True

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange and hasattr(self, "tree"):
            self.fit_count_columns()
        super().changeEvent(event)
