"""The browser's data on a real SQLite file: rows by id, the actions on a selection, card info."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.db import browse, stats, study
from app.db.search import CardRow, find_cards
from app.db.store import Store
from app.db.study import Scope
from app.decks.library import USER, sync_decks
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import CardState, Fsrs, Grade, Queue, SchedulerSettings, study_day

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
DAY = study_day(NOW, UTC)
DECK = """\
deck:
  id: ml
  title: Machine learning
  version: 1
topics:
  - id: metrics
    title: Metrics
    step: 2
    notes: Offline and online metrics.
    cards:
      - q: What does NDCG reward?
        a: Relevant items ranked near the top.
      - q: Which metric suits imbalanced classes?
        a: The area under the precision-recall curve.
  - id: serving
    title: Serving
    cards:
      - q: When is batch prediction enough?
        a: When features change slowly.
"""
NDCG, IMBALANCED, BATCH = "ml/metrics/qa/0", "ml/metrics/qa/1", "ml/serving/qa/0"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "ml.yaml").write_text(DECK, encoding="utf-8")
    opened = Store.open(tmp_path / "data")
    assert sync_decks(opened, [(decks, USER)], NOW).problems == ()
    yield opened
    opened.close()


def answer(store: Store, card_id: str, grade: Grade, at: datetime,
           fsrs: Fsrs | None = None) -> CardState:
    """Answer through the real scheduler and the real answer path; the state it stored."""
    fsrs = fsrs or Fsrs(SchedulerSettings(fuzz=False))
    card = study.get_card(store, card_id)
    assert card is not None
    after = fsrs.answer(card.state, grade, at)
    study.record_answer(store, card, grade, after, at, 4000, None)
    return after


def review(store: Store, card_id: str, days_ago: int = 10, due_in: int = 5) -> None:
    """Make a card a review card last answered ``days_ago`` days ago (with its log row)."""
    answer(store, card_id, Grade.GOOD, NOW - timedelta(days=days_ago))
    state = CardState(queue=Queue.REVIEW, stability=12.0, difficulty=4.0,
                      due=NOW + timedelta(days=due_in),
                      last_review=NOW - timedelta(days=days_ago), reps=3, lapses=1)
    card = study.get_card(store, card_id)
    assert card is not None
    study.record_answer(store, card, Grade.GOOD, state, NOW - timedelta(days=days_ago), 1, None)


def row(store: Store, card_id: str, now: datetime = NOW) -> CardRow:
    [found] = browse.card_rows(store, [card_id], now)
    return found


# --- rows ----------------------------------------------------------------------------------------

def test_rows_come_in_the_order_asked_and_skip_ids_that_are_gone(store: Store) -> None:
    rows = browse.card_rows(store, [BATCH, "ml/nope/qa/9", NDCG], NOW)
    assert [r.id for r in rows] == [BATCH, NDCG]
    batch, ndcg = rows
    assert (ndcg.front, ndcg.topic, ndcg.deck) == ("What does NDCG reward?", "Step 2 Metrics",
                                                    "Machine learning")
    assert batch.topic == "Serving"  # no step: the title alone
    assert (batch.queue, batch.due, batch.interval, batch.stability) == (Queue.NEW, None, 0, None)
    assert (batch.reviews, batch.lapses, batch.flag, batch.suspended, batch.buried) == (
        0, 0, 0, False, False)
    assert browse.card_rows(store, [], NOW) == []


def test_a_review_card_shows_its_interval_memory_and_counts(store: Store) -> None:
    review(store, NDCG, days_ago=10, due_in=5)
    ndcg = row(store, NDCG)
    assert ndcg.queue == Queue.REVIEW
    assert ndcg.due == NOW + timedelta(days=5)
    assert ndcg.interval == 15
    assert (ndcg.stability, ndcg.difficulty, ndcg.reviews, ndcg.lapses) == (12.0, 4.0, 3, 1)


def test_sorting_happens_in_sql_and_pages_read_in_that_order(store: Store) -> None:
    review(store, NDCG, days_ago=10, due_in=5)
    review(store, BATCH, days_ago=2, due_in=1)
    by_due = find_cards(store, "", NOW, DAY, order="due")
    assert by_due[:2] == [BATCH, NDCG]  # the new cards (no due) after them
    assert [r.id for r in browse.card_rows(store, by_due[:2], NOW)] == [BATCH, NDCG]
    by_front = find_cards(store, "ndcg or imbalanced or batch", NOW, DAY, order="front",
                          descending=True)
    assert [r.front for r in browse.card_rows(store, by_front, NOW)] == [
        "Which metric suits imbalanced classes?", "When is batch prediction enough?",
        "What does NDCG reward?"]


# --- actions -------------------------------------------------------------------------------------

def test_suspend_and_unsuspend_a_selection(store: Store) -> None:
    browse.set_suspended(store, [NDCG, BATCH], True)
    assert [r.suspended for r in browse.card_rows(store, [NDCG, IMBALANCED, BATCH], NOW)] == [
        True, False, True]
    assert set(find_cards(store, "is:suspended", NOW, DAY)) == {NDCG, BATCH}
    browse.set_suspended(store, [NDCG], False)
    assert set(find_cards(store, "is:suspended", NOW, DAY)) == {BATCH}


def test_bury_hides_until_the_end_of_the_day_and_unbury_brings_back(store: Store) -> None:
    browse.bury(store, [IMBALANCED], DAY.end)
    assert row(store, IMBALANCED).buried
    assert not row(store, IMBALANCED, DAY.end + timedelta(seconds=1)).buried  # the next day
    assert find_cards(store, "is:buried", NOW, DAY) == [IMBALANCED]
    browse.unbury(store, [IMBALANCED])
    assert not row(store, IMBALANCED).buried


def test_flags_are_set_removed_and_searched(store: Store) -> None:
    browse.set_flag(store, [NDCG, BATCH], 2)
    assert find_cards(store, "flag:2", NOW, DAY, order="outline") == [NDCG, BATCH]
    browse.set_flag(store, [NDCG], 0)
    assert (row(store, NDCG).flag, row(store, BATCH).flag) == (0, 2)
    with pytest.raises(ValueError, match="flag 8"):
        browse.set_flag(store, [NDCG], 8)


def test_forget_makes_cards_new_and_keeps_the_review_log(store: Store) -> None:
    review(store, NDCG)
    browse.bury(store, [NDCG], DAY.end)
    before = len(browse.card_history(store, NDCG))
    browse.forget(store, [NDCG])
    ndcg = row(store, NDCG)
    assert (ndcg.queue, ndcg.due, ndcg.stability, ndcg.difficulty, ndcg.interval) == (
        Queue.NEW, None, None, None, 0)
    assert not ndcg.buried
    assert (ndcg.reviews, ndcg.lapses) == (3, 1)  # Anki keeps the counts unless asked
    assert len(browse.card_history(store, NDCG)) == before == 2
    assert NDCG in find_cards(store, "is:new", NOW, DAY)
    # A forgotten card is studied again as a new card, in its place.
    assert (None, NDCG) in study.queue_ids(store, study.Scope(), "new", NOW)
    browse.forget(store, [NDCG], reset_counts=True)
    assert (row(store, NDCG).reviews, row(store, NDCG).lapses) == (0, 0)


@pytest.mark.parametrize(("text", "days"), [("0", (0, 0)), ("3", (3, 3)), (" 1-7 ", (1, 7)),
                                            ("2 - 2", (2, 2)), ("36500", (36500, 36500))])
def test_due_date_text_as_anki_takes_it(text: str, days: tuple[int, int]) -> None:
    assert browse.parse_due_days(text) == days


@pytest.mark.parametrize(("text", "message"), [
    ("", "type a number of days from today"),
    ("soon", "due date 'soon': type a number of days from today"),
    ("-3", "type a number of days"),
    ("7-1", "from the smaller number to the larger, as in 1-7"),
    ("36501", "at most 36500 days"),
    ("5!", "'!' to change the interval too is not supported"),
])
def test_bad_due_date_text_says_what_works(text: str, message: str) -> None:
    with pytest.raises(browse.DueDateError, match=message.replace("(", r"\(")):
        browse.parse_due_days(text)


def test_set_due_date_moves_cards_and_keeps_their_memory_state(store: Store) -> None:
    review(store, NDCG)
    answer(store, BATCH, Grade.AGAIN, NOW - timedelta(hours=1))  # a learning card
    changed = browse.set_due_date(store, [NDCG, BATCH], (0, 0), NOW, UTC, 4)
    assert changed == (2, 0)
    for card_id in (NDCG, BATCH):
        card = row(store, card_id)
        assert (card.queue, card.due) == (Queue.REVIEW, DAY.start)
    assert set(find_cards(store, "is:due", NOW, DAY)) == {NDCG, BATCH}
    assert row(store, NDCG).stability == 12.0  # the memory state is kept
    details = browse.card_details(store, NDCG)
    assert details is not None and details.last_review == NOW - timedelta(days=10)


def test_a_new_card_given_a_due_date_becomes_a_review_card_fsrs_goes_on_from(
        store: Store) -> None:
    """As Anki: a review card due that day, with stability = the interval (retrievability 90%
    when due), FSRS's initial difficulty for Good, last reviewed now; nothing answered."""
    assert browse.set_due_date(store, [IMBALANCED], (4, 4), NOW, UTC, 4) == (1, 1)
    due = study_day(NOW + timedelta(days=4), UTC).start
    card = row(store, IMBALANCED)
    assert (card.queue, card.due, card.stability, card.reviews, card.lapses) == (
        Queue.REVIEW, due, 4.0, 0, 0)
    fsrs = Fsrs(SchedulerSettings(fuzz=False))
    assert card.difficulty == pytest.approx(
        fsrs._scheduler._initial_difficulty(rating=Grade.GOOD, clamp=True))
    details = browse.card_details(store, IMBALANCED)
    assert details is not None and details.last_review == NOW
    assert IMBALANCED not in set(find_cards(store, "is:new", NOW, DAY))
    # Never answered, so not known (mastery would count what was never learnt).
    key = (card.deck_id, card.topic_id)
    assert study.topic_counts(store, NOW, DAY.end)[key].known == 0
    assert stats.mastery_by_topic(store, NOW, 0.9)[key][0] == 0
    # Not due before its day; on it, studied like any review card.
    only = Scope(card_ids=frozenset({IMBALANCED}))
    assert ReviewSession(store, fsrs, only, NOW, UTC).view().finished
    then = due + timedelta(hours=2)
    session = ReviewSession(store, fsrs, only, then, UTC)
    view = session.view()
    assert view.card is not None and view.card.id == IMBALANCED
    assert (view.counts.review, view.card.state.queue) == (1, Queue.REVIEW)
    session.reveal(then)
    session.answer(Grade.GOOD, then)
    after = browse.card_details(store, IMBALANCED)
    assert after is not None and after.stability is not None and after.difficulty is not None
    assert after.queue == Queue.REVIEW and after.reviews == 1
    # Recalled at 90% retrievability: stability grows well past 4 days, difficulty stays
    # put for Good, and the next interval is about the new stability.
    assert math.isfinite(after.stability) and 8 < after.stability < 40
    assert after.difficulty == pytest.approx(card.difficulty, abs=0.01)
    assert after.due is not None
    assert 8 <= (after.due - then) / timedelta(days=1) <= 40
    assert (browse.card_history(store, IMBALANCED)[0].retrievability
            == pytest.approx(0.9, abs=0.02))


def test_a_new_card_given_today_gets_a_day_of_stability(store: Store) -> None:
    """Due today is an interval of 0; the stability is 1 day, as Anki gives an interval of 1."""
    settings = SchedulerSettings(parameters=tuple(
        [0.5, 1.2, 3.0, 15.0, 6.5, 0.4, 1.5, 0.01, 1.5, 0.14, 0.95, 1.9, 0.11, 0.3, 2.3,
         0.24, 2.9, 0.5, 0.7, 0.05, 0.2]))
    browse.set_due_date(store, [NDCG], (0, 0), NOW, UTC, 4, parameters=settings.parameters)
    card = row(store, NDCG)
    assert (card.queue, card.due, card.stability) == (Queue.REVIEW, DAY.start, 1.0)
    # The fitted parameters' D0(Good) = w4 - e^(2 w5) + 1, not the default parameters'.
    assert card.difficulty == pytest.approx(6.5 - math.exp(0.8) + 1)
    assert card.difficulty != pytest.approx(browse.initial_difficulty_good())
    assert NDCG in set(find_cards(store, "is:due", NOW, DAY))


def test_set_due_date_in_n_days_lands_on_that_study_day_across_dst(store: Store) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # clocks go forward on the 29th
    review(store, NDCG)
    browse.set_due_date(store, [NDCG], (3, 3), now, berlin, 4)
    due = row(store, NDCG, now).due
    assert due is not None
    assert due.astimezone(berlin) == datetime(2026, 3, 30, 4, 0, tzinfo=berlin)


def test_a_due_range_draws_a_day_per_card(store: Store) -> None:
    for card_id in (NDCG, IMBALANCED, BATCH):
        review(store, card_id)
    browse.set_due_date(store, [NDCG, IMBALANCED, BATCH], (1, 7), NOW, UTC, 4, random.Random(3))
    offsets = set()
    for card in browse.card_rows(store, [NDCG, IMBALANCED, BATCH], NOW):
        assert card.due is not None
        offset = (card.due - DAY.start) / timedelta(days=1)
        assert offset == int(offset) and 1 <= offset <= 7
        offsets.add(offset)
    assert len(offsets) > 1  # drawn per card, not one day for all


# --- card info -----------------------------------------------------------------------------------

def test_history_lists_every_answer_with_the_memory_state_at_that_time(store: Store) -> None:
    fsrs = Fsrs(SchedulerSettings(fuzz=False))
    first = answer(store, NDCG, Grade.GOOD, NOW - timedelta(days=20), fsrs)
    second_at = NOW - timedelta(days=10)
    second = answer(store, NDCG, Grade.HARD, second_at, fsrs)
    first_entry, second_entry = browse.card_history(store, NDCG)
    assert (first_entry.reviewed_at, first_entry.grade, first_entry.queue_before) == (
        NOW - timedelta(days=20), 3, Queue.NEW)
    assert first_entry.retrievability is None and first_entry.elapsed_days is None
    assert (first_entry.stability, first_entry.difficulty) == (first.stability, first.difficulty)
    assert first_entry.duration_ms == 4000
    assert (second_entry.grade, second_entry.queue_before) == (2, first.queue)
    assert second_entry.elapsed_days == 10
    # The retrievability FSRS itself gives the card's state before the second answer.
    expected = fsrs.retrievability(first, second_at)
    assert second_entry.retrievability == pytest.approx(expected, abs=1e-9)
    assert 0 < expected < 1
    assert second_entry.due == second.due
    assert second_entry.interval == (second.due or NOW) - second_at
    assert (second_entry.stability, second_entry.difficulty) == (second.stability,
                                                                 second.difficulty)
    assert browse.card_history(store, BATCH) == []


def test_retrievability_follows_the_fitted_decay() -> None:
    last = NOW - timedelta(days=10)
    assert browse.retrievability(10.0, last, NOW) == pytest.approx(0.9)  # R(S) = 0.9
    assert browse.retrievability(None, last, NOW) is None
    assert browse.retrievability(10.0, None, NOW) is None
    fitted = SchedulerSettings(parameters=tuple([0.5] * 20 + [0.3]))
    assert browse.decay_of(fitted) == 0.3 and browse.decay_of(SchedulerSettings()) == 0.1542
    assert browse.retrievability(10.0, last, NOW, 0.3) == pytest.approx(0.9)
    assert browse.retrievability(5.0, last, NOW, 0.3) != browse.retrievability(5.0, last, NOW)


def test_card_details_name_the_card_and_its_first_and_last_review(store: Store) -> None:
    answer(store, NDCG, Grade.GOOD, NOW - timedelta(days=3))
    last = answer(store, NDCG, Grade.GOOD, NOW - timedelta(days=1))
    browse.set_flag(store, [NDCG], 1)
    details = browse.card_details(store, NDCG)
    assert details is not None
    assert (details.front, details.back) == ("What does NDCG reward?",
                                             "Relevant items ranked near the top.")
    assert (details.deck, details.topic, details.kind) == ("Machine learning", "Step 2 Metrics",
                                                           "qa")
    assert details.added == NOW
    assert details.first_review == NOW - timedelta(days=3)
    assert details.last_review == NOW - timedelta(days=1)
    assert (details.reviews, details.lapses, details.flag) == (2, 0, 1)
    assert (details.stability, details.due) == (last.stability, last.due)
    assert browse.card_details(store, "ml/nope/qa/0") is None
