"""Mock interviews in the store: autosave, resume, history, trends, budgets (raw sqlite3)."""

# Raw sqlite3 in Store.transaction: a handful of fixed statements, and an autosave every few
# seconds while an interview runs. Each save writes the interview's row (with a JSON snapshot that
# restores the session) and its ten step rows in one transaction, so a crash loses at most the
# time since the last save.

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.clock import from_ms, to_ms
from app.db.store import Store
from app.errors import StoreError
from app.model import STEP_COUNT, DeckId, Question, TopicId

if TYPE_CHECKING:  # the session module is loaded when an interview is opened, not at start-up
    from app.interview.budgets import Budgets
    from app.interview.report import InterviewSummary
    from app.interview.session import InterviewSession
    from app.interview.steps import StepInfo

RUNNING, FINISHED, DISCARDED = "running", "finished", "discarded"
_BUDGETS_KEY = "interview.budgets.{}"


@dataclass(frozen=True)
class InterviewRecord:
    """One stored interview as listed in the history or the resume offer.

    ``step_scores`` holds the self-scores of steps 1..9; ``coverage`` is the share of rubric
    items covered over those steps (None when they have no rubric); ``duration_s`` is the time
    on the clock, pauses excluded.
    """

    id: int
    deck_id: DeckId
    question_id: str
    question_title: str
    category: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    status: str
    total_minutes: int
    duration_s: float
    overall_score: int | None
    step_scores: tuple[int | None, ...]
    coverage: float | None


def _step_rows(session: InterviewSession, interview_id: int, now: datetime
               ) -> list[tuple[Any, ...]]:
    view = session.view(now)
    return [(interview_id, step.number, step.notes, round(step.elapsed_s * 1000), step.budget_s,
             step.score, sum(step.covered), len(step.rubric)) for step in view.steps]


_UPSERT_STEP = """
    INSERT INTO interview_steps (interview_id, step, notes, elapsed_ms, budget_s, score, covered,
                                 total)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (interview_id, step) DO UPDATE SET
        notes = excluded.notes, elapsed_ms = excluded.elapsed_ms, budget_s = excluded.budget_s,
        score = excluded.score, covered = excluded.covered, total = excluded.total"""


def create_interview(store: Store, session: InterviewSession, deck_id: str,
                     now: datetime) -> int:
    """Store a new interview (status running) and give the session its id."""
    q = session.question
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO interviews (deck_id, question_id, question_title, category, started_at, "
            "updated_at, status, total_minutes, snapshot, overall_score) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [deck_id, q.id, q.title, q.category, to_ms(session.started_at), to_ms(now), RUNNING,
             session.budgets.total_minutes, json.dumps(session.snapshot(now)), session.overall])
        interview_id = int(cursor.lastrowid or 0)
        conn.executemany(_UPSERT_STEP, _step_rows(session, interview_id, now))
    session.interview_id = interview_id
    session.mark_saved(now)
    return interview_id


def _saved_id(session: InterviewSession) -> int:
    if session.interview_id is None:
        raise ValueError("this interview was never stored; call create_interview first")
    return session.interview_id


def save_interview(store: Store, session: InterviewSession, now: datetime) -> None:
    """Write the notes, times, scores and snapshot in one transaction; marks the session saved."""
    interview_id = _saved_id(session)
    finished = session.finished_at
    with store.transaction() as conn:
        conn.execute(
            # A discarded interview stays discarded; a finished session marks its row finished.
            "UPDATE interviews SET updated_at = ?, snapshot = ?, overall_score = ?, "
            "total_minutes = ?, finished_at = ?, "
            "status = CASE WHEN status = 'discarded' THEN status ELSE COALESCE(?, status) END "
            "WHERE id = ?",
            [to_ms(now), json.dumps(session.snapshot(now)), session.overall,
             session.budgets.total_minutes, None if finished is None else to_ms(finished),
             None if finished is None else FINISHED, interview_id])
        conn.executemany(_UPSERT_STEP, _step_rows(session, interview_id, now))
    session.mark_saved(now)


def finish_interview(store: Store, session: InterviewSession, now: datetime) -> None:
    """Stop the clock (if still running) and store the interview as finished.

    Calling it again after scores are given on the summary saves them; the finish time stays.
    """
    session.finish(now)
    save_interview(store, session, now)


def discard_interview(store: Store, interview_id: int) -> None:
    """Drop an interview from resume offers and history; its data is kept."""
    with store.transaction() as conn:
        conn.execute("UPDATE interviews SET status = ? WHERE id = ?", [DISCARDED, interview_id])


def delete_interview(store: Store, interview_id: int, data_dir: Path | None, now: datetime
                     ) -> Path | None:
    """Delete an interview with its steps, after a backup of the database into
    ``<data_dir>/backups`` (none for a database without a folder); the backup's path.

    The backup is taken first: when it fails (a full disk) nothing is deleted.
    """
    from app.db.backup import create_backup

    backup = None if data_dir is None else create_backup(
        store, data_dir, now, reason=f"before-deleting-interview-{interview_id}")
    with store.transaction() as conn:
        conn.execute("DELETE FROM interview_steps WHERE interview_id = ?", [interview_id])
        conn.execute("DELETE FROM interviews WHERE id = ?", [interview_id])
    return backup


_RECORD_COLUMNS = ("i.id, i.deck_id, i.question_id, i.question_title, i.category, i.started_at, "
                   "i.updated_at, i.finished_at, i.status, i.total_minutes, i.overall_score")


def _records(store: Store, status: str, limit: int | None = None) -> list[InterviewRecord]:
    """Interviews with ``status``, newest first."""
    rows = store.conn.execute(
        f"SELECT {_RECORD_COLUMNS} FROM interviews AS i WHERE i.status = ? "
        "ORDER BY i.started_at DESC, i.id DESC" + (" LIMIT ?" if limit is not None else ""),
        [status] if limit is None else [status, limit]).fetchall()
    if not rows:
        return []
    steps: dict[int, dict[int, tuple[int, int | None, int, int]]] = {}
    for interview_id, step, elapsed, score, covered, total in store.conn.execute(
            "SELECT s.interview_id, s.step, s.elapsed_ms, s.score, s.covered, s.total "
            "FROM interview_steps AS s JOIN interviews AS i ON i.id = s.interview_id "
            "WHERE i.status = ?", [status]):
        steps.setdefault(interview_id, {})[step] = (elapsed, score, covered, total)
    records = []
    for (interview_id, deck_id, question_id, title, category, started, updated, finished,
         row_status, total_minutes, overall) in rows:
        by_step = steps.get(interview_id, {})
        flow = [by_step[n] for n in range(1, STEP_COUNT + 1) if n in by_step]
        items = sum(s[3] for s in flow)
        records.append(InterviewRecord(
            id=interview_id, deck_id=DeckId(deck_id), question_id=question_id,
            question_title=title, category=category, started_at=from_ms(started),
            updated_at=from_ms(updated),
            finished_at=None if finished is None else from_ms(finished), status=row_status,
            total_minutes=total_minutes,
            duration_s=sum(s[0] for s in by_step.values()) / 1000, overall_score=overall,
            step_scores=tuple(by_step[n][1] if n in by_step else None
                              for n in range(1, STEP_COUNT + 1)),
            coverage=sum(s[2] for s in flow) / items if items else None))
    return records


def unfinished_interviews(store: Store) -> list[InterviewRecord]:
    """Interviews left running (closed or crashed before finishing), newest first."""
    return _records(store, RUNNING)


def history(store: Store) -> list[InterviewRecord]:
    """Finished interviews, newest first."""
    return _records(store, FINISHED)


def _restored(store: Store, interview_id: int, questions: Sequence[Question],
              steps: tuple[StepInfo, ...], now: datetime | None) -> InterviewSession:
    row = store.conn.execute(
        "SELECT question_id, question_title, category, snapshot, updated_at, finished_at "
        "FROM interviews WHERE id = ?", [interview_id]).fetchone()
    if row is None:
        raise StoreError(f"Mock interview {interview_id} is not in the database; it may have "
                         "been made with another data folder.")
    question_id, title, category, text, updated, finished = row
    try:
        snapshot = json.loads(text)
        if not isinstance(snapshot, dict):
            raise ValueError("the snapshot is not a JSON object")
        question = next((q for q in questions if q.id == question_id), None) \
            or _question_from(snapshot, question_id, title, category)
        moment = now if now is not None else from_ms(finished if finished is not None
                                                     else updated)
        from app.interview.session import InterviewSession

        session = InterviewSession.restore(snapshot, question, steps, moment)
    except ValueError as exc:
        raise StoreError(f"Mock interview {interview_id} ({title}) cannot be restored: {exc}. "
                         "Discard it and start a new one.") from None
    session.interview_id = interview_id
    return session


def _question_from(snapshot: dict[str, Any], question_id: str, title: str,
                   category: str) -> Question:
    """The question as it was saved, for one no longer in the deck."""
    saved = snapshot.get("question")
    saved = saved if isinstance(saved, dict) else {}
    topic = saved.get("topic")
    return Question(id=question_id, title=str(saved.get("title") or title),
                    category=str(saved.get("category") or category),
                    prompt=str(saved.get("prompt") or ""),
                    topic=TopicId(topic) if isinstance(topic, str) and topic else None)


def load_session(store: Store, interview_id: int, questions: Sequence[Question],
                 steps: tuple[StepInfo, ...], now: datetime) -> InterviewSession:
    """Resume a stored interview, paused at ``now`` (the time it was closed does not count)."""
    return _restored(store, interview_id, questions, steps, now)


def load_summary(store: Store, interview_id: int, questions: Sequence[Question],
                 steps: tuple[StepInfo, ...]) -> InterviewSummary:
    """The results of a stored interview, as they were when it was last saved."""
    return _restored(store, interview_id, questions, steps, None).summary()


def category_counts(store: Store) -> dict[str, int]:
    """Finished interviews per question category."""
    return {category: count for category, count in store.conn.execute(
        "SELECT category, COUNT(*) FROM interviews WHERE status = ? GROUP BY category",
        [FINISHED])}


def score_trend(store: Store, limit: int = 10) -> dict[int, list[int]]:
    """Per step number (1..9), the self-scores of the last ``limit`` finished interviews,
    oldest first; interviews that left a step unscored are skipped for that step."""
    trend: dict[int, list[int]] = {n: [] for n in range(1, STEP_COUNT + 1)}
    rows = store.conn.execute(
        "SELECT s.step, s.score FROM interview_steps AS s JOIN ("
        "  SELECT id, started_at FROM interviews WHERE status = ? "
        "  ORDER BY started_at DESC, id DESC LIMIT ?) AS i ON i.id = s.interview_id "
        "WHERE s.score IS NOT NULL AND s.step <= ? ORDER BY i.started_at, i.id",
        [FINISHED, limit, STEP_COUNT])
    for step, score in rows:
        trend[step].append(score)
    return trend


def load_budgets(store: Store, total_minutes: int) -> Budgets:
    """The budgets last saved for this total, else :func:`default_budgets`."""
    from app.interview.budgets import Budgets, default_budgets
    from app.interview.steps import SEGMENTS

    minutes = store.setting(_BUDGETS_KEY.format(total_minutes))
    if isinstance(minutes, list) and len(minutes) == SEGMENTS:
        try:
            return Budgets(total_minutes, tuple(minutes))
        except ValueError:
            pass  # edited by hand or by an older version: fall back to the preset
    return default_budgets(total_minutes)


def save_budgets(store: Store, budgets: Budgets) -> None:
    """Remember a split for its total (the next interview of that length starts from it)."""
    store.set_setting(_BUDGETS_KEY.format(budgets.total_minutes), list(budgets.minutes))


def remembered_budget_totals(store: Store) -> list[int]:
    """The interview lengths (minutes) that have a remembered split, shortest first."""
    prefix = _BUDGETS_KEY.format("")
    totals = [key[len(prefix):] for (key,) in store.conn.execute(
        "SELECT key FROM settings WHERE substr(key, 1, ?) = ?", [len(prefix), prefix])]
    return sorted(int(t) for t in totals if t.isdigit())


def forget_budgets(store: Store) -> None:
    """Drop every remembered split: each length starts from its preset again."""
    prefix = _BUDGETS_KEY.format("")
    with store.transaction() as conn:
        conn.execute("DELETE FROM settings WHERE substr(key, 1, ?) = ?", [len(prefix), prefix])
