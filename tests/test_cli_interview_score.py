"""`mlsd-study interview-score`: a Markdown answer scored per step, as the app scores notes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.decks.loader import load_path
from app.interview.coverage import criterion_ticks
from app.interview.scoring import split_sections
from app.interview.steps import interview_steps
from app.paths import shipped_decks_dir

STEPS = interview_steps(load_path(shipped_decks_dir() / "ml-system-design.yaml"))

ANSWER = """\
# Fraud detection, my practice answer

Some words before any step.

## 1. Problem formulation
- Goal: cut fraud losses without blocking good customers.
- Each decision must come back within 50 ms.
- We will not consider privacy.

### Assumptions
- 40M transactions a day, peaking at 5k per second.

## Metrics
Offline I'd report PR-AUC because only 0.1% of transactions are fraud.

## Step 6 Model
- Start with logistic regression as a baseline, then move to XGBoost if it beats it.

## Wrap-up
- Monitoring with PSI on every feature, and weekly retraining.
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120, check=False)


@pytest.fixture
def answer(tmp_path: Path) -> Path:
    path = tmp_path / "answer.md"
    path.write_text(ANSWER, encoding="utf-8")
    return path


def test_prints_per_step_the_criteria_met_with_evidence_and_those_missed(answer: Path) -> None:
    done = run("interview-score", str(answer), cwd=answer.parent)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    step1 = out.split("Step 2 ")[0]
    assert "Step 1 Problem Formulation: 3/6" in step1
    assert '"Goal: cut fraud losses without blocking good customers."' in step1
    assert ('[x] Sets latency and freshness targets for predictions\n'
            '        "Each decision must come back within 50 ms."') in step1
    assert '"40M transactions a day, peaking at 5k per second."' in step1  # under a sub-heading
    assert "[ ] Names constraints such as privacy" in step1  # "We will not consider privacy."
    assert "Step 3 Architectural Components" in out and "(no section for this step)" in out
    assert "Monitoring with PSI" not in out  # the wrap-up is no step
    assert out.rstrip().endswith("criteria met")


def test_json_holds_the_same_verdicts_as_the_app(answer: Path) -> None:
    done = run("interview-score", str(answer), "--json", cwd=answer.parent)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["question"] is None and len(data["steps"]) == 9
    sections = split_sections(ANSWER, STEPS)
    for entry, step in zip(data["steps"], STEPS, strict=False):
        ticks = criterion_ticks(sections.get(step.number, ""), step.rubric, step.template,
                                step.title)
        assert [(c["met"], c["evidence"]) for c in entry["criteria"]] == [
            (t.met, t.evidence) for t in ticks]
        assert entry["found"] == (step.number in (1, 2, 6))
    assert data["met"] == sum(e["met"] for e in data["steps"]) > 0


def test_a_question_adds_its_own_rubric_items(answer: Path) -> None:
    plain = json.loads(run("interview-score", str(answer), "--json", cwd=answer.parent).stdout)
    fraud = json.loads(run("interview-score", str(answer), "--json", "--question",
                           "q-fraud-detection", cwd=answer.parent).stdout)
    assert fraud["question"] == "q-fraud-detection"
    assert fraud["total"] > plain["total"]


def test_an_unknown_question_names_the_valid_ids(answer: Path) -> None:
    done = run("interview-score", str(answer), "--question", "q-nope", cwd=answer.parent)
    assert done.returncode == 1
    assert "no question 'q-nope'" in done.stderr and "q-fraud-detection" in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(("text", "message"), [
    ("Just some notes without headings.\n", "no heading names a step"),
    (None, "cannot read"),
])
def test_bad_input_gets_a_clear_message(tmp_path: Path, text: str | None, message: str) -> None:
    path = tmp_path / "notes.md"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    done = run("interview-score", str(path), cwd=tmp_path)
    assert done.returncode == 1
    assert message in done.stderr and str(path) in done.stderr


def test_needs_no_display_and_no_qt(answer: Path) -> None:
    code = ("import sys\nfrom app.cli import main\n"
            f"assert main(['interview-score', {str(answer)!r}]) == 0\n"
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was loaded'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PATH": "", "MLSD_STUDY_DATA": str(answer.parent / "none")},
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert not (answer.parent / "none").exists()  # no data folder, no database


@pytest.mark.parametrize(("heading", "number"), [
    ("## 1. Problem formulation", 1), ("## Step 3 Architecture", 3), ("## 4) Data", 4),
    ("## Metrics", 2), ("## Feature engineering", 5), ("## Online testing and deployment", 8),
    ("## **7. Serving**", 7), ("## Scaling, monitoring and updates", 9),
])
def test_sections_are_matched_by_number_or_title_words(heading: str, number: int) -> None:
    assert split_sections(f"{heading}\nWe do it.\n", STEPS) == {number: "We do it."}


def test_unmatched_headings_at_the_section_level_end_a_section() -> None:
    text = "## Metrics\nA.\n### Offline\nB.\n## Questions for the interviewer\nC.\n## 9\nD.\n"
    assert split_sections(text, STEPS) == {2: "A.\n### Offline\nB.", 9: "D."}
