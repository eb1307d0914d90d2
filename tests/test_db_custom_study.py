"""Custom study, the branch overview and the finished screen's facts, on a real SQLite file with
fixed times: more new cards today (for today only), review ahead, forgotten cards, preview, the
overview's counts against a session's, when the next card is due, and that moment in words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from shared import (
    ALPHA_BRANCH,
    BRAVO,
    BRAVO_QA,
    ENUM_ONE,
    ONE,
    TWO,
    set_state,
    synced_demo_store,
)

from app.db import study as db
from app.db.custom_study import (
    EXTRA_NEW_KEY,
    CustomStudy,
    add_new_today,
    custom_cards,
    custom_count,
    extra_new_today,
)
from app.db.store import Store
from app.db.study import Scope
from app.errors import AppError
from app.scheduling.overview import Counts, describe_when, overview
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import CardState, Fsrs, Grade, Queue, SchedulerSettings, study_day

EST = timezone(timedelta(hours=-5))
NOW = datetime(2026, 1, 5, 17, 0, tzinfo=UTC)  # 12:00 in EST, a Monday
DAY = study_day(NOW, EST)  # 04:00 EST to 04:00 EST the next morning
MINUTE = timedelta(minutes=1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = synced_demo_store(tmp_path, NOW - timedelta(days=30))
    yield opened
    opened.close()


def review_state(due: datetime) -> CardState:
    return CardState(Queue.REVIEW, None, 5.0, 5.0, due, due - timedelta(days=5), 3, 0)


def settings(**changes: object) -> SchedulerSettings:
    return SchedulerSettings(fuzz=False, **changes)  # type: ignore[arg-type]


def session(store: Store, now: datetime = NOW, scope: Scope | None = None, **changes: object
            ) -> ReviewSession:
    return ReviewSession(store, Fsrs(settings(**changes)), scope or Scope(), now, EST)


def drain(review: ReviewSession, now: datetime = NOW) -> list[str]:
    shown: list[str] = []
    view = review.view()
    while view.card is not None:
        shown.append(view.card.id)
        assert len(shown) < 50
        view = review.answer(Grade.EASY, now)
    return shown


def pick(store: Store, kind: str, amount: int, scope: Scope | None = None,
         now: datetime = NOW) -> list[str]:
    day = study_day(now, EST)
    return list(custom_cards(store, scope or Scope(), CustomStudy(kind, amount),  # type: ignore[arg-type]
                             now, day.start, day.end))


# --- more new cards today ------------------------------------------------------------------------

def test_more_new_cards_raise_todays_limit_only(store: Store) -> None:
    assert len(drain(session(store, new_per_day=2))) == 2
    assert drain(session(store, new_per_day=2)) == []  # today's two are used up
    assert add_new_today(store, DAY.start, 2) == 2
    assert add_new_today(store, DAY.start, 1) == 3  # adds up within the day
    assert len(drain(session(store, new_per_day=2))) == 3
    tomorrow = DAY.end + timedelta(hours=1)
    assert extra_new_today(store, study_day(tomorrow, EST).start) == 0
    later = session(store, tomorrow, new_per_day=2)
    assert later.view().counts.new == 2  # the extra lapsed with its day


def test_a_corrupted_extra_is_no_extra(store: Store) -> None:
    store.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [EXTRA_NEW_KEY, "[1"])
    store.conn.commit()
    assert extra_new_today(store, DAY.start) == 0
    assert add_new_today(store, DAY.start, 5) == 5


# --- the cards of a one-off session --------------------------------------------------------------

def test_review_ahead_picks_cards_due_within_n_study_days_by_due(store: Store) -> None:
    set_state(store, BRAVO, review_state(DAY.end + timedelta(hours=30)))  # the day after tomorrow
    set_state(store, ONE, review_state(DAY.end + timedelta(hours=2)))  # tomorrow
    set_state(store, TWO, review_state(NOW - MINUTE))  # due now: included, as in Anki
    assert pick(store, "review_ahead", 1) == [TWO, ONE]
    assert pick(store, "review_ahead", 2) == [TWO, ONE, BRAVO]
    assert pick(store, "review_ahead", 2, ALPHA_BRANCH) == [TWO, ONE]
    db.bury(store, [ONE], DAY.end)
    db.set_suspended(store, [TWO], True)
    assert pick(store, "review_ahead", 2) == [BRAVO]


def test_forgotten_picks_cards_answered_again_in_the_last_n_days(store: Store) -> None:
    review = session(store, NOW - timedelta(days=2))
    assert review.view().card is not None
    first = review.view().card.id  # type: ignore[union-attr]
    review.answer(Grade.AGAIN, NOW - timedelta(days=2))
    again = session(store, scope=Scope(card_ids=frozenset({BRAVO_QA})))  # type: ignore[arg-type]
    again.answer(Grade.AGAIN, NOW)
    assert pick(store, "forgotten", 1) == [BRAVO_QA]
    assert sorted(pick(store, "forgotten", 3)) == sorted([first, BRAVO_QA])


def test_preview_picks_the_next_new_cards_in_outline_order(store: Store) -> None:
    assert pick(store, "preview_new", 2) == pick(store, "preview_new", 9)[:2]
    assert pick(store, "preview_new", 2, Scope(card_ids=frozenset({ONE, TWO}))) == [ONE, TWO]  # type: ignore[arg-type]
    assert pick(store, "more_new", 5) == []


def test_counts_and_bounds(store: Store) -> None:
    day = DAY
    assert custom_count(store, Scope(), CustomStudy("more_new", 1), NOW, day.start,
                        day.end) == len(pick(store, "preview_new", 9999))
    with pytest.raises(AppError, match="0 is out of range for review_ahead"):
        pick(store, "review_ahead", 0)


def test_a_preview_in_cram_mode_schedules_nothing(store: Store) -> None:
    chosen = pick(store, "preview_new", 3)
    review = ReviewSession(store, Fsrs(settings()), Scope(card_ids=frozenset(chosen)),  # type: ignore[arg-type]
                           NOW, EST, "cram")
    assert drain(review) == chosen
    assert all(db.get_card(store, c).state.queue == Queue.NEW for c in chosen)  # type: ignore[union-attr]


# --- the overview and the finished screen --------------------------------------------------------

def test_the_overview_counts_what_a_session_starts_with(store: Store) -> None:
    set_state(store, BRAVO, review_state(NOW - MINUTE))
    for limits in ({}, {"new_per_day": 2}, {"new_per_day": 0, "reviews_per_day": 0}):
        seen = overview(store, Scope(), settings(**limits), NOW, EST)
        assert seen.counts == session(store, **limits).view().counts, limits
    seen = overview(store, Scope(), settings(new_per_day=2), NOW, EST)
    assert seen.counts == Counts(new=2, learning=0, review=1)
    assert (seen.new_total, seen.new_limit, seen.buried, seen.empty) == (6, 2, 0, False)


def test_next_due_after_finishing_is_the_next_study_day_while_new_cards_wait(store: Store
                                                                             ) -> None:
    review = session(store, new_per_day=1)
    drain(review)
    view = review.view()
    assert view.finished and view.next_due == DAY.end and view.buried == 0
    seen = overview(store, Scope(), settings(new_per_day=1), NOW, EST)
    assert seen.empty and seen.next_due == DAY.end and seen.new_limit == 0


def test_next_due_is_the_earliest_studied_card_or_a_burial_end(store: Store) -> None:
    only = Scope(card_ids=frozenset({BRAVO, ONE}))  # type: ignore[arg-type]
    set_state(store, BRAVO, review_state(NOW + timedelta(days=3)))
    set_state(store, ONE, review_state(NOW + timedelta(days=5)))
    seen = overview(store, only, settings(), NOW, EST)
    assert seen.empty and seen.next_due == NOW + timedelta(days=3)
    set_state(store, BRAVO, review_state(NOW - MINUTE))
    db.bury(store, [BRAVO], DAY.end)
    seen = overview(store, only, settings(), NOW, EST)
    assert seen.empty and seen.buried == 1 and seen.next_due == DAY.end
    assert db.unbury_scope(store, only, NOW) == 1
    assert overview(store, only, settings(), NOW, EST).counts.review == 1
    db.set_suspended(store, [BRAVO, ONE], True)
    assert overview(store, only, settings(), NOW, EST).next_due is None


def test_a_review_held_back_by_the_daily_limit_comes_with_the_next_day(store: Store) -> None:
    set_state(store, BRAVO, review_state(NOW - MINUTE))
    seen = overview(store, Scope(card_ids=frozenset({BRAVO})), settings(reviews_per_day=0),  # type: ignore[arg-type]
                    NOW, EST)
    assert seen.empty and seen.next_due == DAY.end


def test_the_finished_screen_knows_what_is_buried(store: Store) -> None:
    review = session(store, scope=ALPHA_BRANCH)
    review.bury(NOW)
    drain(review)
    view = review.view()
    # ALPHA buried by hand, ENUM_TWO as ENUM_ONE's sibling.
    assert view.finished and view.buried == 2
    assert db.get_card(store, ENUM_ONE) is not None


# --- notices --------------------------------------------------------------------------------------

def test_bury_suspend_and_undo_say_what_they_did(store: Store) -> None:
    review = session(store)
    assert review.bury(NOW).notice == "Card buried until tomorrow (Ctrl+Z undoes)."
    assert review.suspend(NOW).notice == "Card suspended (Ctrl+Z undoes)."
    assert review.undo(NOW).notice == "Undid: suspension on “Alpha, item 1 of 2: 1. [...] 2. Two”"
    assert review.reveal(NOW).notice == ""
    review.answer(Grade.GOOD, NOW)
    assert review.undo(NOW).notice.startswith("Undid: Good on “")
    assert review.undo(NOW).notice == "Undid: bury on “Explain: Alpha”"


# --- a moment in words ----------------------------------------------------------------------------

@pytest.mark.parametrize(("later", "words"), [
    (timedelta(seconds=20), "now"),
    (timedelta(minutes=25), "in 25 min (12:25)"),
    (timedelta(hours=3, minutes=5), "in 3 h (today at 15:05)"),
    (timedelta(hours=16), "tomorrow at 04:00"),
    (timedelta(days=2), "on Wednesday at 12:00"),
    (timedelta(days=12), "on 17 January 2026 at 12:00 (in 12 days)"),
])
def test_describe_when(later: timedelta, words: str) -> None:
    assert describe_when(NOW + later, NOW, EST) == words
