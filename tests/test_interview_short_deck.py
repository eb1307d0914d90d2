"""An interview on a deck with fewer than 9 steps: only its steps (and the wrap-up) take part."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.decks.loader import load_text
from app.interview.budgets import Budgets
from app.interview.flow import FREE_QUESTION, even_budgets, interview_plan
from app.interview.report import finish_early_reason, to_markdown
from app.interview.session import InterviewSession
from app.model import Deck

FLOW = load_text((Path(__file__).parent.parent / "decks" / "ml-system-design.yaml")
                 .read_text(encoding="utf-8"), "ml-system-design.yaml")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def deck(steps: list[tuple[int, str]]) -> Deck:
    topics = "".join(f"  - id: t{n}\n    title: {name}\n    step: {n}\n" for n, name in steps)
    return load_text(f"deck:\n  id: drills\n  title: Drills\n  version: 1\ntopics:\n{topics}")


FIVE = deck([(1, "Scope"), (2, "Plan"), (3, "Build"), (4, "Ship"), (5, "Learn")])


def five_step_session(minutes: int = 45) -> InterviewSession:
    plan = interview_plan(FIVE, FLOW)
    return InterviewSession(FREE_QUESTION, plan.steps, even_budgets(minutes, plan.steps), T0)


def test_the_five_steps_and_the_wrap_up_share_the_time_evenly() -> None:
    session = five_step_session()
    view = session.view(T0)
    shown = [(s.short_label, s.budget_s // 60) for s in view.steps if s.present]
    assert shown == [("1. Scope", 8), ("2. Plan", 8), ("3. Build", 8), ("4. Ship", 7),
                     ("5. Learn", 7), ("Wrap-up", 7)]
    assert [s.budget_s for s in view.steps if not s.present] == [0, 0, 0, 0]
    assert view.total_remaining_s == 45 * 60


def test_navigation_passes_over_the_steps_the_deck_lacks() -> None:
    session = five_step_session()
    for expected in (1, 2, 3, 4, 9, 9):  # step 5 is index 4, then the wrap-up (index 9)
        session.next_step(T0)
        assert session.current == expected
    session.previous_step(T0)
    assert session.current == 4
    for _ in range(5):
        session.previous_step(T0)
    assert session.current == 0 and session.first


def test_a_deck_without_step_1_starts_on_its_first_step() -> None:
    plan = interview_plan(deck([(3, "Build"), (5, "Learn")]), FLOW)
    session = InterviewSession(FREE_QUESTION, plan.steps, even_budgets(30, plan.steps), T0)
    assert session.current == 2 and session.first
    assert even_budgets(30, plan.steps).minutes == (0, 0, 10, 0, 10, 0, 0, 0, 0, 10)
    session.previous_step(T0)
    assert session.current == 2
    session.next_step(T0)
    assert session.current == 4


def test_each_step_the_deck_has_needs_a_minute_the_others_none() -> None:
    plan = interview_plan(FIVE, FLOW)
    with pytest.raises(ValueError, match="at least 1 minute"):
        InterviewSession(FREE_QUESTION, plan.steps,
                         Budgets(45, (9, 9, 9, 9, 0, 0, 0, 0, 0, 9)), T0)
    with pytest.raises(ValueError, match="cannot be negative"):
        Budgets(45, (10, 9, 9, 9, 9, -1, 0, 0, 0, 0))


def test_weakest_report_and_finishing_early_name_only_the_decks_steps() -> None:
    session = five_step_session()
    session.set_notes(0, "Who it is for and what is out of scope.", T0 + 60 * S)
    session.next_step(T0 + 60 * S)
    session.set_score(1, 4)
    view = session.view(T0 + 60 * S)
    reason = finish_early_reason(view, 45)
    assert reason.endswith("4 steps never opened (2, 3, 4, 5)")  # not 6..9
    session.finish(T0 + 120 * S)
    # Without a rubric, only a self-score says how a step went: only scored steps rank.
    assert session.summary().weakest == (1,)
    session.set_score(3, 2)
    session.set_score(0, 3)
    summary = session.summary()
    assert summary.weakest == (3, 0, 1)  # by score; step 2 scored 4
    report = to_markdown(summary)
    assert "(not in this deck)" not in report
    assert [line for line in report.splitlines() if line.startswith("## ")] == [
        "## Step 1 Scope", "## Step 2 Plan", "## Step 3 Build", "## Step 4 Ship",
        "## Step 5 Learn", "## Wrap-up", "## Overall"]


def test_a_snapshot_of_a_short_deck_resumes_with_its_steps() -> None:
    session = five_step_session(30)
    session.next_step(T0 + 30 * S)
    snapshot = json.loads(json.dumps(session.snapshot(T0 + 40 * S)))
    assert snapshot["minutes"] == [5, 5, 5, 5, 5, 0, 0, 0, 0, 5]
    plan = interview_plan(FIVE, FLOW)
    resumed = InterviewSession.restore(snapshot, FREE_QUESTION, plan.steps, T0 + 3600 * S)
    assert resumed.current == 1 and resumed.paused
    resumed.next_step(T0 + 3600 * S)
    assert resumed.current == 2
