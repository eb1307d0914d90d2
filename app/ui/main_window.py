"""The main window: the flow as a tree on the left, the selected topic explained on the right."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.clock import local_zone, utc_now
from app.db import interviews as interview_store
from app.db import study
from app.db.store import Store
from app.db.study import Scope
from app.decks.library import SHIPPED, SyncReport, interview_deck
from app.decks.tree import TreeNode, aggregate_counts, build_tree, find
from app.errors import AppError, DeckError, Problem
from app.model import DeckId, TopicId
from app.scheduling.scheduler import Fsrs, study_day
from app.ui.dialogs.export import ExportChoice
from app.ui.errors import show_error
from app.ui.review_page import ReviewPage
from app.ui.safe_text import SafeTextBrowser, as_rich_text
from app.ui.tree_model import CARDS, DUE, KNOWN, TITLE, TopicFilterModel, TopicTreeModel

if TYPE_CHECKING:  # loaded when first used, keeping them off the start-up path
    from app.interview.steps import StepInfo
    from app.scheduling.review import Mode
    from app.ui.interview.page import InterviewPage
    from app.ui.stats.page import StatsPage

DEFAULT_SIZE = (1120, 740)
UPSTREAM = "https://github.com/alirezadir/Machine-Learning-Interviews"


class MainWindow(QMainWindow):
    """Shows state from the store; it never writes SQL itself."""

    #: A backup the person chose to go back to; the app closes this window and the store,
    #: restores it and opens a new window (app/ui/app.py).
    restore_requested = Signal(object)

    def __init__(self, store: Store, report: SyncReport, settings: QSettings,
                 clock: Callable[[], datetime] = utc_now, local: tzinfo | None = None) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.clock = clock
        self.local = local or local_zone()
        self.setWindowTitle("MLSD Study")
        self.resize(*DEFAULT_SIZE)

        self.model = TopicTreeModel(build_tree(store), self)
        self.proxy = TopicFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self._current: TreeNode | None = None
        self.interview: InterviewPage | None = None  # built when first opened
        self._resume_id: int | None = None
        self.stats_page: StatsPage | None = None
        # Asked when the window closes during an interview: "keep", "discard" or "cancel".
        self.ask_interview_close: Callable[[QWidget], str] = _ask_keep_or_discard
        # Asks a yes/cancel question (title, text) before removing a deck or restoring.
        self.confirm: Callable[[QWidget, str, str], bool] = _confirm

        self._build_widgets()
        self._build_menus()
        self.show_problems(list(report.problems))
        # The counts fill in right after the first paint: the outline itself comes first.
        self._counts_timer = QTimer(self, singleShot=True, interval=0)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._counts_timer.start()
        self._offer_resume()
        self._restore()

    # --- construction ----------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.banner = QFrame()
        self.banner.setObjectName("problemBanner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner_text = QLabel(wordWrap=True, textInteractionFlags=(
            Qt.TextInteractionFlag.TextSelectableByMouse))
        close = QToolButton(autoRaise=True)
        close.setText("✕")
        close.setToolTip("Hide this message")
        close.clicked.connect(self.banner.hide)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)

        self.filter = QLineEdit(placeholderText="Filter topics (Ctrl+F)", clearButtonEnabled=True)
        self.filter.setAccessibleName("Filter topics")
        self.filter.textChanged.connect(self._on_filter)
        self.filter.returnPressed.connect(self._focus_first_match)
        self.filter.installEventFilter(self)

        self.tree = QTreeView(uniformRowHeights=True)
        self.tree.setAccessibleName("Outline")
        self.tree.setModel(self.proxy)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column in (DUE, CARDS, KNOWN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        self._fit_count_columns()
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        self.tree.activated.connect(self._on_activated)
        self.tree.installEventFilter(self)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.no_match = QLabel("No topic matches. Press Esc to clear the filter.", wordWrap=True)
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match.hide()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addWidget(self.filter)
        left_layout.addWidget(self.tree, 1)
        left_layout.addWidget(self.no_match)

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
        self.notes.refused.connect(self._on_refused_link)
        self.children_label = QLabel("Subtopics")
        self.children_list = QListWidget()
        self.children_list.setAccessibleName("Subtopics")
        self.children_list.itemActivated.connect(self._on_child)
        self.children_list.itemClicked.connect(self._on_child)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(12, 6, 6, 6)
        right_layout.addWidget(self.crumbs)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.notes, 3)
        right_layout.addWidget(self.children_label)
        right_layout.addWidget(self.children_list, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, childrenCollapsible=False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([420, 700])

        self.review = ReviewPage(self.clock)
        self.review.closed.connect(self.close_review)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.splitter)
        self.pages.addWidget(self.review)

        self.resume_bar = QFrame()
        self.resume_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.resume_text = QLabel(wordWrap=True)
        resume = QPushButton("Resume")
        resume.clicked.connect(self.resume_interview)
        discard = QPushButton("Discard")
        discard.clicked.connect(self.discard_unfinished)
        resume_layout = QHBoxLayout(self.resume_bar)
        resume_layout.addWidget(self.resume_text, 1)
        resume_layout.addWidget(resume)
        resume_layout.addWidget(discard)
        self.resume_bar.hide()

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.resume_bar)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        count = sum(len(root.walk()) - 1 for root in self.model.roots)
        self.statusBar().showMessage(f"{count} topics in {len(self.model.roots)} deck(s). "
                                     "Space studies the selected branch.")

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        import_outline = QAction("&Import outline…", self, shortcut=QKeySequence("Ctrl+O"))
        import_outline.setToolTip("Make a deck from a Markdown outline (headings and lists)")
        import_outline.triggered.connect(lambda: self.import_outline())  # not `checked`
        file_menu.addAction(import_outline)
        self.remove_deck_action = QAction("&Remove this deck…", self)
        self.remove_deck_action.triggered.connect(self.remove_deck)
        file_menu.addAction(self.remove_deck_action)
        file_menu.addSeparator()
        check = QAction("&Check a deck file…", self)
        check.triggered.connect(self._check_deck_dialog)
        file_menu.addAction(check)
        export = QAction("&Export to Anki…", self, shortcut=QKeySequence("Ctrl+E"))
        export.triggered.connect(self.export_to_anki)
        file_menu.addAction(export)
        file_menu.addSeparator()
        backup = QAction("&Back up now", self)
        backup.triggered.connect(self.back_up_now)
        file_menu.addAction(backup)
        restore = QAction("Restore &backup…", self)
        restore.triggered.connect(self.choose_backup)
        file_menu.addAction(restore)
        folder = QAction("Open &data folder", self)
        folder.triggered.connect(self._open_data_folder)
        file_menu.addAction(folder)
        file_menu.addSeparator()
        preferences = QAction("Se&ttings…", self,
                              shortcut=QKeySequence(QKeySequence.StandardKey.Preferences))
        preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
        preferences.triggered.connect(self.edit_settings)
        file_menu.addAction(preferences)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view = menu.addMenu("&View")
        find_action = QAction("&Find topic", self,
                              shortcut=QKeySequence(QKeySequence.StandardKey.Find))
        find_action.triggered.connect(self.focus_filter)
        view.addAction(find_action)
        expand = QAction("&Expand all", self)
        expand.triggered.connect(self.tree.expandAll)
        view.addAction(expand)
        statistics = QAction("&Statistics", self, shortcut=QKeySequence("Ctrl+Shift+T"))
        statistics.triggered.connect(self.show_statistics)
        view.addAction(statistics)
        collapse = QAction("&Collapse to steps", self)
        collapse.triggered.connect(self._collapse_to_roots)
        view.addAction(collapse)

        study_menu = menu.addMenu("&Study")
        study_branch = QAction("&Study this branch", self)
        study_branch.setShortcutVisibleInContextMenu(True)
        study_branch.setToolTip("Due and new cards of the selected topic and everything below "
                                "it (Space in the outline)")
        study_branch.triggered.connect(lambda: self.start_review("study"))
        study_menu.addAction(study_branch)
        cram = QAction("&Cram this branch", self)
        cram.setToolTip("Practise every card of the branch now, without changing any schedule "
                        "(Shift+Space in the outline)")
        cram.triggered.connect(lambda: self.start_review("cram"))
        study_menu.addAction(cram)
        study_all = QAction("Study &everything due", self,
                            shortcut=QKeySequence("Ctrl+Shift+S"))
        study_all.triggered.connect(lambda: self.start_review("study", everything=True))
        study_menu.addAction(study_all)
        study_menu.addSeparator()
        suspend = QAction("S&uspend cards of this branch", self)
        suspend.triggered.connect(lambda: self._suspend_branch(True))
        study_menu.addAction(suspend)
        unsuspend = QAction("U&nsuspend cards of this branch", self)
        unsuspend.triggered.connect(lambda: self._suspend_branch(False))
        study_menu.addAction(unsuspend)
        unbury = QAction("Un&bury cards of this branch", self)
        unbury.triggered.connect(self._unbury_branch)
        study_menu.addAction(unbury)
        self.study_actions = (study_branch, cram, study_all, suspend, unsuspend, unbury)

        interview_menu = menu.addMenu("&Interview")
        new_interview = QAction("&New mock interview…", self, shortcut=QKeySequence("Ctrl+I"))
        new_interview.triggered.connect(self.new_interview)
        interview_menu.addAction(new_interview)
        history = QAction("Interview &history", self, shortcut=QKeySequence("Ctrl+H"))
        history.triggered.connect(self.interview_history)
        interview_menu.addAction(history)
        self.interview_actions = (new_interview, history)

        help_menu = menu.addMenu("&Help")
        about = QAction("&About MLSD Study", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # --- state -----------------------------------------------------------------------------------

    @property
    def current_node(self) -> TreeNode | None:
        return self._current

    def show_problems(self, problems: list[Problem]) -> None:
        if not problems:
            self.banner.hide()
            return
        files = sorted({p.path for p in problems})
        lines = "<br>".join(html.escape(str(p), quote=False) for p in problems[:8])
        more = f"<br>… and {len(problems) - 8} more" if len(problems) > 8 else ""
        self.banner_text.setText(
            f"<b>{len(files)} deck file(s) could not be loaded</b> (other decks are fine; "
            f"a deck seen before keeps its last good copy). Fix the file and restart, or check "
            f"it with <code>mlsd-study check-deck</code>:<br>{lines}{more}")
        self.banner.show()

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

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def _show_node(self, node: TreeNode | None) -> None:
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

    # --- slots -----------------------------------------------------------------------------------

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_node(self.proxy.node(current))

    def _on_activated(self, index: QModelIndex) -> None:
        """Enter opens: a node with children toggles open, a leaf moves to its explanation."""
        if self.proxy.hasChildren(index):
            self.tree.setExpanded(index, not self.tree.isExpanded(index))
        else:
            self.notes.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_child(self, item: QListWidgetItem) -> None:
        self.open_key(str(item.data(Qt.ItemDataRole.UserRole)))
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_filter(self, text: str) -> None:
        self.proxy.set_needle(text)
        empty = self.proxy.rowCount() == 0
        self.no_match.setVisible(empty)
        if text.strip():
            self.tree.expandAll()
        else:
            self._collapse_to_roots()
            if self._current is not None:
                self.open_key(self._current.key)

    def _focus_first_match(self) -> None:
        needle = self.proxy.needle
        stack = [self.proxy.index(r, 0) for r in range(self.proxy.rowCount())][::-1]
        while stack:
            index = stack.pop()
            node = self.proxy.node(index)
            if node is not None and (not needle or node.matches(needle)):
                self.tree.setCurrentIndex(index)
                break
            stack.extend(self.proxy.index(r, 0, index)
                         for r in reversed(range(self.proxy.rowCount(index))))
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def _collapse_to_roots(self) -> None:
        self.tree.collapseAll()
        for row in range(self.proxy.rowCount()):
            self.tree.expand(self.proxy.index(row, 0))

    def _on_refused_link(self, url: str) -> None:
        self.statusBar().showMessage(f"Not opened: only web links open ({url})", 8000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape and self.filter.text():
                self.filter.clear()
                self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
            if watched is self.tree and event.key() == Qt.Key.Key_Space:
                shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                self.start_review("cram" if shift else "study")
                return True
        return super().eventFilter(watched, event)

    # --- studying --------------------------------------------------------------------------------

    def _scope(self, node: TreeNode | None) -> Scope:
        if node is None:
            return Scope()
        if node.kind == "deck":
            return Scope(deck_id=node.deck_id)
        topics = frozenset(n.topic_id for n in node.walk() if n.topic_id is not None)
        return Scope(deck_id=node.deck_id, topic_ids=topics)

    def start_review(self, mode: Mode, *, everything: bool = False) -> None:
        """Study (or cram) the selected branch; the review page takes over the window."""
        node = None if everything else self._current
        where = "everything due" if node is None else node.label
        self._start_session(self._scope(node), mode, where)

    def _start_session(self, scope: Scope, mode: Mode, where: str) -> None:
        from app.scheduling.review import ReviewSession

        try:
            fsrs = Fsrs(study.scheduler_settings(self.store))
            session = ReviewSession(self.store, fsrs, scope, self.clock(), self.local, mode)
        except AppError as error:
            show_error(self, error)
            return
        self.review.start(session, ("Cramming: " if mode == "cram" else "Studying: ") + where)
        self.pages.setCurrentWidget(self.review)
        for action in self.study_actions:
            action.setEnabled(False)
        self.review.setFocus(Qt.FocusReason.OtherFocusReason)

    def _tree_menu(self, position: QPoint) -> None:
        index = self.tree.indexAt(position)
        if not index.isValid():
            return
        self.tree.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction("Study this branch", lambda: self.start_review("study"))
        menu.addAction("Cram this branch", lambda: self.start_review("cram"))
        menu.addSeparator()
        menu.addAction("Export this branch to Anki…", lambda: self.export_to_anki(branch=True))
        node = self.proxy.node(index)
        if node is not None and node.kind == "deck" and self._removable(node.deck_id):
            menu.addSeparator()
            menu.addAction("Remove this deck…", self.remove_deck)
        menu.exec(self.tree.viewport().mapToGlobal(position))

    def export_choices(self, branch_first: bool = False) -> tuple[str, list[ExportChoice]]:
        """The deck to export and the scopes the export dialog offers."""
        node = self._current
        root = node.ancestors()[0] if node is not None and node.parent else node
        if root is None:
            root = self.model.roots[0]
        choices = [ExportChoice(f"The whole deck: {root.title}", None, root.deck_id)]
        if node is not None and node.kind == "topic":
            ids = frozenset(str(n.topic_id) for n in node.walk() if n.topic_id)
            branch = ExportChoice(f"This branch: {node.label}", ids,
                                  f"{node.deck_id}-{node.topic_id}")
            choices.insert(0 if branch_first else 1, branch)
        weak = self._weak_step_topics(root.deck_id)
        if weak is not None:
            choices.append(weak)
        return root.deck_id, choices

    def _weak_step_topics(self, deck_id: str) -> ExportChoice | None:
        records = interview_store.history(self.store)
        if not records:
            return None
        page = self._interview_page_quiet()
        if page is None or page.deck.id != deck_id:
            return None
        try:
            summary = interview_store.load_summary(self.store, records[0].id,
                                                   page.deck.questions, page.steps)
        except AppError:
            return None
        topics: set[str] = set()
        names = []
        for index in summary.weakest:
            step = page.steps[index]
            node = find(self.model.roots, f"{deck_id}/{step.topic_id}")
            if node is not None:
                topics.update(str(n.topic_id) for n in node.walk() if n.topic_id)
                names.append(f"Step {step.number}")
        if not topics:
            return None
        return ExportChoice(f"Only the weakest steps of your last interview "
                            f"({', '.join(names)})", frozenset(topics), f"{deck_id}-weak-steps")

    def export_to_anki(self, branch: bool = False) -> None:
        if not self.model.roots or self.store.path is None:
            return
        from app.ui.dialogs.export import ExportDialog

        deck_id, choices = self.export_choices(branch_first=branch)
        dialog = ExportDialog(self.store.path.parent, deck_id, choices, self.settings, self)
        dialog.exec()

    # --- decks -----------------------------------------------------------------------------------

    def import_outline(self, path: str = "") -> None:
        if self.store.path is None:
            return
        from app.ui.dialogs.import_outline import ImportDialog

        dialog = ImportDialog(self.store.path.parent, self.settings, self, path=path)
        dialog.imported.connect(self.reload_decks)
        dialog.exec()

    def reload_decks(self, select: str = "") -> None:
        """Rebuild the tree from the store (after an import or a removal), keeping the place."""
        current = self._current.key if self._current is not None else ""
        self.model.set_roots(build_tree(self.store))
        self._collapse_to_roots()
        if not (select and self.open_key(select)) and not (current and self.open_key(current)):
            if self.model.roots:
                self.tree.setCurrentIndex(self.proxy.index(0, 0))
            else:
                self._show_node(None)
        self.refresh_counts()

    def _removable(self, deck_id: str) -> bool:
        return any(d.id == deck_id and d.origin != SHIPPED for d in self.store.decks())

    def remove_deck(self) -> None:
        """Remove the selected imported deck after asking; its progress is kept in a backup."""
        node = self._current
        root = (node.ancestors() or [node])[0] if node is not None else None
        if root is None or self.store.path is None:
            return
        if not self._removable(root.deck_id):
            self.statusBar().showMessage(f"“{root.title}” is built into MLSD Study and cannot "
                                         "be removed; decks you imported can.", 10000)
            return
        if not self.confirm(
                self, "Remove deck",
                f"Remove the deck “{root.title}”?\n\nA backup of your database is taken "
                "first, and the deck's file is moved into the backups folder. Your progress on "
                "it stays in the database, hidden: importing the same outline again brings it "
                "back."):
            return
        from app.decks.library import remove_deck

        try:
            removed = remove_deck(self.store, root.deck_id, self.store.path.parent, self.clock())
        except AppError as error:
            show_error(self, error)
            return
        self.reload_decks()
        self.statusBar().showMessage(f"Removed “{root.title}”. Backup: {removed.backup}", 15000)

    # --- backups ---------------------------------------------------------------------------------

    def back_up_now(self) -> None:
        """A backup off the GUI thread; the status bar says where it went."""
        if self.store.path is None:
            return
        from app.db.settings import load_settings
        from app.ui.dialogs.backups import backup_now
        from app.ui.worker import run_in_background

        path, now = self.store.path, self.clock()
        policy = load_settings(self.store).backups
        self.statusBar().showMessage("Backing up…")

        def work(_progress: object) -> object:
            return backup_now(path, now, "manual", policy.keep_daily, policy.keep_weekly)

        def failed(error: AppError) -> None:
            self.statusBar().clearMessage()
            show_error(self, error)

        run_in_background(
            work, on_done=lambda done: self.statusBar().showMessage(f"Backed up to {done}",
                                                                    15000),
            on_error=failed)

    def choose_backup(self) -> None:
        if self.store.path is None:
            return
        from app.ui.dialogs.backups import RestoreDialog, describe

        dialog = RestoreDialog(self.store.path.parent, self.local, self)
        if not dialog.exec() or dialog.chosen is None:
            return
        when, _why, holds, _size = describe(dialog.chosen, self.local)
        if self.confirm(self, "Restore backup",
                        f"Go back to the backup from {when} ({holds})?\n\nEverything you did "
                        "after it is replaced. Your current database is backed up first, so "
                        "you can undo this by restoring that backup."):
            self.restore_requested.emit(dialog.chosen.path)

    # --- statistics ------------------------------------------------------------------------------

    def show_statistics(self) -> None:
        """Compute the figures off the GUI thread, then draw them."""
        from app.ui.stats.page import StatsPage
        from app.ui.worker import run_in_background

        if self.stats_page is None:
            self.stats_page = StatsPage(self.settings, self.close_review)
            self.pages.addWidget(self.stats_page)
        page = self.stats_page
        page.status.setText("Computing…")
        self.pages.setCurrentWidget(page)
        for action in self.study_actions:
            action.setEnabled(False)
        data_dir = self.store.path.parent if self.store.path is not None else None
        now, local = self.clock(), self.local
        retention = study.scheduler_settings(self.store).desired_retention
        deck_id = self.model.roots[0].deck_id if self.model.roots else None

        def work(_progress: object) -> object:
            from app.db.stats import all_figures

            if data_dir is None:
                return all_figures(self.store, now, local, retention, deck_id)
            store = Store.open(data_dir, check=False)  # its own connection; checked at start
            try:
                return all_figures(store, now, local, retention, deck_id)
            finally:
                store.close()

        run_in_background(work, on_done=lambda figures: page.show_figures(figures),
                          on_error=lambda error: page.status.setText(
                              f"Could not compute the statistics: {error.message}"))

    # --- mock interviews -------------------------------------------------------------------------

    def _interview_page_quiet(self) -> InterviewPage | None:
        if self.interview is None:
            deck = interview_deck(self.store)
            if deck is None:
                return None
            from app.ui.interview.page import InterviewPage

            self.interview = InterviewPage(self.store, deck, self.clock, self.settings,
                                           self.close_interview, self.study_steps,
                                           local=self.local)
            self.pages.addWidget(self.interview)
        return self.interview

    def _interview_page(self) -> InterviewPage | None:
        page = self._interview_page_quiet()
        if page is None:
            show_error(self, AppError("No deck with an interview question bank is loaded. "
                                      "The built-in deck has one: check the problems shown at "
                                      "the top of the window."))
        return page

    def _show_interview(self, page: InterviewPage) -> None:
        self.pages.setCurrentWidget(page)
        self.resume_bar.hide()  # offered again at the next start if still unfinished
        for action in self.study_actions:
            action.setEnabled(False)

    def new_interview(self) -> None:
        self._open_interview(lambda page: page.show_setup())

    def interview_history(self) -> None:
        self._open_interview(lambda page: page.show_history())

    def _open_interview(self, show: Callable[[InterviewPage], None]) -> None:
        """Show an interview screen; a running interview always comes first."""
        page = self._interview_page()
        if page is None:
            return
        if not page.has_running_interview():
            show(page)
        self._show_interview(page)

    def close_interview(self) -> None:
        self.close_review()

    def study_steps(self, steps: list[StepInfo]) -> None:
        """Study the cards of the given interview steps (the weakest ones)."""
        deck = self.interview.deck.id if self.interview is not None else None
        topics: set[TopicId] = set()
        for step in steps:
            node = find(self.model.roots, f"{deck}/{step.topic_id}") if step.topic_id else None
            if node is not None:
                topics.update(n.topic_id for n in node.walk() if n.topic_id is not None)
        if deck is None or not topics:
            return
        names = ", ".join(f"Step {s.number}" for s in steps)
        self._start_session(Scope(deck_id=DeckId(deck), topic_ids=frozenset(topics)),
                            "study", f"weak steps ({names})")

    def _offer_resume(self) -> None:
        waiting = interview_store.unfinished_interviews(self.store)
        if not waiting:
            self.resume_bar.hide()
            return
        last = waiting[0]
        self._resume_id = last.id
        started = last.started_at.astimezone(self.local)
        self.resume_text.setText(
            f"An unfinished mock interview is waiting: <b>{html.escape(last.question_title)}"
            f"</b>, started {started:%Y-%m-%d %H:%M}. Resume it where you left off (the clock "
            "stays paused until you resume), or discard it.")
        self.resume_bar.show()

    def resume_interview(self) -> None:
        """Resume the interview the resume bar names."""
        waiting = {r.id for r in interview_store.unfinished_interviews(self.store)}
        page = self._interview_page()
        if self._resume_id not in waiting or page is None or page.has_running_interview():
            self.resume_bar.hide()
            return
        try:
            session = interview_store.load_session(self.store, self._resume_id,
                                                   page.deck.questions, page.steps, self.clock())
        except AppError as error:
            show_error(self, error)
            return
        self.resume_bar.hide()
        page.run(session)
        self._show_interview(page)

    def discard_unfinished(self) -> None:
        for record in interview_store.unfinished_interviews(self.store):
            interview_store.discard_interview(self.store, record.id)
        self.resume_bar.hide()

    def close_review(self) -> None:
        self.pages.setCurrentWidget(self.splitter)
        for action in self.study_actions:
            action.setEnabled(True)
        self.refresh_counts()
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh_counts(self) -> None:
        now = self.clock()
        settings = study.scheduler_settings(self.store)
        day = study_day(now, self.local, settings.rollover_hour)
        per_topic = study.topic_counts(self.store, now, day.end, settings.desired_retention)
        self.model.set_counts(aggregate_counts(self.model.roots, per_topic))

    def _suspend_branch(self, suspended: bool) -> None:
        node = self._current
        if node is None:
            return
        ids = study.card_ids(self.store, self._scope(node))
        study.set_suspended(self.store, ids, suspended)
        self.refresh_counts()
        verb = "Suspended" if suspended else "Unsuspended"
        self.statusBar().showMessage(f"{verb} {len(ids)} card(s) of {node.label}", 6000)

    def _unbury_branch(self) -> None:
        node = self._current
        if node is None:
            return
        ids = study.card_ids(self.store, self._scope(node))
        study.unbury(self.store, ids)
        self.refresh_counts()
        self.statusBar().showMessage(f"Unburied the cards of {node.label}", 6000)

    def edit_settings(self) -> None:
        """Every setting in one dialog; appearance applies live, the rest on OK or Apply."""
        from app.ui.dialogs.settings import SettingsDialog

        dialog = SettingsDialog(self.store, self)
        dialog.applied.connect(self._settings_applied)
        dialog.exec()

    def _settings_applied(self, _settings: object) -> None:
        self._fit_count_columns()
        self.refresh_counts()

    def _fit_count_columns(self) -> None:
        """The count columns fit their headers at the current font size."""
        header = self.tree.header()
        metrics = header.fontMetrics()
        for column in (DUE, CARDS, KNOWN):
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            widest = max(metrics.horizontalAdvance(title), metrics.horizontalAdvance("8888"))
            header.resizeSection(column, widest + 14)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange and hasattr(self, "tree"):
            self._fit_count_columns()
        super().changeEvent(event)

    def _check_deck_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Check a deck file", "",
                                              "Deck files (*.yaml *.yml);;All files (*)")
        if not path:
            return
        from app.decks.loader import load_path

        try:
            deck = load_path(path)
        except DeckError as error:
            shown = "\n".join(str(p) for p in error.problems[:20])
            QMessageBox.warning(self, "Deck has problems", as_rich_text(shown))
            return
        QMessageBox.information(self, "Deck is valid",
                                as_rich_text(f"{deck.title}: {deck.topic_count()} topics, "
                                             "no problems."))

    def _open_data_folder(self) -> None:
        if self.store.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.store.path.parent)))

    def show_about(self) -> None:
        folder = self.store.path.parent if self.store.path is not None else None
        QMessageBox.about(self, "About MLSD Study", about_html(folder))

    # --- persistence -----------------------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        self._collapse_to_roots()
        last = self.settings.value("outline/last_topic")
        if not (isinstance(last, str) and self.open_key(last)) and self.model.roots:
            self.tree.setCurrentIndex(self.proxy.index(0, 0))
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        if self._current is not None:
            self.settings.setValue("outline/last_topic", self._current.key)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        page = self.interview
        if page is not None and page.has_running_interview():
            choice = self.ask_interview_close(self)
            if choice == "cancel":
                event.ignore()
                return
            if choice == "discard":
                page.discard()
            elif not page.keep_for_later():
                event.ignore()  # not saved (it said why): stay open so nothing typed is lost
                return
        self._counts_timer.stop()
        self.save_state()
        super().closeEvent(event)


def _ask_keep_or_discard(parent: QWidget) -> str:
    from app.ui.interview.page import ask_keep_or_discard

    return ask_keep_or_discard(parent)


def _confirm(parent: QWidget, title: str, text: str) -> bool:
    """A yes/cancel question; ``text`` may quote deck titles, so it is shown as plain text."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes


def about_html(data_dir: Path | None = None) -> str:
    """The About box: identity and version (from the package), credits, where data lives."""
    import platform

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from app.paths import APP_ID

    where = (f"<p>Your data: <code>{html.escape(str(data_dir))}</code></p>"
             if data_dir is not None else "")
    return (
        f"<h3>MLSD Study {html.escape(__version__)}</h3>"
        "<p>Learn the Machine Learning System Design flow with spaced repetition and practise "
        "it in timed mock interviews.</p>"
        "<p>The built-in deck follows the <i>Machine Learning System Design</i> outline by "
        f'Alireza Dirafzoon, from <a href="{UPSTREAM}">alirezadir/Machine-Learning-Interviews'
        "</a>, used under the MIT licence. The explanations are our own.</p>"
        "<p>MLSD Study is free software under the MIT licence.</p>"
        f"{where}<p><small>{APP_ID} · Python {html.escape(platform.python_version())} · "
        f"Qt {html.escape(qVersion())} · PySide6 {html.escape(pyside_version)}</small></p>"
    )


def settings_for(data_dir: Path) -> QSettings:
    """UI state lives beside the database, so ``--data-dir`` keeps everything together."""
    return QSettings(str(data_dir / "ui-state.ini"), QSettings.Format.IniFormat)
