"""Dealing an interview question: at random, favouring the categories practised least."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

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
