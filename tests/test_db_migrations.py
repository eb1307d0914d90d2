"""Upgrades from every released schema version, frozen with its data; refusals of newer and
damaged files.

tests/data/schemas/vN.sql is a database as version N of the app built and filled it, made once by
tests/data/schemas/freeze.py with that version's own code. Each must upgrade to today's schema with
every row kept and stay usable, and today's migrations up to N must still build exactly N's
schema: editing a released migration fails here, whatever the edit.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SHIPPED_DECK
from shared import DECK
from sqlite_utils import Database

from app.db import interviews, stats, study
from app.db.migrations import MIGRATIONS, SCHEMA_VERSION
from app.db.settings import load_study_settings
from app.db.store import DB_NAME, Store
from app.db.study import Scope
from app.decks.library import USER, sync_decks
from app.decks.loader import load_path
from app.decks.tree import build_tree
from app.errors import DatabaseDamaged, StoreError
from app.interview.steps import interview_steps
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

SCHEMAS = Path(__file__).resolve().parent / "data" / "schemas"
RELEASED = range(1, SCHEMA_VERSION + 1)
T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)  # when the frozen databases were filled
LATER = datetime(2026, 2, 9, 9, 0, tzinfo=UTC)  # a week on
PAGE = 4096

Rows = dict[str, tuple[list[str], list[tuple[object, ...]]]]


def frozen(version: int) -> Path:
    """The frozen database of a released version; fails, saying what to do, if there is none."""
    path = SCHEMAS / f"v{version}.sql"
    if not path.exists():
        pytest.fail(f"schema version {version} has no frozen database ({path} is missing). Once "
                    f"migration {version} is released, freeze it: run `python "
                    f"tests/data/schemas/freeze.py {version} --worktree` (then add its commit to "
                    "RELEASED there) and commit the .sql file.")
    return path


def load(version: int, data_dir: Path) -> Path:
    """A database file made from the frozen dump, in WAL mode as every released version left it."""
    data_dir.mkdir(parents=True)
    path = data_dir / DB_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(frozen(version).read_text(encoding="utf-8"))
        conn.execute("PRAGMA journal_mode=WAL")
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    finally:
        conn.close()
    return path


def _normalised(sql: str) -> str:
    """SQL without comments and with single spaces: a reindented migration is still the same."""
    sql = re.sub(r"--[^\n]*", "", sql)  # no '--' inside the schema's string literals
    return " ".join(sql.split())


def schema(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    return [(kind, name, table, _normalised(sql)) for kind, name, table, sql in conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' ORDER BY type, name")]


def rows(conn: sqlite3.Connection) -> Rows:
    """Every row of every table, by table: its columns, and the rows in rowid order."""
    found: Rows = {}
    tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                          "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    virtual = [name for name, sql in tables if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    for table, _ in tables:
        if any(table == name or table.startswith(f"{name}_") for name in virtual):
            # The search index and its shadow tables (schema 7): derived from the cards and
            # topics compared here (its rows are a view of them, which schema 10 narrowed to
            # the cards not retired), checked by FTS5's integrity-check after each upgrade.
            continue
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        found[table] = (columns, conn.execute(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall())
    return found


# --- the frozen databases ------------------------------------------------------------------------

def test_every_released_version_has_a_frozen_database_and_no_other() -> None:
    for version in RELEASED:
        frozen(version)
    unknown = sorted(p.name for p in SCHEMAS.glob("v*.sql")
                     if int(p.stem[1:]) not in RELEASED)
    assert not unknown, (f"{unknown} freeze schema versions that MIGRATIONS does not have (it "
                         f"has 1..{SCHEMA_VERSION}): a released migration was removed. Put it "
                         "back; later changes go in a new migration.")


@pytest.mark.parametrize("version", RELEASED)
def test_released_migrations_still_build_the_frozen_schema(tmp_path: Path, version: int) -> None:
    old = sqlite3.connect(load(version, tmp_path / "frozen"))
    built = sqlite3.connect(":memory:", isolation_level=None)
    try:
        db = Database(built)
        for migration in MIGRATIONS[:version]:
            with db.atomic():
                migration(db)
        assert schema(built) == schema(old), (
            f"today's migrations 1..{version} no longer build the schema that version {version} "
            "shipped: a released migration was edited. Undo that, and make the change in a new "
            "migration.")
    finally:
        old.close()
        built.close()


@pytest.mark.parametrize("version", RELEASED)
def test_a_frozen_database_upgrades_with_every_row_kept(tmp_path: Path, version: int) -> None:
    path = load(version, tmp_path / "data")
    conn = sqlite3.connect(path)
    try:
        before = rows(conn)
    finally:
        conn.close()
    for table, (_, found) in before.items():
        assert found, f"v{version}.sql has no rows in {table}: its upgrade would go untested"

    store = Store.open(tmp_path / "data")
    try:
        assert store.schema_version == SCHEMA_VERSION
        after = rows(store.conn)
        for table, (columns, found) in before.items():
            kept = store.conn.execute(f"SELECT {', '.join(columns)} FROM {table} "
                                      "ORDER BY rowid").fetchall()
            assert kept == found, f"{table}: rows changed by the upgrade from version {version}"
        fresh = Store.in_memory()
        try:
            assert schema(store.conn) == schema(fresh.conn)
            assert set(after) == set(rows(fresh.conn))
        finally:
            fresh.close()
        assert store.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # The search index holds exactly the cards' and topics' text (raises if not).
        store.conn.execute("INSERT INTO card_search (card_search, rank) "
                           "VALUES ('integrity-check', 1)")
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        _check_usable(store, tmp_path, version, before)
    finally:
        store.close()
    reopened = Store.open(tmp_path / "data")  # and it opens again as it is, without migrating
    try:
        assert reopened.schema_version == SCHEMA_VERSION
    finally:
        reopened.close()


def _check_usable(store: Store, tmp_path: Path, version: int, before: Rows) -> None:
    """The app reads the upgraded database, syncs its deck into it and studies on."""
    assert [(d.id, d.missing) for d in store.decks(include_missing=True)] == [
        ("demo", False), ("other", True)]
    assert [node.title for node in build_tree(store)[0].children] == ["Alpha", "Bravo"]
    assert store.setting("last_topic") == "demo/alpha"
    if version >= 2:
        assert load_study_settings(store).new_per_day == 15
    schedules = {r[0]: r[9:] for r in store.conn.execute(
        "SELECT id, deck_id, topic_id, kind, context, prompt, answer, sibling_group, ord, "
        "queue, step, stability, difficulty, due, last_review, reps, lapses, suspended, "
        "buried_until FROM cards")}
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "demo.yaml").write_text(DECK, encoding="utf-8")
    assert sync_decks(store, [(decks, USER)], LATER).problems == ()
    # Syncing today's cards keeps every stored card's schedule (new or changed text aside).
    for card_id, schedule in schedules.items():
        card = store.conn.execute(
            "SELECT queue, step, stability, difficulty, due, last_review, reps, lapses, "
            "suspended, buried_until FROM cards WHERE id = ?", [card_id]).fetchone()
        assert card == schedule, card_id
    if version >= 2:
        logged = len(before["review_log"][1])
        figures = stats.all_figures(store, LATER, UTC, 0.9)  # every deck
        assert figures.total_reviews == logged > 0
        columns, cards = before["cards"]
        active = [dict(zip(columns, card, strict=True)) for card in cards]
        assert figures.states.suspended == sum(
            1 for c in active if c["suspended"] and not c["retired"]) > 0
        assert sum(d.reviews for d in figures.heatmap) == logged
    if version >= 4:
        deck = load_path(SHIPPED_DECK)
        steps = interview_steps(deck)
        [finished] = interviews.history(store)
        assert finished.overall_score == 3
        assert finished.step_scores == tuple(1 + i % 4 for i in range(9))
        summary = interviews.load_summary(store, finished.id, deck.questions, steps)
        assert summary.overall == 3
        [running] = interviews.unfinished_interviews(store)
        resumed = interviews.load_session(store, running.id, deck.questions, steps, LATER)
        assert resumed.paused and resumed.current == 2
        assert [s.notes[:23] for s in resumed.view(LATER).steps[:4]] == [
            "## Notes for segment 0\n", "## Notes for segment 1\n", "## Notes for segment 2\n", ""]
    # Studying goes on: a card is answered and logged.
    count = store.conn.execute("SELECT COUNT(*) FROM review_log").fetchone()[0]
    session = ReviewSession(store, Fsrs(SchedulerSettings(fuzz=False)), Scope(), LATER, UTC)
    shown = session.view().card
    assert shown is not None
    session.reveal(LATER)
    session.answer(Grade.GOOD, LATER)
    assert store.conn.execute("SELECT COUNT(*) FROM review_log").fetchone()[0] == count + 1
    assert study.get_card(store, shown.id) is not None


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
