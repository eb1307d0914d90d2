"""Upgrades from every earlier schema version with data in every table; refusals of newer and
damaged files.

Each old database is built the way that version built it: the migrations up to it (they are never
edited once released), WAL mode, then rows in every table that existed then. The rows come from
a database filled through today's APIs (a synced deck, answered and crammed cards, a finished
and a running mock interview, settings), copied column by column into the old schema.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import SHIPPED_DECK
from shared import BRAVO, DECK, DEMO
from sqlite_utils import Database

from app.db import interviews as interview_store
from app.db import stats, study
from app.db.migrations import MIGRATIONS, SCHEMA_VERSION
from app.db.store import DB_NAME, Store
from app.db.study import Scope
from app.decks.library import USER, sync_decks
from app.decks.loader import load_path
from app.errors import DatabaseDamaged, StoreError
from app.interview.budgets import default_budgets
from app.interview.session import InterviewSession
from app.interview.steps import StepInfo, interview_steps
from app.model import Deck
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=3)
MINUTE = timedelta(minutes=1)
PAGE = 4096


@dataclass(frozen=True)
class Source:
    """A current database filled through the app's APIs, and what it needs to be read."""

    data_dir: Path
    decks_dir: Path
    interview_deck: Deck
    steps: tuple[StepInfo, ...]


def _interview(store: Store, deck: Deck, steps: tuple[StepInfo, ...], at: datetime,
               *, finish: bool) -> None:
    session = InterviewSession(deck.questions[3], steps, default_budgets(45), at,
                               rng=random.Random(3))
    interview_store.create_interview(store, session, deck.id, at)
    now = at
    for index in range(10 if finish else 3):
        session.jump(index, now)
        session.set_notes(index, f"## Notes for segment {index}\n- precision, recall, A/B test",
                          now + MINUTE)
        now += 3 * MINUTE
    if finish:
        interview_store.finish_interview(store, session, now)
        for index in range(9):
            session.set_score(index, 1 + index % 4)
        session.set_overall(3)
        interview_store.finish_interview(store, session, now + MINUTE)
    else:
        interview_store.save_interview(store, session, now)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    root = tmp_path_factory.mktemp("source")
    decks_dir = root / "decks"
    decks_dir.mkdir()
    (decks_dir / "demo.yaml").write_text(DECK, encoding="utf-8")
    deck = load_path(SHIPPED_DECK)
    steps = interview_steps(deck)
    store = Store.open(root / "data")
    try:
        assert sync_decks(store, [(decks_dir, USER)], T0).problems == ()
        store.set_setting("last_topic", "demo/alpha")
        study.save_scheduler_settings(store, SchedulerSettings(new_per_day=15))
        fsrs = Fsrs(SchedulerSettings(fuzz=False))
        session = ReviewSession(store, fsrs, Scope(), T0, UTC)
        for grade in (Grade.GOOD, Grade.AGAIN, Grade.EASY, Grade.HARD, Grade.GOOD):
            session.reveal(T0)
            session.answer(grade, T0)
        cram = ReviewSession(store, fsrs, Scope(), T0, UTC, mode="cram")
        cram.reveal(T0)
        cram.answer(Grade.GOOD, T0 + MINUTE)
        _interview(store, deck, steps, T0, finish=True)
        _interview(store, deck, steps, T0 + timedelta(days=1), finish=False)
    finally:
        store.close()
    return Source(root / "data", decks_dir, deck, steps)


@pytest.fixture
def original(source: Source) -> Iterator[Store]:
    opened = Store.open(source.data_dir)
    yield opened
    opened.close()


Dump = dict[str, tuple[list[str], list[tuple[object, ...]]]]


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def _rows(conn: sqlite3.Connection, table: str, columns: list[str]) -> list[tuple[object, ...]]:
    return conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()


def build_old_database(data_dir: Path, version: int, source: Path) -> Dump:
    """A database at schema ``version`` with the source's rows in every table it has."""
    data_dir.mkdir(parents=True)
    conn = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")  # as every released version left its file
        db = Database(conn)
        for number, migration in enumerate(MIGRATIONS[:version], start=1):
            with db.atomic():
                migration(db)
                db.execute(f"PRAGMA user_version = {number}")
        conn.execute("ATTACH DATABASE ? AS src", [str(source)])
        dump: Dump = {}
        conn.execute("BEGIN")
        for table in _tables(conn):
            columns = [row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")]
            listed = ", ".join(columns)
            conn.execute(f"INSERT INTO main.{table} ({listed}) SELECT {listed} FROM src.{table}")
        if version == 1:
            # Before cards existed the sync hash had another format: the deck is read again.
            conn.execute("UPDATE decks SET content_hash = 'synced-by-schema-1'")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
        for table in _tables(conn):
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            dump[table] = (columns, _rows(conn, table, columns))
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    finally:
        conn.close()
    return dump


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE "
                        "'sqlite_%' ORDER BY type, name").fetchall()


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_every_earlier_version_upgrades_with_its_data_intact_and_usable(
        tmp_path: Path, source: Source, original: Store, version: int) -> None:
    data = tmp_path / f"v{version}"
    dump = build_old_database(data, version, source.data_dir / DB_NAME)
    for table, (_, rows) in dump.items():
        assert rows, f"schema {version}: table {table} has no rows to carry forward"
    expected_tables = {0: set(), 1: {"decks", "topics", "settings"}}.get(version)
    if expected_tables is not None:
        assert set(dump) == expected_tables

    store = Store.open(data)
    try:
        assert store.schema_version == SCHEMA_VERSION
        # Every row of every old table, column for column, is still there.
        for table, (columns, rows) in dump.items():
            assert _rows(store.conn, table, columns) == rows, table
        # The upgraded schema is exactly a new database's.
        fresh = Store.open(tmp_path / "fresh")
        try:
            assert _schema(store.conn) == _schema(fresh.conn)
        finally:
            fresh.close()
        assert store.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        _check_usable(store, original, source, version)
    finally:
        store.close()
    assert Store.open(data).schema_version == SCHEMA_VERSION  # and it reopens as it is


def _check_usable(store: Store, original: Store, source: Source, version: int) -> None:
    if version >= 1:
        assert store.decks() == original.decks()
        assert store.topics(DEMO, include_retired=True) == \
            original.topics(DEMO, include_retired=True)
        assert store.setting("last_topic") == "demo/alpha"
        assert study.scheduler_settings(store).new_per_day == 15
    # Starting the app syncs the deck file: the cards are there (made now if schema 1 had
    # none) and answered cards keep their schedule.
    report = sync_decks(store, [(source.decks_dir, USER)], LATER)
    assert report.problems == ()
    everything = Scope()
    ids = study.card_ids(store, everything)
    assert ids == study.card_ids(original, everything)
    if version >= 2:
        for card_id in ids:
            assert study.get_card(store, card_id) == study.get_card(original, card_id)
        figures = stats.all_figures(store, LATER, UTC, 0.9, DEMO)
        expected = stats.all_figures(original, LATER, UTC, 0.9, DEMO)
        if version < 4:  # no interviews were kept before schema 4
            expected = replace(expected, interviews=[])
        assert figures == expected
        assert figures.total_reviews == 5
        assert store.conn.execute("SELECT COUNT(*) FROM cram_log").fetchone()[0] == 1
    if version >= 4:
        assert interview_store.history(store) == interview_store.history(original)
        assert len(interview_store.history(store)) == 1
        [running] = interview_store.unfinished_interviews(store)
        assert running == interview_store.unfinished_interviews(original)[0]
        finished = interview_store.history(store)[0].id
        deck = source.interview_deck
        assert interview_store.load_summary(store, finished, deck.questions, source.steps) == \
            interview_store.load_summary(original, finished, deck.questions, source.steps)
        resumed = interview_store.load_session(store, running.id, deck.questions,
                                               source.steps, LATER)
        assert resumed.interview_id == running.id
    # Studying goes on: a migrated (or freshly made) card is answered and logged.
    before = store.conn.execute("SELECT COUNT(*) FROM review_log").fetchone()[0]
    session = ReviewSession(store, Fsrs(SchedulerSettings(fuzz=False)), everything, LATER, UTC)
    shown = session.view().card
    assert shown is not None
    session.reveal(LATER)
    session.answer(Grade.GOOD, LATER)
    assert store.conn.execute("SELECT COUNT(*) FROM review_log").fetchone()[0] == before + 1
    assert study.get_card(store, shown.id) is not None
    assert study.get_card(store, BRAVO) is not None


# --- refusals ------------------------------------------------------------------------------------

def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file in the folder by name, with a hash of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_newer_database_is_refused_and_left_byte_identical(tmp_path: Path,
                                                             journal: str) -> None:
    store = Store.open(tmp_path)
    sync_decks(store, [], T0)
    store.set_setting("kept", [1, 2, 3])
    store.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    store.close()
    if journal == "delete":
        conn = sqlite3.connect(tmp_path / DB_NAME)
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
    before = _fingerprint(tmp_path)
    assert list(before) == [DB_NAME]

    with pytest.raises(StoreError, match="newer MLSD Study") as caught:
        Store.open(tmp_path)

    assert not isinstance(caught.value, DatabaseDamaged)
    assert f"schema version {SCHEMA_VERSION + 1}" in str(caught.value)
    assert _fingerprint(tmp_path) == before  # same bytes, and no -wal or -shm left behind


def _crash_with_wal(path: Path, *statements: str) -> None:
    """Run statements in a process that dies without closing: their commits stay in the -wal."""
    script = ("import os, sqlite3, sys\n"
              "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
              "conn.execute('PRAGMA wal_autocheckpoint=0')\n"
              "for statement in sys.argv[2:]:\n"
              "    conn.execute(statement)\n"
              "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script, str(path), *statements], check=True)
    assert path.with_name(f"{DB_NAME}-wal").stat().st_size > 0


def test_a_newer_database_with_commits_in_its_wal_is_not_folded_in(tmp_path: Path) -> None:
    """Closing a read-write connection would checkpoint the -wal into the file; refusing a
    newer database must not."""
    store = Store.open(tmp_path)
    store.close()
    _crash_with_wal(tmp_path / DB_NAME, f"PRAGMA user_version = {SCHEMA_VERSION + 1}",
                    "INSERT INTO settings (key, value) VALUES ('newer', '1')")
    before = _fingerprint(tmp_path)

    with pytest.raises(StoreError, match="newer MLSD Study"):
        Store.open(tmp_path)

    after = _fingerprint(tmp_path)
    assert list(after) == list(before)
    # The -shm is SQLite's shared-memory index, rebuilt by any reader; the data files are
    # byte for byte the same.
    for name in (DB_NAME, f"{DB_NAME}-wal"):
        assert after[name] == before[name], name


def _healthy(data_dir: Path, cards: int = 400) -> Path:
    """A database several pages long (a card table spanning many pages), closed."""
    store = Store.open(data_dir)
    with store.transaction() as conn:
        conn.execute("INSERT INTO decks (id, title, version, synced_at) "
                     "VALUES ('d', 'D', 1, '2026-02-02T09:00:00+00:00')")
        conn.executemany(
            "INSERT INTO cards (id, deck_id, topic_id, kind, context, prompt, answer, ord, "
            "created_at) VALUES (?, 'd', 't', 'qa', 'ctx', ?, ?, ?, 0)",
            [(f"d/t/qa/{i}", f"Question {i} " * 8, f"Answer {i} " * 12, i)
             for i in range(cards)])
    store.close()
    return data_dir / DB_NAME


def test_a_healthy_database_passes_the_check_and_opens(tmp_path: Path) -> None:
    path = _healthy(tmp_path)
    assert path.stat().st_size > 20 * PAGE
    store = Store.open(tmp_path)
    try:
        assert store.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == 400
    finally:
        store.close()


def _assert_refused_untouched(data_dir: Path) -> DatabaseDamaged:
    before = _fingerprint(data_dir)
    with pytest.raises(DatabaseDamaged) as caught:
        Store.open(data_dir)
    error = caught.value
    assert error.path == data_dir / DB_NAME
    message = str(error)
    assert str(data_dir / DB_NAME) in message
    assert "Restore the latest backup, start fresh or quit" in message
    assert "\n" not in message
    assert _fingerprint(data_dir) == before
    return error


def test_pages_overwritten_in_the_middle_are_found_and_the_file_left_alone(
        tmp_path: Path) -> None:
    path = _healthy(tmp_path)
    pages = path.stat().st_size // PAGE
    with path.open("r+b") as file:
        file.seek(PAGE * (pages // 2))
        file.write(random.Random(5).randbytes(3 * PAGE))

    error = _assert_refused_untouched(tmp_path)
    assert error.detail  # what quick_check reported
    # The check is what catches it: the schema and the version are still readable.
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


@pytest.mark.parametrize("damage", ["random bytes", "truncated", "zeroed header"])
def test_a_file_that_is_not_a_database_is_damaged(tmp_path: Path, damage: str) -> None:
    path = tmp_path / DB_NAME
    if damage == "random bytes":
        path.write_bytes(random.Random(9).randbytes(10 * PAGE))
    else:
        data = _healthy(tmp_path).read_bytes()
        if damage == "truncated":
            path.write_bytes(data[: len(data) // 3 + 100])
        else:
            path.write_bytes(bytes(100) + data[100:])

    _assert_refused_untouched(tmp_path)


def test_a_zero_length_file_is_a_fresh_database(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"")
    store = Store.open(tmp_path)
    try:
        assert store.schema_version == SCHEMA_VERSION
        assert store.decks() == []
    finally:
        store.close()


def test_an_unreadable_file_is_a_store_error_not_damage(tmp_path: Path) -> None:
    # A folder in the database's place cannot be read, but nothing in it is damaged.
    (tmp_path / DB_NAME).mkdir()
    with pytest.raises(StoreError) as caught:
        Store.open(tmp_path)
    assert not isinstance(caught.value, DatabaseDamaged)
    assert os.listdir(tmp_path) == [DB_NAME]
