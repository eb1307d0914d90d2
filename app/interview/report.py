"""The results of an interview: the summary, its weakest steps and the Markdown report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from app.interview.budgets import Budgets
from app.interview.views import InterviewView, Level, StepView
from app.model import STEP_COUNT, Question

if TYPE_CHECKING:  # the review is built on the summary; the report only reads it
    from app.interview.review import StepReview


@dataclass(frozen=True)
class InterviewSummary:
    """The results of an interview; ``weakest`` holds 0-based step indexes."""

    question: Question
    started_at: datetime
    total_elapsed_s: float
    budgets: Budgets
    steps: tuple[StepView, ...]
    overall: int | None
    weakest: tuple[int, ...]
    finished_at: datetime | None = None
    # Per segment, each follow-up asked with the segment's notes as they stood when asked.
    followups: tuple[tuple[tuple[str, str], ...], ...] = ()


def weakest_steps(steps: Sequence[StepView], count: int = 3) -> tuple[int, ...]:
    """The ``count`` weakest of steps 1..9 (0-based indexes), weakest first.

    A self-score counts as itself; an unscored step counts as 1 + 3 x its coverage ratio, so
    nothing covered ranks with a 1 and everything with a 4. An unscored step without a rubric
    (a deck off the flow) says nothing about how it went and is left out, as is a step the deck
    does not have. Ties go to the step further over its budget, then the earlier.
    """
    def strength(view: StepView) -> float:
        if view.score is not None:
            return float(view.score)
        ratio = view.coverage_ratio
        assert ratio is not None
        return 1 + 3 * ratio

    indexes = [i for i in range(min(len(steps), STEP_COUNT))
               if steps[i].present and (steps[i].score is not None or steps[i].rubric)]
    return tuple(sorted(indexes, key=lambda i: (strength(steps[i]), -steps[i].over_s, i))[:count])


def format_duration(seconds: float) -> str:
    """``m:ss`` (``-m:ss`` when negative), rounding down to the second."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds))
    return f"{sign}{whole // 60}:{whole % 60:02d}"


_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})(?=\s)")


def _demoted(notes: str, levels: int = 2) -> str:
    """Notes with their headings ``levels`` down (at most to ######), to sit under the
    step's heading."""
    lines, fenced = [], False
    for line in notes.strip().splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        lines.append(line if fenced else _HEADING.sub(
            lambda m: "#" * min(6, len(m.group(1)) + levels), line))
    return "\n".join(lines)


def _step_lines(view: StepView, review: StepReview | None) -> list[str]:
    """A step's section: time, score, criteria, notes, reference answer and follow-ups."""
    status = {Level.OK: "", Level.SOFT: " (over budget)", Level.FIRM: " (50% over budget)"}
    out = [f"## {view.label}", ""]
    out.append(f"- Time: {format_duration(view.elapsed_s)} of "
               f"{format_duration(view.budget_s)}{status[view.level]}")
    if view.is_step:
        out.append(f"- Score: {view.score}/4" if view.score is not None
                   else "- Score: not scored")
    if view.rubric:
        out.append(f"- Coverage: {sum(view.covered)}/{len(view.rubric)} items")
        if review is None:
            out += [f"  - [{'x' if hit else ' '}] {item.text}"
                    for item, hit in zip(view.rubric, view.covered, strict=True)]
        else:
            for criterion in review.criteria:
                line = f"  - [{'x' if criterion.met else ' '}] {criterion.text}"
                if criterion.self_assessed:
                    line += " (self-assessed)"
                elif criterion.evidence:
                    line += f": “{_one_line(criterion.evidence)}”"
                if not criterion.met and criterion.topic_titles:
                    line += f" (study: {', '.join(criterion.topic_titles)})"
                out.append(line)
    out.append("")
    if review is not None:
        out += ["### Your notes", ""]
    if view.notes.strip():
        out += [_demoted(view.notes, 2 if review is None else 3), ""]
    else:
        out += ["*No notes.*", ""]
    if review is not None and review.reference:
        out += ["### Reference answer", ""]
        out += [f"- {_one_line(bullet)}" for bullet in review.reference]
        out.append("")
    if review is not None and review.followups:
        out += ["### Follow-ups asked", ""]
        for followup in review.followups:
            out.append(f"- **{_one_line(followup.question)}**")
            answer = followup.answer.strip()
            out += ([f"  > {line}".rstrip() for line in answer.splitlines()] if answer
                    else ["  *Nothing written after it.*"])
        out.append("")
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())


def to_markdown(summary: InterviewSummary, reviews: Sequence[StepReview] = (), *,
                zone: tzinfo = UTC) -> str:
    """The interview as a Markdown report: question, then per step time, score, criteria met
    (with their evidence) and missed, notes, the reference answer and the follow-ups asked
    with what was written after each; then the overall score and the weakest steps.
    ``reviews`` (app.interview.review.review_steps) adds what only a review knows."""
    q = summary.question
    budget_s = summary.budgets.total_minutes * 60
    started = summary.started_at.astimezone(zone)
    out = [f"# Mock interview: {q.title}", ""]
    facts = [started.strftime("%Y-%m-%d %H:%M"),
             f"{format_duration(summary.total_elapsed_s)} of {format_duration(budget_s)}"]
    if q.category:
        facts.insert(0, f"Category: {q.category}")
    out += [" · ".join(facts), ""]
    if q.prompt.strip():
        out += [f"> {line}".rstrip() for line in q.prompt.strip().splitlines()]
        out.append("")
    by_number = {r.step.number: r for r in reviews}
    for view in summary.steps:
        if view.present:
            out += _step_lines(view, by_number.get(view.number))
    out += ["## Overall", ""]
    out.append(f"- Overall score: {summary.overall}/4" if summary.overall is not None
               else "- Overall score: not scored")
    if summary.weakest:
        names = ", ".join(summary.steps[i].label for i in summary.weakest)
        out.append(f"- Weakest steps: {names}")
    return "\n".join(out).rstrip() + "\n"


def finish_early_reason(view: InterviewView, total_minutes: int) -> str:
    """What finishing now would leave unused: time left, steps never opened; "" if none."""
    unopened = [s.number for s in view.steps
                if s.is_step and s.present and s.elapsed_s < 1 and not s.notes.strip()]
    reasons = []
    if view.total_remaining_s >= 1:
        reasons.append(f"{format_duration(view.total_remaining_s)} of {total_minutes}:00 are left")
    if unopened:
        reasons.append(f"{len(unopened)} step{'s' * (len(unopened) > 1)} never opened "
                       f"({', '.join(map(str, unopened))})")
    return " and ".join(reasons)
