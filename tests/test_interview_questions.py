"""Interview questions: dealing one, and fitting the steps' follow-ups and rubric to it."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from interview_deck import T0

from app.decks.loader import load_path, load_text
from app.interview.budgets import default_budgets
from app.interview.questions import deal_question, fits, question_steps
from app.interview.session import InterviewSession
from app.interview.steps import StepInfo, interview_steps
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


# --- fitting the steps to a question ------------------------------------------------------------

BANK = """\
deck: {id: bank, title: Bank, version: 1}
topics:
  - id: s1
    title: Problem Formulation
    step: 1
  - id: s2
    title: Metrics
    step: 2
    rubric:
      - text: An offline metric that fits the task
        terms: [precision, recall, ndcg]
    followups:
      - Which metric would you report to the CEO?
      - text: Your new model gains 2% nDCG offline and nothing online. Why?
        categories: [recommendation]
      - text: Only one example in a thousand is positive. Which metric?
        categories: [fraud]
  - {id: s3, title: Architecture, step: 3}
  - {id: s4, title: Data, step: 4}
  - {id: s5, title: Features, step: 5}
  - {id: s6, title: Model, step: 6}
  - {id: s7, title: Serving, step: 7}
  - {id: s8, title: Testing, step: 8}
  - {id: s9, title: Scaling, step: 9}
questions:
  - id: q-video
    title: Video recommendation
    category: recommendation
    followups:
      2:
        - Why is watch time a better label than clicks here?
        - How does optimising watch time go wrong?
    rubric:
      2:
        - text: Optimises long-term watch time rather than clicks
          terms: [watch time per user]
  - id: q-fraud
    title: Fraud detection
    category: fraud
"""


def bank() -> tuple[tuple[StepInfo, ...], Question, Question]:
    deck = load_text(BANK, source="bank.yaml")
    return interview_steps(deck), deck.questions[0], deck.questions[1]


def drain(session: InterviewSession, index: int) -> list[str]:
    asked = []
    while (followup := session.followup(index)) is not None:
        asked.append(followup)
    return asked


@pytest.mark.parametrize("seed", range(8))
def test_a_questions_own_follow_ups_come_first_then_generic_ones_that_fit(seed: int) -> None:
    steps, video, fraud = bank()
    session = InterviewSession(video, steps, default_budgets(45), T0, rng=random.Random(seed))
    asked = drain(session, 1)
    assert asked[:2] == ["Why is watch time a better label than clicks here?",
                         "How does optimising watch time go wrong?"]
    assert sorted(asked[2:]) == sorted([
        "Which metric would you report to the CEO?",
        "Your new model gains 2% nDCG offline and nothing online. Why?"])
    assert session.asked(1) == tuple(asked)

    session = InterviewSession(fraud, steps, default_budgets(45), T0, rng=random.Random(seed))
    assert sorted(drain(session, 1)) == [
        "Only one example in a thousand is positive. Which metric?",
        "Which metric would you report to the CEO?"]
    assert drain(session, 0) == []  # a step without follow-ups


def test_generic_follow_ups_are_asked_in_a_random_order() -> None:
    steps, _, fraud = bank()
    orders = {tuple(drain(InterviewSession(fraud, steps, default_budgets(45), T0,
                                           rng=random.Random(seed)), 1)) for seed in range(20)}
    assert len(orders) == 2


def test_a_questions_rubric_items_follow_the_steps_own() -> None:
    steps, video, fraud = bank()
    fitted = question_steps(steps, video)
    assert [item.text for item in fitted[1].rubric] == [
        "An offline metric that fits the task",
        "Optimises long-term watch time rather than clicks"]
    assert question_steps(steps, fraud)[1].rubric == steps[1].rubric
    assert [s.rubric for s in fitted[2:]] == [s.rubric for s in steps[2:]]

    session = InterviewSession(video, steps, default_budgets(45), T0)
    assert session.view(T0).steps[1].rubric == fitted[1].rubric
    session.set_override(1, 1, True)  # the question's item can be ticked by hand
    assert session.covered(1) == (False, True)
    restored = InterviewSession.restore(session.snapshot(), video, steps, T0)
    assert restored.covered(1) == (False, True)


def test_fits_untagged_follow_ups_to_every_question() -> None:
    video = Question("q", "Q", "recommendation")
    assert fits((), video) and fits(("recommendation", "search"), video)
    assert not fits(("fraud",), video)


SHIPPED = load_path(Path(__file__).resolve().parent.parent / "decks" / "ml-system-design.yaml")
SHIPPED_STEPS = interview_steps(SHIPPED)


@pytest.mark.parametrize("question", SHIPPED.questions, ids=lambda q: q.id)
def test_every_shipped_question_gets_its_own_follow_ups_first_and_none_that_excludes_it(
        question: Question) -> None:
    session = InterviewSession(question, SHIPPED_STEPS, default_budgets(45), T0,
                               rng=random.Random(3))
    excluded = {text for step in SHIPPED_STEPS
                for text, tags in zip(step.followups, step.followup_categories, strict=False)
                if tags and question.category not in tags}
    for index, step in enumerate(SHIPPED_STEPS):
        asked = drain(session, index)
        own = list(question.followups.get(step.number, ()))
        assert asked[:len(own)] == own
        assert len(asked) == len(set(asked))  # never the same twice
        assert not excluded & set(asked), (step.label, excluded & set(asked))
        generic = [text for n, text in enumerate(step.followups)
                   if n >= len(step.followup_categories) or not step.followup_categories[n]
                   or question.category in step.followup_categories[n]]
        assert sorted(asked[len(own):]) == sorted(generic)


def test_a_restored_interview_goes_on_with_the_next_own_follow_up() -> None:
    steps, video, _ = bank()
    session = InterviewSession(video, steps, default_budgets(45), T0, rng=random.Random(1))
    first = session.followup(1)
    restored = InterviewSession.restore(session.snapshot(), video, steps, T0,
                                        rng=random.Random(1))
    assert restored.asked(1) == (first,)
    assert restored.followup(1) == "How does optimising watch time go wrong?"
    assert first not in drain(restored, 1)
