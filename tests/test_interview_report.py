"""Interview results: the weakest steps and the Markdown report."""

from __future__ import annotations

from datetime import timedelta, timezone

from interview_deck import GOOD_METRICS_NOTES, MIN, T0, S, new_session

from app.interview.report import finish_early_reason, format_duration, to_markdown, weakest_steps
from app.interview.views import Level, StepView
from app.model import RubricItem


def _view(number: int, *, score: int | None = None, covered: tuple[bool, ...] = (),
          elapsed: float = 0, budget: int = 60) -> StepView:
    rubric = tuple(RubricItem(f"item {i}") for i in range(len(covered)))
    return StepView(number=number, title=f"S{number}", budget_s=budget, elapsed_s=elapsed,
                    level=Level.OK, notes="", covered=covered, auto_covered=covered,
                    rubric=rubric, score=score)


def test_weakest_steps_lowest_score_then_coverage_then_time_over() -> None:
    views = [_view(n, score=4) for n in range(1, 10)] + [_view(10)]
    views[4] = _view(5, score=1)
    views[2] = _view(3, covered=(False, False, False, False))  # unscored, nothing covered: as 1
    views[6] = _view(7, score=1, elapsed=200)  # as weak as step 5, but further over budget
    views[1] = _view(2, covered=(True, False, False))  # unscored, a third covered: as 2
    views[0] = _view(1, score=2, elapsed=30)
    assert weakest_steps(views) == (6, 2, 4)
    assert weakest_steps(views, count=5) == (6, 2, 4, 0, 1)
    views[9] = _view(10, score=None, covered=(False,), elapsed=900)  # the wrap-up never counts
    assert 9 not in weakest_steps(views, count=9)


def test_markdown_export_holds_question_notes_timings_coverage_and_scores() -> None:
    session = new_session()
    session.set_notes(0, "## Goal\nLong-term engagement, 100M DAU", T0 + 30 * S)
    session.next_step(T0 + 2 * MIN)
    session.set_notes(1, GOOD_METRICS_NOTES, T0 + 3 * MIN)
    session.jump(9, T0 + 2 * MIN + 270 * S)
    session.finish(T0 + 10 * MIN)
    session.set_score(0, 4)
    session.set_score(1, 2)
    session.set_overall(3)
    text = to_markdown(session.summary())

    assert text.startswith("# Mock interview: Video recommendations\n")
    assert "Category: recommendation · 2026-03-02 09:00 · 10:00 of 45:00" in text
    assert "> Design the home feed of a video app\n> with 100M daily users." in text
    assert "## Step 1 Problem Formulation" in text
    assert "#### Goal\nLong-term engagement, 100M DAU" in text  # notes' headings demoted
    assert "- Time: 2:00 of 6:00\n- Score: 4/4" in text
    assert "- Time: 4:30 of 3:00 (50% over budget)\n- Score: 2/4" in text
    assert "- Coverage: 4/5 items" in text
    assert "  - [x] An offline metric that fits the task" in text
    assert "  - [ ] Why offline and online can disagree" in text
    assert "watch time per DAU (primary), CTR secondary" in text
    assert "## Step 3 Architectural Components\n\n- Time: 0:00 of 3:00\n- Score: not scored" in text
    assert "## Wrap-up\n\n- Time: 3:30 of 2:00 (50% over budget)\n\n*No notes.*" in text
    assert "- Overall score: 3/4" in text
    # Steps 6 and 8 have rubrics and no notes (as weak as a 1); step 8 is less under budget.
    assert "- Weakest steps: Step 8 Online Testing and Deployment, " \
           "Step 6 Model Development and Offline Evaluation, " \
           "Step 2 Metrics (Offline and Online)" in text


def test_markdown_keeps_headings_in_code_and_shows_the_local_time() -> None:
    session = new_session()
    session.set_notes(0, "# Goal\n```python\n# not a heading\n```\n## After", T0 + S)
    session.finish(T0 + 2 * S)
    text = to_markdown(session.summary(), zone=timezone(timedelta(hours=-5)))
    assert "### Goal\n```python\n# not a heading\n```\n#### After" in text
    assert "Category: recommendation · 2026-03-02 04:00 · 0:02 of 45:00" in text


def test_format_duration() -> None:
    assert [format_duration(s) for s in (0, 59.9, 60, 754, -90)] == \
        ["0:00", "0:59", "1:00", "12:34", "-1:30"]


def test_finishing_early_names_the_time_left_and_the_steps_never_opened() -> None:
    session = new_session(total=30)
    assert finish_early_reason(session.view(T0), 30) == \
        "30:00 of 30:00 are left and 9 steps never opened (1, 2, 3, 4, 5, 6, 7, 8, 9)"
    session.set_notes(0, "We optimise watch time.", T0 + MIN)
    session.jump(1, T0 + 2 * MIN)
    assert finish_early_reason(session.view(T0 + 3 * MIN), 30) == \
        "27:00 of 30:00 are left and 7 steps never opened (3, 4, 5, 6, 7, 8, 9)"
    for index in range(2, 9):
        session.jump(index, T0 + (3 + index) * MIN)
    assert finish_early_reason(session.view(T0 + 31 * MIN), 30) == ""
