"""An outline's top-level numbered sequence becomes the deck's steps, the flow's when it matches."""

from __future__ import annotations

from pathlib import Path

from app.cli import main
from app.decks.cards import generate_cards
from app.decks.loader import load_path
from app.outline.deck_file import outline_to_yaml
from app.outline.importer import parse_outline
from app.outline.steps import flow_step

NEWER_FLOW = """\
# 4. Machine Learning System Design

| Step | Section |
| --- | --- |
| Step 1 | [Problem Formulation](#1-problem-formulation) |
| Step 2 | [Metrics](#2-metrics-offline-and-online) |
| Step 3 | [Architectural Components](#3-architectural-components-mvp-logic) |

## 1. Problem Formulation
- Clarifying questions
- Business objective

## 2. Metrics (Offline and Online)
- Offline metrics
- Online metrics

## 3. Architectural Components (MVP Logic)
- High-level architecture

## 4. Data Collection and Preparation
- Data sources

## 5. Feature Engineering
- Choosing features

## 6. Model Development and Offline Evaluation
- Model selection

## 7. Prediction Service
- Batch vs online prediction

## 8. Online Testing and Model Deployment
- A/B experiments

## 9. Scaling, Monitoring, and Updates
- Monitoring
"""


def _steps(text: str) -> list[tuple[int | None, str]]:
    return [(t.step, t.title) for t in parse_outline(text, "flow.md").topics]


def test_a_newer_version_of_the_flow_gets_the_flows_steps_and_step_cards(tmp_path: Path) -> None:
    deck = parse_outline(NEWER_FLOW, "flow.md")
    assert deck.title == "Machine Learning System Design"
    assert [(t.step, t.title) for t in deck.topics] == [
        (1, "Problem Formulation"), (2, "Metrics (Offline and Online)"),
        (3, "Architectural Components (MVP Logic)"), (4, "Data Collection and Preparation"),
        (5, "Feature Engineering"), (6, "Model Development and Offline Evaluation"),
        (7, "Prediction Service"), (8, "Online Testing and Model Deployment"),
        (9, "Scaling, Monitoring, and Updates")]
    kinds = [c.kind for c in generate_cards(deck)]
    assert kinds.count("step-number") == 9 and kinds.count("step-after") == 8
    assert "step-covers" in kinds
    written = tmp_path / "flow.yaml"
    written.write_text(outline_to_yaml(deck), encoding="utf-8")
    assert [t.step for t in load_path(written).topics] == list(range(1, 10))
    assert main(["check-deck", str(written)]) == 0


def test_a_flow_with_steps_left_out_keeps_the_flows_numbers() -> None:
    text = ("# Flow\n\n1. Problem formulation\n2. Metrics\n3. Feature engineering\n"
            "4. Serving: prediction service\n")
    assert _steps(text) == [(1, "Problem formulation"), (2, "Metrics"), (5, "Feature engineering"),
                            (7, "Serving: prediction service")]


def test_another_numbered_sequence_is_numbered_in_its_own_order() -> None:
    text = "# Setup\n\n## Step 1: Install\n\n## Step 2: Configure\n\n## Step 3: Run\n"
    assert _steps(text) == [(1, "Install"), (2, "Configure"), (3, "Run")]
    # In the flow's words but out of its order: its own order.
    assert _steps("# F\n\n1. Metrics\n2. Problem formulation\n") == [
        (1, "Metrics"), (2, "Problem formulation")]


def test_no_steps_without_a_numbered_sequence_of_two_to_nine() -> None:
    assert _steps("# T\n\n- One\n- Two\n") == [(None, "One"), (None, "Two")]
    assert _steps("# T\n\n1. Only\n") == [(None, "Only")]
    many = "# T\n\n" + "".join(f"{n}. Part {n}\n" for n in range(1, 11))
    assert {step for step, _ in _steps(many)} == {None}


def test_flow_step_names_only_the_flows_steps() -> None:
    assert flow_step("Online Testing and Model Deployment") == 8
    assert flow_step("Feature engineering") == 5
    assert [flow_step(t) for t in ("Install", "Data", "Usage", "Testing")] == [None] * 4
