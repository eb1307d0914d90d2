"""A full disk or a read-only database while reviewing or interviewing, on real SQLite files.

The disk fills up through ``PRAGMA max_page_count`` set to the file's current size (SQLite then
fails writes that need a new page with SQLITE_FULL, as on a full disk); the database turns
read-only through ``PRAGMA query_only`` or a ``mode=ro`` connection (chmod would not stop root).
What was acknowledged before is checked through a second connection, which sees only what is
committed.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.db import interviews as saved
from app.db.store import Store
from app.db.study import Scope
from app.decks.library import USER, sync_decks
from app.decks.loader import load_text
from app.errors import StoreError
from app.interview.budgets import default_budgets
from app.interview.session import InterviewSession
from app.interview.steps import interview_steps
from app.scheduling.review import ReviewSession, ReviewView
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
# Top-level topics only: one card each, no siblings, so answers never bury anything.
TOPICS = 120
FLAT = "deck:\n  id: flat\n  title: Flat\n  version: 1\ntopics:\n" + "".join(
    f"  - id: t{i}\n    title: Topic {i}\n    notes: Notes about topic {i}.\n"
    for i in range(TOPICS))
FLOW = "deck: {id: mini, title: Mini flow, version: 1}\ntopics:\n" + "".join(
    f"  - {{id: s{n}, title: Step {n}, step: {n}}}\n" for n in range(1, 10)) + (
    "questions:\n  - {id: q-feed, title: A feed, category: recommendation, prompt: Design it.}\n")
NO_LIMIT = 4_294_967_294  # SQLite's largest page count: the disk has room again


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "flat.yaml").write_text(FLAT, encoding="utf-8")
    opened = Store.open(tmp_path / "data")
    assert sync_decks(opened, [(decks, USER)], NOW - timedelta(days=1)).problems == ()
    try:
        yield opened
    finally:
        opened.close()


def fill_disk(store: Store) -> None:
    """No more pages than the file has now: any write needing a new page fails."""
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    assert store.conn.execute(f"PRAGMA max_page_count = {pages}").fetchone() == (pages,)


def free_space(store: Store) -> None:
    store.conn.execute(f"PRAGMA max_page_count = {NO_LIMIT}")


def committed(store: Store, sql: str) -> list[tuple[object, ...]]:
    """What a second connection sees: only committed data."""
    assert store.path is not None
    with sqlite3.connect(store.path) as other:
        rows = other.execute(sql).fetchall()
        assert other.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    other.close()
    return rows


def review_log(store: Store) -> list[tuple[object, ...]]:
    return committed(store, "SELECT card_id, rating FROM review_log ORDER BY id")


def study(store: Store, now: datetime = NOW) -> ReviewSession:
    fsrs = Fsrs(SchedulerSettings(new_per_day=1000, fuzz=False))
    return ReviewSession(store, fsrs, Scope(), now, UTC)


def shown(view: ReviewView) -> str:
    assert view.card is not None, view.message
    return view.card.id


# --- reviewing -----------------------------------------------------------------------------------

def test_a_disk_that_fills_up_mid_session_loses_no_acknowledged_answer(store: Store) -> None:
    session = study(store)
    fill_disk(store)
    acknowledged: list[tuple[object, ...]] = []
    now = NOW
    failure: StoreError | None = None
    for _ in range(TOPICS):
        card = shown(session.reveal(now))
        now += 7 * SECOND
        try:
            session.answer(Grade.GOOD, now)
        except StoreError as error:
            failure = error
            break
        acknowledged.append((card, int(Grade.GOOD)))
    assert failure is not None, "the disk never filled up"
    assert len(acknowledged) >= 1  # it filled up mid-session, not at the first answer

    # The message says what happened to the answer, why, and what to do.
    message = failure.message
    assert message.startswith("Your answer was not saved. The disk holding ")
    assert str(store.path) in message and "database or disk is full" in message
    assert "Free some space" in message and "answer it again" in message
    # The session did not move on: the same card, its answer still shown, nothing counted.
    view = session.view()
    assert shown(view) == card and view.revealed and view.buttons
    assert view.summary.answered == len(acknowledged)
    assert not store.conn.in_transaction
    assert review_log(store) == acknowledged

    # Pressing again on a full disk fails the same way and writes nothing twice.
    for grade in (Grade.GOOD, Grade.AGAIN):
        with pytest.raises(StoreError, match="database or disk is full"):
            session.answer(grade, now)
    assert shown(session.view()) == card and review_log(store) == acknowledged

    free_space(store)
    after = session.answer(Grade.HARD, now + SECOND)
    assert shown(after) != card and not after.revealed
    assert review_log(store) == [*acknowledged, (card, int(Grade.HARD))]
    assert committed(store, f"SELECT reps FROM cards WHERE id = '{card}'") == [(1,)]


def test_a_read_only_database_refuses_every_change_and_forgets_nothing(store: Store) -> None:
    session = study(store)
    answered = []
    for grade in (Grade.GOOD, Grade.EASY):
        answered.append((shown(session.reveal(NOW)), int(grade)))
        session.answer(grade, NOW + 5 * SECOND)
    card = shown(session.reveal(NOW + 6 * SECOND))
    store.conn.execute("PRAGMA query_only = ON")

    with pytest.raises(StoreError) as caught:
        session.answer(Grade.GOOD, NOW + 9 * SECOND)
    assert caught.value.message.startswith(f"Your answer was not saved. {store.path} is "
                                           "read-only, so nothing can be saved to it")
    assert "--data-dir" in caught.value.message
    attempts = {"undo": ("The last answer was not undone.", session.undo),
                "suspend": ("The card was not suspended.", session.suspend),
                "bury": ("The card was not buried.", session.bury)}
    for what, action in attempts.values():
        with pytest.raises(StoreError) as caught:
            action(NOW + 10 * SECOND)
        assert caught.value.message.startswith(what)
        assert "read-only" in caught.value.message
        view = session.view()
        # Nothing moved: the same card with its answer, and the last answer can still be undone.
        assert shown(view) == card and view.revealed and view.can_undo
        assert view.summary.answered == 2
    assert review_log(store) == answered
    assert committed(store, "SELECT COUNT(*) FROM cards WHERE suspended = 1 "
                            "OR buried_until IS NOT NULL") == [(0,)]

    store.conn.execute("PRAGMA query_only = OFF")
    back = session.undo(NOW + 20 * SECOND)  # the undo that failed works now
    assert shown(back) == answered[-1][0] and back.summary.answered == 1
    assert review_log(store) == answered[:1]
    session.reveal(NOW + 21 * SECOND)
    session.answer(Grade.AGAIN, NOW + 25 * SECOND)
    assert review_log(store) == [answered[0], (answered[1][0], int(Grade.AGAIN))]


def test_failed_undo_of_a_suspension_can_be_retried(store: Store) -> None:
    session = study(store)
    first = shown(session.view())
    session.suspend(NOW)
    store.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError, match=r"^The card was not unsuspended\. .* read-only"):
        session.undo(NOW + SECOND)
    assert shown(session.view()) != first and session.view().can_undo
    store.conn.execute("PRAGMA query_only = OFF")
    assert shown(session.undo(NOW + 2 * SECOND)) == first
    assert committed(store, f"SELECT suspended FROM cards WHERE id = '{first}'") == [(0,)]


def test_cram_answers_on_a_read_only_database_keep_the_card(store: Store) -> None:
    fsrs = Fsrs(SchedulerSettings(fuzz=False))
    session = ReviewSession(store, fsrs, Scope(), NOW, UTC, "cram")
    card = shown(session.reveal(NOW))
    store.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError, match=r"^Your answer was not saved"):
        session.answer(Grade.AGAIN, NOW + SECOND)
    view = session.view()
    assert shown(view) == card and view.revealed and view.counts.review == TOPICS
    store.conn.execute("PRAGMA query_only = OFF")
    session.answer(Grade.AGAIN, NOW + 2 * SECOND)
    assert committed(store, "SELECT card_id, rating FROM cram_log") == [(card, 1)]


def test_a_database_opened_read_only_refuses_answers_with_a_clear_message(store: Store) -> None:
    assert store.path is not None
    read_only = Store(sqlite3.connect(f"file:{store.path}?mode=ro", uri=True,
                                      isolation_level=None), store.path)
    try:
        session = study(read_only)
        card = shown(session.reveal(NOW))
        with pytest.raises(StoreError, match=r"read-only.*attempt to write a readonly database"):
            session.answer(Grade.GOOD, NOW + SECOND)
        assert shown(session.view()) == card and session.view().revealed
    finally:
        read_only.close()
    assert review_log(store) == []


# --- interview notes -----------------------------------------------------------------------------

@pytest.fixture
def interview(store: Store) -> InterviewSession:
    deck = load_text(FLOW, "mini.yaml")
    session = InterviewSession(deck.questions[0], interview_steps(deck), default_budgets(45),
                               NOW, rng=random.Random(1))
    saved.create_interview(store, session, deck.id, NOW)
    return session


def stored_notes(store: Store) -> dict[object, object]:
    return dict(committed(store, "SELECT step, notes FROM interview_steps"))


# Long enough to need new pages wherever SQLite puts it.
LONG_NOTES = "".join(f"- point {i}: offline recall@k against online watch time\n"
                     for i in range(1500))


def test_a_failed_autosave_keeps_the_notes_and_is_retried(store: Store,
                                                         interview: InterviewSession) -> None:
    interview.set_notes(0, "Business goal: engagement\n", NOW + 2 * SECOND)
    saved.save_interview(store, interview, NOW + 5 * SECOND)
    fill_disk(store)
    interview.set_notes(0, LONG_NOTES, NOW + 6 * SECOND)
    later = NOW + 11 * SECOND
    assert interview.needs_save(later)

    with pytest.raises(StoreError, match=r"disk holding .* is full"):
        saved.save_interview(store, interview, later)
    assert interview.notes(0) == LONG_NOTES  # still in the session
    assert interview.needs_save(later + SECOND)  # so the next autosave tries again
    assert stored_notes(store)[1] == "Business goal: engagement\n"
    assert not store.conn.in_transaction

    free_space(store)
    saved.save_interview(store, interview, later + SECOND)
    assert not interview.needs_save(later + 2 * SECOND)
    assert stored_notes(store)[1] == LONG_NOTES


def test_finishing_on_a_full_disk_keeps_the_notes_for_another_try(
        store: Store, interview: InterviewSession) -> None:
    saved.save_interview(store, interview, NOW + 5 * SECOND)
    fill_disk(store)
    interview.set_notes(8, LONG_NOTES, NOW + 60 * SECOND)
    with pytest.raises(StoreError, match="is full"):
        saved.finish_interview(store, interview, NOW + 61 * SECOND)
    assert interview.finished and interview.notes(8) == LONG_NOTES
    # The stored interview is still a running one, offered for resumption at the next start.
    assert committed(store, "SELECT status FROM interviews") == [("running",)]

    free_space(store)
    saved.finish_interview(store, interview, NOW + 90 * SECOND)
    assert committed(store, "SELECT status, finished_at FROM interviews") == \
        [("finished", int((NOW + 61 * SECOND).timestamp() * 1000))]
    assert stored_notes(store)[9] == LONG_NOTES


def test_settings_and_deck_visibility_writes_on_a_read_only_database_raise_our_error(
        tmp_path: Path) -> None:
    from app.db.store import Store

    store = Store.open(tmp_path)
    try:
        store.set_setting("before", 1)
        store.conn.execute("PRAGMA query_only = ON")
        with pytest.raises(StoreError, match="read-only"):
            store.set_setting("after", 2)
        store.conn.execute("PRAGMA query_only = OFF")
        store.conn.execute("INSERT INTO decks (id, title, version, description, source, path, "
                           "content_hash, origin, missing, synced_at) VALUES ('d', 'D', 1, '', "
                           "'{}', 'd.yaml', 'x', 'user', 0, '2026-01-01')")
        store.conn.execute("PRAGMA query_only = ON")
        with pytest.raises(StoreError, match="read-only"):
            store.mark_missing([])
        assert store.setting("before") == 1 and store.setting("after") is None
    finally:
        store.close()


def test_an_import_the_store_refuses_leaves_the_deck_file_as_it_was(tmp_path: Path) -> None:
    from app.db.store import Store
    from app.decks.library import import_outline
    from app.paths import user_decks_dir

    data = tmp_path / "data"
    source = tmp_path / "notes.md"
    source.write_text("# Notes\n\n- Alpha\n- Beta\n", encoding="utf-8")
    store = Store.open(data)
    try:
        first = import_outline(store, source, data, NOW)
        before = first.path.read_bytes()
        source.write_text("# Notes\n\n- Alpha\n- Gamma\n- Delta\n", encoding="utf-8")
        store.conn.execute("PRAGMA query_only = ON")
        with pytest.raises(StoreError, match="read-only"):
            import_outline(store, source, data, NOW)
        assert first.path.read_bytes() == before
        assert sorted(p.name for p in user_decks_dir(data).iterdir()) == [first.path.name]
        other = tmp_path / "other.md"
        other.write_text("# Other\n\n- One\n- Two\n", encoding="utf-8")
        with pytest.raises(StoreError):
            import_outline(store, other, data, NOW)
        assert sorted(p.name for p in user_decks_dir(data).iterdir()) == [first.path.name]
        store.conn.execute("PRAGMA query_only = OFF")
        again = import_outline(store, source, data, NOW)
        assert again.reimported and again.path.read_bytes() != before
    finally:
        store.close()
