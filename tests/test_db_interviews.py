"""Mock interviews on a real SQLite file: schema v4, autosave and resume after a crash,
history, summaries, trends, category counts and remembered budgets."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.db import interviews as saved
from app.db.migrations import SCHEMA_VERSION
from app.db.store import Store
from app.decks.loader import load_text
from app.errors import StoreError
from app.interview.budgets import Budgets, default_budgets
from app.interview.report import to_markdown
from app.interview.session import InterviewSession
from app.interview.steps import StepInfo, interview_steps
from app.model import Deck

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
MIN = timedelta(minutes=1)
DAY = timedelta(days=1)

DECK = """\
deck: {id: mini, title: Mini flow, version: 1}
topics:
  - {id: s1, title: Problem Formulation, step: 1}
  - id: s2
    title: Metrics
    step: 2
    rubric:
      - {text: An offline metric, terms: [precision, recall, auc, log-loss]}
      - {text: An online metric, terms: [ctr, watch time]}
      - {text: An A/B test, terms: [a/b test]}
      - {text: Counter metrics, terms: [guardrail, counter metric]}
      - {text: Offline and online disagree, terms: [position bias]}
    followups: [Which offline metric do you report?, CTR went up and watch time down. Why?]
    children:
      - {id: s2-offline, title: Offline metrics}
      - {id: s2-online, title: Online metrics}
  - {id: s3, title: Architecture, step: 3}
  - {id: s4, title: Data, step: 4}
  - {id: s5, title: Features, step: 5}
  - id: s6
    title: Model
    step: 6
    rubric:
      - {text: A baseline, terms: [baseline]}
      - {text: A temporal split, terms: [temporal split]}
  - {id: s7, title: Serving, step: 7}
  - id: s8
    title: Online Testing
    step: 8
    rubric: [{text: A/B test, terms: [a/b test]}]
  - {id: s9, title: Scaling and Monitoring, step: 9}
questions:
  - {id: q-video, title: Video recommendations, category: recommendation,
     prompt: Design the home feed of a video app.}
  - {id: q-ads, title: Ad click prediction, category: ads}
"""
GOOD_METRICS_NOTES = """\
## Offline metrics
- We report PR-AUC and log loss for the ranker because positives are rare.
## Online metrics
- The primary metric is watch time per DAU, with CTR as a secondary one.
- We validate the new ranker with A/B tests before launch.
- We also track counter-metrics such as the hide rate.
"""


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_text(DECK, source="mini.yaml")


@pytest.fixture(scope="module")
def steps(deck: Deck) -> tuple[StepInfo, ...]:
    return interview_steps(deck)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "data")
    try:
        yield opened
    finally:
        opened.close()


def start(store: Store, deck: Deck, steps: tuple[StepInfo, ...], at: datetime,
          question: int = 0, total: int = 45) -> InterviewSession:
    session = InterviewSession(deck.questions[question], steps, default_budgets(total), at,
                               rng=random.Random(1))
    saved.create_interview(store, session, deck.id, at)
    return session


def run_interview(store: Store, deck: Deck, steps: tuple[StepInfo, ...], at: datetime,
                  scores: dict[int, int], *, question: int = 0, overall: int | None = None,
                  minutes_per_step: int = 2) -> InterviewSession:
    """A whole interview: each step 2 minutes, then finished and self-scored."""
    session = start(store, deck, steps, at, question)
    now = at
    for index in range(10):
        session.jump(index, now)
        if index == 1:
            session.set_notes(1, GOOD_METRICS_NOTES, now + MIN)
        now += minutes_per_step * MIN
    saved.finish_interview(store, session, now)
    for index, score in scores.items():
        session.set_score(index, score)
    session.set_overall(overall)
    saved.finish_interview(store, session, now + 30 * S)  # scores given on the summary
    return session


# --- schema --------------------------------------------------------------------------------------

def test_schema_4_adds_the_interview_tables(store: Store) -> None:
    assert store.schema_version == SCHEMA_VERSION >= 4
    assert {"interviews", "interview_steps"} <= set(store.db.table_names())
    columns = {c.name for c in store.db["interviews"].columns}
    assert columns == {"id", "deck_id", "question_id", "question_title", "category",
                       "started_at", "updated_at", "finished_at", "status", "total_minutes",
                       "snapshot", "overall_score"}
    with pytest.raises(StoreError, match="CHECK constraint"), store.transaction() as conn:
        conn.execute("INSERT INTO interviews (deck_id, question_id, question_title, started_at, "
                     "updated_at, status, total_minutes) VALUES ('d', 'q', 'Q', 0, 0, 'lost', "
                     "45)")


def test_deleting_an_interview_deletes_its_steps(store: Store, deck: Deck,
                                                 steps: tuple[StepInfo, ...]) -> None:
    session = start(store, deck, steps, T0)
    count = "SELECT COUNT(*) FROM interview_steps WHERE interview_id = ?"
    assert store.conn.execute(count, [session.interview_id]).fetchone()[0] == 10
    with store.transaction() as conn:
        conn.execute("DELETE FROM interviews WHERE id = ?", [session.interview_id])
    assert store.conn.execute(count, [session.interview_id]).fetchone()[0] == 0


# --- create, save, crash, resume -----------------------------------------------------------------

def test_create_and_save_write_the_interview_and_its_steps(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    session = start(store, deck, steps, T0)
    assert session.interview_id is not None
    assert not session.needs_save(T0)
    row = store.conn.execute(
        "SELECT deck_id, question_id, question_title, category, started_at, status, "
        "total_minutes, finished_at FROM interviews").fetchone()
    assert row == ("mini", "q-video", "Video recommendations", "recommendation",
                   int(T0.timestamp() * 1000), "running", 45, None)

    session.next_step(T0 + 90 * S)
    session.set_notes(1, GOOD_METRICS_NOTES, T0 + 100 * S)
    session.set_score(1, 3)
    assert session.needs_save(T0 + 100 * S)
    saved.save_interview(store, session, T0 + 100 * S)
    assert not session.needs_save(T0 + 100 * S)
    rows = store.conn.execute(
        "SELECT step, notes, elapsed_ms, budget_s, score, covered, total FROM interview_steps "
        "WHERE interview_id = ? ORDER BY step", [session.interview_id]).fetchall()
    assert len(rows) == 10
    assert rows[0] == (1, "", 90_000, 360, None, 0, 0)
    assert rows[1] == (2, GOOD_METRICS_NOTES, 10_000, 180, 3, 4, 5)
    assert rows[9][0] == 10
    snapshot = json.loads(store.conn.execute("SELECT snapshot FROM interviews").fetchone()[0])
    assert snapshot["notes"][1] == GOOD_METRICS_NOTES and snapshot["current"] == 1


def test_saving_an_interview_that_was_never_created_is_refused(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    session = InterviewSession(deck.questions[0], steps, default_budgets(45), T0)
    with pytest.raises(ValueError, match="create_interview"):
        saved.save_interview(store, session, T0)


def test_a_crashed_interview_resumes_with_its_notes_and_at_most_5_seconds_lost(
        tmp_path: Path, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    store = Store.open(tmp_path / "data")
    session = start(store, deck, steps, T0)
    interview_id = session.interview_id
    # The screen's timer: a tick every second, saving whenever the session asks for it.
    for second in range(1, 98):
        now = T0 + second * S
        if second == 40:
            session.next_step(now)
        if second == 60:
            session.set_notes(1, GOOD_METRICS_NOTES, now)
        if second == 61:
            session.set_override(1, 4, True)
        session.tick(now)
        if session.needs_save(now):
            saved.save_interview(store, session, now)
    store.close()  # the app dies at T0 + 97 s without finishing

    reopened = Store.open(tmp_path / "data")
    try:
        waiting = saved.unfinished_interviews(reopened)
        assert [r.id for r in waiting] == [interview_id]
        assert waiting[0].question_title == "Video recommendations"
        assert waiting[0].status == "running" and waiting[0].finished_at is None
        later = T0 + 2 * 60 * MIN
        resumed = saved.load_session(reopened, waiting[0].id, deck.questions, steps, later)
        assert resumed.interview_id == interview_id
        assert resumed.paused and resumed.current == 1
        view = resumed.tick(later + 10 * MIN)  # paused: the time away does not count
        assert view.steps[0].elapsed_s == 40
        assert 57 - 5 <= view.steps[1].elapsed_s <= 57
        assert view.steps[1].notes == GOOD_METRICS_NOTES
        assert view.steps[1].covered == (True,) * 5
        resumed.resume(later + 10 * MIN)
        saved.finish_interview(reopened, resumed, later + 11 * MIN)
        assert saved.unfinished_interviews(reopened) == []
        assert [r.id for r in saved.history(reopened)] == [interview_id]
    finally:
        reopened.close()


def test_a_discarded_interview_is_kept_but_offered_nowhere(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    session = start(store, deck, steps, T0)
    session.set_notes(0, "keep me", T0 + 10 * S)
    saved.save_interview(store, session, T0 + 10 * S)
    assert session.interview_id is not None
    saved.discard_interview(store, session.interview_id)
    assert saved.unfinished_interviews(store) == []
    assert saved.history(store) == []
    assert store.conn.execute("SELECT status FROM interviews").fetchone() == ("discarded",)
    # A late autosave from the screen does not bring it back.
    saved.finish_interview(store, session, T0 + 20 * S)
    assert store.conn.execute("SELECT status FROM interviews").fetchone() == ("discarded",)
    assert saved.load_session(store, session.interview_id, [], steps, T0).notes(0) == "keep me"


def test_a_question_gone_from_the_deck_is_restored_from_the_snapshot(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    session = start(store, deck, steps, T0)
    assert session.interview_id is not None
    resumed = saved.load_session(store, session.interview_id, [], steps, T0 + MIN)
    assert resumed.question == deck.questions[0]


def test_an_unknown_or_unreadable_interview_is_a_store_error(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    with pytest.raises(StoreError, match="Mock interview 42 is not in the database"):
        saved.load_session(store, 42, deck.questions, steps, T0)
    session = start(store, deck, steps, T0)
    with store.transaction() as conn:
        conn.execute("UPDATE interviews SET snapshot = '{\"version\": 1}'")
    assert session.interview_id is not None
    with pytest.raises(StoreError, match=r"\(Video recommendations\) cannot be restored.*"
                                         r"Discard it"):
        saved.load_session(store, session.interview_id, deck.questions, steps, T0)
    with store.transaction() as conn:
        conn.execute("UPDATE interviews SET snapshot = '[1, 2]'")
    with pytest.raises(StoreError, match="not a JSON object"):
        saved.load_summary(store, session.interview_id, deck.questions, steps)


# --- history, summaries, trends ------------------------------------------------------------------

def test_history_lists_finished_interviews_newest_first(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    first = run_interview(store, deck, steps, T0, {0: 2, 1: 3}, overall=2)
    second = run_interview(store, deck, steps, T0 + DAY, {0: 3, 1: 4, 8: 1}, question=1,
                           overall=None)
    start(store, deck, steps, T0 + 2 * DAY)  # still running: not history

    records = saved.history(store)
    assert [r.id for r in records] == [second.interview_id, first.interview_id]
    newest = records[0]
    assert (newest.question_title, newest.category, newest.status) == \
        ("Ad click prediction", "ads", "finished")
    assert newest.started_at == T0 + DAY
    assert newest.finished_at == T0 + DAY + 20 * MIN  # the first finish; scores came later
    assert newest.duration_s == 20 * 60
    assert newest.overall_score is None
    assert newest.step_scores == (3, 4, None, None, None, None, None, None, 1)
    assert records[1].overall_score == 2
    # Steps 1..9 have 5 + 2 + 1 rubric items; the Metrics notes cover 4 of them.
    assert newest.coverage == pytest.approx(4 / 8)
    assert len(saved.unfinished_interviews(store)) == 1


def test_a_past_interview_reads_back_as_its_summary(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    session = run_interview(store, deck, steps, T0, {0: 2, 1: 4, 5: 1}, overall=3)
    assert session.interview_id is not None
    summary = saved.load_summary(store, session.interview_id, deck.questions, steps)
    assert summary == session.summary()
    assert summary.total_elapsed_s == 20 * 60 and summary.overall == 3
    # Steps 8 (nothing of its rubric) and 6 (scored 1) rank as 1; step 8 is less under budget.
    assert summary.weakest == (7, 5, 0)
    text = to_markdown(summary)
    assert "# Mock interview: Video recommendations" in text
    assert "- Coverage: 4/5 items" in text and "- Score: 4/4" in text
    assert "watch time per DAU, with CTR as a secondary one" in text


def test_score_trend_per_step_oldest_first_over_the_last_interviews(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    for day, score in enumerate([1, 2, 3, 4, 2]):
        scores = {0: score} if day != 2 else {1: 4}  # the third leaves step 1 unscored
        run_interview(store, deck, steps, T0 + day * DAY, scores)
    start(store, deck, steps, T0 + 9 * DAY).set_score(0, 4)  # unfinished: not in the trend
    trend = saved.score_trend(store)
    assert set(trend) == set(range(1, 10))
    assert trend[1] == [1, 2, 4, 2]
    assert trend[2] == [4]
    assert trend[9] == []
    assert saved.score_trend(store, limit=2)[1] == [4, 2]


def test_category_counts_count_finished_interviews(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    assert saved.category_counts(store) == {}
    run_interview(store, deck, steps, T0, {})
    run_interview(store, deck, steps, T0 + DAY, {})
    run_interview(store, deck, steps, T0 + 2 * DAY, {}, question=1)
    start(store, deck, steps, T0 + 3 * DAY, question=1)
    discarded = start(store, deck, steps, T0 + 4 * DAY, question=1)
    assert discarded.interview_id is not None
    saved.discard_interview(store, discarded.interview_id)
    assert saved.category_counts(store) == {"recommendation": 2, "ads": 1}


# --- budgets -------------------------------------------------------------------------------------

def test_budgets_are_remembered_per_total(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    assert saved.load_budgets(store, 45) == default_budgets(45)
    mine = Budgets(45, (8, 3, 3, 4, 4, 10, 4, 3, 4, 2))
    saved.save_budgets(store, mine)
    saved.save_budgets(store, default_budgets(50))
    store.close()
    store = Store.open(tmp_path / "data")
    try:
        assert saved.load_budgets(store, 45) == mine
        assert saved.load_budgets(store, 60) == default_budgets(60)
        assert saved.load_budgets(store, 50) == default_budgets(50)
        store.set_setting("interview.budgets.30", [1, 2, 3])  # damaged: the preset instead
        assert saved.load_budgets(store, 30) == default_budgets(30)
        store.set_setting("interview.budgets.30", [9] * 10)
        assert saved.load_budgets(store, 30) == default_budgets(30)
    finally:
        store.close()


# --- follow-ups and deleting (issue 16) ----------------------------------------------------------

def test_follow_ups_asked_are_kept_with_the_notes_as_they_stood(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    session = start(store, deck, steps, T0)
    session.jump(1, T0)
    session.set_notes(1, "PR-AUC offline.", T0 + MIN)
    first = session.followup(1)
    session.set_notes(1, "PR-AUC offline.\nRecall at k too.", T0 + 2 * MIN)
    saved.save_interview(store, session, T0 + 2 * MIN)  # an autosave, then a crash
    assert first is not None and session.interview_id is not None
    resumed = saved.load_session(store, session.interview_id, deck.questions, steps,
                                 T0 + 10 * MIN)
    assert resumed.followups_asked(1) == ((first, "PR-AUC offline."),)
    second = resumed.followup(1)
    assert second is not None and second != first
    saved.finish_interview(store, resumed, T0 + 11 * MIN)
    summary = saved.load_summary(store, session.interview_id, deck.questions, steps)
    assert summary.followups[1] == ((first, "PR-AUC offline."),
                                    (second, "PR-AUC offline.\nRecall at k too."))
    assert summary.followups[0] == ()


def test_a_snapshot_saved_before_follow_ups_were_kept_still_restores(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...]) -> None:
    session = start(store, deck, steps, T0)
    session.followup(1)
    snapshot = session.snapshot(T0 + MIN)
    del snapshot["followups"]  # as an interview saved by the version before
    restored = InterviewSession.restore(snapshot, deck.questions[0], steps, T0 + MIN)
    assert len(restored.asked(1)) == 1 and restored.followups_asked(1) == ()


def test_deleting_an_interview_backs_up_first_then_removes_it_and_its_steps(
        store: Store, deck: Deck, steps: tuple[StepInfo, ...], tmp_path: Path) -> None:
    kept = run_interview(store, deck, steps, T0, {0: 3})
    gone = run_interview(store, deck, steps, T0 + DAY, {0: 1})
    assert gone.interview_id is not None and kept.interview_id is not None
    data_dir = tmp_path / "data"
    backup = saved.delete_interview(store, gone.interview_id, data_dir, T0 + 2 * DAY)
    assert [r.id for r in saved.history(store)] == [kept.interview_id]
    assert store.conn.execute("SELECT COUNT(*) FROM interview_steps WHERE interview_id = ?",
                              [gone.interview_id]).fetchone() == (0,)
    assert backup is not None and backup.parent == data_dir / "backups"
    assert "before-deleting-interview" in backup.name
    copy = sqlite3.connect(backup)
    try:  # the backup still holds the deleted interview
        assert copy.execute("SELECT COUNT(*) FROM interviews WHERE id = ?",
                            [gone.interview_id]).fetchone() == (1,)
    finally:
        copy.close()


def test_a_failed_backup_deletes_nothing(store: Store, deck: Deck,
                                         steps: tuple[StepInfo, ...], tmp_path: Path) -> None:
    session = run_interview(store, deck, steps, T0, {0: 3})
    assert session.interview_id is not None
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the data folder's backups should go")
    with pytest.raises(StoreError):
        saved.delete_interview(store, session.interview_id, blocked, T0 + DAY)
    assert [r.id for r in saved.history(store)] == [session.interview_id]
