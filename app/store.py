"""The local SQLite store: schema, migrations and every query the app makes.

One file in the data folder, opened with WAL, foreign keys and ``synchronous=FULL``. The schema
version lives in ``PRAGMA user_version``; each version has one migration that runs in its own
transaction. A database written by a newer MLSD Study is refused and left untouched.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.clock import to_iso
from app.errors import StoreError
from app.model import Deck, DeckId, Source, TopicId

if TYPE_CHECKING:  # sqlite-utils is imported on first write, keeping it off the start path
    from sqlite_utils import Database

DB_NAME = "mlsd-study.db"


# --- migrations: one function per schema version, never edited once released -------------------

def _migrate_to_1(db: Database) -> None:
    db.execute("""
        CREATE TABLE decks (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            version INTEGER NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '{}',      -- JSON: title, url, author, licence
            path TEXT NOT NULL DEFAULT '',          -- file it was last synced from
            content_hash TEXT NOT NULL DEFAULT '',  -- sha256 of that file's bytes
            origin TEXT NOT NULL DEFAULT 'user',    -- 'shipped' or 'user'
            missing INTEGER NOT NULL DEFAULT 0,     -- its file was not found at the last start
            synced_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE topics (
            deck_id TEXT NOT NULL REFERENCES decks(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            parent_id TEXT,                          -- NULL for a top-level topic
            position INTEGER NOT NULL,               -- order among its siblings
            title TEXT NOT NULL,
            notes TEXT NOT NULL DEFAULT '',
            step INTEGER,                            -- 1..9 for the steps of the flow
            ordered INTEGER NOT NULL DEFAULT 0,
            retired INTEGER NOT NULL DEFAULT 0,      -- gone from the deck file; history kept
            PRIMARY KEY (deck_id, id)
        )""")
    db.execute("CREATE INDEX topics_by_parent ON topics (deck_id, parent_id, position)")
    db.execute("""
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL                      -- JSON
        )""")


MIGRATIONS: tuple[Callable[[Database], None], ...] = (_migrate_to_1,)
SCHEMA_VERSION = len(MIGRATIONS)


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
        """sqlite-utils over the same connection, for writes and migrations.

        Reads go straight to ``conn``: an unchanged start-up then never imports sqlite-utils
        (about 50 ms and several MiB of modules).
        """
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    # --- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path) -> Store:
        """Open (creating if needed) the database in ``data_dir`` and bring it up to date."""
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the data folder {data_dir}: "
                             f"{exc.strerror or exc}. Choose a writable folder with --data-dir "
                             "or MLSD_STUDY_DATA.") from None
        path = data_dir / DB_NAME
        try:
            conn = sqlite3.connect(str(path))
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the database {path}: {exc}. Check that the folder "
                             "is writable, or choose another with --data-dir.") from None
        return cls._prepared(conn, path)

    @classmethod
    def in_memory(cls) -> Store:
        """A fresh database in memory, for tests and dry runs."""
        return cls._prepared(sqlite3.connect(":memory:"), None)

    @classmethod
    def _prepared(cls, conn: sqlite3.Connection, path: Path | None) -> Store:
        where = str(path) if path else "the in-memory database"
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                conn.close()
                raise StoreError(
                    f"{where} was written by a newer MLSD Study (schema version {version}; this "
                    f"one understands up to {SCHEMA_VERSION}). It was left untouched: update "
                    "MLSD Study, or use another data folder with --data-dir.")
            if path is not None:
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=5000")
            store = cls(conn, path)
            store._migrate(version)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(_explain(exc, where)) from None
        return store

    def _migrate(self, current: int) -> None:
        for target in range(current + 1, SCHEMA_VERSION + 1):
            with self.db.atomic():
                MIGRATIONS[target - 1](self.db)
                self.db.execute(f"PRAGMA user_version = {target}")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self.conn.close()

    # --- decks and topics ------------------------------------------------------------------------

    def deck_hashes(self) -> dict[str, tuple[DeckId, str]]:
        """Stored decks by the file they came from: path -> (deck id, content hash)."""
        # A file may be named by several rows (its deck id changed); the visible, latest wins.
        rows = self.conn.execute("SELECT path, id, content_hash FROM decks "
                               "ORDER BY missing DESC, synced_at").fetchall()
        return {path: (DeckId(deck_id), digest) for path, deck_id, digest in rows}

    def sync_deck(self, deck: Deck, *, content_hash: str, origin: str, now: datetime
                  ) -> SyncResult:
        """Bring the stored deck in line with ``deck`` in one transaction.

        Topics are matched by id: titles, notes and order are updated, new topics added, and
        topics missing from the file are retired (kept, with everything attached to them).
        """
        fresh = {str(topic.id): (topic, ancestors) for topic, ancestors in deck.walk()}
        positions = {str(t.id): i for i, t in enumerate(deck.topics)}
        for topic, _ in fresh.values():
            positions.update({str(c.id): i for i, c in enumerate(topic.children)})
        try:
            with self.db.atomic():
                self.db.table("decks").upsert({
                    "id": deck.id, "title": deck.title, "version": deck.version,
                    "description": deck.description,
                    "source": json.dumps(deck.source.__dict__, sort_keys=True),
                    "path": deck.path, "content_hash": content_hash, "origin": origin,
                    "missing": 0, "synced_at": to_iso(now),
                }, pk="id")
                old = {row[0]: row[1] for row in self.db.execute(
                    "SELECT id, retired FROM topics WHERE deck_id = ?", [deck.id])}
                rows = []
                for topic_id, (topic, ancestors) in fresh.items():
                    rows.append({
                        "deck_id": deck.id, "id": topic_id,
                        "parent_id": str(ancestors[-1].id) if ancestors else None,
                        "position": positions[topic_id], "title": topic.title,
                        "notes": topic.notes, "step": topic.step, "ordered": int(topic.ordered),
                        "retired": 0,
                    })
                self.db.table("topics").upsert_all(rows, pk=("deck_id", "id"))
                gone = [tid for tid, retired in old.items() if tid not in fresh and not retired]
                if gone:
                    self.db.execute(
                        f"UPDATE topics SET retired = 1 WHERE deck_id = ? AND id IN "
                        f"({','.join('?' * len(gone))})", [deck.id, *gone])
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, str(self.path or "the database"))) from None
        return SyncResult(added=len(set(fresh) - set(old)),
                          updated=len(set(fresh) & set(old)), retired=len(gone))

    def mark_missing(self, present: Iterable[str]) -> None:
        """Hide decks whose files were not found this time; their data stays."""
        keep = set(present)
        changes = [(int(deck_id not in keep), deck_id) for deck_id, missing
                   in self.conn.execute("SELECT id, missing FROM decks").fetchall()
                   if bool(missing) != (deck_id not in keep)]
        if changes:
            with self.db.atomic():
                self.db.conn.executemany("UPDATE decks SET missing = ? WHERE id = ?", changes)

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
        with self.db.atomic():
            self.db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) "
                            "DO UPDATE SET value = excluded.value", [key, json.dumps(value)])


def _explain(exc: sqlite3.Error, where: str) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return (f"{where} is not a readable MLSD Study database ({text}). Move it aside or "
                "choose another data folder with --data-dir.")
    if "readonly" in text or "unable to open" in text:
        return (f"Cannot write to {where} ({text}). Check the folder's permissions, or choose "
                "another data folder with --data-dir.")
    if "disk is full" in text or "full" in text:
        return f"The disk holding {where} is full ({text}). Free some space and try again."
    return f"Database error in {where}: {text}."
