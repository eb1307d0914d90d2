"""A data folder holding the demo deck, and the file helpers the backup and restore tests share."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared import DECK

from app.db.store import Store
from app.db.study import Scope
from app.decks.library import USER, sync_decks
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

NOW = datetime(2026, 11, 28, 17, 5, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def make_data(tmp_path: Path) -> Path:
    """``tmp_path/data`` with the demo deck synced into its database, which is closed again."""
    folder = tmp_path / "data"
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "demo.yaml").write_text(DECK, encoding="utf-8")
    store = Store.open(folder)
    try:
        assert sync_decks(store, [(decks, USER)], NOW - 30 * DAY).problems == ()
    finally:
        store.close()
    return folder


def answer(store: Store, count: int, now: datetime) -> None:
    session = ReviewSession(store, Fsrs(SchedulerSettings(fuzz=False)), Scope(), now, UTC)
    for _ in range(count):
        assert session.view().card is not None
        session.reveal(now)
        session.answer(Grade.GOOD, now)


def count(path: Path, table: str = "review_log") -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []
