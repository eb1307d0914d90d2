"""Backups with SQLite's backup API: take, list, prune, restore, recover (raw sqlite3)."""

# Raw sqlite3 because the work is file-level: the backup API, read-only connections to count a
# backup's rows and check it, an exclusive lock before a restore. Nothing here is a table write.

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from app.db.migrations import SCHEMA_VERSION
from app.db.store import DB_NAME, Store, is_damage, quick_check
from app.errors import StoreError
from app.files import fsync_dir, fsync_file

if TYPE_CHECKING:
    from app.db.settings import BackupSettings

BACKUP_DIR = "backups"
#: Backups taken for a reason other than these (before a restore, before removing a deck, by
#: hand) are kept at least this long, whatever the daily and weekly rotation says.
SAFETY_KEEP = timedelta(days=30)
ROUTINE_REASONS = frozenset({"auto", "close"})
#: A half-written copy older than this is a leftover of a crash, not a backup in progress.
_PARTIAL_AGE = timedelta(hours=1)
_PARTIAL = ".partial-"
_SIDECARS = ("-wal", "-shm", "-journal")
# mlsd-study-20261128-170501-auto.db; a second backup in the same second gets ".2" after the
# time, so names sort in the order the backups were taken.
_NAME = re.compile(r"^mlsd-study-(\d{8}-\d{6})(?:\.(\d+))?-([a-z0-9][a-z0-9-]*)\.db$")

Status = Literal["ok", "missing", "damaged"]
RecoveryChoice = Literal["restore-latest", "start-fresh"]


@dataclass(frozen=True)
class BackupInfo:
    """One backup file; ``reviews`` and ``cards`` are -1 when the file cannot be read."""

    path: Path
    taken_at: datetime  # UTC, from the file name
    reason: str
    reviews: int
    cards: int
    size: int  # bytes

    @property
    def readable(self) -> bool:
        return self.reviews >= 0


@dataclass(frozen=True)
class Health:
    """What :func:`check_database` found; ``schema_version`` is known only when ``ok``."""

    status: Status
    message: str
    schema_version: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class _Entry:
    path: Path
    taken_at: datetime
    seq: int
    reason: str


def backups_dir(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIR


# --- names ---------------------------------------------------------------------------------------

def _stamp(now: datetime) -> str:
    if now.tzinfo is None:
        raise ValueError("naive datetimes are not used for backups; pass an aware UTC datetime")
    return now.astimezone(UTC).strftime("%Y%m%d-%H%M%S")


def _label(reason: str) -> str:
    """The reason as it appears in a file name: lower case letters, digits and dashes."""
    label = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-")
    if not label:
        raise ValueError(f"a backup reason needs a letter or digit, got {reason!r}")
    return label


def _parse(path: Path) -> _Entry | None:
    match = _NAME.match(path.name)
    if match is None:
        return None
    try:
        taken = datetime.strptime(match[1], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None  # looks like ours but names no real time: not something we wrote
    return _Entry(path, taken, int(match[2] or 1), match[3])


def _entries(data_dir: Path) -> list[_Entry]:
    """Our backup files, newest first; anything else in the folder is ignored."""
    folder = backups_dir(data_dir)
    try:
        names = list(folder.iterdir())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError(f"Cannot read the backups folder {folder}: {exc.strerror or exc}. "
                         "Check its permissions.") from None
    found = [e for e in map(_parse, names) if e is not None and e.path.is_file()]
    return sorted(found, key=lambda e: (e.taken_at, e.seq), reverse=True)


def _free_name(folder: Path, stamp: str, label: str) -> Path:
    taken = [e.seq for e in map(_parse, folder.glob(f"mlsd-study-{stamp}*")) if e is not None]
    seq = max(taken, default=0) + 1
    return folder / (f"mlsd-study-{stamp}-{label}.db" if seq == 1
                     else f"mlsd-study-{stamp}.{seq}-{label}.db")


# --- files ---------------------------------------------------------------------------------------

def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _remove_quietly(paths: Iterable[Path]) -> None:
    for path in paths:
        # Cleaning up after a failure that is already being reported.
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# --- taking backups ------------------------------------------------------------------------------

def create_backup(store: Store, data_dir: Path, now: datetime, *, reason: str = "auto") -> Path:
    """Copy the open database into ``<data_dir>/backups`` and return the new file.

    Uses SQLite's backup API, so it is safe while the app has the database open (and while
    another connection is writing: the copy holds the last committed state). The copy is
    written under a temporary name, synced and then renamed: a failure never leaves a partial
    backup behind. ``reason`` goes into the name ("auto", "close", "before-restore", ...).
    """
    return _backup_connection(store.conn, data_dir, now, reason)


def backup_and_prune(store: Store, data_dir: Path, now: datetime, policy: BackupSettings,
                     reason: str) -> Path:
    """Take a backup (:func:`create_backup`), then :func:`prune` by the user's ``policy``.

    The one routine behind the timed, the on-close and the manual backups. Returns the new
    file; if pruning fails the backup is still there and the :class:`StoreError` says why.
    """
    path = create_backup(store, data_dir, now, reason=reason)
    prune(data_dir, now, keep_daily=policy.keep_daily, keep_weekly=policy.keep_weekly)
    return path


def _backup_connection(conn: sqlite3.Connection, data_dir: Path, now: datetime,
                       reason: str) -> Path:
    label = _label(reason)
    stamp = _stamp(now)
    folder = backups_dir(data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=_PARTIAL, suffix=".db", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"Cannot write a backup into {folder}: {exc.strerror or exc}. Check "
                         "that the folder is writable and the disk has free space; the "
                         "database itself was not changed.") from None
    temp = Path(name)
    try:
        target = sqlite3.connect(temp, isolation_level=None)
        try:
            conn.backup(target)
            # The copy inherits WAL mode from the live file. In rollback mode it opens read-only
            # (for listing) without leaving -wal and -shm files in the backups folder.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
        fsync_file(temp)
        final = _free_name(folder, stamp, label)
        os.replace(temp, final)
        fsync_dir(folder)
    except (sqlite3.Error, OSError) as exc:
        _remove_quietly(_sidecar(temp, s) for s in ("", *_SIDECARS))
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreError(f"Could not write a backup into {folder} ({detail}). Check that the "
                         "disk has free space and the folder is writable; the database itself "
                         "was not changed.") from None
    return final


def backup_due(last: datetime | None, now: datetime,
               every: timedelta = timedelta(hours=4)) -> bool:
    """Whether the running app should take an automatic backup now.

    A backup dated after ``now`` (the clock was set back) postpones the next one until the
    clock passes it plus ``every``, rather than taking one at every tick.
    """
    return last is None or now - last >= every


def last_backup_time(data_dir: Path, now: datetime | None = None) -> datetime | None:
    """When the newest backup was taken (any reason), from the file names alone.

    With ``now``, backups dated after it are passed over: one named in the future (a copied
    file, a clock that was once wrong) must not stop automatic backups until that date.
    """
    for entry in _entries(data_dir):
        if now is None or entry.taken_at <= now:
            return entry.taken_at
    return None


# --- listing and pruning -------------------------------------------------------------------------

def _counts(path: Path) -> tuple[int, int]:
    """(reviews, cards) in a backup; (-1, -1) when it cannot be read."""
    try:
        conn = _read_only(path)
    except sqlite3.Error:
        return -1, -1
    try:
        tables = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        # An old backup may predate the cards tables (schema 1): it has none of either.
        reviews = (conn.execute("SELECT COUNT(*) FROM review_log").fetchone()[0]
                   if "review_log" in tables else 0)
        cards = conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] if "cards" in tables \
            else 0
        return int(reviews), int(cards)
    except sqlite3.Error:
        return -1, -1
    finally:
        conn.close()


def _info(entry: _Entry) -> BackupInfo:
    try:
        size = entry.path.stat().st_size
    except OSError:
        size = -1
    reviews, cards = _counts(entry.path)
    return BackupInfo(entry.path, entry.taken_at, entry.reason, reviews, cards, size)


def list_backups(data_dir: Path) -> list[BackupInfo]:
    """Every backup in ``<data_dir>/backups``, newest first, with its review and card counts.

    Each file is opened read-only to count; one that cannot be read is listed with counts of
    -1 (``readable`` is False) rather than failing the whole list.
    """
    return [_info(entry) for entry in _entries(data_dir)]


def prune(data_dir: Path, now: datetime, *, keep_daily: int = 10,
          keep_weekly: int = 4) -> list[Path]:
    """Delete old backups; return the deleted files.

    Kept: the newest backup of each of the ``keep_daily`` most recent (UTC) days that have
    backups; then, among older backups, the newest of each of the ``keep_weekly`` most recent
    ISO weeks; and every backup taken for a reason other than "auto" or "close" (before a
    restore, before removing a deck, by hand) that is younger than 30 days. Everything else
    goes, as do half-written copies left by a crash (older than an hour). Files in the folder
    that are not ours are never touched.
    """
    if keep_daily < 1 or keep_weekly < 0:
        raise ValueError("keep at least one daily backup and a non-negative number of weekly "
                         f"ones (got keep_daily={keep_daily}, keep_weekly={keep_weekly})")
    entries = _entries(data_dir)
    keep = {e.path for e in entries
            if e.reason not in ROUTINE_REASONS and now - e.taken_at < SAFETY_KEEP}
    days: set[date] = set()
    for e in entries:  # newest first: the first one seen of a day is its newest
        day = e.taken_at.date()
        if day not in days and len(days) < keep_daily:
            days.add(day)
            keep.add(e.path)
    weeks: set[tuple[int, int]] = set()
    oldest_day = min(days, default=None)
    for e in entries:
        if oldest_day is None or e.taken_at.date() >= oldest_day:
            continue
        year, week, _ = e.taken_at.isocalendar()
        if (year, week) not in weeks and len(weeks) < keep_weekly:
            weeks.add((year, week))
            keep.add(e.path)
    doomed = [e.path for e in entries if e.path not in keep]
    doomed += _stale_partials(backups_dir(data_dir), now)
    for path in doomed:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot delete the old backup {path}: {exc.strerror or exc}. "
                             "Check the permissions of the backups folder.") from None
    return doomed


def _stale_partials(folder: Path, now: datetime) -> list[Path]:
    cutoff = (now - _PARTIAL_AGE).timestamp()
    stale = []
    for path in folder.glob(f"{_PARTIAL}*"):
        try:
            if path.stat().st_mtime < cutoff:
                stale.append(path)
        except OSError:
            continue  # gone already
    return stale


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
        conn = _read_only(path)
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
    stamp = _stamp(now)
    parts = [s for s in (*_SIDECARS, "") if _sidecar(path, s).exists()]
    if not parts:
        raise StoreError(f"There is no {path} to move aside.")
    n = 1
    while True:
        target = path.with_name(f"{path.name}.damaged-{stamp}" + (f"-{n}" if n > 1 else ""))
        if not any(_sidecar(target, s).exists() for s in ("", *_SIDECARS)):
            break
        n += 1
    try:
        # The -wal goes first: a database file left behind without it is merely older, but a
        # fresh database beside a stale -wal would have that log replayed into it.
        for suffix in parts:
            os.rename(_sidecar(path, suffix), _sidecar(target, suffix))
        fsync_dir(path.parent)
    except OSError as exc:
        raise StoreError(f"Could not move {path} aside ({exc.strerror or exc}); nothing was "
                         "deleted. Check the permissions of its folder.") from None
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
            safety = _backup_connection(conn, data_dir, now, "before-restore")
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
    temp: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".restoring-", suffix=".db", dir=folder)
        os.close(fd)
        temp = Path(name)
        shutil.copyfile(source, temp)
        fsync_file(temp)
        health = check_database(temp)
        if not health.ok:
            raise StoreError(f"The copy of {source} does not verify ({health.message}); "
                             "nothing was restored. Choose another backup.")
        # Whatever the old database left beside it is stale now (checkpointed into the file
        # that was backed up, or moved aside with it); a -wal left here would be replayed
        # into the restored file.
        for suffix in _SIDECARS:
            _sidecar(db_path, suffix).unlink(missing_ok=True)
        os.replace(temp, db_path)
        temp = None
        fsync_dir(folder)
    except OSError as exc:
        raise StoreError(f"Could not restore {source} into {folder}: {exc.strerror or exc}. "
                         "Check that the disk has free space and the folder is writable.") \
            from None
    finally:
        if temp is not None:
            _remove_quietly([temp])


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
    elif any(_sidecar(db_path, s).exists() for s in _SIDECARS):
        safety = move_aside(db_path, now)  # orphaned -wal/-shm: keep them, out of the way
    _install(backup, db_path)
    return safety


def latest_usable_backup(data_dir: Path) -> BackupInfo | None:
    """The newest backup that is intact and not from a newer MLSD Study."""
    for entry in _entries(data_dir):
        health = check_database(entry.path)
        if health.ok and (health.schema_version or 0) <= SCHEMA_VERSION:
            return _info(entry)
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
    if any(_sidecar(db_path, s).exists() for s in ("", *_SIDECARS)):
        said.append(f"The damaged database was kept as {move_aside(db_path, now)}.")
    if latest is not None:
        _install(latest.path, db_path)
        said.append(f"Restored the backup taken {_when(latest.taken_at)} ({latest.reviews} "
                    f"reviews, {latest.cards} cards).")
    else:
        said.append("Started with a fresh database: the decks are loaded again and study "
                    "progress starts from zero.")
    return " ".join(said)
