-- An MLSD Study database at schema version 1, frozen: never edit.
-- Made by tests/data/schemas/freeze.py with the code of commit b16bb54 Keep sqlite-utils and YAML off the unchanged start-up path.
PRAGMA user_version = 1;
BEGIN;
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
        );
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
        );
CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL                      -- JSON
        );
INSERT INTO "decks" VALUES('demo', 'Demo', 1, 'A small deck frozen with the schema.', '{"author": "Ann", "licence": "MIT", "title": "Notes", "url": "https://example.org/notes"}', 'decks/demo.yaml', 'b9f39238d85e19ad4b235ab78afcfbe546e5ebf19ac0c1268b8b71e07615b3ab', 'user', 0, '2026-02-02T11:00:00+00:00');
INSERT INTO "decks" VALUES('other', 'Other', 1, '', '{"author": "", "licence": "", "title": "", "url": ""}', 'decks/other.yaml', '258080e62ba16e58595b9ff90f8d30cdfa17b916bf172c500ed18393cabd5d8f', 'user', 1, '2026-02-02T09:00:00+00:00');
INSERT INTO "topics" VALUES('demo', 'alpha', NULL, 0, 'Alpha', 'Alpha notes.', NULL, 0, 0);
INSERT INTO "topics" VALUES('demo', 'a-one', 'alpha', 0, 'One', 'First child.', NULL, 0, 0);
INSERT INTO "topics" VALUES('demo', 'a-two', 'alpha', 1, 'Two', 'Second child.', NULL, 0, 0);
INSERT INTO "topics" VALUES('demo', 'a-three', 'alpha', 2, 'Three', 'Third child, removed later.', NULL, 0, 1);
INSERT INTO "topics" VALUES('demo', 'bravo', NULL, 1, 'Bravo', 'Bravo notes.', NULL, 0, 0);
INSERT INTO "topics" VALUES('other', 'x', NULL, 0, 'Ex', 'Ex notes.', NULL, 0, 0);
INSERT INTO "settings" VALUES('last_topic', '"demo/alpha"');
INSERT INTO "settings" VALUES('window.splitter', '[220, 680]');
CREATE INDEX topics_by_parent ON topics (deck_id, parent_id, position);
COMMIT;
