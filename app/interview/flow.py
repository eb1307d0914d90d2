"""Which deck an interview runs on: the flow's rubrics on a deck with its steps, else even time."""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.interview.budgets import MAX_TOTAL_MINUTES, MIN_TOTAL_MINUTES, Budgets
from app.interview.steps import SEGMENTS, StepInfo, interview_steps
from app.model import STEP_COUNT, Deck, Question
from app.outline.steps import flow_step

NOT_FLOW = "This deck's steps are not the ML design flow's: even time budgets, no rubric."
#: The prompt of an interview on a deck whose steps are not the flow's (the built-in bank's
#: questions are ML design problems, which such a deck's steps do not answer).
FREE_QUESTION = Question(
    id="practise-steps", title="Practise this deck's steps", category="practice",
    prompt="Talk through each of this deck's steps in order, as you would explain them to "
           "an interviewer; write your notes under each step.")
ABSENT_TITLE = "(not in this deck)"


def has_steps(deck: Deck) -> bool:
    """Whether any topic of ``deck`` carries a ``step:`` marker."""
    return any(topic.step for topic, _ in deck.walk())


def follows_flow(deck: Deck) -> bool:
    """Whether every step of ``deck`` is the built-in flow's step of the same number."""
    steps = [topic for topic, _ in deck.walk() if topic.step]
    return bool(steps) and all(flow_step(topic.title) == topic.step for topic in steps)


@dataclass(frozen=True)
class InterviewPlan:
    """A deck as an interview runs it: its segments, its questions and what the set-up says."""

    deck: Deck
    steps: tuple[StepInfo, ...]
    questions: tuple[Question, ...]
    follows_flow: bool

    @property
    def note(self) -> str:
        """One line for the set-up: empty when the flow's rubric applies."""
        return "" if self.follows_flow else NOT_FLOW


def interview_plan(deck: Deck, flow: Deck) -> InterviewPlan:
    """``deck`` as an interview runs it, with ``flow`` the built-in deck.

    A deck on the flow's steps keeps its own step titles, topics and notes headings and takes
    the flow's rubric and follow-ups by step number, and the flow's question bank when it has
    none. Any other deck runs its own steps with no rubric or follow-ups on a free prompt.
    """
    own = interview_steps(deck)
    if follows_flow(deck):
        standard = interview_steps(flow)
        steps = tuple(replace(mine, rubric=base.rubric, followups=base.followups,
                              followup_categories=base.followup_categories)
                      if mine.topic_id is not None else base
                      for mine, base in zip(own, standard, strict=True))
        return InterviewPlan(deck, steps, deck.questions or flow.questions, True)
    steps = tuple(replace(step, rubric=(), followups=(), followup_categories=(),
                          present=False, title=ABSENT_TITLE)
                  if step.topic_id is None and step.is_step else
                  replace(step, rubric=(), followups=(), followup_categories=())
                  for step in own)
    return InterviewPlan(deck, steps, (FREE_QUESTION,), False)


def even_budgets(total_minutes: int, steps: tuple[StepInfo, ...]) -> Budgets:
    """``total_minutes`` shared evenly by the deck's steps and the wrap-up (earlier ones take
    the odd minutes); a step the deck lacks gets none."""
    if not MIN_TOTAL_MINUTES <= total_minutes <= MAX_TOTAL_MINUTES:
        raise ValueError(f"an interview lasts {MIN_TOTAL_MINUTES} to {MAX_TOTAL_MINUTES} "
                         f"minutes, not {total_minutes}")
    if len(steps) != SEGMENTS:
        raise ValueError(f"an interview has {SEGMENTS} segments, not {len(steps)}")
    used = [index for index, step in enumerate(steps) if step.present or index == STEP_COUNT]
    minutes = [0] * SEGMENTS
    share, extra = divmod(total_minutes, len(used))
    for rank, index in enumerate(used):
        minutes[index] = share + (1 if rank < extra else 0)
    return Budgets(total_minutes, tuple(minutes))
