"""A mock-interview session: the state machine that runs the ten segments against the clock."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from app.clock import from_ms, to_ms
from app.interview.budgets import Budgets, check_fits
from app.interview.coverage import coverage
from app.interview.questions import question_steps, specific_followups
from app.interview.report import InterviewSummary, weakest_steps
from app.interview.steps import SEGMENTS, StepInfo
from app.interview.views import InterviewView, Level, StepView, level_for
from app.model import STEP_COUNT, Question

SCORES = range(1, 5)  # self-scores: 1 poor .. 4 strong
AUTOSAVE_AFTER = timedelta(seconds=5)  # the promise: notes are at most this far behind
TICK = timedelta(seconds=1)  # how often the page asks; so a save is due one tick early
SNAPSHOT_VERSION = 1


def _check_index(index: int, last: int = SEGMENTS - 1) -> None:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= last:
        raise ValueError(f"step index must be 0..{last}, not {index!r}")


def _check_score(score: int | None) -> None:
    if score is not None and (isinstance(score, bool) or score not in SCORES):
        raise ValueError(f"a score is 1..4 or None, not {score!r}")


class InterviewSession:
    """A timed mock interview: 9 steps and a wrap-up, one running at a time. The steps a deck
    does not have (not ``present``) are passed over: it starts on the first one it has.

    Time accrues to the current step only while running. Every method that changes state takes
    ``now`` (an aware UTC datetime); nothing here reads the clock, touches files or knows Qt.
    """

    def __init__(self, question: Question, steps: tuple[StepInfo, ...], budgets: Budgets,
                 now: datetime, *, rng: random.Random | None = None,
                 interview_id: int | None = None) -> None:
        if len(steps) != SEGMENTS:
            raise ValueError(f"an interview has {SEGMENTS} segments (9 steps and the wrap-up), "
                             f"not {len(steps)}")
        check_fits(budgets, steps)
        self.interview_id = interview_id
        self._question = question
        self._steps = question_steps(steps, question)  # its rubric items and follow-ups added
        self._budgets = budgets
        self._present = tuple(i for i, step in enumerate(self._steps)
                              if step.present or i == SEGMENTS - 1)
        self._rng = rng if rng is not None else random.Random()
        self._started_at = now
        self._finished_at: datetime | None = None
        self._latest = now  # the latest time seen, for summary() and snapshot()
        self._current = self._present[0]
        self._running_since: datetime | None = now
        self._elapsed = [0.0] * SEGMENTS  # settled seconds, without the running stretch
        self._notes = [""] * SEGMENTS
        self._auto = [self._coverage(i, "") for i in range(SEGMENTS)]
        self._overrides: list[dict[int, bool]] = [{} for _ in range(SEGMENTS)]
        self._scores: list[int | None] = [None] * SEGMENTS
        self._overall: int | None = None
        self._asked: list[list[int]] = [[] for _ in range(SEGMENTS)]
        # Each follow-up asked with the step's notes as they stood then, so the review can
        # show what was written after it.
        self._followups: list[list[tuple[str, str]]] = [[] for _ in range(SEGMENTS)]
        self._dirty = False
        self._step_changed = False
        self._saved_at = now

    # --- properties ------------------------------------------------------------------------------

    @property
    def question(self) -> Question:
        return self._question

    @property
    def budgets(self) -> Budgets:
        return self._budgets

    @property
    def steps(self) -> tuple[StepInfo, ...]:
        return self._steps

    @property
    def current(self) -> int:
        return self._current

    @property
    def paused(self) -> bool:
        return not self.finished and self._running_since is None

    @property
    def finished(self) -> bool:
        return self._finished_at is not None

    @property
    def started_at(self) -> datetime:
        return self._started_at

    @property
    def finished_at(self) -> datetime | None:
        return self._finished_at

    def notes(self, index: int) -> str:
        return self._notes[index]

    # --- time ------------------------------------------------------------------------------------

    def _see(self, now: datetime) -> None:
        if now > self._latest:
            self._latest = now

    def _running_s(self, now: datetime) -> float:
        if self._running_since is None:
            return 0.0
        return max(0.0, (now - self._running_since).total_seconds())  # a clock set back adds 0

    def _settle(self, now: datetime) -> None:
        """Book the running stretch to the current step and start a new stretch at ``now``."""
        self._see(now)
        if self._running_since is not None:
            self._elapsed[self._current] += self._running_s(now)
            self._running_since = now

    def elapsed_s(self, index: int, now: datetime) -> float:
        extra = self._running_s(now) if index == self._current else 0.0
        return self._elapsed[index] + extra

    def pause(self, now: datetime) -> None:
        if self._running_since is not None:
            self._settle(now)
            self._running_since = None
            self._dirty = True

    def resume(self, now: datetime) -> None:
        self._see(now)
        if self.paused:
            self._running_since = now
            self._dirty = True

    def finish(self, now: datetime) -> None:
        if self.finished:
            return
        self._settle(now)
        self._running_since = None
        self._finished_at = now
        self._dirty = self._step_changed = True

    def jump(self, index: int, now: datetime) -> None:
        _check_index(index)
        self._settle(now)
        if index != self._current:
            self._current = index
            self._step_changed = True

    def next_step(self, now: datetime) -> None:
        """On to the next step the deck has (the wrap-up stays)."""
        self.jump(next((i for i in self._present if i > self._current), self._current), now)

    def previous_step(self, now: datetime) -> None:
        """Back to the step before that the deck has (the first stays)."""
        self.jump(next((i for i in reversed(self._present) if i < self._current),
                       self._current), now)

    @property
    def first(self) -> bool:
        """Whether the current step is the first one the deck has."""
        return self._current <= self._present[0]

    # --- notes, coverage, follow-ups and scores --------------------------------------------------

    def _coverage(self, index: int, notes: str) -> tuple[bool, ...]:
        step = self._steps[index]
        return coverage(notes, step.rubric, step.template, title=step.title)

    def set_notes(self, index: int, text: str, now: datetime) -> None:
        _check_index(index)
        self._see(now)
        if text != self._notes[index]:
            self._notes[index] = text
            self._auto[index] = self._coverage(index, text)
            self._dirty = True

    def set_override(self, index: int, item: int, value: bool | None) -> None:
        """Tick (True) or untick (False) a rubric item by hand; None goes back to automatic."""
        _check_index(index)
        if not 0 <= item < len(self._steps[index].rubric):
            raise ValueError(f"{self._steps[index].label} has no rubric item {item}")
        if value is None:
            self._overrides[index].pop(item, None)
        else:
            self._overrides[index][item] = bool(value)
        self._dirty = True

    def covered(self, index: int) -> tuple[bool, ...]:
        overrides = self._overrides[index]
        return tuple(overrides.get(i, auto) for i, auto in enumerate(self._auto[index]))

    def followup(self, index: int) -> str | None:
        """A follow-up question of the step not asked yet in this interview: the question's
        own ones first, in order, then the step's generic ones that fit the question, at
        random; None when none is left."""
        _check_index(index)
        asked = self._asked[index]
        left = [i for i in range(len(self._steps[index].followups)) if i not in asked]
        if not left:
            return None
        own = specific_followups(self._steps[index], self._question)
        choice = left[0] if left[0] < own else self._rng.choice(left)
        asked.append(choice)
        self._dirty = True
        question = self._steps[index].followups[choice]
        self._followups[index].append((question, self._notes[index]))
        return question

    def asked(self, index: int) -> tuple[str, ...]:
        """The follow-ups of a step asked so far, in order."""
        return tuple(self._steps[index].followups[i] for i in self._asked[index])

    def followups_asked(self, index: int) -> tuple[tuple[str, str], ...]:
        """The follow-ups of a step asked so far, each with the step's notes when asked."""
        return tuple(self._followups[index])

    def set_score(self, index: int, score: int | None) -> None:
        """A 1..4 self-score for steps 1..9 (indexes 0..8); None clears it."""
        _check_index(index, STEP_COUNT - 1)
        _check_score(score)
        self._scores[index] = score
        self._dirty = True

    def set_overall(self, score: int | None) -> None:
        _check_score(score)
        self._overall = score
        self._dirty = True

    @property
    def overall(self) -> int | None:
        return self._overall

    # --- views -----------------------------------------------------------------------------------

    def _step_view(self, index: int, now: datetime) -> StepView:
        step = self._steps[index]
        budget = self._budgets.budget_s(index)
        elapsed = self.elapsed_s(index, now)
        return StepView(number=step.number, title=step.title, budget_s=budget,
                        elapsed_s=elapsed, level=level_for(elapsed, budget),
                        notes=self._notes[index], covered=self.covered(index),
                        auto_covered=self._auto[index], rubric=step.rubric,
                        score=self._scores[index], present=step.present)

    def view(self, now: datetime) -> InterviewView:
        self._see(now)
        steps = tuple(self._step_view(i, now) for i in range(SEGMENTS))
        current = steps[self._current]
        total = sum(s.elapsed_s for s in steps)
        return InterviewView(
            question=self._question, current=self._current, steps=steps,
            step_remaining_s=current.budget_s - current.elapsed_s,
            total_remaining_s=self._budgets.total_minutes * 60 - total,
            total_elapsed_s=total, paused=self.paused, finished=self.finished,
            message="" if self.finished else _warning(current))

    def tick(self, now: datetime) -> InterviewView:
        """What the screen shows at ``now``; the screen's timer calls this every second."""
        return self.view(now)

    def summary(self) -> InterviewSummary:
        """The results as of the latest time this session was given."""
        view = self.view(self._latest)
        return InterviewSummary(
            question=self._question, started_at=self._started_at,
            total_elapsed_s=view.total_elapsed_s, budgets=self._budgets, steps=view.steps,
            overall=self._overall, weakest=weakest_steps(view.steps),
            finished_at=self._finished_at,
            followups=tuple(tuple(f) for f in self._followups))

    # --- autosave --------------------------------------------------------------------------------

    def needs_save(self, now: datetime) -> bool:
        """Save now? After a step change or finishing at once; after other changes (notes,
        ticks, scores, pausing, or just time passing while running) one tick short of 5 s after
        the last save: the page asks once a tick, so typing is never more than 5 s unsaved."""
        if self._step_changed:
            return True
        if not (self._dirty or self._running_since is not None):
            return False
        return now - self._saved_at >= AUTOSAVE_AFTER - TICK

    def mark_saved(self, now: datetime) -> None:
        self._see(now)
        self._dirty = self._step_changed = False
        self._saved_at = now

    def snapshot(self, now: datetime | None = None) -> dict[str, object]:
        """Everything needed to resume, as JSON-able values; time as of ``now`` (default: the
        latest time the session was given)."""
        moment = self._latest if now is None else now
        q = self._question
        return {
            "version": SNAPSHOT_VERSION,
            "question": {"id": q.id, "title": q.title, "category": q.category,
                         "prompt": q.prompt, "topic": q.topic},
            "started_at_ms": to_ms(self._started_at),
            "finished_at_ms": None if self._finished_at is None else to_ms(self._finished_at),
            "total_minutes": self._budgets.total_minutes,
            "minutes": list(self._budgets.minutes),
            "current": self._current,
            "paused": self.paused,
            "elapsed_ms": [round(self.elapsed_s(i, moment) * 1000) for i in range(SEGMENTS)],
            "notes": list(self._notes),
            "overrides": [{str(k): v for k, v in sorted(o.items())} for o in self._overrides],
            "scores": list(self._scores),
            "overall": self._overall,
            "asked": [list(a) for a in self._asked],
            "followups": [[{"question": q, "notes_then": n} for q, n in f]
                          for f in self._followups],
        }

    @classmethod
    def restore(cls, snapshot: Mapping[str, object], question: Question,
                steps: tuple[StepInfo, ...], now: datetime, *,
                rng: random.Random | None = None) -> InterviewSession:
        """A session from :meth:`snapshot`, paused at ``now``: time while closed does not count.

        Rubric ticks and asked follow-ups that no longer exist in ``steps`` are dropped.
        Raises ValueError for a snapshot this version cannot read.
        """
        try:
            return cls._restore(snapshot, question, steps, now, rng)
        except (KeyError, TypeError, IndexError, AttributeError) as exc:
            raise ValueError(f"not a saved interview ({type(exc).__name__}: {exc})") from None

    @classmethod
    def _restore(cls, snap: Mapping[str, Any], question: Question,
                 steps: tuple[StepInfo, ...], now: datetime,
                 rng: random.Random | None) -> InterviewSession:
        if snap.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"saved interview has version {snap.get('version')!r}; this "
                             f"MLSD Study reads version {SNAPSHOT_VERSION}")
        budgets = Budgets(_int(snap["total_minutes"]), tuple(_int(m) for m in snap["minutes"]))
        session = cls(question, steps, budgets, now, rng=rng)
        session._started_at = from_ms(_int(snap["started_at_ms"]))
        finished = snap.get("finished_at_ms")
        session._finished_at = None if finished is None else from_ms(_int(finished))
        session._running_since = None
        current = _int(snap["current"])
        _check_index(current)
        session._current = current
        session._elapsed = [_int(ms) / 1000 for ms in _exactly(snap["elapsed_ms"])]
        session._notes = [str(n) for n in _exactly(snap["notes"])]
        session._auto = [session._coverage(i, n) for i, n in enumerate(session._notes)]
        session._overrides = [
            {int(k): bool(v) for k, v in o.items()
             if 0 <= int(k) < len(session.steps[i].rubric)}
            for i, o in enumerate(_exactly(snap["overrides"]))]
        scores = [None if s is None else _int(s) for s in _exactly(snap["scores"])]
        for s in scores:
            _check_score(s)
        session._scores = [*scores[:STEP_COUNT], None]
        overall = snap.get("overall")
        session._overall = None if overall is None else _int(overall)
        _check_score(session._overall)
        session._asked = [[_int(i) for i in a if 0 <= _int(i) < len(session.steps[n].followups)]
                          for n, a in enumerate(_exactly(snap["asked"]))]
        followups = snap.get("followups")  # absent from snapshots saved before issue 16
        if followups is not None:
            session._followups = [[(str(f["question"]), str(f["notes_then"])) for f in step]
                                  for step in _exactly(followups)]
        return session


def _warning(view: StepView) -> str:
    minutes = view.budget_s // 60
    if view.level == Level.FIRM:
        return f"{view.label} is 50% over its {minutes} min budget: move on"
    if view.level == Level.SOFT:
        return f"{view.label} is over its {minutes} min budget"
    return ""


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, found {value!r}")
    return value


def _exactly(values: object) -> list[Any]:
    if not isinstance(values, list) or len(values) != SEGMENTS:
        raise TypeError(f"expected a list of {SEGMENTS} values")
    return values
