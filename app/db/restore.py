"""Check a database, move a damaged one aside, restore a backup, recover (raw sqlite3)."""

# Raw sqlite3 because the work is file-level: read-only connections to check a file, an exclusive
# lock before a restore, a copy renamed into place. Nothing here is a table write.

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from app.db.backup import (
    SIDECARS,
    BackupInfo,
    backup_connection,
    backup_entries,
    backup_info,
    backups_dir,
    name_stamp,
    open_read_only,
    sidecar,
)
from app.db.migrations import SCHEMA_VERSION
from app.db.store import DB_NAME, is_damage, quick_check
from app.errors import StoreError
from app.files import fsync_file, replace_durably, sync_after_rename, temporary_beside

Status = Literal["ok", "missing", "damaged"]
RecoveryChoice = Literal["restore-latest", "start-fresh"]


@dataclass(frozen=True)
class Health:
    """What :func:`check_database` found; ``schema_version`` is known only when ``ok``."""

    status: Status
    message: str
    schema_version: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# --- checking, moving aside, restoring -----------------------------------------------------------

def check_database(path: Path) -> Health:
    """Whether ``path`` is an intact SQLite database (``PRAGMA quick_check``, read-only).

    A missing file is "missing"; a zero-length file is "ok" (SQLite's empty database). A file
    that cannot be read at all for other reasons (permissions) raises :class:`StoreError`:
    that is not damage, and moving it aside would not help.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return Health("missing", f"{path} does not exist")
    except OSError as exc:
        raise StoreError(f"Cannot read {path}: {exc.strerror or exc}. Check its "
                         "permissions.") from None
    if path.is_dir():
        return Health("damaged", f"{path} is a folder, not a database file")
    if info.st_size == 0:
        return Health("ok", f"{path} is empty", 0)
    try:
        conn = open_read_only(path)
    except sqlite3.Error as exc:
        raise StoreError(f"Cannot open {path} ({exc}). Check its permissions.") from None
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        problems = quick_check(conn)
    except sqlite3.Error as exc:
        if is_damage(exc):
            return Health("damaged", f"{path}: {exc}")
        raise StoreError(f"Cannot read {path} ({exc}). Check its permissions.") from None
    finally:
        conn.close()
    if problems:
        return Health("damaged", f"{path}: {problems}")
    return Health("ok", f"{path} is intact", version)


def move_aside(path: Path, now: datetime) -> Path:
    """Rename a (damaged) database and its -wal/-shm/-journal files out of the way.

    ``mlsd-study.db`` becomes ``mlsd-study.db.damaged-20261128-170501`` (its -wal beside it
    with the same name plus "-wal", so the set still opens together); an existing file is
    never overwritten: a "-2", "-3"... is added instead. Returns the new name of the database.
    """
    stamp = name_stamp(now)
    parts = [s for s in (*SIDECARS, "") if sidecar(path, s).exists()]
    if not parts:
        raise StoreError(f"There is no {path} to move aside.")
    n = 1
    while True:
        target = path.with_name(f"{path.name}.damaged-{stamp}" + (f"-{n}" if n > 1 else ""))
        if not any(sidecar(target, s).exists() for s in ("", *SIDECARS)):
            break
        n += 1
    try:
        # The -wal goes first: a database file left behind without it is merely older, but a
        # fresh database beside a stale -wal would have that log replayed into it.
        for suffix in parts:
            os.rename(sidecar(path, suffix), sidecar(target, suffix))
    except OSError as exc:
        raise StoreError(f"Could not move {path} aside ({exc.strerror or exc}); nothing was "
                         "deleted. Check the permissions of its folder.") from None
    sync_after_rename(path.parent)
    return target


def _usable_backup(backup: Path) -> None:
    """Raise unless ``backup`` can be restored by this version of MLSD Study."""
    health = check_database(backup)
    if not health.ok:
        raise StoreError(f"The backup cannot be restored: {health.message}. Choose another "
                         "backup; nothing was changed.")
    if (health.schema_version or 0) > SCHEMA_VERSION:
        raise StoreError(f"The backup {backup} was made by a newer MLSD Study (schema version "
                         f"{health.schema_version}). Update MLSD Study or choose another "
                         "backup; nothing was changed.")


def _save_current(db_path: Path, data_dir: Path, now: datetime) -> Path:
    """Back up the current database before it is replaced, or move it aside if damaged.

    Returns the safety copy. Holds an exclusive lock meanwhile, so a database still open
    elsewhere is refused rather than replaced under its user.
    """
    where = str(db_path)
    # A short wait: a connection still open elsewhere holds its lock until it is closed.
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=0.5)
    try:
        try:
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(f"{where} is still open (another MLSD Study window or "
                                 "process?). Close it and try again; nothing was "
                                 "restored.") from None
            raise
        problems = quick_check(conn)
        if not problems:
            safety = backup_connection(conn, data_dir, now, "before-restore")
            # Fold the -wal into the file, so deleting the -wal afterwards loses nothing.
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if busy:
                raise StoreError(f"{where} is still in use; close every MLSD Study window and "
                                 f"try again. Your data was saved to {safety}; nothing was "
                                 "restored.")
            return safety
    except sqlite3.Error as exc:
        if not is_damage(exc):
            raise StoreError(f"Cannot read {where} ({exc}); nothing was restored.") from None
    finally:
        conn.close()
    return move_aside(db_path, now)


def _install(source: Path, db_path: Path) -> None:
    """Put a copy of ``source`` in place of ``db_path`` atomically, verified first."""
    folder = db_path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with temporary_beside(db_path, prefix=".restoring-", suffix=".db") as temp:
            shutil.copyfile(source, temp)
            fsync_file(temp)
            health = check_database(temp)
            if not health.ok:
                raise StoreError(f"The copy of {source} does not verify ({health.message}); "
                                 "nothing was restored. Choose another backup.")
            # Whatever the old database left beside it is stale now (checkpointed into the
            # file that was backed up, or moved aside with it); a -wal left here would be
            # replayed into the restored file.
            for suffix in SIDECARS:
                sidecar(db_path, suffix).unlink(missing_ok=True)
            replace_durably(temp, db_path)
    except OSError as exc:
        raise StoreError(f"Could not restore {source} into {folder}: {exc.strerror or exc}. "
                         "Check that the disk has free space and the folder is writable.") \
            from None


def restore_backup(backup: Path, data_dir: Path, now: datetime) -> Path | None:
    """Replace the database in ``data_dir`` with a copy of ``backup``.

    Close the app's store first. The current database is backed up first (reason
    "before-restore"); if it is damaged it is moved aside instead, and if there is none,
    nothing is saved. Returns that safety copy (None when there was no database).
    """
    _usable_backup(backup)
    db_path = data_dir / DB_NAME
    safety: Path | None = None
    if db_path.exists():
        safety = _save_current(db_path, data_dir, now)
    elif any(sidecar(db_path, s).exists() for s in SIDECARS):
        safety = move_aside(db_path, now)  # orphaned -wal/-shm: keep them, out of the way
    _install(backup, db_path)
    return safety


def latest_usable_backup(data_dir: Path) -> BackupInfo | None:
    """The newest backup that is intact and not from a newer MLSD Study."""
    for entry in backup_entries(data_dir):
        health = check_database(entry.path)
        if health.ok and (health.schema_version or 0) <= SCHEMA_VERSION:
            return backup_info(entry)
    return None


def recover(data_dir: Path, now: datetime, choice: RecoveryChoice) -> str:
    """Get past a damaged database: restore the latest backup, or start fresh.

    Either way the damaged file (with its -wal/-shm) is moved aside first, never deleted.
    Returns a sentence for the person saying what was done. With "restore-latest" and no
    usable backup, raises :class:`StoreError` and changes nothing.
    """
    if choice not in ("restore-latest", "start-fresh"):
        raise ValueError(f"unknown recovery choice {choice!r}")
    db_path = data_dir / DB_NAME
    if check_database(db_path).ok:
        raise StoreError(f"{db_path} is readable: there is nothing to recover, and it was left "
                         "as it was. To go back to a backup, use File > Restore backup… or "
                         "`mlsd-study restore-backup`, which backs up the current database "
                         "first.")
    latest = latest_usable_backup(data_dir) if choice == "restore-latest" else None
    if choice == "restore-latest" and latest is None:
        raise StoreError(f"There is no usable backup in {backups_dir(data_dir)}. Start fresh "
                         f"or quit; {db_path} was left as it was.")
    said = []
    if any(sidecar(db_path, s).exists() for s in ("", *SIDECARS)):
        said.append(f"The damaged database was kept as {move_aside(db_path, now)}.")
    if latest is not None:
        _install(latest.path, db_path)
        said.append(f"Restored the backup taken {_when(latest.taken_at)} ({latest.reviews} "
                    f"reviews, {latest.cards} cards).")
    else:
        said.append("Started with a fresh database: the decks are loaded again and study "
                    "progress starts from zero.")
    return " ".join(said)
