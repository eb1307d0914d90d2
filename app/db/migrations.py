"""Schema migrations, one per version, never edited once released (sqlite-utils: schema work)."""

# Each migration takes sqlite-utils' ``Database``, the project's tool for schema work (creating
# tables, reading columns and indexes back). The released ones are plain SQL through its
# ``execute`` and must stay as they shipped: tests/data/schemas/ holds every released version's
# schema and data, and tests/test_db_migrations.py fails when one changes. ``Store`` runs each
# pending migration in its own transaction when it opens a database (``Store._migrate``, with
# app.db.store's ``_immediate``, which lets damage through as the sqlite3 error it is).

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlite-utils is imported only when a migration runs
    from sqlite_utils import Database


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


def _migrate_to_6(db: Database) -> None:
    """Anki progress import: a card's flag, and the Anki review id of each review that has one."""
    db.execute("ALTER TABLE cards ADD COLUMN flag INTEGER NOT NULL DEFAULT 0")  # Anki's 0..7
    # The revlog id of a review made in Anki (or written there by our export): importing the
    # same package twice finds it and adds nothing.
    db.execute("ALTER TABLE review_log ADD COLUMN anki_id INTEGER")
    db.execute("CREATE UNIQUE INDEX review_log_by_anki_id ON review_log (anki_id) "
               "WHERE anki_id IS NOT NULL")


# What card search (app/db/search.py) matches free text against: each card's front and back and
# its topic's title and explanation. A view, so that the index below can 'rebuild' from it.
_SEARCH_TEXT = """
    CREATE VIEW card_search_text AS
    SELECT cards.rowid AS card_rowid, cards.prompt AS front, cards.answer AS back,
           topics.title AS title, topics.notes AS notes
    FROM cards LEFT JOIN topics ON topics.deck_id = cards.deck_id AND topics.id = cards.topic_id"""
# A topic's text as indexed for its cards (NULL when the card has no topic row).
_TITLE = "(SELECT title FROM topics WHERE deck_id = {0}.deck_id AND id = {0}.topic_id)"
_NOTES = "(SELECT notes FROM topics WHERE deck_id = {0}.deck_id AND id = {0}.topic_id)"
_ADD = "INSERT INTO card_search (rowid, front, back, title, notes) "
_DROP = "INSERT INTO card_search (card_search, rowid, front, back, title, notes) "


def _migrate_to_7(db: Database) -> None:
    """Card search: an FTS5 index of each card's text and its topic's, kept by triggers."""
    db.execute(_SEARCH_TEXT)
    # External content (the view), so the index holds no second copy of the text. Its rowid is
    # the card's; the app never runs VACUUM, which may renumber rowids of a table without an
    # INTEGER PRIMARY KEY ('rebuild' makes the index again from the view if it ever must).
    db.execute("CREATE VIRTUAL TABLE card_search USING fts5(front, back, title, notes, "
               "content='card_search_text', content_rowid='card_rowid', "
               "tokenize='unicode61 remove_diacritics 2')")
    # Triggers keep it exact. An FTS5 'delete' must name the values indexed, so each one deletes
    # with the old text and adds the new. Only text changes fire them: answering a card (the
    # hot path) updates no indexed column.
    db.execute(f"""
        CREATE TRIGGER card_search_card_added AFTER INSERT ON cards BEGIN
            {_ADD} VALUES (new.rowid, new.prompt, new.answer, {_TITLE.format("new")},
                           {_NOTES.format("new")});
        END""")
    db.execute(f"""
        CREATE TRIGGER card_search_card_changed
        AFTER UPDATE OF prompt, answer, deck_id, topic_id ON cards
        WHEN old.prompt IS NOT new.prompt OR old.answer IS NOT new.answer
             OR old.deck_id IS NOT new.deck_id OR old.topic_id IS NOT new.topic_id BEGIN
            {_DROP} VALUES ('delete', old.rowid, old.prompt, old.answer, {_TITLE.format("old")},
                            {_NOTES.format("old")});
            {_ADD} VALUES (new.rowid, new.prompt, new.answer, {_TITLE.format("new")},
                           {_NOTES.format("new")});
        END""")
    db.execute(f"""
        CREATE TRIGGER card_search_card_deleted AFTER DELETE ON cards BEGIN
            {_DROP} VALUES ('delete', old.rowid, old.prompt, old.answer, {_TITLE.format("old")},
                            {_NOTES.format("old")});
        END""")
    # A topic's text is indexed with each of its cards: a change re-indexes them. Its cards
    # were indexed without topic text while no topic had its key (added, or moved to it).
    db.execute(f"""
        CREATE TRIGGER card_search_topic_added AFTER INSERT ON topics BEGIN
            {_DROP} SELECT 'delete', rowid, prompt, answer, NULL, NULL FROM cards
                WHERE deck_id = new.deck_id AND topic_id = new.id;
            {_ADD} SELECT rowid, prompt, answer, new.title, new.notes FROM cards
                WHERE deck_id = new.deck_id AND topic_id = new.id;
        END""")
    db.execute(f"""
        CREATE TRIGGER card_search_topic_changed
        AFTER UPDATE OF deck_id, id, title, notes ON topics
        WHEN old.title IS NOT new.title OR old.notes IS NOT new.notes
             OR old.deck_id IS NOT new.deck_id OR old.id IS NOT new.id BEGIN
            {_DROP} SELECT 'delete', rowid, prompt, answer, old.title, old.notes FROM cards
                WHERE deck_id = old.deck_id AND topic_id = old.id;
            {_ADD} SELECT rowid, prompt, answer, {_TITLE.format("cards")},
                          {_NOTES.format("cards")} FROM cards
                WHERE deck_id = old.deck_id AND topic_id = old.id;
            {_DROP} SELECT 'delete', rowid, prompt, answer, NULL, NULL FROM cards
                WHERE deck_id = new.deck_id AND topic_id = new.id
                AND (old.deck_id IS NOT new.deck_id OR old.id IS NOT new.id);
            {_ADD} SELECT rowid, prompt, answer, new.title, new.notes FROM cards
                WHERE deck_id = new.deck_id AND topic_id = new.id
                AND (old.deck_id IS NOT new.deck_id OR old.id IS NOT new.id);
        END""")
    db.execute(f"""
        CREATE TRIGGER card_search_topic_deleted AFTER DELETE ON topics BEGIN
            {_DROP} SELECT 'delete', rowid, prompt, answer, old.title, old.notes FROM cards
                WHERE deck_id = old.deck_id AND topic_id = old.id;
            {_ADD} SELECT rowid, prompt, answer, NULL, NULL FROM cards
                WHERE deck_id = old.deck_id AND topic_id = old.id;
        END""")
    db.execute("INSERT INTO card_search (card_search) VALUES ('rebuild')")


def _migrate_to_8(db: Database) -> None:
    """The user's layer over a built-in deck: edited titles, explanations and cards, own cards."""
    db.execute("""
        CREATE TABLE user_edits (
            deck_id TEXT NOT NULL,
            topic_id TEXT NOT NULL,
            item TEXT NOT NULL,          -- 'title', 'notes', 'card:<key>' (edited) or 'own:<key>'
            value TEXT NOT NULL,         -- the user's text (a card's as JSON: q, a, cloze)
            base TEXT,                   -- the built-in text it was made over; NULL: own card
            upstream TEXT,               -- the built-in text now, when it changed since; else NULL
            position INTEGER NOT NULL DEFAULT 0,  -- the order own cards were added in
            edited_at TEXT NOT NULL,
            PRIMARY KEY (deck_id, topic_id, item)
        )""")


def _migrate_to_9(db: Database) -> None:
    """Statistics of a deck or a branch: each card's answers read from the index alone."""
    # Covers what app/db/stats.py reads per card (a branch of a third of 100,000 cards: 350 ms
    # through table rows, 96 ms from this index; tests/benchmarks/bench_stats.py).
    db.execute("CREATE INDEX review_log_by_card_stats ON review_log "
               "(card_id, reviewed_at, queue_before, rating, duration_ms)")
    db.execute("DROP INDEX review_log_by_card")  # a prefix of the new one


def _migrate_to_10(db: Database) -> None:
    """Card search indexes only the cards not retired, so free text is answered by the index
    alone: no lookup of each match in the cards table to leave out the retired ones (a word in
    70,000 of 100,000 cards: 42 ms with that lookup, 12 without; bench_search.py)."""
    for name in ("card_added", "card_changed", "card_deleted", "topic_added", "topic_changed",
                 "topic_deleted"):
        db.execute(f"DROP TRIGGER card_search_{name}")
    db.execute("DROP VIEW card_search_text")
    db.execute(_SEARCH_TEXT + " WHERE cards.retired = 0")
    # As in version 7, but a card is in the index while it is not retired: a card row's old
    # values are deleted only if it was in (an FTS5 'delete' of a row not there corrupts the
    # index), its new ones added only if it stays or comes in (retiring and un-retiring fire
    # this too, as does a deck sync's upsert that un-retires and changes the text at once).
    old, new = "old.retired = 0", "new.retired = 0"
    db.execute(f"""
        CREATE TRIGGER card_search_card_added AFTER INSERT ON cards WHEN {new} BEGIN
            {_ADD} VALUES (new.rowid, new.prompt, new.answer, {_TITLE.format("new")},
                           {_NOTES.format("new")});
        END""")
    db.execute(f"""
        CREATE TRIGGER card_search_card_changed
        AFTER UPDATE OF prompt, answer, deck_id, topic_id, retired ON cards
        WHEN old.prompt IS NOT new.prompt OR old.answer IS NOT new.answer
             OR old.deck_id IS NOT new.deck_id OR old.topic_id IS NOT new.topic_id
             OR old.retired IS NOT new.retired BEGIN
            {_DROP} SELECT 'delete', old.rowid, old.prompt, old.answer,
                           {_TITLE.format("old")}, {_NOTES.format("old")} WHERE {old};
            {_ADD} SELECT new.rowid, new.prompt, new.answer, {_TITLE.format("new")},
                          {_NOTES.format("new")} WHERE {new};
        END""")
    db.execute(f"""
        CREATE TRIGGER card_search_card_deleted AFTER DELETE ON cards WHEN {old} BEGIN
            {_DROP} VALUES ('delete', old.rowid, old.prompt, old.answer, {_TITLE.format("old")},
                            {_NOTES.format("old")});
        END""")
    # A topic's change re-indexes its cards that are in the index, as in version 7.
    mine = "deck_id = {0}.deck_id AND topic_id = {0}.id AND retired = 0"
    moved = " AND (old.deck_id IS NOT new.deck_id OR old.id IS NOT new.id)"
    db.execute(f"""
        CREATE TRIGGER card_search_topic_added AFTER INSERT ON topics BEGIN
            {_DROP} SELECT 'delete', rowid, prompt, answer, NULL, NULL FROM cards
                WHERE {mine.format("new")};
            {_ADD} SELECT rowid, prompt, answer, new.title, new.notes FROM cards
                WHERE {mine.format("new")};
        END""")
    db.execute(f"""
        CREATE TRIGGER card_search_topic_changed
        AFTER UPDATE OF deck_id, id, title, notes ON topics
        WHEN old.title IS NOT new.title OR old.notes IS NOT new.notes
             OR old.deck_id IS NOT new.deck_id OR old.id IS NOT new.id BEGIN
            {_DROP} SELECT 'delete', rowid, prompt, answer, old.title, old.notes FROM cards
                WHERE {mine.format("old")};
            {_ADD} SELECT rowid, prompt, answer, {_TITLE.format("cards")},
                          {_NOTES.format("cards")} FROM cards WHERE {mine.format("old")};
            {_DROP} SELECT 'delete', rowid, prompt, answer, NULL, NULL FROM cards
                WHERE {mine.format("new")}{moved};
            {_ADD} SELECT rowid, prompt, answer, new.title, new.notes FROM cards
                WHERE {mine.format("new")}{moved};
        END""")
    db.execute(f"""
        CREATE TRIGGER card_search_topic_deleted AFTER DELETE ON topics BEGIN
            {_DROP} SELECT 'delete', rowid, prompt, answer, old.title, old.notes FROM cards
                WHERE {mine.format("old")};
            {_ADD} SELECT rowid, prompt, answer, NULL, NULL FROM cards
                WHERE {mine.format("old")};
        END""")
    db.execute("INSERT INTO card_search (card_search) VALUES ('rebuild')")


MIGRATIONS: tuple[Callable[[Database], None], ...] = (_migrate_to_1, _migrate_to_2,
                                                      _migrate_to_3, _migrate_to_4,
                                                      _migrate_to_5, _migrate_to_6,
                                                      _migrate_to_7, _migrate_to_8,
                                                      _migrate_to_9, _migrate_to_10)
SCHEMA_VERSION = len(MIGRATIONS)
