"""File > Export to Anki: scope, progress, target; the export runs off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.plural import counted
from app.ui.dialogs.fit import breakable, fit_height, fit_width
from app.ui.worker import Progress, run_in_background


@dataclass(frozen=True)
class ExportChoice:
    """One scope the dialog offers: a label and the topics it covers (None: whole deck)."""

    label: str
    topic_ids: frozenset[str] | None
    file_stem: str


class ExportDialog(QDialog):
    """Choose what to export and where; shows progress and the result with counts."""

    def __init__(self, data_dir: Path, deck_id: str, choices: list[ExportChoice],
                 settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export to Anki")
        self.data_dir = data_dir
        self.deck_id = deck_id
        self.choices = choices
        self.settings = settings
        self.outcome: object | None = None  # ExportResult once done
        self.error: AppError | None = None

        layout = QVBoxLayout(self)
        self._add_choices(layout)
        self._add_target(layout)
        layout.addLayout(self._build_buttons())
        self._scope_changed(0, True)
        fit_width(self, 520)

    def _add_choices(self, layout: QVBoxLayout) -> None:
        """A radio button per scope, then whether progress and the question bank go too."""
        layout.addWidget(QLabel("<b>What to export</b>"))
        self.scope = QButtonGroup(self)
        for index, choice in enumerate(self.choices):
            radio = QRadioButton(choice.label)
            self.scope.addButton(radio, index)
            layout.addWidget(radio)
        self.scope.button(0).setChecked(True)
        self.scope.idToggled.connect(self._scope_changed)
        self.with_progress = QCheckBox("Include my progress, for moving to Anki")
        self.with_progress.setToolTip("The cards' scheduling state and review history go too")
        self.questions = QCheckBox("Also export the interview question bank as cards")
        layout.addWidget(self.with_progress)
        layout.addWidget(self.questions)

    def _add_target(self, layout: QVBoxLayout) -> None:
        """The file to write, the progress bar and the message that reports the result."""
        layout.addWidget(QLabel("<b>Save as</b>"))
        self.path = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        layout.addWidget(self.bar)
        self.message = QLabel(wordWrap=True)
        layout.addWidget(self.message)

    def _build_buttons(self) -> QHBoxLayout:
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        self.show_folder = QPushButton("Show in folder")
        self.show_folder.clicked.connect(self._show_in_folder)
        self.show_folder.hide()
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_folder)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.export_button)
        return buttons

    def choice(self) -> ExportChoice:
        return self.choices[max(0, self.scope.checkedId())]

    def _folder(self) -> Path:
        return Path(str(self.settings.value("export/folder", str(Path.home()))))

    def _scope_changed(self, _index: int, on: bool) -> None:
        if on:
            self.path.setText(str(self._folder() / f"{self.choice().file_stem}.apkg"))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to Anki", self.path.text(),
                                              "Anki package (*.apkg)")
        if path:
            self.path.setText(path if path.endswith(".apkg") else path + ".apkg")

    def export(self) -> None:
        target = Path(self.path.text().strip()).expanduser()
        if not self.path.text().strip():
            self._say("Choose where to save the package.")
            return
        choice = self.choice()
        with_progress = self.with_progress.isChecked()
        questions = self.questions.isChecked()
        data_dir, deck_id = self.data_dir, self.deck_id
        self.export_button.setEnabled(False)
        self.show_folder.hide()
        self.outcome = self.error = None
        self._say("Exporting…")
        self.bar.setRange(0, 0)  # busy until the first progress report

        def work(progress: Progress) -> object:
            # Runs in a pool thread: its own connection, no widgets.
            from app.clock import utc_now
            from app.db.store import Store
            from app.decks.library import load_stored_deck
            from app.export.package import export_deck

            store = Store.open(data_dir, check=False)  # checked at start-up
            try:
                deck = load_stored_deck(store, deck_id)
                return export_deck(store, deck, target, now=utc_now(),
                                   topic_ids=choice.topic_ids, with_progress=with_progress,
                                   include_questions=questions, progress=progress)
            finally:
                store.close()

        run_in_background(work, on_done=self._done, on_error=self._failed,
                          on_progress=self._progress)

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)

    def _done(self, result: object) -> None:
        self.outcome = result
        self.export_button.setEnabled(True)
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        notes, cards = getattr(result, "notes", 0), getattr(result, "cards", 0)
        path = Path(str(getattr(result, "path", self.path.text())))
        self.settings.setValue("export/folder", str(path.parent))
        self._say(f"Exported {counted(notes, 'note')} ({counted(cards, 'card')}) to "
                  f"{breakable(path)}. In Anki: File > Import. Exporting again later updates "
                  "these notes.")
        self.show_folder.show()

    def _failed(self, error: AppError) -> None:
        self.error = error
        self.export_button.setEnabled(True)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self._say(f"Not exported: {error.message}")

    def _say(self, text: str) -> None:
        """Show ``text`` under the progress bar, the window grown to show all of it."""
        self.message.setText(text)
        fit_height(self)

    def _show_in_folder(self) -> None:
        path = Path(str(getattr(self.outcome, "path", self.path.text())))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
