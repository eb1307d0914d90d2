"""The SQLite store on a real file: opening, migrations, refusals, settings and deck sync."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from app.db import migrations
from app.db.migrations import SCHEMA_VERSION
from app.db.store import DB_NAME, Store, StoredTopic
from app.errors import StoreError
from app.model import Deck, DeckId, Source, Topic, TopicId

NOW = datetime(2026, 1, 2, tzinfo=UTC)
LATER = datetime(2026, 1, 3, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "data")
    yield opened
    opened.close()


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path))


def _user_version(path: Path) -> int:
    conn = _raw(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _tables(path: Path) -> set[str]:
    conn = _raw(path)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    finally:
        conn.close()
    return {name for (name,) in rows}


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


# --- opening -------------------------------------------------------------------------------------

def test_new_database_is_current_and_durable(tmp_path: Path) -> None:
    data = tmp_path / "new" / "nested"
    opened = Store.open(data)
    try:
        assert opened.path == data / DB_NAME
        assert opened.schema_version == SCHEMA_VERSION >= 1
        pragma = opened.db.execute
        assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
        assert pragma("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert {"decks", "topics", "settings"} <= set(opened.db.table_names())
    finally:
        opened.close()
    assert _user_version(data / DB_NAME) == SCHEMA_VERSION


def test_in_memory_store_is_migrated() -> None:
    memory = Store.in_memory()
    try:
        assert memory.path is None
        assert memory.schema_version == SCHEMA_VERSION
        assert memory.decks() == []
    finally:
        memory.close()


def test_empty_file_is_migrated_from_version_zero(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"")
    assert _user_version(tmp_path / DB_NAME) == 0
    Store.open(tmp_path).close()
    assert _user_version(tmp_path / DB_NAME) == SCHEMA_VERSION
    assert {"decks", "topics", "settings"} <= _tables(tmp_path / DB_NAME)


def test_reopening_keeps_data_and_runs_no_migration_again(tmp_path: Path) -> None:
    first = Store.open(tmp_path)
    first.sync_deck(_deck(), content_hash="h1", origin="user", now=NOW)
    first.set_setting("last_topic", "demo/a")
    first.close()
    for _ in range(2):
        again = Store.open(tmp_path)
        try:
            assert again.schema_version == SCHEMA_VERSION
            assert [d.id for d in again.decks()] == ["demo"]
            assert len(again.topics("demo")) == 4
            assert again.setting("last_topic") == "demo/a"
        finally:
            again.close()


def _with_migrations(monkeypatch: pytest.MonkeyPatch,
                     *extra: Callable[[Database], None]) -> None:
    steps = (*migrations.MIGRATIONS, *extra)
    monkeypatch.setattr(migrations, "MIGRATIONS", steps)
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(steps))


def test_a_later_migration_upgrades_an_existing_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store.open(tmp_path).close()

    def add_reviews(db: Database) -> None:
        db.execute("CREATE TABLE reviews (id INTEGER PRIMARY KEY, topic_id TEXT NOT NULL)")

    _with_migrations(monkeypatch, add_reviews)
    upgraded = Store.open(tmp_path)
    try:
        assert upgraded.schema_version == SCHEMA_VERSION + 1
        assert "reviews" in upgraded.db.table_names()
    finally:
        upgraded.close()


def test_each_migration_runs_in_its_own_transaction(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def half_done(db: Database) -> None:
        db.execute("CREATE TABLE half (id INTEGER PRIMARY KEY)")
        db.execute("INSERT INTO half (id) VALUES (1)")
        db.execute("ALTER TABLE no_such_table ADD COLUMN x TEXT")  # fails after partial work

    _with_migrations(monkeypatch, half_done)
    (tmp_path / DB_NAME).write_bytes(b"")  # version 0: migration 1 runs, then the bad one
    with pytest.raises(StoreError, match="no_such_table"):
        Store.open(tmp_path)
    # The good migration was committed on its own; the failing one left nothing behind.
    assert _user_version(tmp_path / DB_NAME) == SCHEMA_VERSION
    tables = _tables(tmp_path / DB_NAME)
    assert "half" not in tables
    assert {"decks", "topics", "settings"} <= tables


def test_database_from_a_newer_version_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    conn = _raw(path)
    conn.execute("CREATE TABLE future (x TEXT)")
    conn.execute("INSERT INTO future VALUES ('kept')")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = _fingerprint(path)

    with pytest.raises(StoreError, match="newer") as caught:
        Store.open(tmp_path)

    assert str(path) in str(caught.value)
    assert "--data-dir" in str(caught.value)
    assert _fingerprint(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_NAME]  # no -wal or -shm
    assert _user_version(path) == SCHEMA_VERSION + 5


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    path.write_bytes(random.Random(7).randbytes(8192))
    before = _fingerprint(path)

    with pytest.raises(StoreError, match="not a readable MLSD Study database") as caught:
        Store.open(tmp_path)

    assert str(path) in str(caught.value)
    assert _fingerprint(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_NAME]


@pytest.mark.parametrize("below", ["sub", ""])
def test_unusable_data_folder_names_the_folder(tmp_path: Path, below: str) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder\n")
    # Fails even for root: a regular file is neither a folder nor able to hold one.
    target = blocker / below if below else blocker

    with pytest.raises(StoreError) as caught:
        Store.open(target)

    message = str(caught.value)
    assert str(target) in message
    assert "--data-dir" in message
    assert "\n" not in message
    assert blocker.read_text() == "not a folder\n"


def test_a_folder_where_the_database_should_be_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).mkdir()
    with pytest.raises(StoreError, match="Cannot open the database") as caught:
        Store.open(tmp_path)
    assert str(tmp_path / DB_NAME) in str(caught.value)


# --- settings ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "demo/a", 3, 2.5, True, None, ["a", "b"], {"splitter": [200, 600], "open": {"x": 1}},
])
def test_settings_round_trip_json_values(store: Store, value: object) -> None:
    store.set_setting("key", value)
    assert store.setting("key", "unset") == value


def test_settings_default_overwrite_and_survive_reopening(tmp_path: Path) -> None:
    first = Store.open(tmp_path)
    assert first.setting("missing") is None
    assert first.setting("missing", {"d": 1}) == {"d": 1}
    first.set_setting("size", [800, 600])
    first.set_setting("size", [1024, 768])
    first.close()
    again = Store.open(tmp_path)
    try:
        assert again.setting("size") == [1024, 768]
    finally:
        again.close()


# --- sync_deck -----------------------------------------------------------------------------------

def _t(ident: str, title: str, *children: Topic, notes: str = "", step: int | None = None,
       ordered: bool = False) -> Topic:
    return Topic(id=TopicId(ident), title=title, notes=notes, step=step, ordered=ordered,
                 children=children)


def _deck(*topics: Topic, deck_id: str = "demo", title: str = "Demo deck",
          version: int = 1) -> Deck:
    if not topics:
        topics = (
            _t("a", "Alpha", _t("a1", "Alpha one", notes="first"), _t("a2", "Alpha two"),
               step=1, ordered=True),
            _t("b", "Beta", notes="beta notes"),
        )
    return Deck(id=DeckId(deck_id), title=title, version=version, topics=topics,
                description="A deck for tests.",
                source=Source(title="Notes", url="https://example.org", author="Ann",
                              licence="MIT"),
                path=f"/decks/{deck_id}.yaml")


def _by_id(topics: list[StoredTopic]) -> dict[str, StoredTopic]:
    return {t.id: t for t in topics}


def test_sync_adds_deck_and_topics_with_parent_and_position(store: Store) -> None:
    result = store.sync_deck(_deck(), content_hash="h1", origin="shipped", now=NOW)

    assert (result.added, result.updated, result.retired) == (4, 0, 0)
    [deck] = store.decks()
    assert (deck.id, deck.title, deck.version, deck.origin, deck.missing) == \
        ("demo", "Demo deck", 1, "shipped", False)
    assert deck.description == "A deck for tests."
    assert deck.source == Source(title="Notes", url="https://example.org", author="Ann",
                                 licence="MIT")
    assert deck.path == "/decks/demo.yaml"
    assert store.deck_hashes() == {"/decks/demo.yaml": ("demo", "h1")}
    topics = _by_id(store.topics("demo"))
    assert {k: (t.parent_id, t.position) for k, t in topics.items()} == {
        "a": (None, 0), "a1": ("a", 0), "a2": ("a", 1), "b": (None, 1)}
    assert topics["a"].step == 1 and topics["a"].ordered
    assert topics["b"].step is None and not topics["b"].ordered
    assert topics["a1"].notes == "first"
    assert not any(t.retired for t in topics.values())


def test_changed_deck_updates_topics_in_place_by_id(store: Store) -> None:
    store.sync_deck(_deck(), content_hash="h1", origin="user", now=NOW)
    changed = _deck(
        _t("b", "Beta", _t("a2", "Alpha two, moved under beta"), notes="beta notes, edited"),
        _t("a", "Alpha renamed", _t("a1", "Alpha one"), step=1),
        title="Demo deck v2", version=2,
    )

    result = store.sync_deck(changed, content_hash="h2", origin="user", now=LATER)

    assert (result.added, result.updated, result.retired) == (0, 4, 0)
    [deck] = store.decks()
    assert (deck.title, deck.version) == ("Demo deck v2", 2)
    assert store.deck_hashes() == {"/decks/demo.yaml": ("demo", "h2")}
    topics = _by_id(store.topics("demo"))
    assert set(topics) == {"a", "a1", "a2", "b"}
    assert {k: (t.parent_id, t.position) for k, t in topics.items()} == {
        "b": (None, 0), "a": (None, 1), "a2": ("b", 0), "a1": ("a", 0)}
    assert topics["a"].title == "Alpha renamed"
    assert not topics["a"].ordered
    assert topics["a2"].title == "Alpha two, moved under beta"
    assert topics["b"].notes == "beta notes, edited"
    assert topics["a1"].notes == ""
    count = store.db.execute("SELECT count(*) FROM topics").fetchone()[0]
    assert count == 4  # updated, not duplicated


def test_removed_topic_is_retired_and_comes_back_when_re_added(store: Store) -> None:
    store.sync_deck(_deck(), content_hash="h1", origin="user", now=NOW)
    without_a2 = _deck(_t("a", "Alpha", _t("a1", "Alpha one"), step=1), _t("b", "Beta"))

    result = store.sync_deck(without_a2, content_hash="h2", origin="user", now=NOW)

    assert result.retired == 1
    assert "a2" not in _by_id(store.topics("demo"))
    everything = _by_id(store.topics("demo", include_retired=True))
    assert everything["a2"].retired
    assert everything["a2"].title == "Alpha two"  # its row and history are kept
    assert not everything["a1"].retired

    # Syncing the same deck again does not retire it a second time.
    assert store.sync_deck(without_a2, content_hash="h2", origin="user", now=NOW).retired == 0

    result = store.sync_deck(_deck(), content_hash="h3", origin="user", now=LATER)
    assert (result.added, result.retired) == (0, 0)
    back = _by_id(store.topics("demo"))
    assert not back["a2"].retired
    assert (back["a2"].parent_id, back["a2"].position) == ("a", 1)


def test_removing_a_subtree_retires_every_topic_in_it(store: Store) -> None:
    store.sync_deck(_deck(), content_hash="h1", origin="user", now=NOW)
    store.sync_deck(_deck(_t("b", "Beta")), content_hash="h2", origin="user", now=NOW)
    assert [t.id for t in store.topics("demo")] == ["b"]
    retired = {t.id for t in store.topics("demo", include_retired=True) if t.retired}
    assert retired == {"a", "a1", "a2"}


def test_two_decks_live_side_by_side(store: Store) -> None:
    store.sync_deck(_deck(), content_hash="h1", origin="shipped", now=NOW)
    other = _deck(_t("a", "Other alpha"), _t("z", "Zulu"), deck_id="other", title="Another deck")
    store.sync_deck(other, content_hash="h2", origin="user", now=NOW)

    assert [d.id for d in store.decks()] == ["demo", "other"]  # shipped first
    assert _by_id(store.topics("demo"))["a"].title == "Alpha"
    assert _by_id(store.topics("other"))["a"].title == "Other alpha"
    assert set(_by_id(store.topics("other"))) == {"a", "z"}
    # Re-syncing one deck leaves the other alone, even with a shared topic id.
    store.sync_deck(_deck(_t("b", "Beta")), content_hash="h3", origin="shipped", now=NOW)
    assert set(_by_id(store.topics("other"))) == {"a", "z"}
    assert not any(t.retired for t in store.topics("other", include_retired=True))


def test_decks_order_shipped_first_then_title(store: Store) -> None:
    store.sync_deck(_deck(deck_id="zed", title="zed deck"), content_hash="1", origin="user",
                    now=NOW)
    store.sync_deck(_deck(deck_id="able", title="Able deck"), content_hash="2", origin="user",
                    now=NOW)
    store.sync_deck(_deck(deck_id="ship", title="Zulu shipped"), content_hash="3",
                    origin="shipped", now=NOW)
    assert [d.id for d in store.decks()] == ["ship", "able", "zed"]


def test_mark_missing_hides_decks_without_deleting_them(store: Store) -> None:
    store.sync_deck(_deck(), content_hash="h1", origin="user", now=NOW)
    store.sync_deck(_deck(deck_id="other"), content_hash="h2", origin="user", now=NOW)

    store.mark_missing(["other"])
    assert [d.id for d in store.decks()] == ["other"]
    assert [(d.id, d.missing) for d in store.decks(include_missing=True)] == \
        [("demo", True), ("other", False)]
    assert len(store.topics("demo")) == 4

    store.mark_missing([])
    assert store.decks() == []

    store.mark_missing(["demo", "other"])
    assert [d.id for d in store.decks()] == ["demo", "other"]


def test_sync_is_one_transaction(store: Store) -> None:
    store.sync_deck(_deck(), content_hash="h1", origin="user", now=NOW)
    before_decks = store.decks()
    before_topics = store.topics("demo", include_retired=True)
    # A row that fails half-way through the sync, after the deck row and other topics were written.
    store.db.execute("""
        CREATE TRIGGER refuse_boom BEFORE INSERT ON topics WHEN NEW.id = 'boom'
        BEGIN SELECT RAISE(ABORT, 'boom refused'); END""")
    changed = _deck(
        _t("b", "Beta renamed"),
        _t("boom", "Fails"),
        title="Changed title", version=2,
    )

    with pytest.raises(StoreError, match="boom refused"):
        store.sync_deck(changed, content_hash="h2", origin="user", now=LATER)

    assert store.decks() == before_decks
    assert store.topics("demo", include_retired=True) == before_topics
    assert store.deck_hashes() == {"/decks/demo.yaml": ("demo", "h1")}
    assert not store.db.conn.in_transaction
    # The store is still usable afterwards.
    store.db.execute("DROP TRIGGER refuse_boom")
    store.sync_deck(changed, content_hash="h2", origin="user", now=LATER)
    assert _by_id(store.topics("demo"))["b"].title == "Beta renamed"


def test_sync_refuses_naive_datetimes_and_writes_nothing(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.sync_deck(_deck(), content_hash="h1", origin="user", now=datetime(2026, 1, 2))
    assert store.decks(include_missing=True) == []
