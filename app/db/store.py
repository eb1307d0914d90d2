"""The local SQLite store: schema, migrations and every query the app makes.

One file in the data folder, opened with WAL, foreign keys and ``synchronous=FULL``. The schema
version lives in ``PRAGMA user_version``; each version has one migration that runs in its own
transaction. A database written by a newer MLSD Study is refused and left untouched; so is a
damaged one (``PRAGMA quick_check`` at open), with :class:`DatabaseDamaged` for the recovery
choices in ``app.db.backup``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.clock import to_iso, to_ms
from app.errors import DatabaseDamaged, StoreError
from app.model import CardSpec, Deck, DeckId, Source, TopicId

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


def _migrate_to_2(db: Database) -> None:
    """Cards with their FSRS state, the review log, and cram practice kept apart from it."""
    db.execute("""
        CREATE TABLE cards (
            id TEXT PRIMARY KEY,                     -- stable: deck/topic/kind/key
            deck_id TEXT NOT NULL REFERENCES decks(id) ON DELETE CASCADE,
            topic_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            context TEXT NOT NULL,
            prompt TEXT NOT NULL,
            answer TEXT NOT NULL,
            sibling_group TEXT NOT NULL DEFAULT '',
            ord INTEGER NOT NULL,                    -- outline order, for new cards
            retired INTEGER NOT NULL DEFAULT 0,      -- gone from the deck; history kept
            queue INTEGER NOT NULL DEFAULT 0,        -- 0 new, 1 learning, 2 review, 3 relearning
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due INTEGER,                             -- ms since epoch, UTC; NULL while new
            last_review INTEGER,                     -- ms since epoch, UTC
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            buried_until INTEGER,                    -- ms; hidden from study until then
            created_at INTEGER NOT NULL
        )""")
    db.execute("CREATE INDEX cards_by_due ON cards (queue, due)")
    db.execute("CREATE INDEX cards_new_in_order ON cards (queue, ord)")
    db.execute("CREATE INDEX cards_by_topic ON cards (deck_id, topic_id)")
    db.execute("CREATE INDEX cards_by_sibling_group ON cards (sibling_group) "
               "WHERE sibling_group != ''")
    db.execute("""
        CREATE TABLE review_log (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL REFERENCES cards(id),
            reviewed_at INTEGER NOT NULL,            -- ms since epoch, UTC
            rating INTEGER NOT NULL,                 -- 1 again, 2 hard, 3 good, 4 easy
            duration_ms INTEGER NOT NULL,
            queue_before INTEGER NOT NULL,
            step_before INTEGER,
            stability_before REAL,
            difficulty_before REAL,
            due_before INTEGER,
            last_review_before INTEGER,
            reps_before INTEGER NOT NULL,
            lapses_before INTEGER NOT NULL,
            queue_after INTEGER NOT NULL,
            step_after INTEGER,
            stability_after REAL,
            difficulty_after REAL,
            due_after INTEGER NOT NULL
        )""")
    db.execute("CREATE INDEX review_log_by_card ON review_log (card_id, reviewed_at)")
    db.execute("CREATE INDEX review_log_by_time ON review_log (reviewed_at)")
    db.execute("""
        CREATE TABLE cram_log (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL REFERENCES cards(id),
            reviewed_at INTEGER NOT NULL,
            rating INTEGER NOT NULL,
            duration_ms INTEGER NOT NULL
        )""")


def _migrate_to_3(db: Database) -> None:
    """Covering partial indexes for building study queues from (due, id) alone."""
    db.execute("DROP INDEX cards_by_due")
    db.execute("DROP INDEX cards_new_in_order")
    db.execute("CREATE INDEX cards_study_due ON cards (queue, due, deck_id, topic_id, "
               "buried_until, id) WHERE retired = 0 AND suspended = 0")
    db.execute("CREATE INDEX cards_study_new ON cards (queue, deck_id, ord, topic_id, "
               "buried_until, id) WHERE retired = 0 AND suspended = 0")


def _migrate_to_4(db: Database) -> None:
    """Mock interviews: one row per interview, one per step (9 steps and the wrap-up)."""
    db.execute("""
        CREATE TABLE interviews (
            id INTEGER PRIMARY KEY,
            deck_id TEXT NOT NULL,                   -- no foreign key: history outlives decks
            question_id TEXT NOT NULL,
            question_title TEXT NOT NULL,
            category TEXT NOT NULL DEFAULT '',
            started_at INTEGER NOT NULL,             -- ms since epoch, UTC
            updated_at INTEGER NOT NULL,             -- ms; the last save
            finished_at INTEGER,                     -- ms; NULL until finished
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'finished', 'discarded')),
            total_minutes INTEGER NOT NULL,
            snapshot TEXT NOT NULL DEFAULT '{}',     -- JSON: everything needed to resume
            overall_score INTEGER                    -- 1..4, NULL when not scored
        )""")
    db.execute("CREATE INDEX interviews_by_status ON interviews (status, started_at)")
    db.execute("""
        CREATE TABLE interview_steps (
            interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
            step INTEGER NOT NULL CHECK (step BETWEEN 1 AND 10),  -- 10 is the wrap-up
            notes TEXT NOT NULL DEFAULT '',
            elapsed_ms INTEGER NOT NULL DEFAULT 0,
            budget_s INTEGER NOT NULL,
            score INTEGER,                           -- 1..4 self-score, NULL when not scored
            covered INTEGER NOT NULL DEFAULT 0,      -- rubric items covered
            total INTEGER NOT NULL DEFAULT 0,        -- rubric items
            PRIMARY KEY (interview_id, step)
        )""")


def _migrate_to_5(db: Database) -> None:
    """A covering index for the statistics page: one small range read per study day."""
    db.execute("CREATE INDEX review_log_stats ON review_log "
               "(reviewed_at, queue_before, rating, duration_ms)")
    db.execute("DROP INDEX review_log_by_time")  # a prefix of the new one


MIGRATIONS: tuple[Callable[[Database], None], ...] = (_migrate_to_1, _migrate_to_2,
                                                      _migrate_to_3, _migrate_to_4,
                                                      _migrate_to_5)
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
        # transaction (``transaction()`` or sqlite-utils' ``atomic()``), so nothing is left
        # uncommitted by a stray statement, and reads never hold a write transaction open.
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
        except sqlite3.DatabaseError as exc:
            conn.close()
            if path is not None and is_damage(exc):
                raise DatabaseDamaged(path, str(exc)) from None
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

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT on the raw connection, for the hot study paths.

        Everything inside is committed (and, with synchronous=FULL, on disk) when the block
        ends, or rolled back if it raises. Errors become :class:`StoreError`.
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, str(self.path or "the database"))) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.rollback()
            raise StoreError(_explain(exc, str(self.path or "the database"))) from None
        except BaseException:
            if self.conn.in_transaction:
                self.conn.rollback()
            raise

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
                self._sync_cards(deck.id, cards, now)
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, str(self.path or "the database"))) from None
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
            try:
                with self.db.atomic():
                    self.db.conn.executemany("UPDATE decks SET missing = ? WHERE id = ?",
                                             changes)
            except sqlite3.Error as exc:
                raise StoreError(_explain(exc, str(self.path or "the database"))) from None

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
        try:
            with self.db.atomic():
                self.db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON "
                                "CONFLICT(key) DO UPDATE SET value = excluded.value",
                                [key, json.dumps(value)])
        except sqlite3.Error as exc:  # a full disk or a read-only file: a message, not a crash
            raise StoreError(_explain(exc, str(self.path or "the database"))) from None


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
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where} was written by a newer MLSD Study (schema version {version}; this "
            f"one understands up to {SCHEMA_VERSION}). It was left untouched: update "
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
