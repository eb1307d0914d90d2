"""Render the README's screenshots of the study screens: python packaging/render_screenshots.py.

Runs offscreen on a fresh data folder seeded with five weeks of simulated study (FSRS answers
on the built-in deck, seeded random grades), then grabs the overview, the finished screen, the
card browser, card info, the topic editor and a filled-in cloze answer into
``resources/screenshots/`` (or ``--out DIR``), and the main window in the light and dark
themes.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QWidget  # noqa: E402

from app.clock import local_zone, utc_now  # noqa: E402
from app.db import browse  # noqa: E402
from app.db.settings import Appearance, load_study_settings  # noqa: E402
from app.db.store import Store  # noqa: E402
from app.db.study import Scope  # noqa: E402
from app.scheduling.review import ReviewSession  # noqa: E402
from app.scheduling.scheduler import Fsrs, Grade  # noqa: E402
from app.ui.app import open_data  # noqa: E402
from app.ui.appearance import apply_appearance  # noqa: E402
from app.ui.browser.page import BrowserPage  # noqa: E402
from app.ui.card_info import show_card_info  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402

SIZE = (1120, 740)
STEP = "ml-system-design/s2"
TOPIC = "ml-system-design/s2-counter-metrics"  # hand-written cards and a cloze
BRANCH = "ml-system-design/s2-online-metrics"  # small enough to finish
CLOZE = "ml-system-design/s2-counter-metrics/cloze/0/c1"
_STARTED = time.monotonic()


def elapsed() -> float:
    """Seconds since the script started: the window's clock moves on as a real one does."""
    return time.monotonic() - _STARTED


def simulate_study(store: Store, now: datetime, days: int = 35, per_day: int = 25) -> None:
    """``days`` of study before ``now``: each day the due cards and some new ones, answered
    with seeded grades (mostly Good), so the schedule, log and intervals are realistic."""
    rng = random.Random(7)
    fsrs = Fsrs(load_study_settings(store))
    for back in range(days, 0, -1):
        moment = now - timedelta(days=back)
        session = ReviewSession(store, fsrs, Scope(), moment, local_zone(), "study")
        for _ in range(per_day):
            view = session.view()
            if view.card is None:
                break
            moment += timedelta(seconds=rng.randint(5, 40))
            session.reveal(moment)
            grade = rng.choices([Grade.AGAIN, Grade.HARD, Grade.GOOD, Grade.EASY],
                                [10, 10, 70, 10])[0]
            session.answer(grade, moment)


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()
        QTest.qWait(20)


def grab(widget: QWidget, target: Path) -> None:
    settle(QApplication.instance())  # type: ignore[arg-type]
    if not widget.grab().save(str(target)):
        raise SystemExit(f"render_screenshots: could not write {target}")
    print(target)


def grab_modal(app: QApplication, target: Path, then_key: Qt.Key = Qt.Key.Key_Escape) -> None:
    """Grab the modal dialog that is about to open, then close it with ``then_key``."""
    def shoot() -> None:
        dialog = app.activeModalWidget()
        if isinstance(dialog, QDialog):
            grab(dialog, target)
            dialog.reject()
    QTimer.singleShot(300, shoot)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "resources" / "screenshots")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        store, report = open_data(data)
        # The deck is added now; five weeks of study follow, and the window opens after them.
        later = utc_now() + timedelta(days=35)
        simulate_study(store, later)
        window = MainWindow(store, report, QSettings(str(data / "ui.ini"),
                                                     QSettings.Format.IniFormat),
                            clock=lambda: later + timedelta(seconds=elapsed()))
        window.resize(*SIZE)
        window.show()
        settle(app)

        # The main window, light and dark: Step 2 open, with its counts after the study.
        window.open_key(STEP)
        QTest.keyClick(window.tree, Qt.Key.Key_Right)  # open the branch
        grab(window, out / "main-window.png")
        apply_appearance(app, Appearance(theme="dark"))
        grab(window, out / "main-window-dark.png")
        apply_appearance(app, Appearance(theme="light"))

        # The browser: cards with "model" sorted by due, a few flagged, card info of one.
        window.show_browser("model")
        settle(app)
        page = window.pages.currentWidget()
        assert isinstance(page, BrowserPage)
        ids = [page.model.card_id(row) for row in range(min(6, page.model.rowCount()))]
        for flag, card_id in zip((1, 3, 4), ids[1:], strict=False):
            browse.set_flag(store, [card_id], flag)
        page.search("model")
        page.table.selectRow(2)
        grab(window, out / "browser.png")
        info = show_card_info(window, store, ids[1], window.clock())
        info.resize(760, 560)
        grab(info, out / "card-info.png")
        info.close()

        # The topic editor on a topic with hand-written cards.
        window.close_review()
        window.open_key(TOPIC)
        grab_modal(app, out / "edit-topic.png")
        window.edit("topic")

        # A branch's overview, its study session to the finished screen; then a cloze card's
        # answer, filled in place.
        window.open_key(BRANCH)
        window.start_review("study")
        settle(app)
        grab(window, out / "overview.png")
        overview = window.pages.currentWidget()
        assert overview is not None
        QTest.keyClick(overview, Qt.Key.Key_Return)
        settle(app)
        review = window.review
        for _ in range(60):
            if review.session is None or review.session.view().card is None:
                break
            QTest.keyClick(review, Qt.Key.Key_Space)
            QTest.keyClick(review, Qt.Key.Key_3)
            settle(app, 1)
        grab(window, out / "finished.png")
        window.close_review()
        window.study_cards([CLOZE], "Counter metrics")
        settle(app)
        QTest.keyClick(window.review, Qt.Key.Key_Space)
        grab(window, out / "review-cloze.png")
        window.close()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
