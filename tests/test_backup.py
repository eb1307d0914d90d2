"""Backups on real files: copies, names, listing, the pruning calendar, restore, moving a damaged
database aside, recovery, and failures that must leave no partial file behind."""

from __future__ import annotations

import hashlib
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shared import DECK

from app.db.backup import (
    BackupInfo,
    backup_and_prune,
    backup_due,
    backups_dir,
    check_database,
    create_backup,
    last_backup_time,
    list_backups,
    move_aside,
    prune,
    recover,
    restore_backup,
)
from app.db.migrations import SCHEMA_VERSION
from app.db.settings import BackupSettings
from app.db.store import DB_NAME, Store
from app.db.study import Scope
from app.decks.library import USER, sync_decks
from app.errors import DatabaseDamaged, StoreError
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

NOW = datetime(2026, 11, 28, 17, 5, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def data(tmp_path: Path) -> Path:
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


@pytest.fixture
def store(data: Path) -> Iterator[Store]:
    opened = Store.open(data)
    yield opened
    opened.close()


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


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    tables = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- taking backups ------------------------------------------------------------------------------

def test_a_backup_is_a_real_database_with_the_same_rows(data: Path, store: Store) -> None:
    answer(store, 3, NOW - HOUR)

    path = create_backup(store, data, NOW)

    assert path == data / "backups" / "mlsd-study-20261128-170501-auto.db"
    assert names(backups_dir(data)) == [path.name]  # no -wal, -shm or partial file beside it
    copy = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        assert dump(copy) == dump(store.conn)
        assert copy.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    finally:
        copy.close()
    assert count(path) == 3
    assert names(backups_dir(data)) == [path.name]  # reading it left nothing behind either


def test_a_backup_taken_while_another_connection_writes_holds_the_last_commit(
        data: Path, store: Store) -> None:
    answer(store, 2, NOW - HOUR)
    other = sqlite3.connect(data / DB_NAME, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO settings (key, value) VALUES ('uncommitted', '1')")
        first = create_backup(store, data, NOW)  # does not wait for the writer
        other.execute("COMMIT")
    finally:
        other.close()
    second = create_backup(store, data, NOW + HOUR)
    query = "SELECT COUNT(*) FROM settings WHERE key = 'uncommitted'"
    for path, expected in ((first, 0), (second, 1)):
        conn = sqlite3.connect(path)
        try:
            assert conn.execute(query).fetchone()[0] == expected
            assert conn.execute("SELECT COUNT(*) FROM review_log").fetchone()[0] == 2
        finally:
            conn.close()


def test_names_carry_the_reason_and_never_collide_within_a_second(
        data: Path, store: Store) -> None:
    made = [create_backup(store, data, NOW, reason=reason)
            for reason in ("auto", "close", "before-removing-My Deck/2", "manual")]

    assert [p.name for p in made] == [
        "mlsd-study-20261128-170501-auto.db",
        "mlsd-study-20261128-170501.2-close.db",
        "mlsd-study-20261128-170501.3-before-removing-my-deck-2.db",
        "mlsd-study-20261128-170501.4-manual.db",
    ]
    listed = list_backups(data)
    assert [b.path for b in listed] == made[::-1]  # newest first, in the order taken
    assert [b.reason for b in listed] == ["manual", "before-removing-my-deck-2", "close", "auto"]
    assert {b.taken_at for b in listed} == {NOW}
    assert last_backup_time(data) == NOW
    with pytest.raises(ValueError, match="letter or digit"):
        create_backup(store, data, NOW, reason="--")
    with pytest.raises(ValueError, match="naive"):
        create_backup(store, data, datetime(2026, 11, 28))
    assert len(list_backups(data)) == 4


def test_backup_due_and_last_backup_time(data: Path, store: Store) -> None:
    assert last_backup_time(data) is None
    assert backup_due(None, NOW)
    create_backup(store, data, NOW - 5 * HOUR, reason="close")
    create_backup(store, data, NOW - 3 * HOUR)
    last = last_backup_time(data)
    assert last == NOW - 3 * HOUR
    assert not backup_due(last, NOW)
    assert backup_due(last, NOW + HOUR)  # four hours after it
    assert not backup_due(last, NOW + HOUR, every=timedelta(hours=6))
    # The clock was set back a day: no backup at every tick until it passes the last one.
    assert not backup_due(NOW + DAY, NOW)
    assert backup_due(NOW + DAY, NOW + DAY + 4 * HOUR)


def test_list_backups_counts_and_lists_a_damaged_file_without_failing(
        data: Path, store: Store) -> None:
    answer(store, 1, NOW - 2 * DAY)
    older = create_backup(store, data, NOW - DAY)
    answer(store, 2, NOW - HOUR)
    newer = create_backup(store, data, NOW, reason="close")
    folder = backups_dir(data)
    broken = folder / "mlsd-study-20261128-180000-auto.db"
    broken.write_bytes(random.Random(1).randbytes(8192))
    (folder / "notes.txt").write_text("not a backup")
    (folder / "removed-decks").mkdir()
    (folder / "mlsd-study-20261399-999999-auto.db").write_bytes(b"")  # no such time

    listed = list_backups(data)

    assert listed == [
        BackupInfo(broken, datetime(2026, 11, 28, 18, 0, tzinfo=UTC), "auto", -1, -1, 8192),
        BackupInfo(newer, NOW, "close", 3, 7, newer.stat().st_size),
        BackupInfo(older, NOW - DAY, "auto", 1, 7, older.stat().st_size),
    ]
    assert [b.readable for b in listed] == [False, True, True]
    assert listed[1].size > 0


# --- pruning -------------------------------------------------------------------------------------

def _at(day: str, time: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{time}+00:00")


def _make(folder: Path, moment: datetime, reason: str) -> str:
    name = f"mlsd-study-{moment:%Y%m%d-%H%M%S}-{reason}.db"
    (folder / name).write_bytes(b"")  # prune goes by the names; nothing is opened
    return name


def test_prune_keeps_daily_weekly_and_young_safety_backups(data: Path) -> None:
    folder = backups_dir(data)
    folder.mkdir()
    now = _at("2026-03-20", "12:00:00")  # a Friday; ISO week 12 runs from Monday 16 March
    made: dict[str, str] = {}
    for offset in range(13):  # 8 March .. 20 March, two a day, except Sunday 15 March
        day = (now - offset * DAY).date().isoformat()
        if day != "2026-03-15":
            made[f"{day} 08"] = _make(folder, _at(day, "08:00:00"), "auto")
            made[f"{day} 11"] = _make(folder, _at(day, "11:00:00"), "close")
    for day in ("2026-03-04", "2026-03-02", "2026-02-25", "2026-02-18", "2026-02-11",
                "2026-02-04", "2026-01-28"):
        made[day] = _make(folder, _at(day, "10:00:00"), "auto")
    made["young safety"] = _make(folder, _at("2026-03-12", "07:00:00"), "before-restore")
    made["old safety"] = _make(folder, _at("2026-02-10", "09:00:00"), "before-removing-demo")
    (folder / "notes.txt").write_text("mine")
    (folder / "removed-decks").mkdir()
    stale = folder / ".partial-crashed.db"
    fresh = folder / ".partial-in-progress.db"
    for path, age in ((stale, 2 * HOUR), (fresh, 10 * timedelta(minutes=1))):
        path.write_bytes(b"half")
        moment = (now - age).timestamp()
        os.utime(path, (moment, moment))

    deleted = prune(data, now)

    daily = [f"2026-03-{d} 11" for d in ("20", "19", "18", "17", "16", "14", "13", "12", "11",
                                         "10")]
    # Beyond those ten days, the newest of each of four ISO weeks: week 11 (9 March), week 10
    # (its Sunday, 8 March), week 9 (25 Feb), week 8 (18 Feb).
    weekly = ["2026-03-09 11", "2026-03-08 11", "2026-02-25", "2026-02-18"]
    kept = {made[k] for k in (*daily, *weekly, "young safety")}
    assert set(names(folder)) == kept | {"notes.txt", "removed-decks", fresh.name}
    assert sorted(deleted) == sorted([folder / n for n in set(made.values()) - kept] + [stale])
    assert made["old safety"] not in names(folder)

    # The numbers are settings; pruning again with the defaults deletes nothing more.
    assert prune(data, now) == []
    deleted = prune(data, now, keep_daily=2, keep_weekly=1)
    assert set(names(folder)) == {made[k] for k in ("2026-03-20 11", "2026-03-19 11",
                                                    "2026-03-18 11", "young safety")} | \
        {"notes.txt", "removed-decks", fresh.name}
    assert len(deleted) == 11
    # Thirty days on, the safety copy is an ordinary backup of its day and goes, and so does
    # the half-written copy: no backup takes a month.
    prune(data, now + 30 * DAY, keep_daily=1, keep_weekly=0)
    assert set(names(folder)) == {made["2026-03-20 11"], "notes.txt", "removed-decks"}


def test_backup_and_prune_takes_one_backup_then_prunes_by_the_policy(data: Path,
                                                                      store: Store) -> None:
    folder = backups_dir(data)
    folder.mkdir()
    old = [_make(folder, NOW - n * DAY, "auto") for n in (1, 2, 3)]
    safety = _make(folder, NOW - 2 * DAY, "before-restore")  # young: kept whatever the policy

    path = backup_and_prune(store, data, NOW, BackupSettings(keep_daily=2, keep_weekly=0),
                            "manual")

    assert path == folder / "mlsd-study-20261128-170501-manual.db"
    assert count(path, "cards") == count(data / DB_NAME, "cards") > 0
    # Two days kept: today's new copy and yesterday's; the older routine copies are gone.
    assert set(names(folder)) == {path.name, old[0], safety}
    # The policy is the user's: with the defaults, nothing more goes.
    again = backup_and_prune(store, data, NOW + HOUR, BackupSettings(), "close")
    assert set(names(folder)) == {path.name, old[0], safety, again.name}


def test_prune_refuses_to_keep_nothing(data: Path) -> None:
    with pytest.raises(ValueError, match="keep at least one"):
        prune(data, NOW, keep_daily=0)
    assert prune(data, NOW) == []  # no backups folder yet: nothing to do


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


def test_restore_refuses_while_the_database_is_open(data: Path, store: Store) -> None:
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


def test_a_backup_dated_in_the_future_does_not_stop_automatic_backups(data: Path) -> None:
    store = Store.open(data)
    try:
        create_backup(store, data, NOW - 5 * HOUR, reason="auto")
        create_backup(store, data, NOW + 30 * DAY, reason="manual")  # a clock once wrong
    finally:
        store.close()
    assert last_backup_time(data) == NOW + 30 * DAY
    assert last_backup_time(data, NOW) == NOW - 5 * HOUR
    assert backup_due(last_backup_time(data, NOW), NOW)


def test_recover_without_a_backup_changes_nothing(data: Path) -> None:
    garbage = _damage(data)

    with pytest.raises(StoreError, match="no usable backup") as caught:
        recover(data, NOW, "restore-latest")

    assert "Start fresh or quit" in str(caught.value)
    assert (data / DB_NAME).read_bytes() == garbage
    assert names(data) == [DB_NAME]
    with pytest.raises(ValueError, match="unknown recovery choice"):
        recover(data, NOW, "delete-it")  # type: ignore[arg-type]


# --- failures leave no partial file --------------------------------------------------------------

def test_a_file_in_place_of_the_backups_folder_is_a_clear_error(data: Path,
                                                                store: Store) -> None:
    blocker = backups_dir(data)
    blocker.write_text("in the way")

    with pytest.raises(StoreError) as caught:
        create_backup(store, data, NOW)

    message = str(caught.value)
    assert str(blocker) in message
    assert "free space" in message and "writable" in message
    assert "was not changed" in message
    assert blocker.read_text() == "in the way"


def test_a_full_disk_while_copying_leaves_no_partial_backup(data: Path, store: Store) -> None:
    with store.transaction() as conn:  # make the copy larger than the limit below
        conn.executemany("INSERT INTO settings (key, value) VALUES (?, ?)",
                         [(f"filler-{i}", '"' + "x" * 2000 + '"') for i in range(200)])
    limit = 64 * 1024
    assert (data / DB_NAME).stat().st_size + (data / f"{DB_NAME}-wal").stat().st_size > limit
    backups_dir(data).mkdir()
    # The file size limit makes writes past 64 KiB fail as a full disk would (EFBIG; the
    # signal that would kill the process is ignored meanwhile).
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        with pytest.raises(StoreError, match="free space") as caught:
            create_backup(store, data, NOW)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)

    assert str(backups_dir(data)) in str(caught.value)
    assert names(backups_dir(data)) == []
    assert list_backups(data) == []
    assert store.setting("filler-199") == "x" * 2000  # the database is untouched and usable
    assert create_backup(store, data, NOW).exists()

