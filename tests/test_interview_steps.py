"""The ten segments of an interview from a deck: order, titles, labels, notes template."""

from __future__ import annotations

from interview_deck import STEPS

from app.decks.loader import load_text
from app.interview.steps import StepInfo, interview_steps, notes_template
from app.model import TopicId


def test_steps_come_from_the_deck_in_order_then_the_wrap_up() -> None:
    assert [s.number for s in STEPS] == list(range(1, 11))
    metrics = STEPS[1]
    assert (metrics.title, metrics.topic_id) == ("Metrics (Offline and Online)", TopicId("s2"))
    assert metrics.label == "Step 2 Metrics (Offline and Online)"
    assert metrics.short_label == "2. Metrics (Offline and Online)" and metrics.is_step
    assert len(metrics.rubric) == 5 and len(metrics.followups) == 3
    assert metrics.template == ("Offline metrics (e.g. classification, relevance metrics)",
                                "Online metrics", "Trade-offs b/w metrics")
    assert STEPS[-1] == StepInfo(10, "Wrap-up", None, (), (), ())
    assert STEPS[-1].label == STEPS[-1].short_label == "Wrap-up"
    assert [s.is_step for s in STEPS] == [True] * 9 + [False]
    assert notes_template(STEPS[7]) == "## A/B Experiments\n- \n\n## Canary release\n- \n\n"


def test_a_deck_without_some_steps_still_gives_ten_segments() -> None:
    deck = load_text("deck: {id: d, title: D, version: 1}\ntopics:\n"
                     "  - {id: only, title: Framing, step: 1}\n")
    steps = interview_steps(deck)
    assert len(steps) == 10
    assert steps[0].title == "Framing" and steps[0].topic_id == TopicId("only")
    assert steps[1].title == "Metrics" and steps[1].topic_id is None
