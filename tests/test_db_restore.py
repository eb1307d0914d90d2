"""Restoring a backup, checking a database, moving a damaged one aside, and recovery, on real
files."""

from __future__ import annotations

import hashlib
import random
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from backup_data import HOUR, NOW, answer, count, make_data, names
from shared import refuse_folder_fsync

from app.db.backup import backups_dir, create_backup, list_backups
from app.db.migrations import SCHEMA_VERSION
from app.db.restore import check_database, move_aside, recover, restore_backup
from app.db.store import DB_NAME, Store
from app.errors import DatabaseDamaged, StoreError


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return make_data(tmp_path)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- restoring -----------------------------------------------------------------------------------

def test_restore_brings_back_the_backup_and_keeps_what_it_replaces(data: Path) -> None:
    store = Store.open(data)
    answer(store, 3, NOW - 2 * HOUR)
    taken = create_backup(store, data, NOW - HOUR)
    answer(store, 2, NOW - HOUR + timedelta(minutes=5))  # after the backup
    store.close()

    safety = restore_backup(taken, data, NOW)

    assert safety == data / "backups" / "mlsd-study-20261128-170501-before-restore.db"
    assert count(safety) == 5  # the answers the restore undoes are kept
    assert names(data) == ["backups", DB_NAME]  # no stale -wal or -shm
    assert check_database(data / DB_NAME).ok
    reopened = Store.open(data)
    try:
        assert reopened.conn.execute("SELECT COUNT(*) FROM review_log").fetchone()[0] == 3
        answer(reopened, 1, NOW)  # and studying goes on
    finally:
        reopened.close()
    assert [b.reason for b in list_backups(data)] == ["before-restore", "auto"]


def test_restore_keeps_answers_still_in_the_write_ahead_log(data: Path) -> None:
    """A process that died left committed answers only in the -wal: the safety copy has them."""
    store = Store.open(data)
    taken = create_backup(store, data, NOW - HOUR)
    store.close()
    script = (
        "import os, sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "conn.execute('PRAGMA wal_autocheckpoint=0')\n"
        "conn.execute(\"INSERT INTO settings (key, value) VALUES ('in-wal', '1')\")\n"
        "os._exit(0)\n")  # no close, no checkpoint: the row lives only in the -wal
    subprocess.run([sys.executable, "-c", script, str(data / DB_NAME)], check=True)
    assert (data / f"{DB_NAME}-wal").stat().st_size > 0

    safety = restore_backup(taken, data, NOW)

    assert safety is not None
    conn = sqlite3.connect(safety)
    try:
        assert conn.execute("SELECT value FROM settings WHERE key = 'in-wal'").fetchall() == \
            [("1",)]
    finally:
        conn.close()
    assert names(data) == ["backups", DB_NAME]


def test_restore_refuses_while_the_database_is_open(data: Path) -> None:
    with closing(Store.open(data)) as store:
        answer(store, 2, NOW - HOUR)
        taken = create_backup(store, data, NOW - HOUR)
        answer(store, 1, NOW - HOUR)

        with pytest.raises(StoreError, match="still open"):
            restore_backup(taken, data, NOW)

        assert [b.path for b in list_backups(data)] == [taken]
        assert store.conn.execute("SELECT COUNT(*) FROM review_log").fetchone()[0] == 3


def test_restore_over_a_damaged_database_moves_it_aside(data: Path) -> None:
    store = Store.open(data)
    answer(store, 2, NOW - HOUR)
    taken = create_backup(store, data, NOW - HOUR)
    store.close()
    garbage = random.Random(3).randbytes(16384)
    (data / DB_NAME).write_bytes(garbage)

    kept = restore_backup(taken, data, NOW)

    assert kept == data / f"{DB_NAME}.damaged-20261128-170501"
    assert kept.read_bytes() == garbage
    assert count(data / DB_NAME) == 2
    assert [b.path for b in list_backups(data)] == [taken]  # nothing to back up


@pytest.mark.parametrize("problem", ["damaged", "newer"])
def test_an_unusable_backup_is_refused_and_nothing_changes(data: Path, problem: str) -> None:
    store = Store.open(data)
    taken = create_backup(store, data, NOW - HOUR)
    store.close()
    if problem == "damaged":
        taken.write_bytes(random.Random(4).randbytes(8192))
    else:
        conn = sqlite3.connect(taken)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.close()
    before = {name: sha(data / name) for name in names(data) if name != "backups"}

    with pytest.raises(StoreError, match="nothing was changed") as caught:
        restore_backup(taken, data, NOW)

    assert str(taken) in str(caught.value)
    assert {name: sha(data / name) for name in names(data) if name != "backups"} == before
    assert names(backups_dir(data)) == [taken.name]


# --- checking and moving aside -------------------------------------------------------------------

def test_check_database_tells_ok_missing_and_damaged(tmp_path: Path, data: Path) -> None:
    healthy = check_database(data / DB_NAME)
    assert (healthy.status, healthy.schema_version) == ("ok", SCHEMA_VERSION)
    assert check_database(tmp_path / "nothing.db").status == "missing"
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert (check_database(empty).status, check_database(empty).schema_version) == ("ok", 0)
    noise = tmp_path / "noise.db"
    noise.write_bytes(random.Random(2).randbytes(4096))
    damaged = check_database(noise)
    assert damaged.status == "damaged"
    assert str(noise) in damaged.message and not damaged.ok


def test_move_aside_takes_the_sidecars_and_never_overwrites(tmp_path: Path) -> None:
    db = tmp_path / DB_NAME
    earlier = tmp_path / f"{DB_NAME}.damaged-20261128-170501"
    earlier.write_bytes(b"an earlier damaged copy")
    db.write_bytes(b"first")
    (tmp_path / f"{DB_NAME}-wal").write_bytes(b"first wal")

    moved = move_aside(db, NOW)

    assert moved == tmp_path / f"{DB_NAME}.damaged-20261128-170501-2"
    assert moved.read_bytes() == b"first"
    assert (tmp_path / f"{moved.name}-wal").read_bytes() == b"first wal"
    assert earlier.read_bytes() == b"an earlier damaged copy"
    db.write_bytes(b"second")
    assert move_aside(db, NOW).read_bytes() == b"second"
    assert sorted(names(tmp_path)) == sorted([earlier.name, moved.name, f"{moved.name}-wal",
                                              f"{DB_NAME}.damaged-20261128-170501-3"])
    with pytest.raises(StoreError, match=r"no .* to move aside"):
        move_aside(db, NOW)


# --- recovery ------------------------------------------------------------------------------------

def _damage(data: Path) -> bytes:
    garbage = random.Random(8).randbytes(12288)
    (data / DB_NAME).write_bytes(garbage)
    with pytest.raises(DatabaseDamaged):
        Store.open(data)
    return garbage


def test_recover_restores_the_latest_usable_backup(data: Path) -> None:
    store = Store.open(data)
    answer(store, 2, NOW - 3 * HOUR)
    usable = create_backup(store, data, NOW - 2 * HOUR)
    answer(store, 1, NOW - 2 * HOUR)
    broken = create_backup(store, data, NOW - HOUR)
    store.close()
    broken.write_bytes(random.Random(6).randbytes(4096))  # the newest backup is damaged too
    garbage = _damage(data)

    said = recover(data, NOW, "restore-latest")

    kept = data / f"{DB_NAME}.damaged-20261128-170501"
    assert kept.read_bytes() == garbage
    assert said == (f"The damaged database was kept as {kept}. Restored the backup taken "
                    "2026-11-28 15:05 UTC (2 reviews, 7 cards).")
    reopened = Store.open(data)
    try:
        assert reopened.conn.execute("SELECT COUNT(*) FROM review_log").fetchone()[0] == 2
    finally:
        reopened.close()
    assert usable.exists() and broken.exists()  # backups are not consumed


def test_recover_and_restore_work_where_folders_refuse_fsync(
        data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(data)
    answer(store, 2, NOW - 3 * HOUR)
    backup = create_backup(store, data, NOW - 2 * HOUR)
    store.close()
    garbage = _damage(data)
    refused = refuse_folder_fsync(monkeypatch)

    said = recover(data, NOW, "restore-latest")  # moves the damaged file aside, then installs

    assert refused
    assert (data / f"{DB_NAME}.damaged-20261128-170501").read_bytes() == garbage
    assert said.endswith("(2 reviews, 7 cards).")
    assert restore_backup(backup, data, NOW + HOUR) is not None
    assert check_database(data / DB_NAME).ok
    assert sorted(p.name for p in data.iterdir() if p.name.startswith(".")) == []


def test_recover_starting_fresh_keeps_the_damaged_file(data: Path) -> None:
    garbage = _damage(data)

    said = recover(data, NOW, "start-fresh")

    kept = data / f"{DB_NAME}.damaged-20261128-170501"
    assert kept.read_bytes() == garbage
    assert str(kept) in said and "fresh database" in said
    assert not (data / DB_NAME).exists()
    fresh = Store.open(data)
    try:
        assert fresh.schema_version == SCHEMA_VERSION and fresh.decks() == []
    finally:
        fresh.close()


def test_recover_refuses_a_readable_database(data: Path) -> None:
    store = Store.open(data)
    answer(store, 2, NOW - 3 * HOUR)
    create_backup(store, data, NOW - 2 * HOUR)
    store.close()
    before = (data / DB_NAME).read_bytes()
    for choice in ("restore-latest", "start-fresh"):
        with pytest.raises(StoreError, match="nothing to recover"):
            recover(data, NOW, choice)  # type: ignore[arg-type]
    assert (data / DB_NAME).read_bytes() == before
    assert not any(".damaged-" in p.name for p in data.iterdir())


def test_recover_without_a_backup_changes_nothing(data: Path) -> None:
    garbage = _damage(data)

    with pytest.raises(StoreError, match="no usable backup") as caught:
        recover(data, NOW, "restore-latest")

    assert "Start fresh or quit" in str(caught.value)
    assert (data / DB_NAME).read_bytes() == garbage
    assert names(data) == [DB_NAME]
    with pytest.raises(ValueError, match="unknown recovery choice"):
        recover(data, NOW, "delete-it")  # type: ignore[arg-type]
