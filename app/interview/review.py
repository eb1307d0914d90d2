"""The review of a finished interview: notes beside the reference, criteria, follow-ups."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import app.interview.coverage as rubric_engine
from app.interview.report import InterviewSummary
from app.interview.steps import StepInfo
from app.interview.views import StepView
from app.model import Deck, RubricItem, TopicId


@dataclass(frozen=True)
class CriterionReview:
    """One rubric item as reviewed: met or missed, the sentence that earned an automatic tick,
    whether the person ticked or unticked it by hand, and the topics that teach it."""

    text: str
    met: bool
    evidence: str | None
    self_assessed: bool
    topics: tuple[TopicId, ...]
    topic_titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUpReview:
    """A follow-up asked during a step and what was written in the step's notes after it."""

    question: str
    answer: str


@dataclass(frozen=True)
class StepReview:
    """A step of a finished interview, ready to compare with a strong answer."""

    step: StepView
    reference: tuple[str, ...]
    criteria: tuple[CriterionReview, ...]
    followups: tuple[FollowUpReview, ...]

    @property
    def met(self) -> tuple[CriterionReview, ...]:
        return tuple(c for c in self.criteria if c.met)

    @property
    def missed(self) -> tuple[CriterionReview, ...]:
        return tuple(c for c in self.criteria if not c.met)


def written_after(before: str, after: str) -> str:
    """The text of ``after`` that was not in ``before``: what was typed since, wherever in the
    notes it went (appended, or inserted between earlier lines)."""
    if after.startswith(before):
        return after[len(before):].strip()
    old, new = before.splitlines(), after.splitlines()
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new,
                                                        autojunk=False).get_opcodes():
        if tag == "insert":
            added += new[j1:j2]
        elif tag == "replace":  # a line typed on: its new end; a line rewritten: all of it
            for k, line in enumerate(new[j1:j2]):
                was = old[i1 + k] if i1 + k < i2 else ""
                added.append(line[len(was):] if was and line.startswith(was) else line)
    return "\n".join(part.strip() for part in added if part.strip())


def followup_answers(asked: Sequence[tuple[str, str]], final_notes: str
                     ) -> tuple[FollowUpReview, ...]:
    """Each follow-up with what was written after it and before the next one was asked."""
    answers = []
    for position, (question, notes_then) in enumerate(asked):
        upto = asked[position + 1][1] if position + 1 < len(asked) else final_notes
        answers.append(FollowUpReview(question, written_after(notes_then, upto)))
    return tuple(answers)


def criterion_evidence(notes: str, rubric: tuple[RubricItem, ...], template: tuple[str, ...],
                       title: str) -> tuple[tuple[bool, str | None], ...]:
    """Per rubric item: met by the notes, and the sentence that met it (None when the rubric
    engine gives no evidence)."""
    ticks: Callable[..., Sequence[Any]] | None = getattr(rubric_engine, "criterion_ticks", None)
    if ticks is not None:
        return tuple((bool(t.met), getattr(t, "evidence", None))
                     for t in ticks(notes, rubric, template, title=title))
    return tuple((met, None) for met in rubric_engine.coverage(notes, rubric, template,
                                                               title=title))


def _teaching(deck: Deck | None, item: RubricItem, step: StepInfo | None
              ) -> tuple[TopicId, ...]:
    """The topics that teach ``item``; the step's own topic when the engine names none."""
    finder: Callable[[Deck, RubricItem], Sequence[TopicId]] | None = getattr(
        rubric_engine, "teaching_topics", None)
    topics: tuple[TopicId, ...] = ()
    if finder is not None and deck is not None:
        topics = tuple(finder(deck, item))
    if not topics and step is not None and step.topic_id is not None:
        topics = (step.topic_id,)
    return topics


def _reference(summary: InterviewSummary, number: int) -> tuple[str, ...]:
    reference: Mapping[int, Sequence[str]] = getattr(summary.question, "reference", None) or {}
    return tuple(reference.get(number, ()))


def review_steps(summary: InterviewSummary, steps: Sequence[StepInfo],
                 deck: Deck | None = None) -> tuple[StepReview, ...]:
    """The review of every segment of ``summary``; ``steps`` give templates and topics."""
    by_number = {s.number: s for s in steps}
    titles = {t.id: t.title for t, _ in deck.walk()} if deck is not None else {}
    reviews = []
    for index, view in enumerate(summary.steps):
        info = by_number.get(view.number)
        template = info.template if info is not None else ()
        evidence = criterion_evidence(view.notes, view.rubric, template, view.title)
        criteria = []
        for position, item in enumerate(view.rubric):
            topics = _teaching(deck, item, info)
            met = view.covered[position] if position < len(view.covered) else False
            auto = view.auto_covered[position] if position < len(view.auto_covered) else met
            found = evidence[position][1] if position < len(evidence) else None
            criteria.append(CriterionReview(
                text=item.text, met=met, evidence=found if met and met == auto else None,
                self_assessed=met != auto, topics=topics,
                topic_titles=tuple(titles.get(t, str(t)) for t in topics)))
        asked = summary.followups[index] if index < len(summary.followups) else ()
        reviews.append(StepReview(step=view, reference=_reference(summary, view.number),
                                  criteria=tuple(criteria),
                                  followups=followup_answers(asked, view.notes)))
    return tuple(reviews)


def missed_topics(reviews: Sequence[StepReview]) -> tuple[TopicId, ...]:
    """The topics that teach the missed criteria, in step order, each once."""
    seen: dict[TopicId, None] = {}
    for review in reviews:
        for criterion in review.missed:
            seen.update(dict.fromkeys(criterion.topics))
    return tuple(seen)
