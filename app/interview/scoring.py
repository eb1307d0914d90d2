"""Scoring a Markdown answer outside the app: sections headed by the steps, as the app scores."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.decks.loader import load_path
from app.decks.words import content_stems
from app.errors import AppError
from app.interview.coverage import Tick, criterion_ticks
from app.interview.questions import question_steps
from app.interview.steps import STANDARD_STEP_TITLES, StepInfo, interview_steps
from app.model import Deck, Question
from app.paths import shipped_decks_dir

__all__ = ["ScoreError", "StepScore", "render_json", "render_text", "score_file", "score_text",
           "split_sections"]

_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
# "Step 3", "3.", "3)", "3:" or a bare "3" before the title: the step's number.
_NUMBER = re.compile(r"^(?:step\s*)?([1-9])(?:\b|[.):])\s*[-–—:.]?\s*", re.IGNORECASE)


class ScoreError(AppError):
    """The answer cannot be scored: a file that cannot be read, or an unknown question."""


@dataclass(frozen=True)
class StepScore:
    """One step of a scored answer: its notes (``found`` when a section names the step) and,
    per criterion of its rubric, the tick with its evidence."""

    step: StepInfo
    notes: str
    found: bool
    ticks: tuple[Tick, ...]

    @property
    def met(self) -> int:
        return sum(t.met for t in self.ticks)


def split_sections(markdown: str, steps: tuple[StepInfo, ...]) -> dict[int, str]:
    """The notes under each step's heading, by step number.

    A heading names a step by its number ("## 1. Problem formulation", "## Step 3 ...") or
    by the words of its title ("## Metrics"). The shallowest level at which headings name
    steps divides the answer; deeper headings stay inside their section, and a heading at that
    level that names no step ("## Wrap-up") ends the section before it.
    """
    lines = markdown.splitlines()
    named: dict[int, int] = {}  # line index -> step number
    levels: dict[int, int] = {}
    for index, line in enumerate(lines):
        if (match := _HEADING.match(line)) is not None:
            levels[index] = len(match.group(1))
            number = _step_named(match.group(2), steps)
            if number is not None:
                named[index] = number
    if not named:
        return {}
    level = min(levels[i] for i in named)
    sections: dict[int, list[str]] = {}
    current: int | None = None
    for index, line in enumerate(lines):
        if index in levels and levels[index] <= level:
            current = named.get(index)
            if current is not None:
                sections.setdefault(current, [])
            continue
        if current is not None:
            sections[current].append(line)
    return {number: "\n".join(body).strip("\n") for number, body in sections.items()}


def _step_named(heading: str, steps: tuple[StepInfo, ...]) -> int | None:
    text = heading.strip().strip("*_").strip()
    if (match := _NUMBER.match(text)) is not None:
        return int(match.group(1))
    words = content_stems(text)
    if not words:
        return None
    overlap: dict[int, int] = {}
    for step in steps:
        if not step.is_step:
            continue
        titles = (step.title, STANDARD_STEP_TITLES[step.number - 1])
        shared = max(len(words & content_stems(t)) for t in titles)
        if shared:
            overlap[step.number] = shared
    if not overlap:
        return None
    best = max(overlap.values())
    winners = [n for n, count in overlap.items() if count == best]
    return winners[0] if len(winners) == 1 else None


def score_text(markdown: str, steps: tuple[StepInfo, ...]) -> tuple[StepScore, ...]:
    """Every step of the interview scored from its section of ``markdown``, as the running
    interview scores notes (:func:`app.interview.coverage.criterion_ticks`)."""
    sections = split_sections(markdown, steps)
    return tuple(
        StepScore(step, sections.get(step.number, ""), step.number in sections,
                  criterion_ticks(sections.get(step.number, ""), step.rubric, step.template,
                                  step.title))
        for step in steps if step.is_step)


def score_file(path: str | Path, question_id: str | None = None,
               deck: Deck | None = None) -> tuple[Question | None, tuple[StepScore, ...]]:
    """Score a Markdown file against the built-in deck's steps (or ``deck``'s), with the
    rubric items of ``question_id`` added when it is given."""
    if deck is None:
        deck = load_path(shipped_decks_dir() / "ml-system-design.yaml")
    steps = interview_steps(deck)
    question = None
    if question_id is not None:
        question = next((q for q in deck.questions if q.id == question_id), None)
        if question is None:
            ids = ", ".join(q.id for q in deck.questions) or "(none)"
            raise ScoreError(f"no question '{question_id}' in the deck '{deck.id}'; the "
                             f"question ids are: {ids}")
        steps = question_steps(steps, question)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ScoreError(f"cannot read {path}: {reason}") from None
    scores = score_text(text, steps)
    if not any(score.found for score in scores):
        raise ScoreError(f"{path}: no heading names a step; head each section with its step, "
                         "e.g. '## 1. Problem formulation' or '## Metrics'")
    return question, scores


def render_text(question: Question | None, scores: tuple[StepScore, ...]) -> str:
    """Per step: the criteria met, each with the sentence that earned it, then those missed."""
    out: list[str] = []
    if question is not None:
        out.append(f"Question: {question.title} ({question.id})\n")
    for score in scores:
        head = f"{score.step.label}: {score.met}/{len(score.ticks)}"
        out.append(head if score.found else f"{head} (no section for this step)")
        rubric = score.step.rubric
        for item, tick in zip(rubric, score.ticks, strict=True):
            if tick.met:
                out.append(f"  [x] {item.text}\n        \"{tick.evidence}\"")
        out.extend(f"  [ ] {item.text}"
                   for item, tick in zip(rubric, score.ticks, strict=True) if not tick.met)
        out.append("")
    met = sum(s.met for s in scores)
    total = sum(len(s.ticks) for s in scores)
    out.append(f"Total: {met}/{total} criteria met")
    return "\n".join(out) + "\n"


def render_json(question: Question | None, scores: tuple[StepScore, ...]) -> dict[str, Any]:
    """The same as :func:`render_text`, as data."""
    return {
        "question": question.id if question is not None else None,
        "met": sum(s.met for s in scores),
        "total": sum(len(s.ticks) for s in scores),
        "steps": [{
            "step": score.step.number,
            "title": score.step.title,
            "found": score.found,
            "met": score.met,
            "total": len(score.ticks),
            "criteria": [{"text": item.text, "met": tick.met, "evidence": tick.evidence}
                         for item, tick in zip(score.step.rubric, score.ticks, strict=True)],
        } for score in scores],
    }
