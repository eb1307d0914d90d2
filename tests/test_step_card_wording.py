"""Step cards name the ML system design flow only for a deck on its steps, else the deck."""

from __future__ import annotations

from app.decks.cards import generate_cards
from app.decks.loader import load_text


def fronts(title: str, steps: list[str]) -> dict[str, str]:
    topics = "".join(f"  - id: t{n}\n    title: {name}\n    step: {n}\n"
                     f"    children:\n      - id: t{n}-a\n        title: Checklist {n}\n"
                     for n, name in enumerate(steps, 1))
    deck = load_text(f"deck:\n  id: d\n  title: {title}\n  version: 1\ntopics:\n{topics}")
    return {card.id: card.prompt for card in generate_cards(deck)
            if card.kind in ("step-number", "step-covers")}


def test_a_deck_off_the_flow_names_itself() -> None:
    cards = fronts("Incident *response*", ["Detect", "Triage", "Mitigate"])
    assert cards["d/t2/step-number/2"] == r"What is step 2 of 'Incident \*response\*'?"
    assert cards["d/t1/step-covers/t1-a"] == (
        r"Which step of 'Incident \*response\*' covers 'Checklist 1'?")


def test_a_deck_on_the_flows_steps_names_the_flow() -> None:
    cards = fronts("Newer flow", ["Problem Formulation", "Metrics (Offline and Online)"])
    assert cards["d/t2/step-number/2"] == "What is step 2 of the ML system design flow?"
    assert cards["d/t1/step-covers/t1-a"] == "Which step of the flow covers 'Checklist 1'?"
