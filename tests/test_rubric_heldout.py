"""The rubric out of sample: answers the engine was never tuned to (data/interview-answers-heldout).

The in-sample corpus (tests/test_rubric_corpus.py) was written by the team that tuned the engine,
so its figures are optimistic. These answers were written afterwards, in terse note style, to
questions that corpus does not use, and labelled from the criterion texts before the engine was
run on them. The floors below are what was measured then, not targets: never tune the engine or
the labels to this corpus (see its README.md).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.interview.steps import StepInfo
from tests.test_rubric_corpus import (
    CORPUS,
    Agreement,
    Answer,
    _score,
    _shuffled,
    load_answers,
    measure,
    shipped_steps,
)

HELDOUT = Path(__file__).parent / "data" / "interview-answers-heldout"

# Measured on 2026-12-07, before anyone read the engine for these answers: overall precision
# 0.94, recall 0.75 (156 criterion decisions, 91 labelled met). The engine was then tuned on the
# in-sample corpus and a dev set of its own (tests/data/interview-answers-dev/), never on these
# answers, and measured here once more: precision 0.96, recall 0.87. The floors are that second
# measurement less a margin: they keep what was gained, they are not goals to tune to.
PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.8
PER_QUESTION_FLOORS = {  # question -> (precision, recall); measured: first, then after tuning
    "q-ads-serving": (0.9, 0.9),  # 1.00, 0.92 -> 1.00, 1.00 (strong candidate)
    "q-harmful-content": (0.85, 0.7),  # 0.89, 0.68 -> 0.90, 0.76 (middling candidate)
    "q-ride-matching": (0.85, 0.55),  # 0.75, 0.35 -> 0.92, 0.65 (weak candidate, terse notes)
}


def load_heldout() -> list[Answer]:
    """The answers of HELDOUT, read as the in-sample corpus is read."""
    return load_answers(HELDOUT)


@dataclass(frozen=True)
class Miss:
    kind: str  # "missed" (labelled met, not ticked) or "false tick"
    question: str
    step: int
    criterion: int  # 1-based, as in the labels
    text: str


def disagreements(steps: tuple[StepInfo, ...], answers: list[Answer]) -> list[Miss]:
    by_number = {s.number: s for s in steps}
    misses = []
    for answer in answers:
        step = by_number[answer.step]
        for index, met in enumerate(_score(answer.notes, step)):
            if met != (index in answer.meets):
                misses.append(Miss("false tick" if met else "missed", answer.question,
                                   answer.step, index + 1, step.rubric[index].text))
    return misses


def shuffled_detail(steps: tuple[StepInfo, ...], answers: list[Answer],
                    seeds: range) -> tuple[float, float, float]:
    """Tick shares on words shuffled across sentences, over several seeds: overall, on criteria
    the real answer meets, and on criteria it does not (the last can only be a false tick)."""
    by_number = {s.number: s for s in steps}
    ticked = {True: 0, False: 0}
    total = {True: 0, False: 0}
    for seed in seeds:
        rng = random.Random(seed)
        for answer in answers:
            ticks = _score(_shuffled(answer.notes, rng), by_number[answer.step])
            for index, met in enumerate(ticks):
                labelled = index in answer.meets
                ticked[labelled] += met
                total[labelled] += 1
    return ((ticked[True] + ticked[False]) / (total[True] + total[False]),
            ticked[True] / max(1, total[True]), ticked[False] / max(1, total[False]))


@dataclass(frozen=True)
class Heldout:
    overall: Agreement
    per_question: dict[str, Agreement]
    decisions: int
    labelled_met: int
    real_tick_share: float  # share of criteria the engine ticks on the real answers
    shuffled: tuple[float, float, float]
    misses: list[Miss]

    def report(self) -> str:
        o = self.overall
        lines = [f"held-out: {self.decisions} criterion decisions, {self.labelled_met} met",
                 f"held-out overall: precision {o.precision:.2f}, recall {o.recall:.2f}"]
        lines += [f"  {q}: precision {a.precision:.2f}, recall {a.recall:.2f}"
                  for q, a in self.per_question.items()]
        lines.append(f"real answers: {self.real_tick_share:.0%} of criteria ticked")
        lines += [f"control {name}: {share:.0%} of criteria ticked"
                  for name, share in o.controls.items()]
        every, met, unmet = self.shuffled
        lines.append(f"words shuffled, 20 seeds: {every:.0%} ticked; {met:.0%} of criteria the "
                     f"real answer meets, {unmet:.0%} of those it does not")
        lines += [f"  {m.kind}: {m.question} step {m.step} criterion {m.criterion}: {m.text}"
                  for m in self.misses]
        return "\n".join(lines)


@pytest.fixture(scope="module")
def heldout() -> Heldout:
    steps = shipped_steps()
    by_number = {s.number: s for s in steps}
    answers = load_heldout()
    questions = sorted({a.question for a in answers})
    ticks = [_score(a.notes, by_number[a.step]) for a in answers]
    result = Heldout(
        overall=measure(_score, steps, answers),
        per_question={q: measure(_score, steps, [a for a in answers if a.question == q])
                      for q in questions},
        decisions=sum(len(t) for t in ticks),
        labelled_met=sum(len(a.meets) for a in answers),
        real_tick_share=sum(sum(t) for t in ticks) / sum(len(t) for t in ticks),
        shuffled=shuffled_detail(steps, answers, range(20)),
        misses=disagreements(steps, answers),
    )
    print("\n" + result.report())
    return result


def test_the_heldout_corpus_is_disjoint_from_the_tuning_corpus() -> None:
    answers = load_heldout()
    questions = {a.question for a in answers}
    assert len(questions) == 3
    assert all(sum(a.question == q for a in answers) == 9 for q in questions)
    assert not questions & {a.question for a in load_answers()}
    assert HELDOUT != CORPUS
    steps = {s.number: s for s in shipped_steps()}
    for answer in answers:  # a label names a criterion the step has
        assert max(answer.meets, default=0) < len(steps[answer.step].rubric), answer


def test_heldout_answers_agree_with_the_labels(heldout: Heldout) -> None:
    assert heldout.overall.precision >= PRECISION_FLOOR, heldout.report()
    assert heldout.overall.recall >= RECALL_FLOOR, heldout.report()


@pytest.mark.parametrize("question", sorted(PER_QUESTION_FLOORS))
def test_each_heldout_question_stays_above_its_measured_floor(heldout: Heldout,
                                                              question: str) -> None:
    precision, recall = PER_QUESTION_FLOORS[question]
    assert heldout.per_question[question].precision >= precision, heldout.report()
    assert heldout.per_question[question].recall >= recall, heldout.report()


@pytest.mark.parametrize(("control", "ceiling"), [
    ("template headings", 0.0), ("lorem ipsum", 0.0), ("keyword lists", 0.20),
    ("another step's answer", 0.15), ("negated statements", 0.0),
])
def test_controls_earn_little_on_heldout_answers(heldout: Heldout, control: str,
                                                 ceiling: float) -> None:
    assert heldout.overall.controls[control] <= ceiling, heldout.report()


def test_shuffled_words_earn_fewer_ticks_than_the_real_answers(heldout: Heldout) -> None:
    # Not a tight bound: word salad keeps a large share of the ticks (see the report). Recorded
    # so that the gap between real notes and their shuffled words cannot close unnoticed.
    assert heldout.shuffled[0] < heldout.real_tick_share, heldout.report()
