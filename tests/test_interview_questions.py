"""Dealing a question: favouring the categories practised least, with the given generator only."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from app.interview.questions import deal_question
from app.model import Question


def test_deal_question_favours_the_least_practised_categories() -> None:
    questions = [Question("r1", "R1", "recsys"), Question("r2", "R2", "recsys"),
                 Question("a1", "A1", "ads"), Question("s1", "S1", "search")]
    rng = random.Random(11)
    dealt = Counter(deal_question(questions, {"recsys": 3, "ads": 1}, rng).id
                    for _ in range(7000))
    # Category weights 1/4, 1/2 and 1: recsys 1/7, ads 2/7, search 4/7 of the draws.
    assert dealt["s1"] == pytest.approx(4000, rel=0.05)
    assert dealt["a1"] == pytest.approx(2000, rel=0.07)
    assert dealt["r1"] + dealt["r2"] == pytest.approx(1000, rel=0.1)
    assert dealt["r1"] == pytest.approx(dealt["r2"], rel=0.2)  # uniform within a category
    with pytest.raises(ValueError, match="no interview questions"):
        deal_question([], {}, rng)
    # A count below zero (a damaged store) counts as none practised.
    assert deal_question(questions, {"search": -1, "ads": -5}, rng).id in {"r1", "r2", "a1", "s1"}


def test_deal_question_draws_only_from_the_given_rng() -> None:
    questions = [Question(f"q{i}", f"Q{i}", f"c{i % 3}") for i in range(9)]
    first, second = random.Random(5), random.Random(5)
    dealt = [deal_question(questions, {}, first).id for _ in range(20)]
    random.seed(99)  # the global generator plays no part
    assert dealt == [deal_question(questions, {}, second).id for _ in range(20)]
    assert len(set(dealt)) > 3
