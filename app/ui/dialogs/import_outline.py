"""File > Import outline: a Markdown outline becomes a deck; the import runs off the GUI thread."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.plural import counted
from app.ui.dialogs.fit import fit_height, fit_width
from app.ui.worker import Progress, run_in_background

if TYPE_CHECKING:
    from app.decks.lint import Finding

MARKDOWN_FILTER = "Markdown outlines (*.md *.markdown *.mdown *.txt);;All files (*)"


class ImportDialog(QDialog):
    """Choose an outline (and optionally the deck's title and id), import it, show the counts.

    ``imported`` carries the deck id once the deck is written and stored; the window then
    rebuilds its tree. Nothing is written when the outline has problems: they are listed here.
    """

    imported = Signal(str)

    def __init__(self, data_dir: Path, settings: QSettings, parent: QWidget | None = None,
                 path: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Import outline")
        self.data_dir = data_dir
        self.settings = settings
        self.outcome: object | None = None  # ImportResult once done
        self.error: AppError | None = None

        layout = QVBoxLayout(self)
        intro = QLabel("Turn a Markdown outline (headings and nested lists) into a deck with "
                       "flashcards. The deck is saved as YAML in your decks folder, where you "
                       "can edit it. Importing the same file again updates the deck and keeps "
                       "your progress on every unchanged topic.", wordWrap=True)
        layout.addWidget(intro)
        layout.addLayout(self._build_form(path))
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        layout.addWidget(self.bar)
        self.message = QLabel(wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # it quotes titles from the file
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons())
        fit_width(self, 560)

    def _build_form(self, path: str) -> QFormLayout:
        """The outline file (typed or browsed for), and the deck's title and id if wanted."""
        form = QFormLayout()
        self.path = QLineEdit(path)
        self.path.setPlaceholderText("An outline file (.md)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        label = QLabel("&Outline:")
        label.setBuddy(self.path)  # a row of widgets gets no buddy from the form itself
        form.addRow(label, row)
        self.title = QLineEdit(placeholderText="From the outline's first heading")
        form.addRow("Deck &title:", self.title)
        self.deck_id = QLineEdit(placeholderText="From the title (letters, digits, dashes)")
        form.addRow("Deck &id:", self.deck_id)
        return form

    def _build_buttons(self) -> QHBoxLayout:
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.import_button)
        return buttons

    def _say(self, text: str) -> None:
        """Show ``text`` under the progress bar, the window grown to show all of it."""
        self.message.setText(text)
        fit_height(self)

    def _browse(self) -> None:
        folder = str(self.settings.value("import/folder", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "Import outline", folder, MARKDOWN_FILTER)
        if path:
            self.path.setText(path)

    def start(self) -> None:
        text = self.path.text().strip()
        if not text:
            self._say("Choose the outline file to import.")
            return
        source = Path(text).expanduser()
        title = self.title.text().strip() or None
        deck_id = self.deck_id.text().strip() or None
        data_dir = self.data_dir
        self.import_button.setEnabled(False)
        self.outcome = self.error = None
        self._say(f"Importing {source.name}…")
        self.bar.setRange(0, 0)  # busy: parsing has no meaningful steps to count

        def work(progress: Progress) -> object:
            # Runs in a pool thread: its own connection, no widgets.
            from app.clock import utc_now
            from app.db.store import Store
            from app.decks.library import import_outline

            store = Store.open(data_dir, check=False)  # checked at start-up
            try:
                return import_outline(store, source, data_dir, utc_now(), deck_id=deck_id,
                                      title=title, progress=progress)
            finally:
                store.close()

        run_in_background(work, on_done=self._done, on_error=self._failed,
                          on_progress=self._progress)

    _STAGES = ("Reading and parsing the outline…", "Making the deck file and its cards…",
               "Writing the deck file…", "Storing the deck…", "Done.")

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        if 0 <= done < len(self._STAGES):
            self._say(self._STAGES[done])

    def _done(self, result: object) -> None:
        self.outcome = result
        self.import_button.setEnabled(True)
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.settings.setValue("import/folder", str(Path(self.path.text()).expanduser().parent))
        self._say(describe_import(result))
        self.imported.emit(str(getattr(result, "deck_id", "")))

    def _failed(self, error: AppError) -> None:
        self.error = error
        self.import_button.setEnabled(True)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self._say(f"Not imported (nothing was changed): {error.message}")


def describe_import(result: object) -> str:
    """One paragraph about an import: what became of the outline and where the YAML went."""
    title = getattr(result, "title", "") or getattr(result, "deck_id", "")
    topics, cards = getattr(result, "topics", 0), getattr(result, "cards", 0)
    text = f"Imported “{title}”: {counted(topics, 'topic')}, {counted(cards, 'card')}."
    added, updated, retired = (getattr(result, name, 0) for name in ("added", "updated",
                                                                      "retired"))
    if updated or retired:
        moves = [f"{count} {what}" for what in ("renamed", "moved")
                 if (count := getattr(result, what, 0))]
        kept = f" ({', '.join(moves)})" if moves else ""
        text += (f" {added} topics added, {updated} kept with their progress{kept}, {retired} "
                 "retired (their history is kept).")
    written = getattr(result, "path", None)
    if written:
        text += f" Saved as {written}."
    findings = getattr(result, "findings", ())
    if findings:  # the card linter's, at lines of the outline: the text the person wrote
        text += "\n\n" + _describe_findings(findings, str(getattr(result, "deck_id", "")))
    return text


def _describe_findings(findings: Sequence[Finding], deck_id: str) -> str:
    shown = "; ".join(f"line {f.line} of {Path(f.path).name}: {f.message}"
                      for f in findings[:_SHOWN_FINDINGS])
    hidden = len(findings) - _SHOWN_FINDINGS
    text = (f"{len(findings)} card warning{'s' if len(findings) != 1 else ''}: {shown}"
            f"{f' (and {hidden} more)' if hidden > 0 else ''}. Edit the outline and import "
            "it again")
    if hidden > 0:  # the command the deck file's header names; it prints every warning
        text += (f"; importing it from a terminal lists them all: mlsd-study import-outline "
                 f"{shlex.quote(findings[0].path)} --id {deck_id}")
    return text + "."


_SHOWN_FINDINGS = 3
