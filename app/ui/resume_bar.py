"""The bar above the pages that offers a mock interview left unfinished: resume or discard it."""

from __future__ import annotations

import html
from datetime import tzinfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from app.db import interviews as interview_store
from app.db.store import Store


class ResumeBar(QFrame):
    """Names the latest unfinished interview; Resume asks the window to run it again, Discard
    throws away every unfinished one. Hidden when there is none."""

    resume_requested = Signal()

    def __init__(self, store: Store, local: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.local = local
        #: The interview offered (the latest unfinished one when the bar was last filled).
        self.interview_id: int | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = QLabel(wordWrap=True)
        resume = QPushButton("Resume")
        resume.clicked.connect(self.resume_requested)
        discard = QPushButton("Discard")
        discard.clicked.connect(self.discard)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(resume)
        layout.addWidget(discard)
        self.hide()

    def offer(self) -> None:
        """Show the latest unfinished interview, if there is one."""
        waiting = interview_store.unfinished_interviews(self.store)
        if not waiting:
            self.hide()
            return
        last = waiting[0]
        self.interview_id = last.id
        started = last.started_at.astimezone(self.local)
        self.text.setText(
            f"An unfinished mock interview is waiting: <b>{html.escape(last.question_title)}"
            f"</b>, started {started:%Y-%m-%d %H:%M}. Resume it where you left off (the clock "
            "stays paused until you resume), or discard it.")
        self.show()

    def still_waiting(self) -> int | None:
        """The offered interview's id while it is still unfinished in the store, else None."""
        waiting = {r.id for r in interview_store.unfinished_interviews(self.store)}
        return self.interview_id if self.interview_id in waiting else None

    def discard(self) -> None:
        """Discard every unfinished interview, after asking."""
        if not ask_discard(self):
            return
        for record in interview_store.unfinished_interviews(self.store):
            interview_store.discard_interview(self.store, record.id)
        self.hide()


def ask_discard(parent: QWidget) -> bool:
    """Ask before discarding the unfinished interviews; Cancel is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, "Discard interview?",
                      "Discard the unfinished mock interview? It cannot be resumed after this.",
                      parent=parent)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
    box.exec()
    return box.clickedButton() is discard
