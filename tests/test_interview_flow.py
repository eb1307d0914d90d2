"""An interview on an imported deck: the flow's rubric on the flow's steps, else even time."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.decks.loader import load_text
from app.interview.flow import (
    ABSENT_TITLE,
    FREE_QUESTION,
    NOT_FLOW,
    even_budgets,
    follows_flow,
    interview_plan,
)
from app.interview.steps import interview_steps
from app.model import Deck

FLOW = load_text((Path(__file__).parent.parent / "decks" / "ml-system-design.yaml")
                 .read_text(encoding="utf-8"), "ml-system-design.yaml")


def deck(title: str, steps: list[tuple[int, str]]) -> Deck:
    topics = "".join(f"  - id: t{n}\n    title: {name}\n    step: {n}\n"
                     f"    children:\n      - id: t{n}-a\n        title: {name} notes\n"
                     for n, name in steps)
    return load_text(f"deck:\n  id: imported\n  title: {title}\n  version: 1\ntopics:\n{topics}")


def test_a_deck_on_the_flows_steps_gets_the_built_in_rubric_on_its_own_titles() -> None:
    newer = deck("Machine Learning System Design", [
        (1, "Problem Formulation"), (2, "Metrics (Offline and Online)"),
        (4, "Data Preparation and Collection")])
    assert follows_flow(newer) and follows_flow(FLOW)
    plan = interview_plan(newer, FLOW)
    built_in = interview_steps(FLOW)
    assert plan.follows_flow and plan.note == ""
    assert plan.questions == FLOW.questions and len(plan.questions) > 1
    metrics = plan.steps[1]
    assert metrics.title == "Metrics (Offline and Online)" and metrics.topic_id == "t2"
    assert metrics.rubric == built_in[1].rubric and metrics.rubric
    assert metrics.followups == built_in[1].followups and metrics.followups
    assert metrics.template == ("Metrics (Offline and Online) notes",)
    # A step the imported deck leaves out is the built-in one, rubric and all.
    assert plan.steps[2] == built_in[2]
    assert interview_plan(FLOW, FLOW).steps == built_in


def test_a_deck_off_the_flow_gets_even_budgets_no_rubric_and_a_free_prompt() -> None:
    other = deck("Incident response", [(1, "Detect"), (2, "Triage"), (3, "Metrics"),
                                       (4, "Mitigate")])
    assert not follows_flow(other)
    plan = interview_plan(other, FLOW)
    assert not plan.follows_flow and plan.note == NOT_FLOW
    assert plan.questions == (FREE_QUESTION,)
    assert [s.title for s in plan.steps[:5]] == ["Detect", "Triage", "Metrics", "Mitigate",
                                                ABSENT_TITLE]
    assert all(not s.rubric and not s.followups for s in plan.steps)
    # The steps it lacks keep their slots but are not present: no screen shows them.
    assert [s.present for s in plan.steps] == [True] * 4 + [False] * 5 + [True]
    budgets = even_budgets(45, plan.steps)
    # 4 steps and the wrap-up share all 45 minutes: 9 each; the absent steps get none.
    assert budgets.minutes == (9, 9, 9, 9, 0, 0, 0, 0, 0, 9)
    assert even_budgets(32, plan.steps).minutes == (7, 7, 6, 6, 0, 0, 0, 0, 0, 6)


def test_even_budgets_refuses_a_length_an_interview_cannot_have() -> None:
    with pytest.raises(ValueError, match="10 to 240 minutes, not 5"):
        even_budgets(5, interview_steps(FLOW))
