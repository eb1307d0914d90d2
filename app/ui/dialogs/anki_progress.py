"""File > Import progress from Anki… and the Settings panel "Optimise from my reviews"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.ui.errors import show_error

if TYPE_CHECKING:
    from app.export.anki_progress import ImportReport
    from app.scheduling.personal import Optimised

__all__ = ["OptimisePanel", "import_progress_from_anki"]

PACKAGES = "Anki packages (*.apkg *.colpkg);;All files (*)"


def import_progress_from_anki(parent: QWidget, data_dir: Path, now: datetime,
                              on_finished: Callable[[], None], path: str = "") -> None:
    """Ask for the package (unless ``path``), import it in a worker, report, then call
    ``on_finished`` (the window refreshes its tree and statistics)."""
    from app.ui.worker import run_in_background

    if not path:
        path, _ = QFileDialog.getOpenFileName(parent, "Import progress from Anki", "", PACKAGES)
        if not path:
            return
    waiting = QProgressDialog("Reading the Anki package…", "", 0, 0, parent)
    waiting.setWindowTitle("Import progress from Anki")
    waiting.setCancelButton(None)  # one transaction: it finishes or changes nothing
    waiting.setWindowModality(Qt.WindowModality.WindowModal)
    waiting.setMinimumDuration(0)
    waiting.show()

    def work(progress: Callable[[int, int], None]) -> object:
        from app.db.store import Store
        from app.export.anki_progress import import_anki_progress

        store = Store.open(data_dir, check=False)  # its own connection; checked at start
        try:
            return import_anki_progress(store, data_dir, Path(path), now=now, progress=progress)
        finally:
            store.close()

    def progressed(done: int, total: int) -> None:
        stages = ("Replaying the schedules…", "Saving (one transaction)…", "Done")
        waiting.setLabelText(stages[min(done, len(stages) - 1)])
        waiting.setRange(0, total)
        waiting.setValue(done)

    def done(report: ImportReport) -> None:
        waiting.close()
        lines = report.lines()
        if not report.changed:
            lines.append("Nothing new: your progress was already up to date.")
        on_finished()
        QMessageBox.information(parent, "Progress imported from Anki", "\n".join(lines))

    def failed(error: AppError) -> None:
        waiting.close()
        show_error(parent, error)

    run_in_background(work, on_done=done, on_error=failed, on_progress=progressed)


_STAGES = ("Scoring the current parameters", "Fitting", "Scoring the fitted parameters",
           "Rescheduling")


class OptimisePanel(QWidget):
    """The "Optimise from my reviews" button, its reschedule choice, progress and result."""

    optimised = Signal(object)  # the parameters applied (a tuple of floats)

    def __init__(self, data_dir: Path | None, local: tzinfo, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.data_dir, self.local = data_dir, local
        self.button = QPushButton("&Optimise from my reviews")
        self.button.setToolTip("Fit the scheduler to your own answers (needs at least 400 "
                               "reviews); applied only when it predicts them better")
        self.reschedule = QCheckBox("Re&schedule my cards with the result")
        self.bar = QProgressBar()
        self.bar.setRange(0, len(_STAGES))
        self.bar.hide()
        self.result = QLabel(wordWrap=True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.reschedule)
        layout.addWidget(self.bar)
        layout.addWidget(self.result)
        self.button.clicked.connect(self.start)
        self.button.setEnabled(data_dir is not None)
        self.outcome: Optimised | None = None
        self.error: AppError | None = None

    def start(self) -> None:
        from app.ui.worker import run_in_background

        data_dir, local, reschedule = self.data_dir, self.local, self.reschedule.isChecked()
        if data_dir is None:
            return
        self.button.setEnabled(False)
        self.bar.setValue(0)
        self.bar.show()
        self.result.setText("Working…")
        self.outcome, self.error = None, None

        def work(progress: Callable[[int, int], None]) -> object:
            from app.clock import utc_now
            from app.db.backup import create_backup
            from app.db.store import Store
            from app.scheduling.personal import optimise_from_reviews

            def stage(text: str) -> None:
                progress(next((i for i, s in enumerate(_STAGES) if text.startswith(s)), 0),
                         len(_STAGES))

            store = Store.open(data_dir, check=False)
            try:
                if reschedule:
                    create_backup(store, data_dir, utc_now(), reason="before-optimize")
                return optimise_from_reviews(store, local=local, reschedule=reschedule,
                                             progress=stage)
            finally:
                store.close()

        run_in_background(work, on_done=self._done, on_error=self._failed,
                          on_progress=lambda done, _total: self.bar.setValue(done))

    def _done(self, outcome: Optimised) -> None:
        self.outcome = outcome
        self.bar.hide()
        self.button.setEnabled(True)
        self._say("\n".join(outcome.lines()))
        if outcome.applied:
            self.optimised.emit(outcome.fit.after)

    def _failed(self, error: AppError) -> None:
        self.error = error
        self.bar.hide()
        self.button.setEnabled(True)
        self._say(str(error))

    def _say(self, text: str) -> None:
        """The outcome under the button, the dialog grown to show all of it."""
        from app.ui.dialogs.fit import fit_height

        self.result.setText(text)
        fit_height(self.window())
