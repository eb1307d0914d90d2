-- An MLSD Study database at schema version 10, frozen: never edit.
-- Made by tests/data/schemas/freeze.py with the code of the working tree.
PRAGMA user_version = 10;
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
        , flag INTEGER NOT NULL DEFAULT 0);
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
        , anki_id INTEGER);
CREATE TABLE cram_log (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL REFERENCES cards(id),
            reviewed_at INTEGER NOT NULL,
            rating INTEGER NOT NULL,
            duration_ms INTEGER NOT NULL
        );
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
        );
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
        );
CREATE VIRTUAL TABLE card_search USING fts5(front, back, title, notes, content='card_search_text', content_rowid='card_rowid', tokenize='unicode61 remove_diacritics 2');
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
        );
INSERT INTO "decks" VALUES('demo', 'Demo', 1, 'A small deck frozen with the schema.', '{"author": "Ann", "licence": "MIT", "title": "Notes", "url": "https://example.org/notes"}', 'decks/demo.yaml', '7bc6371a6d6042e19a15fb44f0946491c82f34a89dac4c05bee00f745ced035e', 'user', 0, '2026-02-02T11:00:00+00:00');
INSERT INTO "decks" VALUES('other', 'Other', 1, '', '{"author": "", "licence": "", "title": "", "url": ""}', 'decks/other.yaml', '9f383651e7665f600b605307d6f679122923caa0697cb71e74839f6ff4964274', 'user', 1, '2026-02-02T09:00:00+00:00');
INSERT INTO "topics" VALUES('demo', 'alpha', NULL, 0, 'Alpha', 'Alpha notes.', NULL, 0, 0);
INSERT INTO "topics" VALUES('demo', 'a-one', 'alpha', 0, 'One', 'First child.', NULL, 0, 0);
INSERT INTO "topics" VALUES('demo', 'a-two', 'alpha', 1, 'Two', 'Second child.', NULL, 0, 0);
INSERT INTO "topics" VALUES('demo', 'a-three', 'alpha', 2, 'Three', 'Third child, removed later.', NULL, 0, 1);
INSERT INTO "topics" VALUES('demo', 'bravo', NULL, 1, 'Bravo', 'Bravo notes.', NULL, 0, 0);
INSERT INTO "topics" VALUES('other', 'x', NULL, 0, 'Ex', 'Ex notes.', NULL, 0, 0);
INSERT INTO "settings" VALUES('last_topic', '"demo/alpha"');
INSERT INTO "settings" VALUES('window.splitter', '[220, 680]');
INSERT INTO "settings" VALUES('study.desired_retention', '0.9');
INSERT INTO "settings" VALUES('study.new_per_day', '15');
INSERT INTO "settings" VALUES('study.reviews_per_day', '200');
INSERT INTO "settings" VALUES('study.learning_steps', '[60, 600]');
INSERT INTO "settings" VALUES('study.relearning_steps', '[600]');
INSERT INTO "settings" VALUES('study.maximum_interval_days', '36500');
INSERT INTO "settings" VALUES('study.rollover_hour', '4');
INSERT INTO "settings" VALUES('study.fsrs_parameters', '[]');
INSERT INTO "cards" VALUES('demo/alpha/explain', 'demo', 'alpha', 'explain', 'Demo', 'Explain: Alpha', 'Alpha notes.', '', 0, 0, 1, 1, 2.3065, 2.118103970459016, 1770023400000, 1770022800000, 1, 0, 0, NULL, 1770022800000, 0);
INSERT INTO "cards" VALUES('demo/alpha/name-all', 'demo', 'alpha', 'name-all', 'Alpha', 'Alpha: name all 2.

Cues: O…, T…', '- One
- Two', '', 1, 0, 1, 0, 0.212, 7.604209769076838, 1770023310000, 1770022980000, 2, 0, 0, NULL, 1770022800000, 0);
INSERT INTO "cards" VALUES('demo/a-one/explain', 'demo', 'a-one', 'explain', 'Alpha', 'Explain: One', 'First child.', '', 2, 0, 2, NULL, 8.2956, 1.0, 1770714120000, 1770022920000, 1, 0, 0, NULL, 1770022800000, 0);
INSERT INTO "cards" VALUES('demo/a-two/explain', 'demo', 'a-two', 'explain', 'Alpha', 'Explain: Two', 'Second child.', '', 3, 0, 1, 1, 2.3065, 2.118103970459016, 1770023640000, 1770023040000, 1, 0, 0, NULL, 1770022800000, 0);
INSERT INTO "cards" VALUES('demo/a-three/explain', 'demo', 'a-three', 'explain', 'Alpha', 'Explain: Three', 'Third child, removed later.', '', 4, 1, 1, 0, 0.212, 6.4133, 1770023160000, 1770023100000, 1, 0, 0, 1770091200000, 1770022800000, 0);
INSERT INTO "cards" VALUES('demo/bravo/explain', 'demo', 'bravo', 'explain', 'Demo', 'Explain: Bravo', 'Bravo notes.', '', 4, 0, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 1, NULL, 1770022800000, 0);
INSERT INTO "cards" VALUES('other/x/explain', 'other', 'x', 'explain', 'Other', 'Explain: Ex', 'Ex notes.', '', 0, 0, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 1770022800000, 0);
INSERT INTO "review_log" VALUES(1, 'demo/alpha/explain', 1770022800000, 3, 0, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 1, 1, 2.3065, 2.118103970459016, 1770023400000, NULL);
INSERT INTO "review_log" VALUES(2, 'demo/alpha/name-all', 1770022860000, 1, 60000, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 1, 0, 0.212, 6.4133, 1770022920000, NULL);
INSERT INTO "review_log" VALUES(3, 'demo/a-one/explain', 1770022920000, 4, 60000, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 2, NULL, 8.2956, 1.0, 1770714120000, NULL);
INSERT INTO "review_log" VALUES(4, 'demo/alpha/name-all', 1770022980000, 2, 60000, 1, 0, 0.212, 6.4133, 1770022920000, 1770022860000, 1, 0, 1, 0, 0.212, 7.604209769076838, 1770023310000, NULL);
INSERT INTO "review_log" VALUES(5, 'demo/a-two/explain', 1770023040000, 3, 60000, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 1, 1, 2.3065, 2.118103970459016, 1770023640000, NULL);
INSERT INTO "review_log" VALUES(6, 'demo/a-three/explain', 1770023100000, 1, 60000, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 1, 0, 0.212, 6.4133, 1770023160000, NULL);
INSERT INTO "cram_log" VALUES(1, 'demo/alpha/explain', 1770023220000, 1, 60000);
INSERT INTO "cram_log" VALUES(2, 'demo/alpha/name-all', 1770023220000, 3, 0);
INSERT INTO "interviews" VALUES(1, 'ml-system-design', 'q-replacement-product', 'Replacement product recommendation (Instacart)', 'recommendation', 1770033600000, 1770035460000, 1770035400000, 'finished', 45, '{"version": 1, "question": {"id": "q-replacement-product", "title": "Replacement product recommendation (Instacart)", "category": "recommendation", "prompt": "We run a grocery delivery app whose personal shoppers pick about 1.5M orders a day, 30-40 items\neach, in 4,000 partner stores. When an item is out of stock, the shopper needs a ranked list of\nsubstitutes on their phone within 300 ms, and the customer can approve or reject the swap. The\ncatalogue has 10M store-specific products and shelf availability changes every hour. Design the\nreplacement recommendation system.", "topic": "sq-replacement-product"}, "started_at_ms": 1770033600000, "finished_at_ms": 1770035400000, "total_minutes": 45, "minutes": [6, 3, 3, 5, 5, 10, 4, 3, 4, 2], "current": 9, "paused": false, "elapsed_ms": [180000, 180000, 180000, 180000, 180000, 180000, 180000, 180000, 180000, 180000], "notes": ["## Notes for segment 0\n- precision, recall, A/B test", "## Notes for segment 1\n- precision, recall, A/B test", "## Notes for segment 2\n- precision, recall, A/B test", "## Notes for segment 3\n- precision, recall, A/B test", "## Notes for segment 4\n- precision, recall, A/B test", "## Notes for segment 5\n- precision, recall, A/B test", "## Notes for segment 6\n- precision, recall, A/B test", "## Notes for segment 7\n- precision, recall, A/B test", "## Notes for segment 8\n- precision, recall, A/B test", "## Notes for segment 9\n- precision, recall, A/B test"], "overrides": [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}], "scores": [1, 2, 3, 4, 1, 2, 3, 4, 1, null], "overall": 3, "asked": [[], [], [], [], [], [], [], [], [], []], "followups": [[], [], [], [], [], [], [], [], [], []]}', 3);
INSERT INTO "interviews" VALUES(2, 'ml-system-design', 'q-replacement-product', 'Replacement product recommendation (Instacart)', 'recommendation', 1770109200000, 1770109740000, NULL, 'running', 45, '{"version": 1, "question": {"id": "q-replacement-product", "title": "Replacement product recommendation (Instacart)", "category": "recommendation", "prompt": "We run a grocery delivery app whose personal shoppers pick about 1.5M orders a day, 30-40 items\neach, in 4,000 partner stores. When an item is out of stock, the shopper needs a ranked list of\nsubstitutes on their phone within 300 ms, and the customer can approve or reject the swap. The\ncatalogue has 10M store-specific products and shelf availability changes every hour. Design the\nreplacement recommendation system.", "topic": "sq-replacement-product"}, "started_at_ms": 1770109200000, "finished_at_ms": null, "total_minutes": 45, "minutes": [6, 3, 3, 5, 5, 10, 4, 3, 4, 2], "current": 2, "paused": false, "elapsed_ms": [180000, 180000, 180000, 0, 0, 0, 0, 0, 0, 0], "notes": ["## Notes for segment 0\n- precision, recall, A/B test", "## Notes for segment 1\n- precision, recall, A/B test", "## Notes for segment 2\n- precision, recall, A/B test", "", "", "", "", "", "", ""], "overrides": [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}], "scores": [null, null, null, null, null, null, null, null, null, null], "overall": null, "asked": [[], [], [], [], [], [], [], [], [], []], "followups": [[], [], [], [], [], [], [], [], [], []]}', NULL);
INSERT INTO "interview_steps" VALUES(1, 1, '## Notes for segment 0
- precision, recall, A/B test', 180000, 360, 1, 0, 6);
INSERT INTO "interview_steps" VALUES(1, 2, '## Notes for segment 1
- precision, recall, A/B test', 180000, 180, 2, 1, 6);
INSERT INTO "interview_steps" VALUES(1, 3, '## Notes for segment 2
- precision, recall, A/B test', 180000, 180, 3, 0, 6);
INSERT INTO "interview_steps" VALUES(1, 4, '## Notes for segment 3
- precision, recall, A/B test', 180000, 300, 4, 0, 6);
INSERT INTO "interview_steps" VALUES(1, 5, '## Notes for segment 4
- precision, recall, A/B test', 180000, 300, 1, 0, 6);
INSERT INTO "interview_steps" VALUES(1, 6, '## Notes for segment 5
- precision, recall, A/B test', 180000, 600, 2, 0, 6);
INSERT INTO "interview_steps" VALUES(1, 7, '## Notes for segment 6
- precision, recall, A/B test', 180000, 240, 3, 0, 6);
INSERT INTO "interview_steps" VALUES(1, 8, '## Notes for segment 7
- precision, recall, A/B test', 180000, 180, 4, 0, 5);
INSERT INTO "interview_steps" VALUES(1, 9, '## Notes for segment 8
- precision, recall, A/B test', 180000, 240, 1, 0, 6);
INSERT INTO "interview_steps" VALUES(1, 10, '## Notes for segment 9
- precision, recall, A/B test', 180000, 120, NULL, 0, 0);
INSERT INTO "interview_steps" VALUES(2, 1, '## Notes for segment 0
- precision, recall, A/B test', 180000, 360, NULL, 0, 6);
INSERT INTO "interview_steps" VALUES(2, 2, '## Notes for segment 1
- precision, recall, A/B test', 180000, 180, NULL, 1, 6);
INSERT INTO "interview_steps" VALUES(2, 3, '## Notes for segment 2
- precision, recall, A/B test', 180000, 180, NULL, 0, 6);
INSERT INTO "interview_steps" VALUES(2, 4, '', 0, 300, NULL, 0, 6);
INSERT INTO "interview_steps" VALUES(2, 5, '', 0, 300, NULL, 0, 6);
INSERT INTO "interview_steps" VALUES(2, 6, '', 0, 600, NULL, 0, 6);
INSERT INTO "interview_steps" VALUES(2, 7, '', 0, 240, NULL, 0, 6);
INSERT INTO "interview_steps" VALUES(2, 8, '', 0, 180, NULL, 0, 5);
INSERT INTO "interview_steps" VALUES(2, 9, '', 0, 240, NULL, 0, 6);
INSERT INTO "interview_steps" VALUES(2, 10, '', 0, 120, NULL, 0, 0);
INSERT INTO "user_edits" VALUES('demo', 'alpha', 'title', 'Alpha (mine)', 'Alpha', 'Alpha, renamed', 0, '2026-02-02T09:00:00+00:00');
INSERT INTO "user_edits" VALUES('demo', 'bravo', 'own:mine-1', '{"a": "", "cloze": "{{c1::Bravo}} notes", "q": ""}', NULL, NULL, 1, '2026-02-02T09:00:00+00:00');
CREATE INDEX topics_by_parent ON topics (deck_id, parent_id, position);
CREATE INDEX cards_by_topic ON cards (deck_id, topic_id);
CREATE INDEX cards_by_sibling_group ON cards (sibling_group) WHERE sibling_group != '';
CREATE INDEX cards_study_due ON cards (queue, due, deck_id, topic_id, buried_until, id) WHERE retired = 0 AND suspended = 0;
CREATE INDEX cards_study_new ON cards (queue, deck_id, ord, topic_id, buried_until, id) WHERE retired = 0 AND suspended = 0;
CREATE INDEX interviews_by_status ON interviews (status, started_at);
CREATE INDEX review_log_stats ON review_log (reviewed_at, queue_before, rating, duration_ms);
CREATE UNIQUE INDEX review_log_by_anki_id ON review_log (anki_id) WHERE anki_id IS NOT NULL;
CREATE INDEX review_log_by_card_stats ON review_log (card_id, reviewed_at, queue_before, rating, duration_ms);
CREATE VIEW card_search_text AS
    SELECT cards.rowid AS card_rowid, cards.prompt AS front, cards.answer AS back,
           topics.title AS title, topics.notes AS notes
    FROM cards LEFT JOIN topics ON topics.deck_id = cards.deck_id AND topics.id = cards.topic_id WHERE cards.retired = 0;
CREATE TRIGGER card_search_card_added AFTER INSERT ON cards WHEN new.retired = 0 BEGIN
            INSERT INTO card_search (rowid, front, back, title, notes)  VALUES (new.rowid, new.prompt, new.answer, (SELECT title FROM topics WHERE deck_id = new.deck_id AND id = new.topic_id),
                           (SELECT notes FROM topics WHERE deck_id = new.deck_id AND id = new.topic_id));
        END;
CREATE TRIGGER card_search_card_changed
        AFTER UPDATE OF prompt, answer, deck_id, topic_id, retired ON cards
        WHEN old.prompt IS NOT new.prompt OR old.answer IS NOT new.answer
             OR old.deck_id IS NOT new.deck_id OR old.topic_id IS NOT new.topic_id
             OR old.retired IS NOT new.retired BEGIN
            INSERT INTO card_search (card_search, rowid, front, back, title, notes)  SELECT 'delete', old.rowid, old.prompt, old.answer,
                           (SELECT title FROM topics WHERE deck_id = old.deck_id AND id = old.topic_id), (SELECT notes FROM topics WHERE deck_id = old.deck_id AND id = old.topic_id) WHERE old.retired = 0;
            INSERT INTO card_search (rowid, front, back, title, notes)  SELECT new.rowid, new.prompt, new.answer, (SELECT title FROM topics WHERE deck_id = new.deck_id AND id = new.topic_id),
                          (SELECT notes FROM topics WHERE deck_id = new.deck_id AND id = new.topic_id) WHERE new.retired = 0;
        END;
CREATE TRIGGER card_search_card_deleted AFTER DELETE ON cards WHEN old.retired = 0 BEGIN
            INSERT INTO card_search (card_search, rowid, front, back, title, notes)  VALUES ('delete', old.rowid, old.prompt, old.answer, (SELECT title FROM topics WHERE deck_id = old.deck_id AND id = old.topic_id),
                            (SELECT notes FROM topics WHERE deck_id = old.deck_id AND id = old.topic_id));
        END;
CREATE TRIGGER card_search_topic_added AFTER INSERT ON topics BEGIN
            INSERT INTO card_search (card_search, rowid, front, back, title, notes)  SELECT 'delete', rowid, prompt, answer, NULL, NULL FROM cards
                WHERE deck_id = new.deck_id AND topic_id = new.id AND retired = 0;
            INSERT INTO card_search (rowid, front, back, title, notes)  SELECT rowid, prompt, answer, new.title, new.notes FROM cards
                WHERE deck_id = new.deck_id AND topic_id = new.id AND retired = 0;
        END;
CREATE TRIGGER card_search_topic_changed
        AFTER UPDATE OF deck_id, id, title, notes ON topics
        WHEN old.title IS NOT new.title OR old.notes IS NOT new.notes
             OR old.deck_id IS NOT new.deck_id OR old.id IS NOT new.id BEGIN
            INSERT INTO card_search (card_search, rowid, front, back, title, notes)  SELECT 'delete', rowid, prompt, answer, old.title, old.notes FROM cards
                WHERE deck_id = old.deck_id AND topic_id = old.id AND retired = 0;
            INSERT INTO card_search (rowid, front, back, title, notes)  SELECT rowid, prompt, answer, (SELECT title FROM topics WHERE deck_id = cards.deck_id AND id = cards.topic_id),
                          (SELECT notes FROM topics WHERE deck_id = cards.deck_id AND id = cards.topic_id) FROM cards WHERE deck_id = old.deck_id AND topic_id = old.id AND retired = 0;
            INSERT INTO card_search (card_search, rowid, front, back, title, notes)  SELECT 'delete', rowid, prompt, answer, NULL, NULL FROM cards
                WHERE deck_id = new.deck_id AND topic_id = new.id AND retired = 0 AND (old.deck_id IS NOT new.deck_id OR old.id IS NOT new.id);
            INSERT INTO card_search (rowid, front, back, title, notes)  SELECT rowid, prompt, answer, new.title, new.notes FROM cards
                WHERE deck_id = new.deck_id AND topic_id = new.id AND retired = 0 AND (old.deck_id IS NOT new.deck_id OR old.id IS NOT new.id);
        END;
CREATE TRIGGER card_search_topic_deleted AFTER DELETE ON topics BEGIN
            INSERT INTO card_search (card_search, rowid, front, back, title, notes)  SELECT 'delete', rowid, prompt, answer, old.title, old.notes FROM cards
                WHERE deck_id = old.deck_id AND topic_id = old.id AND retired = 0;
            INSERT INTO card_search (rowid, front, back, title, notes)  SELECT rowid, prompt, answer, NULL, NULL FROM cards
                WHERE deck_id = old.deck_id AND topic_id = old.id AND retired = 0;
        END;
INSERT INTO card_search (card_search) VALUES ('rebuild');
COMMIT;
