"""The database file: open it safely, migrate it, the one transaction helper; decks and settings."""

# One file in the data folder, opened with WAL, foreign keys and ``synchronous=FULL``. A database
# written by a newer MLSD Study is refused and left untouched; so is a damaged one (``PRAGMA
# quick_check`` at open), with :class:`DatabaseDamaged` for the recovery choices in
# ``app.db.restore``. Every write in app/db/ goes through :meth:`Store.transaction` (raw sqlite3
# ``BEGIN IMMEDIATE``: it is on the answer path). Reads are raw sqlite3 too, so an unchanged
# start-up never imports sqlite-utils; deck sync upserts the deck's row with it (inside the same
# transaction, where it nests as a savepoint; topics and cards are raw upserts) and migrations use
# it for schema work.

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.clock import to_iso, to_ms
from app.db import migrations
from app.errors import DatabaseDamaged, StoreError
from app.model import CardSpec, Deck, DeckId, Source, TopicId

if TYPE_CHECKING:  # sqlite-utils is imported on first use, keeping it off the start path
    from sqlite_utils import Database

DB_NAME = "mlsd-study.db"




@dataclass(frozen=True)
class StoredDeck:
    id: DeckId
    title: str
    version: int
    description: str
    source: Source
    path: str
    origin: str
    missing: bool


@dataclass(frozen=True)
class StoredTopic:
    deck_id: DeckId
    id: TopicId
    parent_id: TopicId | None
    position: int
    title: str
    notes: str
    step: int | None
    ordered: bool
    retired: bool


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int
    retired: int


class Store:
    """The app's database. Open with :meth:`open`; one instance per thread."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self.conn = conn
        self.path = path
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        """sqlite-utils over the same connection, for migrations and bulk upserts.

        Reads go straight to ``conn``: an unchanged start-up then never imports sqlite-utils
        (about 50 ms and several MiB of modules). Writes through it belong inside
        :meth:`transaction` like every other write.
        """
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    # --- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path, *, check: bool = True) -> Store:
        """Open (creating if needed) the database in ``data_dir`` and bring it up to date.

        An existing file is checked with ``PRAGMA quick_check`` before anything is written to
        it; a damaged one raises :class:`DatabaseDamaged` and is left as it was. ``check=False``
        skips that (about 90 ms on 100,000 cards) for a second connection to a database this
        process has already opened and checked, such as a worker thread's.
        """
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the data folder {data_dir}: "
                             f"{exc.strerror or exc}. Choose a writable folder with --data-dir "
                             "or MLSD_STUDY_DATA.") from None
        path = data_dir / DB_NAME
        if path.with_name(path.name + "-wal").exists():
            # Closing a read-write connection folds the -wal into the file: a newer or damaged
            # database must be recognised through a read-only one, or it would be written to.
            _vet_read_only(path, check=check)
            check = False
        try:
            conn = sqlite3.connect(str(path), isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the database {path}: {exc}. Check that the folder "
                             "is writable, or choose another with --data-dir.") from None
        return cls._prepared(conn, path, check=check)

    @classmethod
    def in_memory(cls) -> Store:
        """A fresh database in memory, for tests and dry runs."""
        return cls._prepared(sqlite3.connect(":memory:", isolation_level=None), None)

    @classmethod
    def _prepared(cls, conn: sqlite3.Connection, path: Path | None, *,
                  check: bool = False) -> Store:
        # isolation_level=None: no implicit BEGIN before DML. Every write states its own
        # transaction (``transaction()``), so nothing is left uncommitted by a stray statement,
        # and reads never hold a write transaction open.
        where = str(path) if path else "the in-memory database"
        try:
            # Only reads until the version is known good and the file is intact: WAL mode and
            # migrations write, and a newer or damaged file must be left exactly as it was.
            try:
                version = _vet(conn, path, check=check)
            except StoreError:
                conn.close()
                raise
            if path is not None:
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=5000")
            store = cls(conn, path)
            store._migrate(version)
        except StoreError:  # a migration that failed, already explained
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            if path is not None and is_damage(exc):
                raise DatabaseDamaged(path, str(exc)) from None
            raise StoreError(_explain(exc, where)) from None
        return store

    def _migrate(self, current: int) -> None:
        """Run each pending migration in its own transaction, with the version it reaches."""
        for target in range(current + 1, migrations.SCHEMA_VERSION + 1):
            # Damage found here must reach ``_prepared`` as the sqlite3 error it is, to become
            # DatabaseDamaged (the recovery offer): hence the helper without the translation.
            with _immediate(self.conn):
                migrations.MIGRATIONS[target - 1](self.db)
                self.conn.execute(f"PRAGMA user_version = {target}")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The one way the app writes: BEGIN IMMEDIATE ... COMMIT on the raw connection.

        Everything inside is committed (and, with synchronous=FULL, on disk) when the block
        ends, or rolled back if it raises. sqlite3 errors become :class:`StoreError` with a
        message a person can act on. sqlite-utils calls inside (``self.db``) nest as savepoints.
        """
        try:
            with _immediate(self.conn) as conn:
                yield conn
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, str(self.path or "the database"))) from None

    # --- decks and topics ------------------------------------------------------------------------

    def deck_hashes(self) -> dict[str, tuple[DeckId, str]]:
        """Stored decks by the file they came from: path -> (deck id, content hash)."""
        # A file may be named by several rows (its deck id changed); the visible, latest wins.
        rows = self.conn.execute("SELECT path, id, content_hash FROM decks "
                               "ORDER BY missing DESC, synced_at").fetchall()
        return {path: (DeckId(deck_id), digest) for path, deck_id, digest in rows}

    def sync_deck(self, deck: Deck, *, content_hash: str, origin: str, now: datetime,
                  cards: Sequence[CardSpec] = ()) -> SyncResult:
        """Bring the stored deck and its cards in line with ``deck`` in one transaction.

        Topics are matched by id: titles, notes and order are updated, new topics added, and
        topics missing from the file are retired (kept, with everything attached to them).
        Cards are matched by their stable id the same way: changed text keeps the card's
        schedule and history; cards no longer generated are retired, never deleted.
        """
        fresh = {str(topic.id): (topic, ancestors) for topic, ancestors in deck.walk()}
        positions = {str(t.id): i for i, t in enumerate(deck.topics)}
        for topic, _ in fresh.values():
            positions.update({str(c.id): i for i, c in enumerate(topic.children)})
        with self.transaction() as conn:
            # sqlite-utils for the deck's row (the column list follows the dict); the rest is
            # plain SQL on the same connection and transaction.
            self.db.table("decks").upsert({
                "id": deck.id, "title": deck.title, "version": deck.version,
                "description": deck.description,
                "source": json.dumps(deck.source.__dict__, sort_keys=True),
                "path": deck.path, "content_hash": content_hash, "origin": origin,
                "missing": 0, "synced_at": to_iso(now),
            }, pk="id")
            old = {row[0]: row[1] for row in conn.execute(
                "SELECT id, retired FROM topics WHERE deck_id = ?", [deck.id])}
            # One raw upsert for all topics: sqlite-utils' upsert_all took 0.3 s of a 1 MB
            # outline's import building its statements in Python.
            conn.executemany("""
                INSERT INTO topics (deck_id, id, parent_id, position, title, notes, step,
                                    ordered, retired)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)
                ON CONFLICT(deck_id, id) DO UPDATE SET
                    parent_id = excluded.parent_id, position = excluded.position,
                    title = excluded.title, notes = excluded.notes, step = excluded.step,
                    ordered = excluded.ordered, retired = 0
                """, [(deck.id, topic_id, str(ancestors[-1].id) if ancestors else None,
                       positions[topic_id], topic.title, topic.notes, topic.step,
                       int(topic.ordered)) for topic_id, (topic, ancestors) in fresh.items()])
            gone = [tid for tid, retired in old.items() if tid not in fresh and not retired]
            if gone:
                conn.execute(
                    f"UPDATE topics SET retired = 1 WHERE deck_id = ? AND id IN "
                    f"({','.join('?' * len(gone))})", [deck.id, *gone])
            self._sync_cards(deck.id, cards, now)
        return SyncResult(added=len(set(fresh) - set(old)),
                          updated=len(set(fresh) & set(old)), retired=len(gone))

    def _sync_cards(self, deck_id: str, cards: Sequence[CardSpec], now: datetime) -> None:
        created = to_ms(now)
        self.conn.executemany("""
            INSERT INTO cards (id, deck_id, topic_id, kind, context, prompt, answer,
                               sibling_group, ord, retired, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
            ON CONFLICT(id) DO UPDATE SET
                topic_id = excluded.topic_id, kind = excluded.kind, context = excluded.context,
                prompt = excluded.prompt, answer = excluded.answer,
                sibling_group = excluded.sibling_group, ord = excluded.ord, retired = 0
            """, [(c.id, deck_id, c.topic_id, c.kind, c.context, c.prompt, c.answer,
                   c.sibling_group, c.order, created) for c in cards])
        fresh = {c.id for c in cards}
        gone = [(card_id,) for (card_id,) in self.conn.execute(
            "SELECT id FROM cards WHERE deck_id = ? AND retired = 0", [deck_id])
            if card_id not in fresh]
        self.conn.executemany("UPDATE cards SET retired = 1 WHERE id = ?", gone)

    def mark_missing(self, present: Iterable[str]) -> None:
        """Hide decks whose files were not found this time; their data stays."""
        keep = set(present)
        changes = [(int(deck_id not in keep), deck_id) for deck_id, missing
                   in self.conn.execute("SELECT id, missing FROM decks").fetchall()
                   if bool(missing) != (deck_id not in keep)]
        if changes:
            with self.transaction() as conn:
                conn.executemany("UPDATE decks SET missing = ? WHERE id = ?", changes)

    def decks(self, *, include_missing: bool = False) -> list[StoredDeck]:
        """Stored decks, shipped ones first, then by title."""
        sql = "SELECT id, title, version, description, source, path, origin, missing FROM decks"
        if not include_missing:
            sql += " WHERE missing = 0"
        sql += " ORDER BY origin = 'shipped' DESC, title COLLATE NOCASE"
        result = []
        for row in self.conn.execute(sql).fetchall():
            source = json.loads(row[4] or "{}")
            result.append(StoredDeck(
                id=DeckId(row[0]), title=row[1], version=row[2], description=row[3],
                source=Source(**{k: str(v) for k, v in source.items()
                                 if k in Source.__dataclass_fields__}),
                path=row[5], origin=row[6], missing=bool(row[7])))
        return result

    def topics(self, deck_id: str, *, include_retired: bool = False) -> list[StoredTopic]:
        """A deck's topics ordered by parent then position (children follow their order)."""
        sql = ("SELECT deck_id, id, parent_id, position, title, notes, step, ordered, retired "
               "FROM topics WHERE deck_id = ?")
        if not include_retired:
            sql += " AND retired = 0"
        sql += " ORDER BY parent_id, position"
        return [StoredTopic(DeckId(r[0]), TopicId(r[1]), TopicId(r[2]) if r[2] else None, r[3],
                            r[4], r[5], r[6], bool(r[7]), bool(r[8]))
                for r in self.conn.execute(sql, [deck_id]).fetchall()]

    # --- settings --------------------------------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        # A full disk or a read-only file: a StoreError (a message), not a crash.
        with self.transaction() as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) "
                         "DO UPDATE SET value = excluded.value", [key, json.dumps(value)])


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back if the block raises; errors pass unchanged.

    Only :meth:`Store.transaction` (which explains errors) and the migrations at open (which
    must tell damage apart) use it.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _vet(conn: sqlite3.Connection, path: Path | None, *, check: bool) -> int:
    """The schema version, after refusing a newer database and (``check``) a damaged one.

    Reads only. A zero-length file is SQLite's valid empty database and needs no check.
    """
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    where = str(path) if path else "the in-memory database"
    if version > migrations.SCHEMA_VERSION:
        raise StoreError(
            f"{where} was written by a newer MLSD Study (schema version {version}; this "
            f"one understands up to {migrations.SCHEMA_VERSION}). It was left untouched: update "
            "MLSD Study, or use another data folder with --data-dir.")
    if check and path is not None and _has_content(path):
        problems = quick_check(conn)
        if problems:
            raise DatabaseDamaged(path, problems)
    return version


def _vet_read_only(path: Path, *, check: bool) -> None:
    """:func:`_vet` through a read-only connection; other errors are left to the real open."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return
    try:
        _vet(conn, path, check=check)
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise DatabaseDamaged(path, str(exc)) from None
    finally:
        conn.close()


def quick_check(conn: sqlite3.Connection) -> str:
    """``PRAGMA quick_check`` on ``conn``: "" when the file is intact, else its first problems.

    Raises sqlite3.DatabaseError when the file is not a database at all.
    """
    rows = [str(row[0]) for row in conn.execute("PRAGMA quick_check(5)").fetchall()]
    if rows == ["ok"]:
        return ""
    return "; ".join(" ".join(row.split()) for row in rows)  # one line for the message


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether an sqlite3 error means the file is corrupt or not a database (not locked, not
    unwritable, not full)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    text = str(exc)
    return "not a database" in text or "malformed" in text


def _explain(exc: sqlite3.Error, where: str) -> str:
    text = str(exc)
    # The extended name (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE...) when Python gives it.
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    if "not a database" in text or "malformed" in text:
        return (f"{where} is not a readable MLSD Study database ({text}). Move it aside or "
                "choose another data folder with --data-dir.")
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return (f"The disk holding {where} is full ({text}). Free some space on it, then try "
                "again.")
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return (f"{where} is read-only, so nothing can be saved to it ({text}). Check that the "
                "file, its folder and the disk are writable (not mounted read-only), or choose "
                "another data folder with --data-dir.")
    if "unable to open" in text:
        return (f"Cannot write to {where} ({text}). Check the folder's permissions, or choose "
                "another data folder with --data-dir.")
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return (f"Could not write to {where} ({text}). Check that its disk is still connected "
                "and has free space, then try again.")
    return f"Database error in {where}: {text}."
