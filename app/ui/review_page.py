"""The review screen: shows a :class:`ReviewView` and forwards keys; the session decides."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.decks.render import filled_in
from app.errors import AppError
from app.plural import counted
from app.scheduling.overview import describe_when
from app.scheduling.scheduler import Grade
from app.ui.actions import (
    OVERVIEW_CUSTOM,
    OVERVIEW_UNBURY,
    PAGE_KEYS,
    REVIEW_BACK,
    REVIEW_BURY,
    REVIEW_CONFIRM,
    REVIEW_GRADE,
    REVIEW_INFO,
    REVIEW_SUSPEND,
    REVIEW_UNDO,
    REVIEWING,
    bind_page_key,
)
from app.ui.pages import keys_status
from app.ui.safe_text import SafeTextBrowser

if TYPE_CHECKING:
    from app.scheduling.review import ReviewSession, ReviewView

# Anki's counter colours: new blue, learning red, review green (readable on light and dark).
NEW_COLOUR, LEARN_COLOUR, REVIEW_COLOUR = "#3b82f6", "#e5484d", "#30a46c"
#: The grades in the order of their keys (REVIEW_GRADE: 1 Again ... 4 Easy).
GRADES = tuple(Grade)
#: How long a notice ("Card suspended") stays in the header.
NOTICE_MS = 4000


def custom_and_unbury(custom: Callable[[], object], unbury: Callable[[], object]
                      ) -> tuple[QPushButton, QPushButton]:
    """The Custom study and Unbury buttons of the overview and the finished screen (the
    Unbury button's text names how many cards are buried)."""
    custom_button = QPushButton("Custom study…")
    custom_button.setToolTip(f"Key {OVERVIEW_CUSTOM.text()}: more new cards, review ahead, "
                             "forgotten cards, preview new cards")
    custom_button.clicked.connect(custom)
    unbury_button = QPushButton()
    unbury_button.setToolTip(f"Key {OVERVIEW_UNBURY.text()}")
    unbury_button.clicked.connect(unbury)
    return custom_button, unbury_button


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


class ReviewPage(QWidget):
    """Question, Space to reveal, 1-4 to grade, Ctrl+Z to undo, Esc to go back."""

    closed = Signal()
    #: From the finished screen: custom study, or unbury the session's buried cards.
    custom_study_requested = Signal()
    unbury_requested = Signal()
    #: The keys that work changed (a card shown, or the finished screen): see status_text.
    status_changed = Signal()

    def __init__(self, clock: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.session: ReviewSession | None = None
        self.view: ReviewView | None = None
        # Where Esc and Back lead from this session, and from the next one started.
        self._back: tuple[str, Callable[[], None]] | None = None
        self._next_back: tuple[str, Callable[[], None]] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header())
        layout.addWidget(self.problem)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_card_page())
        self.pages.addWidget(self._build_done_page())
        layout.addWidget(self.pages, 1)

        # On the finished screen, learning cards still due today are picked up when their time
        # comes, as in Anki; the session decides, the timer only ticks.
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(15_000)
        self.poll_timer.timeout.connect(self.poll)

        bind_page_key(self, REVIEW_UNDO, self.undo)

    def _build_header(self) -> QHBoxLayout:
        # Deck text is never HTML; both wrap rather than hold the window wide (800x600, 16 pt).
        self.title = QLabel(textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        title_font = self.title.font()
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.counts = QLabel()
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.counts.setToolTip("New · Learning · To review")
        # What the last bury, suspension or undo did; it clears itself after a few seconds
        # (the timer only ticks: what it says comes from the session).
        self.notice = QLabel(textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        self.notice.setAccessibleName("Notice")
        self.notice.setStyleSheet("background: #fef3c7; color: #78350f; padding: 2px 8px; "
                                  "border-radius: 4px")
        self.notice.hide()
        self.notice_timer = QTimer(self, singleShot=True, interval=NOTICE_MS)
        self.notice_timer.timeout.connect(self.clear_notice)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.notice)
        header.addWidget(self.counts)
        # Why the last key did nothing (a full disk, a read-only database): shown in the page,
        # not in a modal box, so every further key press is not one more box to dismiss.
        self.problem = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.problem.setAccessibleName("Problem")
        self.problem.setStyleSheet("background: #fef2f2; color: #991b1b; padding: 6px; "
                                   "border: 1px solid #fca5a5; border-radius: 4px")
        self.problem.hide()
        return header

    def _build_card_page(self) -> QWidget:
        self.context = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        # Muted but readable (a disabled label's grey is too faint on every card), and it
        # follows a theme switch: the role is read from the palette at each paint.
        self.context.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # One pane for the card, as in Anki: the question, then a rule and the answer below it.
        self.card_view = SafeTextBrowser()
        self.card_view.setAccessibleName("Card")
        self.card_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.card_view.document().setDocumentMargin(18)
        font = self.card_view.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        self.card_view.setFont(font)

        self.show_button = QPushButton("Show answer")
        self.show_button.setToolTip(" or ".join(
            REVIEW_CONFIRM.shown(i) for i in range(len(REVIEW_CONFIRM.keys))))
        self.show_button.clicked.connect(self.reveal)
        self.grade_buttons: dict[Grade, QPushButton] = {}
        grades = QHBoxLayout()
        for position, grade in enumerate(GRADES):
            button = QPushButton()
            button.setToolTip(f"Key {REVIEW_GRADE.shown(position)}")
            button.clicked.connect(lambda _checked=False, g=grade: self.grade(g))
            button.setMinimumHeight(46)
            self.grade_buttons[grade] = button
            grades.addWidget(button)
        grade_box = QWidget()
        grade_box.setLayout(grades)
        self.bottom = QStackedWidget()
        self.bottom.addWidget(self.show_button)
        self.bottom.addWidget(grade_box)
        self.bottom.setMaximumHeight(60)

        card_page = QWidget()
        card_layout = QVBoxLayout(card_page)
        card_layout.setContentsMargins(0, 0, 0, 0)
        card_layout.addWidget(self.context)
        card_layout.addWidget(self.card_view, 1)
        card_layout.addWidget(self.bottom)
        return card_page

    def _build_done_page(self) -> QWidget:
        self.summary = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.custom_button, self.unbury_button = custom_and_unbury(
            self.custom_study_requested.emit, self.unbury_requested.emit)
        self.back_button = back = QPushButton("Back to the outline")
        back.setToolTip(REVIEW_BACK.text())
        back.clicked.connect(self.leave)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.custom_button, self.unbury_button, back):
            buttons.addWidget(button)
        buttons.addStretch(1)
        done_page = QWidget()
        done_layout = QVBoxLayout(done_page)
        done_layout.addStretch(1)
        done_layout.addWidget(self.summary)
        done_layout.addSpacing(8)
        done_layout.addLayout(buttons)
        done_layout.addStretch(2)
        return done_page

    # --- driving the session ---------------------------------------------------------------------

    def start(self, session: ReviewSession, title: str) -> None:
        self.session = session
        self._back, self._next_back = self._next_back, None
        self.back_button.setText(f"Back to the {self.back_to}")
        self.title.setText(title)
        self.problem.hide()
        self.clear_notice()
        self._render(session.view())
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def return_next_session_to(self, where: str | None,
                               go: Callable[[], None] | None = None) -> None:
        """Esc and Back in the next session started lead to ``where`` ("browser"; ``go`` shows
        it) instead of the outline, as Anki returns to where you started; None disarms it (a
        session that did not start). Armed before the session starts, so its status line names
        the place from the first card."""
        self._next_back = None if where is None or go is None else (where, go)

    @property
    def back_to(self) -> str:
        """Where Esc leads from this session: "outline", or where it was started from."""
        return "outline" if self._back is None else self._back[0]

    def leave(self) -> None:
        """Esc, Enter on the finished screen, Back: to where the session was started from;
        else ``closed`` (the window shows the outline)."""
        if self._back is None:
            self.closed.emit()
        else:
            self._back[1]()

    def show_view(self, view: ReviewView) -> None:
        """Show ``view``, a state the session returned outside the page's own keys (the card
        re-read after an edit)."""
        self._render(view)

    def reveal(self) -> None:
        if self.session is not None:
            self._render(self.session.reveal(self.clock()))

    def grade(self, grade: Grade) -> None:
        session = self.session
        if session is not None and self.view is not None and self.view.revealed:
            self._write(lambda now: session.answer(grade, now))

    def undo(self) -> None:
        if self.session is not None:
            self._write(self.session.undo)

    def poll(self) -> None:
        if self.session is not None:
            self._render(self.session.poll(self.clock()))

    def suspend(self) -> None:
        if self.session is not None:
            self._write(self.session.suspend)

    def bury(self) -> None:
        if self.session is not None:
            self._write(self.session.bury)

    def _write(self, action: Callable[[datetime], ReviewView]) -> None:
        """An action that stores something; if the store refuses, the session has not moved
        (the same card, still revealed) and the page says why until an action succeeds."""
        try:
            view = action(self.clock())
        except AppError as error:
            self.problem.setText(error.message)
            self.problem.show()
            return
        self.problem.hide()
        self._render(view)
        if view.notice:
            self.notice.setText(view.notice)
            self.notice.show()
            self.notice_timer.start()
        else:
            self.clear_notice()

    def clear_notice(self) -> None:
        self.notice_timer.stop()
        self.notice.clear()
        self.notice.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        view = self.view
        if view is None:
            super().keyPressEvent(event)
            return
        confirm = REVIEW_CONFIRM.matches(event)
        grade = REVIEW_GRADE.index(event)
        if REVIEW_BACK.matches(event) or (view.finished and confirm):
            self.leave()
        elif view.finished and OVERVIEW_CUSTOM.matches(event):
            self.custom_study_requested.emit()
        elif view.finished and view.buried and OVERVIEW_UNBURY.matches(event):
            self.unbury_requested.emit()
        elif confirm:
            if view.revealed:
                self.grade(Grade.GOOD)  # as in Anki: Space on the answer means Good
            else:
                self.reveal()
        elif grade is not None:
            self.grade(GRADES[grade])
        elif REVIEW_BURY.matches(event):
            self.bury()
        elif REVIEW_SUSPEND.matches(event):
            self.suspend()
        elif REVIEW_INFO.matches(event) and view.card is not None and self.session is not None:
            from app.ui.card_info import show_card_info  # loaded when first asked for

            show_card_info(self, self.session.store, view.card.id, self.clock())
        else:
            super().keyPressEvent(event)

    # --- showing ---------------------------------------------------------------------------------

    def status_text(self) -> str:
        """The window's status line while this page shows (app/ui/pages.py): the reviewing
        keys, or on the finished screen the keys that work there."""
        view = self.view
        back = replace(REVIEW_BACK, what=f"Back to the {self.back_to}")
        if view is None or not view.finished:
            return keys_status([back if key is REVIEW_BACK else key for key in PAGE_KEYS
                                if key.where == REVIEWING])
        keys = [back, OVERVIEW_CUSTOM]
        if view.buried:
            keys.append(OVERVIEW_UNBURY)
        if view.can_undo:
            keys.append(REVIEW_UNDO)
        return keys_status(keys)

    def _render(self, view: ReviewView) -> None:
        was_finished = self.view is not None and self.view.finished
        self.view = view
        if view.finished != was_finished:
            self.status_changed.emit()
        waiting = self.session is not None and self.session.waiting
        if waiting and not self.poll_timer.isActive():
            self.poll_timer.start()
        elif not waiting:
            self.poll_timer.stop()
        counts = view.counts
        if view.mode == "cram":
            self.counts.setText(f"<b>{counts.review}</b> left · schedules unchanged")
        else:
            self.counts.setText(
                f'<b style="color:{NEW_COLOUR}">{counts.new}</b> + '
                f'<b style="color:{LEARN_COLOUR}">{counts.learning}</b> + '
                f'<b style="color:{REVIEW_COLOUR}">{counts.review}</b>')
        if view.card is None:
            self._render_finished(view)
            return
        self.pages.setCurrentIndex(0)
        card = view.card
        self.context.setText(card.context)
        if view.revealed:
            # A gap card's answer fills its gap in place, as in Anki; any other card shows
            # the answer under the question.
            filled = filled_in(card.prompt, card.answer, card.kind)
            if filled is not None:
                self.card_view.setHtml(filled)
            else:
                self.card_view.show_markdown(f"{card.prompt}\n\n---\n\n{card.answer}")
            for button in view.buttons:
                self.grade_buttons[button.grade].setText(f"{button.label}\n{button.interval}")
            self.bottom.setCurrentIndex(1)
        else:
            self.card_view.show_markdown(card.prompt)
            self.bottom.setCurrentIndex(0)

    def _render_finished(self, view: ReviewView) -> None:
        """What was done, when the next card is due, and what else there is to do."""
        summary = view.summary
        rate = "—" if summary.pass_rate is None else f"{summary.pass_rate:.0%}"
        session = self.session
        if view.next_due is None or session is None:
            when = "<p>No card here will come due: the rest are suspended or there are none.</p>"
        else:
            words = describe_when(view.next_due, self.clock(), session.local)
            exact = f"{view.next_due.astimezone(session.local):%a %d %b %Y, %H:%M}"
            when = f"<p>Next card due: <b>{html.escape(words)}</b> ({html.escape(exact)})</p>"
        again = f" ({summary.again} Again)" if summary.again else ""
        done = (f"<p>This session: <b>{summary.answered}</b> "
                f"{'card' if summary.answered == 1 else 'cards'} answered{again} · time "
                f"<b>{_duration(summary.seconds)}</b> · pass rate <b>{rate}</b></p>")
        keys = [f"Esc or Enter: back to the {self.back_to}",
                f"{OVERVIEW_CUSTOM.text()}: custom study"]
        if view.buried:
            keys.append(f"{OVERVIEW_UNBURY.text()}: unbury")
        if view.can_undo:
            keys.append("Ctrl+Z: undo the last answer")
        self.summary.setText(f"<h2>{html.escape(view.message)}</h2>{when}{done}"
                             f"<p>{html.escape(' · '.join(keys))}</p>")
        self.unbury_button.setText(f"Unbury {counted(view.buried, 'card')}")
        self.unbury_button.setVisible(bool(view.buried))
        self.pages.setCurrentIndex(1)
