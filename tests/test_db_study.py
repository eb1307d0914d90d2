"""Card rows on a real SQLite file: queue queries, answers and undo, cram, suspend/bury, counts,
deck edits and the study settings."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from shared import (
    ALPHA,
    ALPHA_BRANCH,
    BRAVO,
    BRAVO_QA,
    DECK,
    DEMO,
    ENUM_ONE,
    ENUM_TWO,
    IN_ORDER,
    ONE,
    TWO,
    set_state,
)

from app.clock import to_ms
from app.db import study as db
from app.db.store import Store
from app.db.study import Scope, StudyCard, TopicCounts
from app.decks.library import USER, sync_decks
from app.decks.tree import aggregate_counts, build_tree
from app.errors import StoreError
from app.model import CardId, DeckId, TopicId
from app.scheduling.review import Counts, ReviewSession
from app.scheduling.scheduler import CardState, Fsrs, Grade, Queue, SchedulerSettings

NOW = datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
DAY_END = datetime(2026, 1, 6, 4, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)

OTHER = """\
deck:
  id: other
  title: Other
  version: 1
topics:
  - id: x
    title: Ex
    notes: Ex notes.
"""



@pytest.fixture
def decks_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "demo.yaml").write_text(DECK, encoding="utf-8")
    return folder


@pytest.fixture
def store(tmp_path: Path, decks_dir: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "data")
    report = sync_decks(opened, [(decks_dir, USER)], NOW - timedelta(days=30))
    assert report.problems == ()
    yield opened
    opened.close()


def card(store: Store, card_id: str) -> StudyCard:
    found = db.get_card(store, card_id)
    assert found is not None, card_id
    return found


def row(store: Store, table: str, where: str, *args: object) -> tuple[Any, ...]:
    result = store.conn.execute(f"SELECT * FROM {table} WHERE {where}", args).fetchone()
    assert result is not None
    return tuple(result)


def count(store: Store, table: str) -> int:
    return int(store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])



def review(due: datetime) -> CardState:
    return CardState(Queue.REVIEW, None, 5.0, 5.0, due, due - timedelta(days=5), 3, 0)


def learning(due: datetime, queue: Queue = Queue.LEARNING) -> CardState:
    return CardState(queue, 0, 1.0, 5.0, due, due - MINUTE, 1, 0)


def ids(cards: list[StudyCard]) -> list[str]:
    return [c.id for c in cards]


# The queues as full cards: what a session shows, read the way the session reads them
# (ids from db.queue_ids, then each card's row).
def _cards(store: Store, pairs: list[tuple[int | None, CardId]]) -> list[StudyCard]:
    found = [db.get_card(store, card_id) for _, card_id in pairs]
    return [c for c in found if c is not None]


def learning_cards(store: Store, scope: Scope, now: datetime, before: datetime
                   ) -> list[StudyCard]:
    return _cards(store, db.queue_ids(store, scope, "learning", now, before))


def review_cards(store: Store, scope: Scope, now: datetime, before: datetime, limit: int
                 ) -> list[StudyCard]:
    return _cards(store, db.queue_ids(store, scope, "review", now, before, limit))


def new_cards(store: Store, scope: Scope, now: datetime, limit: int) -> list[StudyCard]:
    return _cards(store, db.queue_ids(store, scope, "new", now, None, limit))


def all_cards(store: Store, scope: Scope) -> list[StudyCard]:
    return _cards(store, db.queue_ids(store, scope, "cram", now=datetime(1970, 1, 1, tzinfo=UTC)))



def answer(store: Store, card_id: str, grade: Grade, now: datetime = NOW,
           duration_ms: int = 1000, bury_until: datetime | None = DAY_END) -> db.LoggedAnswer:
    studied = card(store, card_id)
    after = Fsrs(SchedulerSettings(fuzz=False)).answer(studied.state, grade, now)
    return db.record_answer(store, studied, grade, after, now, duration_ms, bury_until)


# --- cards from deck sync -------------------------------------------------------------------------

def test_sync_stores_every_generated_card_as_new(store: Store) -> None:
    cards = all_cards(store, Scope())
    assert ids(cards) == IN_ORDER
    assert [c.order for c in cards] == list(range(7))
    assert all(c.state == CardState() for c in cards)
    assert card(store, ENUM_ONE).sibling_group == card(store, ENUM_TWO).sibling_group \
        == "demo/alpha/enum"
    assert card(store, BRAVO_QA).prompt == "What is B?"
    assert card(store, BRAVO_QA).context == "Bravo"


# --- queue queries -------------------------------------------------------------------------------

def test_new_cards_come_in_outline_order_up_to_the_limit(store: Store) -> None:
    assert ids(new_cards(store, Scope(), NOW, 3)) == IN_ORDER[:3]
    assert ids(new_cards(store, Scope(), NOW, 100)) == IN_ORDER
    assert new_cards(store, Scope(), NOW, 0) == []
    assert new_cards(store, Scope(), NOW, -2) == []


def test_queries_leave_out_suspended_buried_and_answered_cards(store: Store) -> None:
    db.set_suspended(store, [ALPHA], True)
    db.bury(store, [ENUM_ONE], DAY_END)
    set_state(store, ONE, review(NOW - timedelta(days=1)))
    assert ids(new_cards(store, Scope(), NOW, 100)) == [ENUM_TWO, TWO, BRAVO, BRAVO_QA]
    # Buried until the end of the day: back at that moment, not a millisecond before.
    assert ENUM_ONE in ids(new_cards(store, Scope(), DAY_END, 100))
    assert ENUM_ONE not in ids(new_cards(store, Scope(), DAY_END - timedelta(milliseconds=1),
                                            100))
    # Cramming ignores burial (and due dates) but not suspension.
    assert ids(all_cards(store, Scope())) == IN_ORDER[1:]
    assert set(db.card_ids(store, Scope())) == set(IN_ORDER)


def test_reviews_due_today_most_overdue_first_up_to_the_limit(store: Store) -> None:
    set_state(store, ALPHA, review(NOW + timedelta(hours=5)))  # later today
    set_state(store, ONE, review(NOW - timedelta(days=3)))
    set_state(store, TWO, review(NOW - timedelta(days=1)))
    set_state(store, BRAVO, review(DAY_END))  # tomorrow
    assert ids(review_cards(store, Scope(), NOW, DAY_END, 10)) == [ONE, TWO, ALPHA]
    assert ids(review_cards(store, Scope(), NOW, DAY_END, 2)) == [ONE, TWO]
    assert review_cards(store, Scope(), NOW, DAY_END, 0) == []
    assert BRAVO not in ids(new_cards(store, Scope(), NOW, 100))


def test_learning_and_relearning_cards_by_due(store: Store) -> None:
    set_state(store, ALPHA, learning(NOW + 10 * MINUTE))
    set_state(store, ONE, learning(NOW - MINUTE, Queue.RELEARNING))
    set_state(store, TWO, learning(NOW + timedelta(hours=2)))
    set_state(store, BRAVO, learning(DAY_END + MINUTE))
    found = learning_cards(store, Scope(), NOW, DAY_END)
    assert ids(found) == [ONE, ALPHA, TWO]
    assert found[0].state == learning(NOW - MINUTE, Queue.RELEARNING)


def test_a_scope_restricts_to_a_deck_or_a_branch(store: Store, decks_dir: Path) -> None:
    (decks_dir / "other.yaml").write_text(OTHER, encoding="utf-8")
    sync_decks(store, [(decks_dir, USER)], NOW)
    # Across decks, new cards come deck by deck, each in its outline order.
    assert ids(new_cards(store, Scope(), NOW, 100)) == [*IN_ORDER, "other/x/explain"]
    assert ids(new_cards(store, Scope(DEMO), NOW, 100)) == IN_ORDER
    assert ids(new_cards(store, ALPHA_BRANCH, NOW, 100)) == IN_ORDER[:5]
    leaf = Scope(DEMO, frozenset({TopicId("a-two")}))
    assert ids(new_cards(store, leaf, NOW, 100)) == [TWO]
    assert ids(all_cards(store, leaf)) == [TWO]
    assert db.card_ids(store, leaf) == [TWO]
    # Each query carries its own scope: another branch, then the first one again.
    assert ids(new_cards(store, Scope(DEMO, frozenset({TopicId("bravo")})), NOW, 100)) == [
        BRAVO, BRAVO_QA]
    assert db.card_ids(store, leaf) == [TWO]
    set_state(store, TWO, review(NOW))
    assert ids(review_cards(store, leaf, NOW, DAY_END, 10)) == [TWO]
    assert review_cards(store, Scope(DEMO, frozenset({TopicId("a-one")})), NOW, DAY_END,
                           10) == []
    # The same topic id in another deck is not part of the branch.
    assert new_cards(store, Scope(DeckId("other"), frozenset({TopicId("a-two")})), NOW,
                        10) == []


def test_branch_queries_write_nothing(store: Store) -> None:
    """Building a queue only reads: it works on a connection that refuses every write (a
    temporary table filled per query would not), and changes no row."""
    set_state(store, ONE, review(NOW - timedelta(days=1)))
    set_state(store, TWO, learning(NOW + MINUTE))
    changes = store.conn.total_changes
    store.conn.execute("PRAGMA query_only = ON")
    try:
        assert ids(new_cards(store, ALPHA_BRANCH, NOW, 100)) == [ALPHA, ENUM_ONE, ENUM_TWO]
        assert ids(review_cards(store, ALPHA_BRANCH, NOW, DAY_END, 10)) == [ONE]
        assert ids(learning_cards(store, ALPHA_BRANCH, NOW, DAY_END)) == [TWO]
        assert set(db.card_ids(store, ALPHA_BRANCH)) == set(IN_ORDER[:5])
    finally:
        store.conn.execute("PRAGMA query_only = OFF")
    assert store.conn.total_changes == changes
    assert store.conn.execute("SELECT COUNT(*) FROM temp.sqlite_master").fetchone()[0] == 0


def test_a_branch_of_thousands_of_topics_is_one_query(store: Store) -> None:
    """More topic ids than SQLite takes as separate parameters (32766) still work."""
    many = frozenset({TopicId("a-two"), *(TopicId(f"absent-{i}") for i in range(40_000))})
    assert db.card_ids(store, Scope(DEMO, many)) == [TWO]


# --- answers -------------------------------------------------------------------------------------

def test_record_answer_writes_the_state_and_a_full_log_row(store: Store) -> None:
    fsrs = Fsrs(SchedulerSettings(fuzz=False))
    studied = card(store, ALPHA)
    after = fsrs.answer(studied.state, Grade.GOOD, NOW)
    logged = db.record_answer(store, studied, Grade.GOOD, after, NOW, 4321, DAY_END)
    assert card(store, ALPHA).state == after
    assert after.due == NOW + 10 * MINUTE
    log = row(store, "review_log", "id = ?", logged.log_id)
    assert log == (logged.log_id, ALPHA, to_ms(NOW), 3, 4321,
                   0, None, None, None, None, None, 0, 0,
                   1, 1, after.stability, after.difficulty, to_ms(NOW + 10 * MINUTE),
                   None)  # anki_id: a review made here, not imported from Anki
    assert logged.before == CardState()
    assert logged.card_id == ALPHA

    # A second answer logs the first answer's state as "before".
    later = NOW + 10 * MINUTE
    again = fsrs.answer(after, Grade.GOOD, later)
    second = db.record_answer(store, card(store, ALPHA), Grade.GOOD, again, later, 2000,
                              DAY_END)
    log = row(store, "review_log", "id = ?", second.log_id)
    assert log[5:13] == (1, 1, after.stability, after.difficulty, to_ms(later), to_ms(NOW), 1, 0)
    assert log[13:] == (2, None, again.stability, again.difficulty,
                        to_ms(later + timedelta(days=2)), None)


def test_an_answer_is_on_disk_when_record_answer_returns(store: Store) -> None:
    assert store.path is not None
    answer(store, ALPHA, Grade.AGAIN)
    other = sqlite3.connect(str(store.path))
    try:
        assert other.execute("SELECT queue, due FROM cards WHERE id = ?", [ALPHA]).fetchone() \
            == (1, to_ms(NOW + MINUTE))
        assert other.execute("SELECT card_id, rating FROM review_log").fetchall() == [
            (ALPHA, 1)]
    finally:
        other.close()
    assert not store.conn.in_transaction


def test_a_failed_answer_writes_nothing(store: Store) -> None:
    ghost = StudyCard(id=CardId("demo/ghost"), deck_id=DEMO, topic_id=TopicId("alpha"),
                      kind="qa", context="", prompt="?", answer="!", order=0,
                      state=CardState())
    after = Fsrs(SchedulerSettings(fuzz=False)).answer(CardState(), Grade.GOOD, NOW)
    with pytest.raises(StoreError):
        db.record_answer(store, ghost, Grade.GOOD, after, NOW, 10, DAY_END)
    assert count(store, "review_log") == 0
    assert not store.conn.in_transaction
    answer(store, ALPHA, Grade.GOOD)  # the connection is still usable
    assert count(store, "review_log") == 1


def test_answering_buries_new_and_review_siblings_only(store: Store) -> None:
    logged = answer(store, ENUM_ONE, Grade.GOOD)
    assert logged.buried == (ENUM_TWO,)
    assert card(store, ENUM_TWO).buried_until == DAY_END
    assert card(store, ENUM_ONE).buried_until is None
    assert [c.id for c in all_cards(store, Scope()) if c.buried_until] == [ENUM_TWO]

    db.unbury(store, [ENUM_TWO])
    set_state(store, ENUM_TWO, learning(NOW + MINUTE))
    assert answer(store, ENUM_ONE, Grade.GOOD, NOW + 10 * MINUTE).buried == ()
    set_state(store, ENUM_TWO, review(NOW))
    assert answer(store, ENUM_ONE, Grade.GOOD, NOW + 20 * MINUTE).buried == (ENUM_TWO,)
    # Without a bury time, nothing is buried; a card without a group buries nothing.
    db.unbury(store, [ENUM_TWO])
    assert answer(store, ENUM_ONE, Grade.GOOD, NOW + 30 * MINUTE, bury_until=None).buried == ()
    assert answer(store, ALPHA, Grade.GOOD).buried == ()
    assert [c.id for c in all_cards(store, Scope()) if c.buried_until] == []


def test_undo_restores_the_exact_row_deletes_the_log_row_and_unburies(store: Store) -> None:
    first = answer(store, ENUM_ONE, Grade.AGAIN)
    db.unbury(store, [ENUM_TWO])
    before_row = row(store, "cards", "id = ?", ENUM_ONE)
    sibling_row = row(store, "cards", "id = ?", ENUM_TWO)
    logged = answer(store, ENUM_ONE, Grade.GOOD, NOW + MINUTE)
    assert row(store, "cards", "id = ?", ENUM_ONE) != before_row
    assert logged.buried == (ENUM_TWO,)
    db.undo_answer(store, logged)
    assert row(store, "cards", "id = ?", ENUM_ONE) == before_row
    assert row(store, "cards", "id = ?", ENUM_TWO) == sibling_row
    assert [r[0] for r in store.conn.execute("SELECT id FROM review_log")] == [first.log_id]
    db.undo_answer(store, first)
    assert card(store, ENUM_ONE).state == CardState()
    assert count(store, "review_log") == 0


def test_undo_keeps_a_sibling_that_was_buried_before(store: Store) -> None:
    db.bury(store, [ENUM_TWO], DAY_END + timedelta(days=1))
    logged = answer(store, ENUM_ONE, Grade.GOOD)
    assert logged.buried == ()
    db.undo_answer(store, logged)
    assert card(store, ENUM_TWO).buried_until == DAY_END + timedelta(days=1)


def test_answered_today_counts_new_and_review_answers_since_the_day_start(store: Store) -> None:
    day_start = DAY_END - timedelta(days=1)
    answer(store, ALPHA, Grade.GOOD, day_start - MINUTE)  # yesterday
    answer(store, ONE, Grade.AGAIN)
    answer(store, ONE, Grade.GOOD, NOW + MINUTE)  # a learning answer: neither
    set_state(store, TWO, review(NOW))
    answer(store, TWO, Grade.GOOD)
    answer(store, BRAVO, Grade.EASY, day_start)
    assert db.answered_today(store, day_start) == (2, 1)
    assert db.answered_today(store, DAY_END) == (0, 0)


# --- cram ----------------------------------------------------------------------------------------

def test_cram_answers_are_logged_apart_and_leave_the_card_alone(store: Store) -> None:
    answer(store, ALPHA, Grade.GOOD)
    before = row(store, "cards", "id = ?", ALPHA)
    log_id = db.record_cram(store, ALPHA, Grade.AGAIN, NOW + MINUTE, 1500)
    assert row(store, "cards", "id = ?", ALPHA) == before
    assert row(store, "cram_log", "id = ?", log_id) == (log_id, ALPHA, to_ms(NOW + MINUTE), 1,
                                                        1500)
    assert count(store, "review_log") == 1
    db.undo_cram(store, log_id)
    assert count(store, "cram_log") == 0


# --- suspend and bury ----------------------------------------------------------------------------

def test_suspend_and_bury_are_reversible(store: Store) -> None:
    original = [row(store, "cards", "id = ?", c) for c in IN_ORDER]
    db.set_suspended(store, [ALPHA, ONE], True)
    assert card(store, ALPHA).suspended and card(store, ONE).suspended
    assert ALPHA not in ids(all_cards(store, Scope()))
    db.set_suspended(store, [ALPHA, ONE], False)
    db.bury(store, [TWO], DAY_END)
    assert card(store, TWO).buried_until == DAY_END
    assert TWO not in ids(new_cards(store, Scope(), NOW, 100))
    db.unbury(store, [TWO])
    assert [row(store, "cards", "id = ?", c) for c in IN_ORDER] == original


def _suspended(store: Store) -> dict[str, bool]:
    return {str(card_id): bool(flag) for card_id, flag in store.conn.execute(
        "SELECT id, suspended FROM cards")}


def _without_suspended(store: Store) -> dict[str, tuple[Any, ...]]:
    """Every card row with its suspended flag left out: what suspending must not touch."""
    columns = [r[1] for r in store.conn.execute("PRAGMA table_info(cards)")
               if r[1] != "suspended"]
    return {r[0]: tuple(r) for r in store.conn.execute(
        f"SELECT {', '.join(columns)} FROM cards")}


def test_suspending_a_branch_changes_its_cards_only_and_the_queues_follow(store: Store) -> None:
    set_state(store, ONE, review(NOW - timedelta(days=1)))  # a due review inside the branch
    set_state(store, BRAVO, review(NOW - timedelta(days=2)))  # and one outside it
    db.set_suspended(store, [BRAVO_QA], True)  # suspended on its own, before the branch
    branch = db.card_ids(store, ALPHA_BRANCH)
    assert set(branch) == {ALPHA, ENUM_ONE, ENUM_TWO, ONE, TWO}
    rows = _without_suspended(store)

    db.set_suspended(store, branch, True)

    assert _suspended(store) == {ALPHA: True, ENUM_ONE: True, ENUM_TWO: True, ONE: True,
                                 TWO: True, BRAVO: False, BRAVO_QA: True}
    assert _without_suspended(store) == rows
    assert new_cards(store, Scope(), NOW, 100) == []
    assert ids(review_cards(store, Scope(), NOW, DAY_END, 10)) == [BRAVO]
    assert ids(all_cards(store, Scope())) == [BRAVO]
    assert ids(all_cards(store, ALPHA_BRANCH)) == []
    study = ReviewSession(store, Fsrs(SchedulerSettings(fuzz=False)), Scope(), NOW, UTC)
    assert study.view().counts == Counts(new=0, learning=0, review=1)
    assert study.view().card is not None and study.view().card.id == BRAVO
    counts = aggregate_counts(build_tree(store), db.topic_counts(store, NOW, DAY_END))
    assert counts["demo/alpha"] == TopicCounts(total=0, due=0, new=0)
    assert counts["demo"] == TopicCounts(total=1, due=1, new=0)
    # Suspended cards stay in the branch, so the same selection unsuspends them.
    assert db.card_ids(store, ALPHA_BRANCH) == branch

    db.set_suspended(store, db.card_ids(store, ALPHA_BRANCH), False)

    assert _suspended(store) == {c: c == BRAVO_QA for c in IN_ORDER}
    assert _without_suspended(store) == rows
    assert ids(new_cards(store, Scope(), NOW, 100)) == [ALPHA, ENUM_ONE, ENUM_TWO, TWO]
    assert ids(review_cards(store, Scope(), NOW, DAY_END, 10)) == [BRAVO, ONE]


# --- counts for the tree -------------------------------------------------------------------------

def test_topic_counts_per_topic_and_summed_over_subtrees(store: Store) -> None:
    set_state(store, ONE, review(NOW - timedelta(days=1)))  # due
    set_state(store, TWO, review(DAY_END + timedelta(days=2)))  # not due today
    set_state(store, ALPHA, learning(NOW + timedelta(hours=1)))  # due later today
    set_state(store, BRAVO, review(NOW))
    db.bury(store, [BRAVO], DAY_END)  # buried: not due now
    db.set_suspended(store, [BRAVO_QA], True)  # suspended: not counted at all
    per_topic = db.topic_counts(store, NOW, DAY_END)
    # Known (retention 0.9: whole days since the last review <= stability): ONE was reviewed
    # 6 days ago with stability 5 (forgotten), TWO 2 days ago, BRAVO 5 days ago (just known,
    # burial does not matter), ALPHA is learning with stability 1 since a moment ago.
    assert per_topic == {
        (DEMO, TopicId("alpha")): TopicCounts(total=3, due=1, new=2, known=1),
        (DEMO, TopicId("a-one")): TopicCounts(total=1, due=1, new=0, known=0),
        (DEMO, TopicId("a-two")): TopicCounts(total=1, due=0, new=0, known=1),
        (DEMO, TopicId("bravo")): TopicCounts(total=1, due=0, new=0, known=1),
    }
    totals = aggregate_counts(build_tree(store), per_topic)
    assert totals["demo/alpha"] == TopicCounts(total=5, due=2, new=2, known=2)
    assert totals["demo/a-two"] == TopicCounts(total=1, due=0, new=0, known=1)
    assert totals["demo"] == TopicCounts(total=6, due=2, new=2, known=3)
    assert totals["demo"].mastery == 0.5
    # A lower desired retention widens the horizon: ONE (6 days, stability 5) becomes known.
    loose = db.topic_counts(store, NOW, DAY_END, desired_retention=0.8)
    assert loose[(DEMO, TopicId("a-one"))].known == 1
    # The burial ends at the rollover; the day after, the bravo review is due.
    tomorrow = db.topic_counts(store, DAY_END, DAY_END + timedelta(days=1))
    assert tomorrow[(DEMO, TopicId("bravo"))].due == 1


def test_topic_counts_for_a_fresh_deck(store: Store) -> None:
    totals = aggregate_counts(build_tree(store), db.topic_counts(store, NOW, DAY_END))
    assert totals["demo"] == TopicCounts(total=7, due=0, new=7)
    assert totals["demo/alpha"] == TopicCounts(total=5, due=0, new=5)
    assert totals["demo/bravo"] == TopicCounts(total=2, due=0, new=2)


# --- deck edits ----------------------------------------------------------------------------------

def test_changed_card_text_keeps_progress_and_history(store: Store, decks_dir: Path) -> None:
    answer(store, BRAVO_QA, Grade.GOOD)
    answer(store, BRAVO_QA, Grade.GOOD, NOW + 10 * MINUTE)
    state = card(store, BRAVO_QA).state
    log = store.conn.execute("SELECT * FROM review_log ORDER BY id").fetchall()
    edited = DECK.replace("a: The second letter.", "a: The letter after A.").replace(
        "notes: Bravo notes.", "notes: Bravo notes, rewritten.")
    (decks_dir / "demo.yaml").write_text(edited, encoding="utf-8")
    report = sync_decks(store, [(decks_dir, USER)], NOW + timedelta(hours=1))
    assert report.parsed == 1
    changed = card(store, BRAVO_QA)
    assert changed.answer == "The letter after A."
    assert card(store, BRAVO).answer == "Bravo notes, rewritten."
    assert changed.state == state and state.reps == 2 and state.queue == Queue.REVIEW
    assert store.conn.execute("SELECT * FROM review_log ORDER BY id").fetchall() == log


def test_removed_cards_are_retired_with_their_history_kept(store: Store,
                                                           decks_dir: Path) -> None:
    answer(store, ENUM_ONE, Grade.GOOD)
    answer(store, TWO, Grade.AGAIN)  # learning, due in a minute
    set_state(store, ONE, review(NOW))
    without_two = DECK.replace(
        "      - id: a-two\n        title: Two\n        notes: Second child.\n", "")
    (decks_dir / "demo.yaml").write_text(without_two, encoding="utf-8")
    sync_decks(store, [(decks_dir, USER)], NOW + timedelta(hours=1))
    # With one child left, alpha has no enumeration any more: both enum cards go too.
    retired = {r[0] for r in store.conn.execute("SELECT id FROM cards WHERE retired = 1")}
    assert retired == {ENUM_ONE, ENUM_TWO, TWO}
    assert {r[0] for r in store.conn.execute("SELECT card_id FROM review_log")} == {ENUM_ONE,
                                                                                  TWO}
    later = NOW + timedelta(hours=1)
    assert ids(new_cards(store, Scope(), later, 100)) == [ALPHA, BRAVO, BRAVO_QA]
    assert learning_cards(store, Scope(), later, DAY_END) == []
    assert ids(review_cards(store, Scope(), later, DAY_END, 10)) == [ONE]
    assert ids(all_cards(store, Scope())) == [ALPHA, ONE, BRAVO, BRAVO_QA]
    assert TWO not in db.card_ids(store, Scope())
    counts = db.topic_counts(store, later, DAY_END)
    assert (DEMO, TopicId("a-two")) not in counts
    assert counts[(DEMO, TopicId("alpha"))] == TopicCounts(total=1, due=0, new=1)

    # Put back, a retired card comes back with its progress.
    two_state = card(store, TWO).state
    (decks_dir / "demo.yaml").write_text(DECK, encoding="utf-8")
    sync_decks(store, [(decks_dir, USER)], NOW + timedelta(hours=2))
    assert store.conn.execute("SELECT COUNT(*) FROM cards WHERE retired = 1").fetchone()[0] == 0
    assert card(store, TWO).state == two_state
    assert two_state.queue == Queue.LEARNING
