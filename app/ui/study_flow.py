"""Studying a branch as in Anki: its overview first, then the session; custom study and unbury
from the overview and the finished screen. Wiring between the window's pages; the core decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog

from app.db import study
from app.db.custom_study import CustomStudy, add_new_today, custom_cards, custom_count
from app.db.settings import load_study_settings
from app.db.study import Scope
from app.errors import AppError
from app.plural import counted
from app.scheduling.overview import overview
from app.scheduling.scheduler import StudyDay, study_day
from app.ui.actions import OVERVIEW
from app.ui.dialogs.custom_study import CustomStudyDialog
from app.ui.errors import show_error
from app.ui.overview_page import OverviewPage

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def _run(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


class StudyFlow(QObject):
    """The overview page and what its buttons (and the finished screen's) start."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.scope = Scope()
        self.where = ""
        #: Shows the custom-study dialog; True when taken (tests drive the dialog by keys).
        self.run_dialog: Callable[[QDialog], bool] = _run
        self.page = OverviewPage()
        window.pages.addWidget(self.page)
        self.page.study_requested.connect(self.study_now)
        self.page.custom_study_requested.connect(lambda: self.custom_study(self.scope,
                                                                           self.where))
        self.page.unbury_requested.connect(lambda: self.unbury(self.scope, self.where))
        self.page.closed.connect(window.close_review)
        review = window.review
        review.custom_study_requested.connect(lambda: self.custom_study(*self._finished()))
        review.unbury_requested.connect(lambda: self.unbury(*self._finished()))
        review.status_changed.connect(self._review_status)

    @classmethod
    def of(cls, window: MainWindow) -> StudyFlow:
        """The window's study flow, made when first needed."""
        flow = window.findChild(StudyFlow)
        return flow if isinstance(flow, StudyFlow) else cls(window)

    def _review_status(self) -> None:
        """The status line follows the review page onto its finished screen and back."""
        review = self.window.review
        if self.window.pages.currentWidget() is review:
            self.window.page_status.set_status(review.status_text())

    def _day(self) -> StudyDay:
        settings = load_study_settings(self.window.store)
        return study_day(self.window.clock(), self.window.local, settings.rollover_hour)

    def show(self, scope: Scope, where: str) -> None:
        """The branch's overview: what Study now will show, or when there is more."""
        self.scope, self.where = scope, where
        window = self.window
        now = window.clock()
        try:
            seen = overview(window.store, scope, load_study_settings(window.store), now,
                            window.local)
        except AppError as error:
            show_error(window, error)
            return
        self.page.show_overview(where, seen, now, window.local)
        window._show_page(self.page, OVERVIEW)
        self.page.setFocus(Qt.FocusReason.OtherFocusReason)

    def study_now(self) -> None:
        self.window._start_session(self.scope, "study", self.where)

    def _finished(self) -> tuple[Scope, str]:
        """The branch a finished session studied (a custom session's branch, not its cards)."""
        session = self.window.review.session
        base = Scope() if session is None else replace(session.scope, card_ids=None)
        if base == self.scope:
            return self.scope, self.where
        return base, "everything" if base.everything else "this branch"

    def custom_study(self, scope: Scope, where: str) -> None:
        window = self.window
        day = self._day()
        now = window.clock()

        def count(choice: CustomStudy) -> int:
            return custom_count(window.store, scope, choice, now, day.start, day.end)

        try:
            dialog = CustomStudyDialog(where, count, window)
            if not self.run_dialog(dialog):
                return
            choice = dialog.choice()
            self._start_custom(scope, where, choice, day)
        except AppError as error:
            show_error(window, error)

    def _start_custom(self, scope: Scope, where: str, choice: CustomStudy,
                      day: StudyDay) -> None:
        window = self.window
        if choice.kind == "more_new":
            add_new_today(window.store, day.start, choice.amount)
            self.show(scope, where)  # the overview, with the new cards counted
            return
        cards = custom_cards(window.store, scope, choice, window.clock(), day.start, day.end)
        chosen = replace(scope, card_ids=frozenset(cards))
        self.scope, self.where = scope, where
        if choice.kind == "preview_new":
            # Cram: a preview shows the cards and schedules nothing (Anki's preview deck
            # does not reschedule either); they stay new for real study.
            window._start_session(chosen, "cram",
                                  f"preview of {counted(len(cards), 'new card')} of {where}")
            return
        what = {"review_ahead": f"review ahead {counted(choice.amount, 'day')}",
                "forgotten": f"cards forgotten in the last {counted(choice.amount, 'day')}"}
        window._start_session(chosen, "filtered", f"{where}, {what[choice.kind]}")

    def unbury(self, scope: Scope, where: str) -> None:
        window = self.window
        try:
            count = study.unbury_scope(window.store, scope, window.clock())
        except AppError as error:
            show_error(window, error)
            return
        window.statusBar().showMessage(f"Unburied {counted(count, 'card')} of {where}", 6000)
        self.show(scope, where)
