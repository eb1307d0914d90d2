"""The rubric against a careful reader: the labelled answers and controls of tests/data."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from app.decks.loader import load_path
from app.interview.coverage import coverage, item_concepts
from app.interview.steps import StepInfo, interview_steps, notes_template
from app.paths import shipped_decks_dir

CORPUS = Path(__file__).parent / "data" / "interview-answers"
LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
         "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.\n- Duis aute irure "
         "dolor in "
         "reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.\n")

Scorer = Callable[[str, StepInfo], tuple[bool, ...]]


@dataclass(frozen=True)
class Answer:
    question: str
    step: int  # 1..9
    notes: str
    meets: frozenset[int]  # 0-based criterion indices


def _score(notes: str, step: StepInfo) -> tuple[bool, ...]:
    return coverage(notes, step.rubric, step.template, title=step.title)


def load_answers(folder: Path = CORPUS) -> list[Answer]:
    """The labelled answers of ``folder`` (the in-sample corpus unless told)."""
    answers = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "question" not in data:
            continue
        for step, entry in data["steps"].items():
            answers.append(Answer(data["question"], int(step), entry["answer"],
                                  frozenset(n - 1 for n in entry["meets"])))
    return answers


def shipped_steps() -> tuple[StepInfo, ...]:
    deck = load_path(shipped_decks_dir() / "ml-system-design.yaml")
    return interview_steps(deck)[:9]


@dataclass(frozen=True)
class Agreement:
    precision: float
    recall: float
    controls: dict[str, float]  # control name -> share of criteria ticked

    def report(self) -> str:
        lines = [f"real answers: precision {self.precision:.2f}, recall {self.recall:.2f}"]
        lines += [f"{name}: {share:.0%} coverage" for name, share in self.controls.items()]
        return "\n".join(lines)


def _shuffled(notes: str, rng: random.Random) -> str:
    """The same lines with the same number of words each, the words drawn from every line."""
    lines = [line.split() for line in notes.splitlines() if line.split()]
    pool = [w for line in lines for w in line[1:]]  # the first word is the bullet or first word
    rng.shuffle(pool)
    out = []
    for line in lines:
        take, pool = pool[:len(line) - 1], pool[len(line) - 1:]
        out.append(" ".join([line[0], *take]))
    return "\n".join(out) + "\n"


def _keyword_lists(step: StepInfo) -> str:
    """One line per criterion of its bare terms and concepts, as someone gaming the rubric would
    (and, in :func:`measure`, all of them on one line)."""
    return "".join("- " + ", ".join(c for c in item_concepts(item) if not c.startswith("<")) + "\n"
                   for item in step.rubric)


def measure(score: Scorer, steps: tuple[StepInfo, ...], answers: list[Answer]) -> Agreement:
    by_number = {s.number: s for s in steps}
    tp = fp = fn = 0
    for answer in answers:
        ticks = score(answer.notes, by_number[answer.step])
        for index, met in enumerate(ticks):
            tp += met and index in answer.meets
            fp += met and index not in answer.meets
            fn += not met and index in answer.meets

    def share(texts: list[tuple[str, StepInfo]]) -> float:
        ticked = total = 0
        for notes, step in texts:
            ticks = score(notes, step)
            ticked += sum(ticks)
            total += len(ticks)
        return ticked / total

    rng = random.Random(16)
    negated = yaml.safe_load((CORPUS / "negated.yaml").read_text(encoding="utf-8"))["steps"]
    controls = {
        "template headings": share([(notes_template(s), s) for s in steps]),
        "lorem ipsum": share([(LOREM, s) for s in steps]),
        "keyword lists": share([(_keyword_lists(s), s) for s in steps]
                               + [(_keyword_lists(s).replace("\n- ", ", "), s) for s in steps]),
        "another step's answer": share([(a.notes, by_number[a.step % 9 + 1]) for a in answers]),
        "words shuffled across sentences": share([(_shuffled(a.notes, rng), by_number[a.step])
                                                  for a in answers]),
        "negated statements": share([(negated[s.number]["answer"], s) for s in steps]),
    }
    return Agreement(tp / max(1, tp + fp), tp / max(1, tp + fn), controls)


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    result = measure(_score, shipped_steps(), load_answers())
    print("\n" + result.report())
    return result


def test_the_corpus_covers_six_categories_and_every_step() -> None:
    answers = load_answers()
    questions = {a.question for a in answers}
    assert len(questions) >= 6
    assert all(sum(a.question == q for a in answers) == 9 for q in questions)
    steps = {s.number: s for s in shipped_steps()}
    for answer in answers:  # a label names a criterion the step has
        assert max(answer.meets, default=0) < len(steps[answer.step].rubric), answer


def test_real_answers_agree_with_the_labels(agreement: Agreement) -> None:
    assert agreement.precision >= 0.85
    assert agreement.recall >= 0.7


@pytest.mark.parametrize(("control", "ceiling"), [
    ("template headings", 0.0), ("lorem ipsum", 0.0), ("keyword lists", 0.20),
    ("another step's answer", 0.15), ("negated statements", 0.0),
])
def test_controls_earn_little(agreement: Agreement, control: str, ceiling: float) -> None:
    assert agreement.controls[control] <= ceiling, agreement.report()
