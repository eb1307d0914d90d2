"""Interview questions: dealing one, and fitting the steps' rubric and follow-ups to it."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace

from app.interview.steps import StepInfo
from app.model import Question


def deal_question(questions: Sequence[Question], practised: Mapping[str, int],
                  rng: random.Random) -> Question:
    """A random question, favouring the categories practised least: a category is drawn with
    weight 1 / (1 + interviews done in it), then a question of it uniformly."""
    if not questions:
        raise ValueError("the deck has no interview questions")
    by_category: dict[str, list[Question]] = {}
    for question in questions:
        by_category.setdefault(question.category, []).append(question)
    categories = list(by_category)
    weights = [1 / (1 + max(0, practised.get(c, 0))) for c in categories]
    category = rng.choices(categories, weights=weights)[0]
    return rng.choice(by_category[category])


def fits(categories: Sequence[str], question: Question) -> bool:
    """Whether a follow-up tagged with ``categories`` may be asked on ``question``: untagged
    ones fit every question, tagged ones only questions of those categories."""
    return not categories or question.category in categories


def question_steps(steps: Sequence[StepInfo], question: Question) -> tuple[StepInfo, ...]:
    """The steps as an interview on ``question`` runs them: each step's follow-ups are the
    question's own for that step, then the step's generic ones that fit its category; its
    rubric is the step's items followed by the question's items for that step."""
    fitted = []
    for step in steps:
        own = _own_followups(step, question)
        tags = step.followup_categories
        generic = tuple(text for n, text in enumerate(step.followups)
                        if text not in own and fits(tags[n] if n < len(tags) else (), question))
        fitted.append(replace(step, followups=own + generic, followup_categories=(),
                              rubric=step.rubric + question.rubric.get(step.number, ())))
    return tuple(fitted)


def specific_followups(step: StepInfo, question: Question) -> int:
    """How many of a fitted step's follow-ups (its first ones) are the question's own."""
    return len(_own_followups(step, question))


def _own_followups(step: StepInfo, question: Question) -> tuple[str, ...]:
    return tuple(dict.fromkeys(question.followups.get(step.number, ())))
