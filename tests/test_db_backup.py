"""Backups on real files: copies, names, listing, the pruning calendar, and failures that must
leave no partial file behind."""

from __future__ import annotations

import os
import random
import resource
import signal
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from backup_data import DAY, HOUR, NOW, answer, count, make_data, names
from shared import refuse_folder_fsync

from app.db.backup import (
    BackupInfo,
    backup_and_prune,
    backup_due,
    backups_dir,
    create_backup,
    last_backup_time,
    list_backups,
    prune,
)
from app.db.migrations import SCHEMA_VERSION
from app.db.settings import BackupSettings
from app.db.store import DB_NAME, Store
from app.errors import StoreError


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return make_data(tmp_path)


@pytest.fixture
def store(data: Path) -> Iterator[Store]:
    opened = Store.open(data)
    yield opened
    opened.close()


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    tables = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    # Sorted here, not by rowid: the search index's shadow tables are WITHOUT ROWID.
    return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


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


def test_a_folder_that_refuses_fsync_still_gets_its_backup(
        data: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = refuse_folder_fsync(monkeypatch)
    answer(store, 2, NOW - HOUR)
    path = create_backup(store, data, NOW)  # renamed into place: not reported as failed
    assert refused
    assert names(backups_dir(data)) == [path.name]
    assert count(path) == 2


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

