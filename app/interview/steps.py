"""The ten segments of an interview: the deck's 9 steps in order, then the wrap-up.

A deck off the ML design flow may have fewer than 9 steps: the ones it lacks stay in their slots
(so every stored interview has the same ten rows) but are not ``present``: they get no time and
no screen shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.model import STEP_COUNT, Deck, RubricItem, TopicId, step_label

WRAP_UP = 10
SEGMENTS = STEP_COUNT + 1  # the 9 steps, then the wrap-up (index 9)

# Used when a deck lacks one of the steps, so any deck can still run a full interview.
STANDARD_STEP_TITLES = (
    "Problem Formulation", "Metrics", "Architectural Components",
    "Data Collection and Preparation", "Feature Engineering",
    "Model Development and Offline Evaluation", "Prediction Service",
    "Online Testing and Deployment", "Scaling, Monitoring, and Updates",
)


@dataclass(frozen=True)
class Segment:
    """A step numbered 1..9 or the wrap-up (number 10), and how each is named."""

    number: int
    title: str

    @property
    def is_step(self) -> bool:
        """Steps 1..9 carry their number and a self-score; the wrap-up has neither."""
        return self.number <= STEP_COUNT

    @property
    def label(self) -> str:
        """``Step 2 Metrics``; the wrap-up is just ``Wrap-up``."""
        return step_label(self.title, self.number if self.is_step else None)

    @property
    def short_label(self) -> str:
        """``2. Metrics``, as lists and tables show a step; the wrap-up is just ``Wrap-up``."""
        return f"{self.number}. {self.title}" if self.is_step else self.title


@dataclass(frozen=True)
class StepInfo(Segment):
    """One segment as the deck defines it: its topic, rubric, follow-ups and notes template."""

    topic_id: TopicId | None
    rubric: tuple[RubricItem, ...]
    followups: tuple[str, ...]
    template: tuple[str, ...]
    #: Per follow-up: the question categories it fits; () or a missing entry fits every one.
    followup_categories: tuple[tuple[str, ...], ...] = ()
    #: False for a step the deck does not have (a deck off the flow with fewer than 9 steps).
    present: bool = True


def interview_steps(deck: Deck) -> tuple[StepInfo, ...]:
    """The deck's 9 steps in order plus the wrap-up; a missing step gets its standard title."""
    found = {topic.step: topic for topic, _ in deck.walk() if topic.step}
    steps = []
    for number in range(1, STEP_COUNT + 1):
        topic = found.get(number)
        if topic is None:
            steps.append(StepInfo(number, STANDARD_STEP_TITLES[number - 1], None, (), (), ()))
        else:
            steps.append(StepInfo(number, topic.title, topic.id, topic.rubric, topic.followups,
                                  tuple(child.title for child in topic.children),
                                  topic.followup_categories))
    steps.append(StepInfo(WRAP_UP, "Wrap-up", None, (), (), ()))
    return tuple(steps)


def notes_template(step: StepInfo) -> str:
    """The Markdown a step's notes can start from: one heading per subtopic."""
    return "".join(f"## {heading}\n- \n\n" for heading in step.template)
