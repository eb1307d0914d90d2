"""The window shell: menus from the actions table, the status bar, and the pages it switches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.clock import local_zone, utc_now
from app.db import interviews as interview_store
from app.db import study
from app.db.settings import load_study_settings
from app.db.store import Store
from app.db.study import Scope
from app.decks.library import SyncReport, interview_deck, interview_decks
from app.decks.tree import TreeNode, aggregate_counts, build_tree, find
from app.errors import AppError, Problem
from app.model import CardId, DeckId, TopicId
from app.plural import counted
from app.scheduling.scheduler import study_day
from app.ui.actions import (
    ACTIONS,
    INTERVIEWING,
    PAGE_BACK,
    REVIEW_EDIT,
    REVIEWING,
    bind_page_key,
    build_menus,
)
from app.ui.banner import ProblemBanner
from app.ui.errors import show_error
from app.ui.outline_pane import OutlinePane
from app.ui.pages import (
    PageStack,
    StatusLine,
    framed,
    leaves_on_escape,
    outline_status,
    page_status,
)
from app.ui.resume_bar import ResumeBar

if TYPE_CHECKING:  # loaded when first used, keeping them off the start-up path
    from app.interview.steps import StepInfo
    from app.scheduling.review import Mode
    from app.ui.dialogs.export import ExportChoice
    from app.ui.file_commands import FileCommands
    from app.ui.interview.page import InterviewPage
    from app.ui.review_page import ReviewPage
    from app.ui.stats.page import StatsPage

DEFAULT_SIZE = (1120, 740)


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

        self.outline = OutlinePane(build_tree(store))
        # The outline's parts the rest of the app and its tests reach through the window.
        self.splitter, self.model, self.tree = self.outline, self.outline.model, self.outline.tree
        self.notes, self.heading = self.outline.notes, self.outline.heading
        self._review: ReviewPage | None = None  # the other pages are built when first shown
        self.interview: InterviewPage | None = None
        self.stats_page: StatsPage | None = None
        # Asked when the window closes during an interview: "keep", "discard" or "cancel".
        self.ask_interview_close: Callable[[QWidget], str] = _ask_keep_or_discard
        # Asks a yes/cancel question (title, text) before removing a deck or restoring.
        self.confirm: Callable[[QWidget, str, str], bool] = _confirm

        self._build_shell()
        self._files: FileCommands | None = None
        self.actions_by_id: dict[str, QAction] = build_menus(self, self.menuBar())
        self.show_problems(list(report.problems))
        # The counts fill in right after the first paint: the outline itself comes first.
        self._counts_timer = QTimer(self, singleShot=True, interval=0)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._counts_timer.timeout.connect(lambda: self.edit("announce"))  # after the paint too
        self.outline.first_painted.connect(self._count_when_shown)
        self.resume_bar.offer()
        self._restore()

    # --- construction ----------------------------------------------------------------------------

    def _build_shell(self) -> None:
        self.outline.study_requested.connect(self.start_review)
        self.outline.menu_requested.connect(self._tree_menu)
        self.outline.link_refused.connect(self._on_refused_link)
        self.pages = PageStack()
        self.pages.addWidget(self.outline)
        self.page_status = StatusLine()  # the shown page's; messages show over it for a while
        self.statusBar().addWidget(self.page_status, 1)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = ProblemBanner()
        self.banner_text = self.banner.text
        layout.addWidget(self.banner)
        self.resume_bar = ResumeBar(self.store, self.local)
        self.resume_bar.resume_requested.connect(self.resume_interview)
        layout.addWidget(self.resume_bar)
        layout.addWidget(framed(self.pages), 1)
        self.setCentralWidget(central)
        self.page_status.set_status(outline_status(self.outline.roots))

    @property
    def review(self) -> ReviewPage:
        """The review page, built the first time it is needed."""
        if self._review is None:
            from app.ui.review_page import ReviewPage

            self._review = ReviewPage(self.clock)
            self._review.closed.connect(self.close_review)
            bind_page_key(self._review, REVIEW_EDIT, lambda: self.edit("card"))
            self.pages.addWidget(self._review)
        return self._review

    @property
    def files(self) -> FileCommands:
        """The File menu's deck and backup commands, loaded when first used."""
        if self._files is None:
            from app.ui.file_commands import FileCommands

            self._files = FileCommands(self)
        return self._files

    # --- state -----------------------------------------------------------------------------------

    @property
    def current_node(self) -> TreeNode | None:
        return self.outline.current_node

    def open_key(self, key: str) -> bool:
        """Select the node with this key (expanding its ancestors); False if it is gone."""
        return self.outline.open_key(key)

    def show_problems(self, problems: list[Problem]) -> None:
        self.banner.show_problems(problems)

    def _show_page(self, page: QWidget, where: str = "") -> None:
        """Switch pages, with the page's status line (its keys from the table for ``where``);
        the commands that act on the outline work only while it is shown."""
        self.pages.setCurrentWidget(page)
        on_outline = page is self.outline
        self.statusBar().clearMessage()  # a message belongs to the page it was said on
        self.page_status.set_status(outline_status(self.outline.roots) if on_outline
                                    else page_status(page, where))
        if not page.isAncestorOf(self.focusWidget()):
            page.setFocus(Qt.FocusReason.OtherFocusReason)  # so its keys (Esc) reach it
        for spec in ACTIONS:
            if spec.enabled_when == "outline":
                self.actions_by_id[spec.id].setEnabled(on_outline)

    def close_review(self) -> None:
        """Back to the outline from any other page."""
        self._show_page(self.outline)
        self.refresh_counts()
        self.outline.focus_tree()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """An Esc that no widget of the shown page used leaves it (see app/ui/pages.py)."""
        page = self.pages.currentWidget()
        if PAGE_BACK.matches(event) and page is not self.outline and leaves_on_escape(page):
            self.close_review()
            return
        super().keyPressEvent(event)

    def _count_when_shown(self) -> None:
        if self.isVisible():  # not once closed: the store may be closed too
            self._counts_timer.start()

    def refresh_counts(self) -> None:
        now = self.clock()
        settings = load_study_settings(self.store)
        day = study_day(now, self.local, settings.rollover_hour)
        per_topic = study.topic_counts(self.store, now, day.end, settings.desired_retention)
        self.model.set_counts(aggregate_counts(self.outline.roots, per_topic))

    def _on_refused_link(self, url: str) -> None:
        self.statusBar().showMessage(f"Not opened: only web links open ({url})", 8000)

    def _tree_menu(self, position: QPoint, node: TreeNode | None) -> None:
        menu = QMenu(self)
        menu.addAction("Study this branch", lambda: self.start_review("study"))
        menu.addAction("Cram this branch", lambda: self.start_review("cram"))
        menu.addSeparator()
        menu.addAction("Export this branch to Anki…", lambda: self.export_to_anki(branch=True))
        if node is not None and node.kind == "topic":
            menu.addAction("Edit topic…", self.edit)
        if node is not None and node.kind == "deck" and self.files.removable(node.deck_id):
            menu.addSeparator()
            menu.addAction("Remove this deck…", self.files.remove_deck)
        menu.exec(position)

    # --- studying --------------------------------------------------------------------------------

    def _scope(self, node: TreeNode | None) -> Scope:
        if node is None:
            return Scope()
        if node.kind == "deck":
            return Scope(deck_id=node.deck_id)
        topics = frozenset(n.topic_id for n in node.walk() if n.topic_id is not None)
        return Scope(deck_id=node.deck_id, topic_ids=topics)

    def start_review(self, mode: Mode, everything: bool = False) -> None:
        """Study the selected branch from its overview (app/ui/study_flow.py), or cram it."""
        node = None if everything else self.current_node
        where = "everything due" if node is None else node.label
        if mode == "study":
            from app.ui.study_flow import StudyFlow

            return StudyFlow.of(self).show(self._scope(node), where)
        self._start_session(self._scope(node), mode, where)

    def _start_session(self, scope: Scope, mode: Mode, where: str) -> None:
        from app.scheduling.review import ReviewSession
        from app.scheduling.scheduler import Fsrs

        try:
            fsrs = Fsrs(load_study_settings(self.store))
            session = ReviewSession(self.store, fsrs, scope, self.clock(), self.local, mode)
        except AppError as error:
            show_error(self, error)
            return
        page = self.review
        page.start(session, ("Cramming: " if mode == "cram" else "Studying: ") + where)
        self._show_page(page, REVIEWING)
        page.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_branch_suspended(self, suspended: bool) -> None:
        """Suspend (or unsuspend) every card of the selected branch."""
        node = self.current_node
        if node is None:
            return
        ids = study.card_ids(self.store, self._scope(node))
        study.set_suspended(self.store, ids, suspended)
        self.refresh_counts()
        verb = "Suspended" if suspended else "Unsuspended"
        self.statusBar().showMessage(f"{verb} {counted(len(ids), 'card')} of {node.label}", 6000)

    def unbury_branch(self) -> None:
        node = self.current_node
        if node is None:
            return
        ids = study.card_ids(self.store, self._scope(node))
        study.unbury(self.store, ids)
        self.refresh_counts()
        self.statusBar().showMessage(f"Unburied the cards of {node.label}", 6000)

    # --- export ----------------------------------------------------------------------------------

    def export_choices(self, branch_first: bool = False) -> tuple[str, list[ExportChoice]]:
        """The deck to export and the scopes the export dialog offers."""
        from app.ui.export_choices import export_choices

        return export_choices(self.store, self.outline.roots, self.current_node, branch_first)

    def export_to_anki(self, branch: bool = False) -> None:
        if not self.outline.roots or self.store.path is None:
            return
        from app.ui.dialogs.export import ExportDialog

        deck_id, choices = self.export_choices(branch_first=branch)
        dialog = ExportDialog(self.store.path.parent, deck_id, choices, self.settings, self)
        dialog.exec()

    # --- decks -----------------------------------------------------------------------------------

    def reload_decks(self, select: str = "") -> None:
        """Rebuild the tree from the store (after an import or a removal), keeping the place."""
        self.outline.set_roots(build_tree(self.store), select)
        self.page_status.set_status(outline_status(self.outline.roots))
        self.refresh_counts()

    def edit(self, what: str = "topic") -> None:
        """Edit the selected topic (F2), the card shown (E) or settle built-in deck changes."""
        from app.ui.dialogs.edit_topic import open_editor

        open_editor(self, what)

    # --- settings, help --------------------------------------------------------------------------

    def edit_settings(self) -> None:
        """Every setting in one dialog; appearance applies live, the rest on OK or Apply."""
        from app.ui.dialogs.settings import SettingsDialog

        dialog = SettingsDialog(self.store, self)
        dialog.applied.connect(self._settings_applied)
        dialog.exec()

    def _settings_applied(self, _settings: object) -> None:
        self.outline.fit_count_columns()
        self.refresh_counts()

    def show_shortcuts(self) -> None:
        from app.ui.dialogs.shortcuts import ShortcutsDialog

        ShortcutsDialog(self).exec()

    def show_about(self) -> None:
        from app.ui.about import about_html

        folder = self.store.path.parent if self.store.path is not None else None
        QMessageBox.about(self, "About MLSD Study", about_html(folder))

    def show_browser(self, query: str | None = None) -> None:
        """The card browser (Ctrl+B), built when first opened; Esc comes back."""
        from app.ui.browser import browser_page

        page = browser_page(self, query)
        self._show_page(page)
        page.focus_search()

    # --- statistics ------------------------------------------------------------------------------

    def show_statistics(self) -> None:
        """The statistics page, showing the branch (or deck) selected in the outline first."""
        from app.ui.stats.page import StatsPage, stats_context

        if self.stats_page is None:
            self.stats_page = StatsPage(self.settings, self.close_review)
            self.pages.addWidget(self.stats_page)
        self._show_page(self.stats_page)
        self.stats_page.open(stats_context(self.store, self.clock(), self.local,
                                           self.outline.roots, self.current_node))

    # --- mock interviews -------------------------------------------------------------------------

    def _interview_page(self) -> InterviewPage | None:
        """The interview page, built the first time; None (and said) without a question bank."""
        if self.interview is None:
            deck = interview_deck(self.store)
            if deck is None:
                show_error(self, AppError("No deck with an interview question bank is loaded. "
                                          "The built-in deck has one: check the problems shown "
                                          "at the top of the window."))
                return None
            from app.ui.interview.page import InterviewPage

            self.interview = InterviewPage(self.store, deck, self.clock, self.settings,
                                           self.close_review, self.study_steps,
                                           local=self.local, decks=interview_decks(self.store))
            self.pages.addWidget(self.interview)
        return self.interview

    def _show_interview(self, page: InterviewPage) -> None:
        self._show_page(page, INTERVIEWING)
        self.resume_bar.hide()  # offered again at the next start if still unfinished

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

    def study_steps(self, steps: list[StepInfo], what: str = "weak steps") -> None:
        """Study the cards of the given interview steps (the weakest ones, or the topics that
        teach the criteria missed: ``what`` names them in the title)."""
        deck = self.interview.deck.id if self.interview is not None else None
        topics: set[TopicId] = set()
        for step in steps:
            node = find(self.outline.roots, f"{deck}/{step.topic_id}") if step.topic_id else None
            if node is not None:
                topics.update(n.topic_id for n in node.walk() if n.topic_id is not None)
        if deck is None or not topics:
            return
        names = ", ".join(dict.fromkeys(f"Step {s.number}" for s in steps if s.number))
        self._start_session(Scope(deck_id=DeckId(deck), topic_ids=frozenset(topics)),
                            "study", f"{what} ({names})")

    def study_cards(self, card_ids: Sequence[str], title: str) -> None:
        """Study exactly these cards now, due or not, as real reviews (Anki's filtered deck)."""
        scope = Scope(card_ids=frozenset(CardId(c) for c in card_ids))
        self._start_session(scope, "filtered", title)

    def resume_interview(self) -> None:
        """Resume the interview the resume bar names."""
        interview_id = self.resume_bar.still_waiting()
        page = self._interview_page()
        if interview_id is None or page is None or page.has_running_interview():
            self.resume_bar.hide()
            return
        page.use_deck_of(interview_id)
        try:
            session = interview_store.load_session(self.store, interview_id,
                                                   page.deck.questions, page.steps, self.clock())
        except AppError as error:
            show_error(self, error)
            return
        self.resume_bar.hide()
        page.run(session)
        self._show_interview(page)

    # --- persistence -----------------------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.outline.restoreState(splitter)
        self.outline.collapse_to_roots()
        last = self.settings.value("outline/last_topic")
        if not (isinstance(last, str) and self.open_key(last)) and self.outline.roots:
            self.outline.open_first()
        self.outline.focus_tree()

    def save_state(self) -> None:
        state: dict[str, object] = {"window/geometry": self.saveGeometry(),
                                    "window/splitter": self.outline.saveState()}
        if self.current_node is not None:
            state["outline/last_topic"] = self.current_node.key
        for key, value in state.items():
            if self.settings.value(key) != value:  # unchanged: the file is not written again
                self.settings.setValue(key, value)
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
    from app.ui.interview.display import ask_keep_or_discard

    return ask_keep_or_discard(parent)


def _confirm(parent: QWidget, title: str, text: str) -> bool:
    """A yes/cancel question; ``text`` may quote deck titles, so it is shown as plain text."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes


def settings_for(data_dir: Path) -> QSettings:
    """UI state lives beside the database, so ``--data-dir`` keeps everything together."""
    return QSettings(str(data_dir / "ui-state.ini"), QSettings.Format.IniFormat)
