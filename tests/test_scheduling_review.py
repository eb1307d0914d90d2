"""Review sessions on a real SQLite file: queue order, limits, the study day, undo, burying,
branches and cram, with fixed times and fuzz off."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
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
    ONE,
    TWO,
    set_state,
)

from app.clock import to_ms
from app.db import study as db
from app.db.store import Store
from app.db.study import Scope, StudyCard
from app.decks.library import USER, sync_decks
from app.model import CardId, DeckId, TopicId
from app.scheduling.review import MAX_DURATION_MS, Counts, Mode, ReviewSession, ReviewView
from app.scheduling.scheduler import (
    CardState,
    Fsrs,
    Grade,
    Queue,
    SchedulerSettings,
    format_interval,
)

EST = timezone(timedelta(hours=-5))
NOW = datetime(2026, 1, 5, 17, 0, tzinfo=UTC)  # 12:00 in EST
DAY_END = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)  # 04:00 EST the next morning
MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


# Top-level topics are not enumerated: six cards, no siblings.
FLAT = "deck:\n  id: flat\n  title: Flat\n  version: 1\ntopics:\n" + "".join(
    f"  - id: t{i}\n    title: Topic {i}\n    notes: Notes {i}.\n" for i in range(1, 7))
FLAT_IDS = [f"flat/t{i}/explain" for i in range(1, 7)]


def open_store(tmp_path: Path, text: str) -> Store:
    folder = tmp_path / "decks"
    folder.mkdir(exist_ok=True)
    (folder / "deck.yaml").write_text(text, encoding="utf-8")
    store = Store.open(tmp_path / "data")
    assert sync_decks(store, [(folder, USER)], NOW - timedelta(days=30)).problems == ()
    return store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path, DECK)
    yield opened
    opened.close()


@pytest.fixture
def flat(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path, FLAT)
    yield opened
    opened.close()


def session(store: Store, now: datetime = NOW, scope: Scope | None = None,
            mode: Mode = "study", **settings: Any) -> ReviewSession:
    return ReviewSession(store, Fsrs(SchedulerSettings(fuzz=settings.pop("fuzz", False),
                                                       **settings)),
                         scope or Scope(), now, EST, mode)


def current(view: ReviewView) -> str:
    assert view.card is not None, view.message
    return view.card.id


def drain(review: ReviewSession, grade: Grade, now: datetime = NOW, limit: int = 50
          ) -> list[str]:
    """Answer every card shown with ``grade`` at ``now``; the ids in the order shown."""
    shown: list[str] = []
    view = review.view()
    while view.card is not None:
        shown.append(view.card.id)
        assert len(shown) <= limit, shown
        view = review.answer(grade, now)
    return shown


def card_row(store: Store, card_id: str) -> tuple[Any, ...]:
    return tuple(store.conn.execute("SELECT * FROM cards WHERE id = ?", [card_id]).fetchone())


def all_rows(store: Store) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.conn.execute("SELECT * FROM cards ORDER BY id")]


def log_rows(store: Store) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.conn.execute("SELECT * FROM review_log ORDER BY id")]



def review_state(due: datetime, stability: float = 5.0) -> CardState:
    return CardState(Queue.REVIEW, None, stability, 5.0, due, due - timedelta(days=5), 3, 0)


def learning_state(due: datetime) -> CardState:
    return CardState(Queue.LEARNING, 0, 0.212, 6.4133, due, due - MINUTE, 1, 0)


def stored(store: Store, card_id: str) -> StudyCard:
    found = db.get_card(store, card_id)
    assert found is not None
    return found


def assert_log_chains(store: Store) -> None:
    """Each card's log rows follow on: every answer started from the state the last one left."""
    last: dict[str, tuple[Any, ...]] = {}
    for r in log_rows(store):
        card_id, queue_before, due_before = r[1], r[5], r[9]
        if card_id in last:
            assert (queue_before, due_before) == last[card_id], r
        last[card_id] = (r[13], r[17])
    for card_id, (queue, due) in last.items():
        assert (queue, due) == card_row(store, card_id)[10:15:4], card_id


# --- what a new session shows --------------------------------------------------------------------

def test_a_new_card_shows_its_buttons_and_counts(store: Store) -> None:
    review = session(store)
    view = review.view()
    assert current(view) == ALPHA
    assert view.mode == "study" and not view.revealed and not view.finished
    # The card on screen counts; ENUM_TWO does not: answering its sibling ENUM_ONE buries it,
    # so the queue holds one card per sibling group (as Anki gathers one card per note).
    assert view.counts == Counts(new=6, learning=0, review=0)
    assert view.buttons == ()  # as in Anki, the grades appear with the answer
    assert view.message == "" and not view.can_undo
    revealed = review.reveal(NOW + SECOND)
    assert revealed.revealed and current(revealed) == ALPHA
    assert [(b.grade, b.label, b.interval) for b in revealed.buttons] == [
        (Grade.AGAIN, "Again", "1m"), (Grade.HARD, "Hard", "6m"), (Grade.GOOD, "Good", "10m"),
        (Grade.EASY, "Easy", "8d")]
    assert review.answer(Grade.GOOD, NOW + 2 * SECOND).revealed is False


def test_an_empty_scope_is_finished_at_once(store: Store) -> None:
    review = session(store, scope=Scope(DeckId("nothing-here")))
    view = review.view()
    assert view.finished and view.buttons == () and view.counts == Counts(0, 0, 0)
    assert view.message == "Congratulations! You have finished this branch for today."
    assert review.answer(Grade.GOOD, NOW) == view
    assert review.undo(NOW) == view


# --- answers: exact intervals, log rows, commits ---------------------------------------------

def test_the_answer_log_row_holds_before_after_duration_and_utc_ms(store: Store) -> None:
    review = session(store)
    review.reveal(NOW + 3 * SECOND)
    answered_at = NOW + timedelta(seconds=7, milliseconds=250)
    review.answer(Grade.GOOD, answered_at)
    after = Fsrs(SchedulerSettings(fuzz=False)).answer(CardState(), Grade.GOOD, NOW)
    [log] = log_rows(store)
    assert log[1:] == (
        ALPHA, to_ms(answered_at), 3, 7250,
        0, None, None, None, None, None, 0, 0,
        1, 1, after.stability, after.difficulty, to_ms(answered_at + 10 * MINUTE),
        None)  # anki_id: answered here, not imported from Anki
    assert to_ms(answered_at) == 1767632407250
    state = stored(store, ALPHA).state
    assert state.due == answered_at + 10 * MINUTE
    assert (state.queue, state.step, state.reps, state.last_review) == (
        Queue.LEARNING, 1, 1, answered_at)


@pytest.mark.parametrize(("grade", "interval"), [
    (Grade.AGAIN, MINUTE), (Grade.HARD, timedelta(minutes=5, seconds=30)),
    (Grade.GOOD, 10 * MINUTE), (Grade.EASY, timedelta(days=8))])
def test_a_new_card_answer_applies_the_interval_on_its_button(store: Store, grade: Grade,
                                                              interval: timedelta) -> None:
    review = session(store)
    label = {b.grade: b.interval for b in review.reveal(NOW).buttons}[grade]
    answered_at = NOW + 42 * SECOND  # the interval counts from the answer, not from showing
    review.answer(grade, answered_at)
    due = stored(store, ALPHA).state.due
    assert due == answered_at + interval
    assert format_interval(interval) == label


def test_with_fuzz_on_the_button_still_tells_the_applied_interval(store: Store) -> None:
    random.seed(20260105)  # fuzz no longer draws from it (see Fsrs); a repeatable run anyway
    set_state(store, ALPHA, review_state(NOW - timedelta(days=2), stability=3.0))
    review = session(store, fuzz=True)
    seen: set[timedelta] = set()
    for attempt in range(12):
        grade = (Grade.HARD, Grade.GOOD)[attempt % 2]
        view = review.reveal(NOW + attempt * SECOND)
        assert current(view) == ALPHA
        label = {b.grade: b.interval for b in view.buttons}[grade]
        answered_at = NOW + attempt * SECOND
        review.answer(grade, answered_at)
        [log] = log_rows(store)
        applied = stored(store, ALPHA).state.due - answered_at  # type: ignore[operator]
        assert log[17] == to_ms(answered_at + applied)
        assert format_interval(applied) == label
        assert label.endswith("d") and applied == timedelta(days=int(label[:-1])), label
        seen.add(applied)
        review.undo(answered_at)
    assert len(seen) >= 3  # fuzz was on: the same answer got different intervals


def test_each_answer_is_committed_before_answer_returns(store: Store) -> None:
    assert store.path is not None
    other = sqlite3.connect(str(store.path))
    try:
        review = session(store)
        review.answer(Grade.AGAIN, NOW + SECOND)
        assert other.execute("SELECT queue, due, reps FROM cards WHERE id = ?",
                             [ALPHA]).fetchone() == (1, to_ms(NOW + SECOND + MINUTE), 1)
        assert other.execute("SELECT card_id, rating, duration_ms FROM review_log").fetchall() \
            == [(ALPHA, 1, 1000)]
        review.answer(Grade.GOOD, NOW + 3 * SECOND)  # buries its sibling in the same commit
        assert other.execute("SELECT buried_until FROM cards WHERE id = ?",
                             [ENUM_TWO]).fetchone() == (to_ms(DAY_END),)
        assert other.execute("SELECT COUNT(*) FROM review_log").fetchone() == (2,)
        assert not store.conn.in_transaction
    finally:
        other.close()


def test_durations_are_capped_and_never_negative(store: Store) -> None:
    review = session(store)
    review.answer(Grade.EASY, NOW + timedelta(hours=2))
    review.answer(Grade.EASY, NOW + timedelta(hours=1))  # the clock went back
    assert [r[4] for r in log_rows(store)] == [MAX_DURATION_MS, 0]
    summary = review.view().summary
    assert (summary.answered, summary.again, summary.seconds) == (2, 0, 3600.0)
    assert summary.pass_rate == 1.0


def test_the_summary_counts_answers_and_agains(store: Store) -> None:
    review = session(store)
    assert review.summary().pass_rate is None
    review.answer(Grade.AGAIN, NOW + 2 * SECOND)
    review.answer(Grade.GOOD, NOW + 5 * SECOND)
    review.answer(Grade.AGAIN, NOW + 6 * SECOND)
    review.answer(Grade.GOOD, NOW + 10 * SECOND)
    summary = review.summary()
    assert (summary.answered, summary.again, summary.seconds) == (4, 2, 10.0)
    assert summary.pass_rate == 0.5


# --- queue order and learning cards --------------------------------------------------------------

def test_learning_due_first_then_reviews_by_due_then_new_in_outline_order(store: Store) -> None:
    set_state(store, ONE, learning_state(NOW - MINUTE))
    set_state(store, ALPHA, learning_state(NOW + 5 * MINUTE))  # not due yet: learnt ahead last
    set_state(store, TWO, review_state(NOW - timedelta(days=2)))
    set_state(store, BRAVO, review_state(NOW - timedelta(days=1)))
    set_state(store, BRAVO_QA, review_state(NOW + timedelta(hours=3)))  # due later today
    review = session(store)
    assert review.view().counts == Counts(new=1, learning=2, review=3)  # ENUM_TWO: a sibling
    # Easy everywhere: nothing comes back today. ENUM_ONE buries its sibling ENUM_TWO.
    assert drain(review, Grade.EASY) == [ONE, TWO, BRAVO, BRAVO_QA, ENUM_ONE, ALPHA]
    assert stored(store, ENUM_TWO).state.queue == Queue.NEW


def test_tomorrows_reviews_wait(store: Store) -> None:
    set_state(store, TWO, review_state(DAY_END))
    set_state(store, ONE, review_state(DAY_END - MINUTE))
    review = session(store, new_per_day=0)
    assert drain(review, Grade.GOOD) == [ONE]
    assert drain(session(store, DAY_END, new_per_day=0), Grade.GOOD, DAY_END) == [TWO]


def test_a_learning_card_comes_back_before_new_cards_once_due(flat: Store) -> None:
    review = session(flat)
    review.answer(Grade.AGAIN, NOW)  # t1: due in a minute
    view = review.view()
    assert current(view) == FLAT_IDS[1] and view.counts == Counts(new=5, learning=1, review=0)
    view = review.answer(Grade.GOOD, NOW + 2 * MINUTE)
    assert current(view) == FLAT_IDS[0]
    assert view.card is not None and view.card.state == stored(flat, FLAT_IDS[0]).state
    assert [b.interval for b in review.reveal(NOW + 2 * MINUTE).buttons] == [
        "1m", "6m", "10m", "1d"]
    view = review.answer(Grade.GOOD, NOW + 3 * MINUTE)
    assert current(view) == FLAT_IDS[2]


def test_a_learning_card_is_learnt_ahead_when_nothing_else_is_left(flat: Store) -> None:
    review = session(flat, new_per_day=1)
    view = review.answer(Grade.GOOD, NOW)
    assert current(view) == FLAT_IDS[0]  # due in 10 minutes, within the 20 of learning ahead
    assert view.counts == Counts(new=0, learning=1, review=0)
    view = review.answer(Grade.GOOD, NOW + SECOND)
    assert view.finished
    assert stored(flat, FLAT_IDS[0]).state.queue == Queue.REVIEW
    assert view.message == "Congratulations! You have finished this branch for today."


def test_a_learning_card_further_off_waits_and_the_message_says_when(flat: Store) -> None:
    steps: dict[str, Any] = {"learning_steps": (MINUTE, timedelta(hours=1)), "new_per_day": 1}
    review = session(flat, **steps)
    view = review.answer(Grade.GOOD, NOW)
    assert view.finished and view.card is None
    assert view.counts == Counts(new=0, learning=1, review=0)
    assert view.message == ("Congratulations! You are done for now. 1 learning card comes "
                            "back in 1h.")
    assert view.can_undo
    later = session(flat, NOW + 39 * MINUTE, **steps).view()
    assert later.finished and later.message.endswith("comes back in 21m.")
    assert current(session(flat, NOW + 40 * MINUTE, **steps).view()) == FLAT_IDS[0]
    on_time = session(flat, NOW + timedelta(hours=1), **steps)
    assert current(on_time.view()) == FLAT_IDS[0]
    on_time.answer(Grade.GOOD, NOW + timedelta(hours=1))
    assert stored(flat, FLAT_IDS[0]).state.queue == Queue.REVIEW


def test_a_lapse_relearns_within_the_session(store: Store) -> None:
    set_state(store, ONE, review_state(NOW - timedelta(days=1)))
    review = session(store, new_per_day=0)
    view = review.answer(Grade.AGAIN, NOW)
    assert current(view) == ONE  # relearning in 10 minutes: learnt ahead
    assert view.card is not None and view.card.state.queue == Queue.RELEARNING
    assert view.card.state.lapses == 1
    assert review.answer(Grade.GOOD, NOW + 10 * MINUTE).finished
    state = stored(store, ONE).state
    assert (state.queue, state.lapses, state.reps) == (Queue.REVIEW, 1, 5)
    assert_log_chains(store)


def test_again_while_relearning_is_not_another_lapse(store: Store) -> None:
    """Only forgetting a card in review is a lapse; failing its relearning step again is not."""
    set_state(store, ONE, review_state(NOW - timedelta(days=1)))
    review = session(store, new_per_day=0)
    assert current(review.answer(Grade.AGAIN, NOW)) == ONE  # the lapse: relearning
    assert stored(store, ONE).state.lapses == 1
    view = review.answer(Grade.AGAIN, NOW + 10 * MINUTE)  # failed again while relearning
    assert current(view) == ONE
    state = stored(store, ONE).state
    assert (state.queue, state.lapses, state.reps) == (Queue.RELEARNING, 1, 5)
    assert review.answer(Grade.GOOD, NOW + 20 * MINUTE).finished
    state = stored(store, ONE).state
    assert (state.queue, state.lapses, state.reps) == (Queue.REVIEW, 1, 6)
    # The log tells the same story: queue and lapses before each answer, and after the last.
    assert [(r[5], r[12], r[13]) for r in log_rows(store)] == [
        (Queue.REVIEW, 0, Queue.RELEARNING), (Queue.RELEARNING, 1, Queue.RELEARNING),
        (Queue.RELEARNING, 1, Queue.REVIEW)]
    # Forgetting it again once it is back in review is the second lapse.
    due = state.due
    assert due is not None
    later = session(store, due, new_per_day=0)
    assert current(later.view()) == ONE
    later.answer(Grade.AGAIN, due)
    assert stored(store, ONE).state.lapses == 2
    assert_log_chains(store)


# --- daily limits and the study day ---------------------------------------------------------------

def test_new_per_day_shows_exactly_that_many_new_cards(flat: Store) -> None:
    review = session(flat, new_per_day=3)
    assert review.view().counts == Counts(new=3, learning=0, review=0)
    assert drain(review, Grade.EASY) == FLAT_IDS[:3]


def test_new_cards_answered_earlier_today_count_against_the_limit(flat: Store) -> None:
    first = session(flat, new_per_day=3)
    first.answer(Grade.AGAIN, NOW)
    first.answer(Grade.EASY, NOW + SECOND)
    # A later session the same day: one new card left, plus t1 still learning.
    later = NOW + timedelta(hours=2)
    second = session(flat, later, new_per_day=3)
    assert second.view().counts == Counts(new=1, learning=1, review=0)
    assert drain(second, Grade.EASY, later) == [FLAT_IDS[0], FLAT_IDS[2]]
    # 03:59 EST is still the same study day; 04:00 starts the next one.
    assert session(flat, DAY_END - MINUTE, new_per_day=3).view().finished
    # t1's first review falls due tomorrow too; it comes before the three new cards.
    assert drain(session(flat, DAY_END, new_per_day=3), Grade.EASY, DAY_END) == [
        FLAT_IDS[0], *FLAT_IDS[3:6]]


def test_an_undone_new_card_does_not_count_against_the_limit(flat: Store) -> None:
    review = session(flat, new_per_day=2)
    review.answer(Grade.EASY, NOW)
    review.undo(NOW)
    assert drain(session(flat, new_per_day=2), Grade.EASY) == FLAT_IDS[:2]


def test_reviews_per_day_counts_earlier_answers_and_resets_next_day(flat: Store) -> None:
    for days, card_id in enumerate(FLAT_IDS[:4], start=1):
        set_state(flat, card_id, review_state(NOW - timedelta(days=days)))
    review = session(flat, new_per_day=0, reviews_per_day=3)
    assert review.view().counts == Counts(new=0, learning=0, review=3)
    review.answer(Grade.GOOD, NOW)  # the most overdue, FLAT_IDS[3]
    again = session(flat, NOW + timedelta(hours=1), new_per_day=0, reviews_per_day=3)
    assert drain(again, Grade.GOOD, NOW + timedelta(hours=1)) == FLAT_IDS[1:3][::-1]
    tomorrow = session(flat, DAY_END, new_per_day=0, reviews_per_day=3)
    assert drain(tomorrow, Grade.GOOD, DAY_END) == [FLAT_IDS[0]]


def test_new_cards_come_after_reviews_under_both_limits(flat: Store) -> None:
    set_state(flat, FLAT_IDS[5], review_state(NOW - timedelta(days=1)))
    review = session(flat, new_per_day=2, reviews_per_day=5)
    assert drain(review, Grade.EASY) == [FLAT_IDS[5], FLAT_IDS[0], FLAT_IDS[1]]


# --- siblings ------------------------------------------------------------------------------------

def test_a_sibling_is_buried_until_the_next_four_am(store: Store) -> None:
    review = session(store)
    review.answer(Grade.EASY, NOW)  # ALPHA: no siblings
    assert all(stored(store, c).buried_until is None for c in (ENUM_ONE, ENUM_TWO))
    view = review.answer(Grade.GOOD, NOW + SECOND)  # ENUM_ONE buries ENUM_TWO
    assert current(view) == ONE
    assert view.counts == Counts(new=4, learning=1, review=0)
    assert stored(store, ENUM_TWO).buried_until == DAY_END
    buried = [r[0] for r in store.conn.execute(
        "SELECT id FROM cards WHERE buried_until IS NOT NULL")]
    assert buried == [ENUM_TWO]
    assert ENUM_TWO not in drain(review, Grade.EASY, NOW + 15 * MINUTE)
    assert ENUM_TWO not in drain(session(store, DAY_END - MINUTE), Grade.EASY, DAY_END - MINUTE)
    assert current(session(store, DAY_END).view()) == ENUM_TWO


def test_a_sibling_in_learning_is_not_buried(store: Store) -> None:
    set_state(store, ENUM_ONE, learning_state(NOW + 5 * MINUTE))
    review = session(store, scope=Scope(DEMO, frozenset({TopicId("alpha")})))
    assert drain(review, Grade.EASY) == [ALPHA, ENUM_TWO, ENUM_ONE]
    assert stored(store, ENUM_ONE).buried_until is None


def test_a_learning_card_buries_its_new_sibling(store: Store) -> None:
    set_state(store, ENUM_TWO, learning_state(NOW - MINUTE))
    review = session(store, scope=Scope(DEMO, frozenset({TopicId("alpha")})))
    assert drain(review, Grade.GOOD) == [ENUM_TWO, ALPHA, ENUM_TWO, ALPHA]
    assert stored(store, ENUM_ONE).buried_until == DAY_END


# --- undo ----------------------------------------------------------------------------------------

def test_undo_restores_the_row_deletes_the_log_and_unburies_siblings(store: Store) -> None:
    review = session(store)
    review.answer(Grade.EASY, NOW)
    before = {c: card_row(store, c) for c in (ENUM_ONE, ENUM_TWO)}
    logs_before = log_rows(store)
    counts_before = review.view().counts
    view = review.answer(Grade.GOOD, NOW + 4 * SECOND)
    assert card_row(store, ENUM_TWO) != before[ENUM_TWO]
    view = review.undo(NOW + 5 * SECOND)
    assert current(view) == ENUM_ONE and not view.revealed
    assert view.card is not None and view.card.state == CardState()
    assert {c: card_row(store, c) for c in (ENUM_ONE, ENUM_TWO)} == before
    assert log_rows(store) == logs_before
    assert view.counts == counts_before
    assert view.can_undo  # ALPHA's answer can still be taken back
    assert review.summary().answered == 1
    view = review.undo(NOW + 6 * SECOND)
    assert current(view) == ALPHA and not view.can_undo
    assert log_rows(store) == []
    assert stored(store, ALPHA).state == CardState()


def test_after_undo_the_card_is_answered_once_from_its_restored_state(store: Store) -> None:
    review = session(store)
    review.answer(Grade.AGAIN, NOW)
    assert current(review.undo(NOW)) == ALPHA
    view = review.answer(Grade.AGAIN, NOW + SECOND)
    # ALPHA is learning now (due in a minute); the next card is the next new one, not ALPHA.
    assert current(view) == ENUM_ONE
    assert view.counts == Counts(new=5, learning=1, review=0)
    # Easy everywhere from here: ALPHA (due by now) comes back exactly once, as learning.
    assert drain(review, Grade.EASY, NOW + 2 * MINUTE) == [ENUM_ONE, ALPHA, ONE, TWO, BRAVO,
                                                           BRAVO_QA]
    assert [r[5] for r in log_rows(store) if r[1] == ALPHA] == [0, 1]
    assert_log_chains(store)


def test_undo_of_a_learning_answer_does_not_bring_back_the_old_state(flat: Store) -> None:
    review = session(flat, new_per_day=1)
    review.answer(Grade.AGAIN, NOW)  # learning, due NOW + 1m; learnt ahead at once
    view = review.answer(Grade.GOOD, NOW + MINUTE)
    assert current(view) == FLAT_IDS[0]  # step 1, due in 10 minutes: learnt ahead
    view = review.undo(NOW + MINUTE)
    assert view.card is not None and view.card.state == stored(flat, FLAT_IDS[0]).state
    assert view.card.state.step == 0
    view = review.answer(Grade.GOOD, NOW + MINUTE)
    assert view.card is not None and view.card.state == stored(flat, FLAT_IDS[0]).state
    assert view.card.state.step == 1
    assert view.counts == Counts(new=0, learning=1, review=0)
    assert review.answer(Grade.GOOD, NOW + 11 * MINUTE).finished
    assert len(log_rows(flat)) == 3
    assert_log_chains(flat)


def test_undo_of_suspend(store: Store) -> None:
    review = session(store)
    view = review.suspend(NOW)
    assert current(view) == ENUM_ONE and view.can_undo
    assert stored(store, ALPHA).suspended
    view = review.undo(NOW + SECOND)
    assert current(view) == ALPHA and not stored(store, ALPHA).suspended
    assert view.counts == Counts(new=6, learning=0, review=0)
    review.suspend(NOW + SECOND)
    assert ALPHA not in drain(review, Grade.EASY, NOW + 2 * SECOND)
    assert ALPHA not in drain(session(store, DAY_END + timedelta(days=30)), Grade.EASY,
                              DAY_END + timedelta(days=30))


def test_undo_of_bury(store: Store) -> None:
    review = session(store)
    view = review.bury(NOW)
    assert current(view) == ENUM_ONE
    assert stored(store, ALPHA).buried_until == DAY_END
    view = review.undo(NOW + SECOND)
    assert current(view) == ALPHA and stored(store, ALPHA).buried_until is None
    review.bury(NOW + SECOND)
    assert ALPHA not in drain(review, Grade.EASY, NOW + 2 * SECOND)
    assert current(session(store, DAY_END).view()) == ALPHA


def test_undo_of_a_suspend_after_an_answer_goes_back_step_by_step(store: Store) -> None:
    review = session(store)
    review.answer(Grade.EASY, NOW)
    review.suspend(NOW + SECOND)  # ENUM_ONE
    assert current(review.undo(NOW + 2 * SECOND)) == ENUM_ONE
    assert current(review.undo(NOW + 3 * SECOND)) == ALPHA
    assert not review.view().can_undo
    assert log_rows(store) == [] and not stored(store, ENUM_ONE).suspended


# --- branches ------------------------------------------------------------------------------------

def test_studying_a_branch_shows_only_its_cards(store: Store) -> None:
    untouched = [card_row(store, c) for c in (BRAVO, BRAVO_QA)]
    review = session(store, scope=ALPHA_BRANCH)
    assert review.view().counts == Counts(new=4, learning=0, review=0)  # as many as it shows
    assert drain(review, Grade.EASY) == [ALPHA, ENUM_ONE, ONE, TWO]
    assert [card_row(store, c) for c in (BRAVO, BRAVO_QA)] == untouched
    leaf = session(store, scope=Scope(DEMO, frozenset({TopicId("bravo")})))
    assert drain(leaf, Grade.EASY) == [BRAVO, BRAVO_QA]


def test_a_branch_session_still_shows_due_cards_of_the_branch_only(store: Store) -> None:
    set_state(store, BRAVO, review_state(NOW - timedelta(days=1)))
    set_state(store, TWO, review_state(NOW - timedelta(hours=1)))
    review = session(store, scope=Scope(DEMO, frozenset({TopicId("a-two")})))
    assert drain(review, Grade.GOOD) == [TWO]


def test_cards_removed_from_the_deck_leave_the_session(store: Store, tmp_path: Path) -> None:
    session(store).answer(Grade.AGAIN, NOW)  # ALPHA learning
    edited = DECK.replace("    notes: Alpha notes.\n", "")
    (tmp_path / "decks" / "deck.yaml").write_text(edited, encoding="utf-8")
    sync_decks(store, [(tmp_path / "decks", USER)], NOW + SECOND)
    review = session(store, NOW + 2 * MINUTE)
    assert review.view().counts.learning == 0
    assert ALPHA not in drain(review, Grade.EASY, NOW + 2 * MINUTE)
    assert len(log_rows(store)) == 6  # ALPHA's row kept, plus five (ENUM_TWO was buried)


# --- cram ----------------------------------------------------------------------------------------

def test_cram_leaves_schedules_alone_and_logs_apart(store: Store) -> None:
    set_state(store, ONE, review_state(NOW + timedelta(days=10)))
    db.bury(store, [TWO], DAY_END)
    rows = all_rows(store)
    review = session(store, scope=ALPHA_BRANCH, mode="cram")
    view = review.view()
    assert view.mode == "cram" and current(view) == ALPHA
    assert view.counts == Counts(new=0, learning=0, review=5)
    assert [(b.label, b.interval) for b in review.reveal(NOW).buttons] == [
        ("Again", "again soon"), ("Hard", "again later"), ("Good", "done"), ("Easy", "done")]
    shown = drain(review, Grade.GOOD, NOW + SECOND)
    assert [ALPHA, *shown[1:]] == [ALPHA, ENUM_ONE, ENUM_TWO, ONE, TWO]
    assert all_rows(store) == rows
    assert log_rows(store) == []
    cram = store.conn.execute("SELECT card_id, reviewed_at, rating, duration_ms FROM cram_log "
                              "ORDER BY id").fetchall()
    assert cram == [(c, to_ms(NOW + SECOND), 3, 1000 if c == ALPHA else 0)
                    for c in (ALPHA, ENUM_ONE, ENUM_TWO, ONE, TWO)]
    view = review.view()
    assert view.finished and view.message.startswith("Cram finished")


def test_cram_shows_an_again_card_after_three_others_until_it_is_good(store: Store) -> None:
    review = session(store, scope=ALPHA_BRANCH, mode="cram")
    grades = {ALPHA: [Grade.AGAIN, Grade.AGAIN, Grade.GOOD]}
    shown: list[str] = []
    view = review.view()
    while view.card is not None:
        shown.append(view.card.id)
        assert len(shown) < 20
        pending = grades.get(view.card.id)
        view = review.answer(pending.pop(0) if pending else Grade.GOOD, NOW)
    assert shown == [ALPHA, ENUM_ONE, ENUM_TWO, ONE, ALPHA, TWO, ALPHA]
    assert review.summary().again == 2
    assert store.conn.execute("SELECT COUNT(*) FROM cram_log").fetchone() == (7,)
    assert [r[0] for r in store.conn.execute("SELECT rating FROM cram_log WHERE card_id = ? "
                                             "ORDER BY id", [ALPHA])] == [1, 1, 3]


def test_cram_hard_comes_back_later_than_again(store: Store) -> None:
    review = session(store, mode="cram")
    review.answer(Grade.HARD, NOW)
    shown = drain(review, Grade.GOOD)
    assert shown == [ENUM_ONE, ENUM_TWO, ONE, TWO, BRAVO, BRAVO_QA, ALPHA]


def test_cram_undo_removes_the_log_row_and_restores_the_order(store: Store) -> None:
    review = session(store, scope=ALPHA_BRANCH, mode="cram")
    review.answer(Grade.AGAIN, NOW)
    view = review.undo(NOW)
    assert current(view) == ALPHA and view.counts.review == 5
    assert store.conn.execute("SELECT COUNT(*) FROM cram_log").fetchone() == (0,)
    assert review.summary().answered == 0
    assert drain(review, Grade.GOOD) == [ALPHA, ENUM_ONE, ENUM_TWO, ONE, TWO]


def test_cram_suspend_can_be_undone(store: Store) -> None:
    review = session(store, scope=ALPHA_BRANCH, mode="cram")
    assert current(review.suspend(NOW)) == ENUM_ONE
    assert stored(store, ALPHA).suspended
    view = review.undo(NOW)
    assert current(view) == ALPHA and not stored(store, ALPHA).suspended
    assert drain(review, Grade.GOOD) == [ALPHA, ENUM_ONE, ENUM_TWO, ONE, TWO]


def test_the_finished_screen_picks_learning_cards_up_when_their_time_comes(flat: Store) -> None:
    one_card = Scope(DeckId("flat"), frozenset({TopicId("t1")}))
    review = session(flat, scope=one_card, learning_steps=(timedelta(hours=1),))
    review.reveal(NOW)
    view = review.answer(Grade.AGAIN, NOW)  # back in an hour: beyond the 20-minute learn-ahead
    assert view.finished and review.waiting
    assert "comes back in 1h" in view.message
    assert review.poll(NOW + 39 * MINUTE).finished  # 21 minutes early: still waiting
    view = review.poll(NOW + 40 * MINUTE)  # within the learn-ahead window
    assert current(view) == FLAT_IDS[0] and not review.waiting
    assert view.counts == Counts(new=0, learning=1, review=0)


# --- filtered sessions ("study these cards", custom study) ------------------------------------

def test_a_filtered_session_shows_exactly_its_cards_due_or_not(store: Store) -> None:
    set_state(store, BRAVO, review_state(NOW + timedelta(days=10)))
    chosen = Scope(card_ids=frozenset({CardId(BRAVO), CardId(ONE), CardId(TWO)}))
    review = session(store, scope=chosen, mode="filtered", new_per_day=0)
    view = review.view()
    # Studied cards first (by due), then new ones in outline order; daily limits do not apply.
    assert view.counts == Counts(new=2, learning=0, review=1)
    assert current(view) == BRAVO
    assert drain(review, Grade.EASY) == [BRAVO, ONE, TWO]
    assert review.view().message == "Finished: every card of this session was studied."


def test_a_filtered_answer_is_a_real_early_review(store: Store) -> None:
    set_state(store, BRAVO, review_state(NOW + timedelta(days=10), stability=20.0))
    review = session(store, scope=Scope(card_ids=frozenset({CardId(BRAVO)})), mode="filtered")
    review.reveal(NOW)
    good = {b.grade: b.interval for b in review.view().buttons}[Grade.GOOD]
    review.answer(Grade.GOOD, NOW)
    after = stored(store, BRAVO).state
    assert after.last_review == NOW and after.reps == 4
    assert format_interval(after.due - NOW) == good  # type: ignore[operator]
    assert after.due != NOW + timedelta(days=10)
    (row,) = log_rows(store)
    assert row[1] == BRAVO and row[5] == int(Queue.REVIEW)  # logged as a review


def test_a_filtered_session_leaves_out_suspended_and_buried_cards(store: Store) -> None:
    db.set_suspended(store, [ONE], True)
    db.bury(store, [TWO], DAY_END)
    chosen = Scope(card_ids=frozenset({CardId(c) for c in (ONE, TWO, BRAVO_QA)}))
    assert drain(session(store, scope=chosen, mode="filtered"), Grade.EASY) == [BRAVO_QA]


def test_a_filtered_again_comes_back_after_the_other_cards(store: Store) -> None:
    chosen = Scope(card_ids=frozenset({CardId(ONE), CardId(TWO)}))
    review = session(store, scope=chosen, mode="filtered")
    view = review.answer(Grade.AGAIN, NOW)  # ONE: learning, due in a minute
    assert current(view) == TWO and view.counts == Counts(new=1, learning=1, review=0)
    view = review.answer(Grade.EASY, NOW + SECOND)
    assert current(view) == ONE  # learnt ahead: nothing else is left
    assert review.answer(Grade.EASY, NOW + 2 * SECOND).finished


def test_a_filtered_scope_narrows_a_branch(store: Store) -> None:
    chosen = replace(ALPHA_BRANCH, card_ids=frozenset({CardId(ONE), CardId(BRAVO)}))
    assert drain(session(store, scope=chosen, mode="filtered"), Grade.EASY) == [ONE]
    assert db.card_ids(store, chosen) == [ONE]


# --- never the same card twice in a row when another is there ------------------------------------

def test_the_learning_card_just_answered_waits_for_another_learning_card(flat: Store) -> None:
    set_state(flat, FLAT_IDS[0], learning_state(NOW + MINUTE))
    set_state(flat, FLAT_IDS[1], learning_state(NOW + 5 * MINUTE))
    review = session(flat, new_per_day=0)
    assert current(review.view()) == FLAT_IDS[0]
    view = review.answer(Grade.AGAIN, NOW)  # t1 again in a minute, before t2
    assert current(view) == FLAT_IDS[1]
    view = review.answer(Grade.AGAIN, NOW + SECOND)
    assert current(view) == FLAT_IDS[0]


def test_the_only_learning_card_is_still_learnt_ahead(flat: Store) -> None:
    set_state(flat, FLAT_IDS[0], learning_state(NOW + MINUTE))
    review = session(flat, new_per_day=0)
    assert current(review.answer(Grade.AGAIN, NOW)) == FLAT_IDS[0]


@pytest.mark.parametrize("action", ["bury", "suspend"])
def test_a_buried_or_suspended_learning_card_is_never_shown_next(flat: Store,
                                                                 action: str) -> None:
    set_state(flat, FLAT_IDS[0], learning_state(NOW - MINUTE))
    set_state(flat, FLAT_IDS[1], learning_state(NOW + 5 * MINUTE))
    review = session(flat, new_per_day=0)
    assert current(review.view()) == FLAT_IDS[0]
    view = getattr(review, action)(NOW)
    assert current(view) == FLAT_IDS[1]
    view = getattr(review, action)(NOW + SECOND)
    assert view.finished and view.counts == Counts(new=0, learning=0, review=0)


def test_a_card_suspended_elsewhere_during_the_session_is_skipped(flat: Store) -> None:
    review = session(flat)
    db.set_suspended(flat, [FLAT_IDS[1]], True)  # e.g. from the browser meanwhile
    db.bury(flat, [FLAT_IDS[2]], DAY_END)
    assert drain(review, Grade.EASY) == [FLAT_IDS[0], *FLAT_IDS[3:]]


def test_the_new_limit_is_filled_with_one_card_per_sibling_group(store: Store) -> None:
    # Four new cards a day: ENUM_TWO (ENUM_ONE's sibling, buried when it is answered) does not
    # take a place, so the session shows four cards, as counted.
    review = session(store, new_per_day=4)
    assert review.view().counts == Counts(new=4, learning=0, review=0)
    assert drain(review, Grade.EASY) == [ALPHA, ENUM_ONE, ONE, TWO]


def test_a_new_card_whose_sibling_review_is_due_is_not_counted(store: Store) -> None:
    set_state(store, ENUM_ONE, review_state(NOW - MINUTE))
    review = session(store)
    assert review.view().counts == Counts(new=5, learning=0, review=1)
    shown = drain(review, Grade.EASY)
    assert ENUM_TWO not in shown and len(shown) == 6


# --- the card on screen edited meanwhile ---------------------------------------------------------

def test_reload_current_shows_the_edited_text_and_keeps_the_answer_shown(
        store: Store, tmp_path: Path) -> None:
    review = session(store)
    review.reveal(NOW)
    before = review.view()
    assert current(before) == ALPHA and "Alpha notes." in before.card.answer  # type: ignore
    edited = DECK.replace("    notes: Alpha notes.\n", "    notes: Alpha notes, reworded.\n")
    (tmp_path / "decks" / "deck.yaml").write_text(edited, encoding="utf-8")
    sync_decks(store, [(tmp_path / "decks", USER)], NOW + SECOND)
    after = review.reload_current(NOW + 2 * SECOND)
    assert after.card is not None and after.card.id == ALPHA
    assert "Alpha notes, reworded." in after.card.answer
    assert after.revealed and after.buttons == before.buttons and after.counts == before.counts
    assert after.card.state == before.card.state  # type: ignore[union-attr]
    review.answer(Grade.GOOD, NOW + 10 * SECOND)
    assert [r[1] for r in log_rows(store)] == [ALPHA]
    assert log_rows(store)[0][4] == 10_000  # timed from when the card first appeared


def test_reload_current_moves_on_when_the_card_left_the_store(store: Store,
                                                              tmp_path: Path) -> None:
    review = session(store)
    review.reveal(NOW)
    assert current(review.view()) == ALPHA
    edited = DECK.replace("    notes: Alpha notes.\n", "")
    (tmp_path / "decks" / "deck.yaml").write_text(edited, encoding="utf-8")
    sync_decks(store, [(tmp_path / "decks", USER)], NOW + SECOND)
    view = review.reload_current(NOW + SECOND)
    assert view.card is not None and view.card.id != ALPHA and not view.revealed
    assert ALPHA not in drain(review, Grade.EASY, NOW + SECOND)
