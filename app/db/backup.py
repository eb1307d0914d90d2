"""Backups with SQLite's backup API: take, list and prune them (raw sqlite3)."""

# Raw sqlite3 because the work is file-level: the backup API and read-only connections to count a
# backup's rows. Nothing here is a table write. Checking, restoring and recovery: app.db.restore.

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from app.db.store import Store
from app.errors import StoreError
from app.files import fsync_file, replace_durably, temporary_beside

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
#: The files SQLite keeps beside a database, named after it.
SIDECARS = ("-wal", "-shm", "-journal")
# mlsd-study-20261128-170501-auto.db; a second backup in the same second gets ".2" after the
# time, so names sort in the order the backups were taken.
_NAME = re.compile(r"^mlsd-study-(\d{8}-\d{6})(?:\.(\d+))?-([a-z0-9][a-z0-9-]*)\.db$")


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
class _Entry:
    path: Path
    taken_at: datetime
    seq: int
    reason: str


def backups_dir(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIR


# --- names ---------------------------------------------------------------------------------------

def name_stamp(now: datetime) -> str:
    """``now`` as it appears in a file name (UTC); naive datetimes are refused."""
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


def backup_entries(data_dir: Path) -> list[_Entry]:
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

def sidecar(path: Path, suffix: str) -> Path:
    """The file SQLite keeps beside ``path`` with ``suffix`` ("" for ``path`` itself)."""
    return path.with_name(path.name + suffix)


def remove_quietly(paths: Iterable[Path]) -> None:
    for path in paths:
        # Cleaning up after a failure that is already being reported.
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to ``path`` (nor create it)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


# --- taking backups ------------------------------------------------------------------------------

def create_backup(store: Store, data_dir: Path, now: datetime, *, reason: str = "auto") -> Path:
    """Copy the open database into ``<data_dir>/backups`` and return the new file.

    Uses SQLite's backup API, so it is safe while the app has the database open (and while
    another connection is writing: the copy holds the last committed state). The copy is
    written under a temporary name, synced and then renamed: a failure never leaves a partial
    backup behind. ``reason`` goes into the name ("auto", "close", "before-restore", ...).
    """
    return backup_connection(store.conn, data_dir, now, reason)


def backup_and_prune(store: Store, data_dir: Path, now: datetime, policy: BackupSettings,
                     reason: str) -> Path:
    """Take a backup (:func:`create_backup`), then :func:`prune` by the user's ``policy``.

    The one routine behind the timed, the on-close and the manual backups. Returns the new
    file; if pruning fails the backup is still there and the :class:`StoreError` says why.
    """
    path = create_backup(store, data_dir, now, reason=reason)
    prune(data_dir, now, keep_daily=policy.keep_daily, keep_weekly=policy.keep_weekly)
    return path


def backup_connection(conn: sqlite3.Connection, data_dir: Path, now: datetime,
                      reason: str) -> Path:
    """:func:`create_backup` from any open connection (restore backs up the one it locked)."""
    label = _label(reason)
    stamp = name_stamp(now)
    folder = backups_dir(data_dir)
    with contextlib.ExitStack() as scratch:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # The final name is chosen after the copy (a backup in the same second gets ".2").
            temp = scratch.enter_context(temporary_beside(folder / f"{stamp}-{label}.db",
                                                          prefix=_PARTIAL, suffix=".db"))
        except OSError as exc:
            raise StoreError(f"Cannot write a backup into {folder}: {exc.strerror or exc}. "
                             "Check that the folder is writable and the disk has free space; "
                             "the database itself was not changed.") from None
        try:
            target = sqlite3.connect(temp, isolation_level=None)
            try:
                conn.backup(target)
                # The copy inherits WAL mode from the live file. In rollback mode it opens
                # read-only (for listing) without leaving -wal and -shm files in the backups
                # folder.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
            fsync_file(temp)
            final = _free_name(folder, stamp, label)
            replace_durably(temp, final)
        except (sqlite3.Error, OSError) as exc:
            # The copy's own files; the copy goes when the scratch file is cleaned up.
            remove_quietly(sidecar(temp, s) for s in SIDECARS)
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StoreError(f"Could not write a backup into {folder} ({detail}). Check that "
                             "the disk has free space and the folder is writable; the database "
                             "itself was not changed.") from None
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
    for entry in backup_entries(data_dir):
        if now is None or entry.taken_at <= now:
            return entry.taken_at
    return None


# --- listing and pruning -------------------------------------------------------------------------

def _counts(path: Path) -> tuple[int, int]:
    """(reviews, cards) in a backup; (-1, -1) when it cannot be read."""
    try:
        conn = open_read_only(path)
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


def backup_info(entry: _Entry) -> BackupInfo:
    """The listing of one backup: its size and its review and card counts."""
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
    return [backup_info(entry) for entry in backup_entries(data_dir)]


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
    entries = backup_entries(data_dir)
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
