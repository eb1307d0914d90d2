"""A mock-interview session: the 9 steps against the clock, rubric coverage and the results."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import IntEnum
from functools import lru_cache
from typing import Any

from app.clock import from_ms, to_ms
from app.model import STEP_COUNT, Deck, Question, RubricItem, TopicId, step_label

WRAP_UP = 10
SEGMENTS = STEP_COUNT + 1  # the 9 steps, then the wrap-up (index 9)
MIN_TOTAL_MINUTES, MAX_TOTAL_MINUTES = 10, 240
SCORES = range(1, 5)  # self-scores: 1 poor .. 4 strong
AUTOSAVE_AFTER = timedelta(seconds=5)  # the promise: notes are at most this far behind
TICK = timedelta(seconds=1)  # how often the page asks; so a save is due one tick early
SOFT_AT, FIRM_AT = 1.0, 1.5  # share of a step's budget that raises each warning
SNAPSHOT_VERSION = 1

_PRESETS: dict[int, tuple[int, ...]] = {
    45: (6, 3, 3, 5, 5, 10, 4, 3, 4, 2),
    60: (7, 4, 4, 6, 6, 13, 5, 4, 7, 4),
    30: (4, 2, 2, 3, 3, 7, 3, 2, 3, 1),
}
# Used when a deck lacks one of the steps, so any deck can still run a full interview.
STANDARD_STEP_TITLES = (
    "Problem Formulation", "Metrics", "Architectural Components",
    "Data Collection and Preparation", "Feature Engineering",
    "Model Development and Offline Evaluation", "Prediction Service",
    "Online Testing and Deployment", "Scaling, Monitoring, and Updates",
)


# --- budgets -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Budgets:
    """Minutes for steps 1..9 then the wrap-up; they add up to ``total_minutes``."""

    total_minutes: int
    minutes: tuple[int, ...]

    def __post_init__(self) -> None:
        values = (self.total_minutes, *self.minutes)
        if any(isinstance(v, bool) or not isinstance(v, int) for v in values):
            raise ValueError("interview budgets are whole minutes")
        if len(self.minutes) != SEGMENTS:
            raise ValueError(f"interview budgets need {SEGMENTS} values (steps 1..9 and the "
                             f"wrap-up), not {len(self.minutes)}")
        if min(self.minutes) < 1:
            raise ValueError("every step of an interview needs at least 1 minute")
        if sum(self.minutes) != self.total_minutes:
            raise ValueError(f"the step budgets add up to {sum(self.minutes)} minutes, not "
                             f"{self.total_minutes}")

    def budget_s(self, index: int) -> int:
        """The budget of step ``index`` (0-based; 9 is the wrap-up) in seconds."""
        return self.minutes[index] * 60


def default_budgets(total_minutes: int) -> Budgets:
    """The preset split for 30, 45 or 60 minutes; other totals scale the 45-minute split."""
    if total_minutes in _PRESETS:
        return Budgets(total_minutes, _PRESETS[total_minutes])
    if not MIN_TOTAL_MINUTES <= total_minutes <= MAX_TOTAL_MINUTES:
        raise ValueError(f"an interview lasts {MIN_TOTAL_MINUTES} to {MAX_TOTAL_MINUTES} "
                         f"minutes, not {total_minutes}")
    base = _PRESETS[45]
    weight = sum(base)
    # Largest remainder: floor every exact share, then hand the minutes left over to the
    # largest fractions (ties to the bigger step, then the earlier one).
    exact = [total_minutes * b / weight for b in base]
    minutes = [max(1, int(share)) for share in exact]
    # A step lifted to the 1-minute floor has had its rounding up already.
    by_fraction = sorted((i for i in range(SEGMENTS) if exact[i] >= 1),
                         key=lambda i: (-(exact[i] - int(exact[i])), -base[i], i))
    for i in by_fraction[:max(0, total_minutes - sum(minutes))]:
        minutes[i] += 1
    # Short totals: the 1-minute floor may overshoot; take it back from the largest steps.
    while sum(minutes) > total_minutes:
        i = max(range(SEGMENTS), key=lambda j: (minutes[j], -j))
        minutes[i] -= 1
    return Budgets(total_minutes, tuple(minutes))


# --- steps ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StepInfo:
    """One segment of an interview: a step of the deck's flow, or the wrap-up (number 10)."""

    number: int
    title: str
    topic_id: TopicId | None
    rubric: tuple[RubricItem, ...]
    followups: tuple[str, ...]
    template: tuple[str, ...]

    @property
    def label(self) -> str:
        """``Step 2 Metrics``; the wrap-up is just ``Wrap-up``."""
        return step_label(self.title, self.number if self.number <= STEP_COUNT else None)


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
                                  tuple(child.title for child in topic.children)))
    steps.append(StepInfo(WRAP_UP, "Wrap-up", None, (), (), ()))
    return tuple(steps)


def notes_template(step: StepInfo) -> str:
    """The Markdown a step's notes can start from: one heading per subtopic."""
    return "".join(f"## {heading}\n- \n\n" for heading in step.template)


# --- rubric coverage -----------------------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")
_MARKERS = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+)?")
_PARENTHESES = re.compile(r"\([^)]*\)")


def _normalise(text: str) -> str:
    """Lower case, every run of punctuation (hyphen, slash, ...) as one space."""
    return _NON_WORD.sub(" ", text.lower()).strip()


@lru_cache(maxsize=4096)
def _phrase(text: str) -> re.Pattern[str] | None:
    """A whole-word pattern for a term or heading in normalised text.

    Words may be joined with or without a space ("log-loss", "log loss", "logloss"; "a/b",
    "a b", "ab"), and the last word may be singular or plural.
    """
    words = _normalise(text).split()
    if not words:
        return None
    *head, last = words
    forms = {last, last + "s", last + "es"}
    if len(last) > 2 and last.endswith("y"):
        forms.add(last[:-1] + "ies")
    if len(last) > 3 and last.endswith("ies"):
        forms.add(last[:-3] + "y")
    if len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        forms.add(last[:-1])
    ending = "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")"
    body = " ?".join([*(re.escape(w) for w in head), ending])
    return re.compile(rf"(?<!\S){body}(?!\S)")


@dataclass(frozen=True)
class _Boilerplate:
    """What of a step's notes template is not the notes' own words."""

    phrases: tuple[re.Pattern[str], ...]  # several words: removed wherever they appear
    words: tuple[re.Pattern[str], ...]  # one word: a line of nothing else is dropped
    headings: frozenset[str]  # whole lines dropped, e.g. "offline metrics"


@lru_cache(maxsize=256)
def _boilerplate(template: tuple[str, ...], title: str) -> _Boilerplate:
    """The template phrases and the step title, sorted by how they are removed.

    A one-word heading ("Monitoring", "Metrics") is too likely a rubric term to delete from
    every sentence, so it only empties a line that holds nothing else; so does the short form
    of a heading without its parenthesis ("Offline metrics" for "Offline metrics (e.g. ...)").
    """
    texts = {_normalise(t) for t in (*template, title)} - {""}
    phrases = sorted((t for t in texts if " " in t), key=len, reverse=True)
    words = sorted(t for t in texts if " " not in t)
    short = {_normalise(_PARENTHESES.sub(" ", t)) for t in (*template, title)}
    return _Boilerplate(
        phrases=tuple(p for p in map(_phrase, phrases) if p is not None),
        words=tuple(p for p in map(_phrase, words) if p is not None),
        headings=frozenset(short - {""}))


def _content(notes: str, template: tuple[str, ...], title: str) -> str:
    """The notes' own words: markers, template phrases and the title removed, one normalised
    line per line that still has words."""
    boilerplate = _boilerplate(template, title)
    kept: list[str] = []
    for line in notes.splitlines():
        text = _normalise(_MARKERS.sub("", line))
        if text in boilerplate.headings:
            continue
        for pattern in boilerplate.phrases:
            text = pattern.sub("\n", text)  # a newline, so no phrase spans the removed words
        for part in text.split("\n"):
            rest = part
            for pattern in boilerplate.words:
                rest = pattern.sub(" ", rest)
            if rest.strip():
                kept.append(part.strip())
    return "\n".join(kept)


def coverage(notes: str, rubric: tuple[RubricItem, ...], template: tuple[str, ...] = (),
             *, title: str = "") -> tuple[bool, ...]:
    """Which rubric items the notes cover: one of an item's terms appears as a whole word or
    phrase. Headings, template phrases and the step ``title`` earn nothing."""
    content = _content(notes, template, title)
    if not content:
        return tuple(False for _ in rubric)
    result = []
    for item in rubric:
        patterns = (_phrase(term) for term in item.terms)
        result.append(any(p is not None and p.search(content) for p in patterns))
    return tuple(result)


# --- what the screen shows -----------------------------------------------------------------------

class Level(IntEnum):
    """How far a step is over its budget."""

    OK = 0
    SOFT = 1  # at or over 100% of the budget
    FIRM = 2  # at or over 150%


def level_for(elapsed_s: float, budget_s: int) -> Level:
    if elapsed_s >= budget_s * FIRM_AT:
        return Level.FIRM
    if elapsed_s >= budget_s * SOFT_AT:
        return Level.SOFT
    return Level.OK


@dataclass(frozen=True)
class StepView:
    """One step as shown: time against budget, notes, coverage (after manual ticks), score."""

    number: int
    title: str
    budget_s: int
    elapsed_s: float
    level: Level
    notes: str
    covered: tuple[bool, ...]
    auto_covered: tuple[bool, ...]
    rubric: tuple[RubricItem, ...]
    score: int | None

    @property
    def label(self) -> str:
        return step_label(self.title, self.number if self.number <= STEP_COUNT else None)

    @property
    def coverage_ratio(self) -> float | None:
        """Covered items over rubric items; None for a step without a rubric."""
        return sum(self.covered) / len(self.rubric) if self.rubric else None

    @property
    def over_s(self) -> float:
        """Seconds over budget (negative while under)."""
        return self.elapsed_s - self.budget_s


@dataclass(frozen=True)
class InterviewView:
    """Everything the interview screen needs, as plain values. ``current`` is 0-based."""

    question: Question
    current: int
    steps: tuple[StepView, ...]
    step_remaining_s: float
    total_remaining_s: float
    total_elapsed_s: float
    paused: bool
    finished: bool
    message: str


@dataclass(frozen=True)
class InterviewSummary:
    """The results of an interview; ``weakest`` holds 0-based step indexes."""

    question: Question
    started_at: datetime
    total_elapsed_s: float
    budgets: Budgets
    steps: tuple[StepView, ...]
    overall: int | None
    weakest: tuple[int, ...]
    finished_at: datetime | None = None


def weakest_steps(steps: Sequence[StepView], count: int = 3) -> tuple[int, ...]:
    """The ``count`` weakest of steps 1..9 (0-based indexes), weakest first.

    A self-score counts as itself; an unscored step counts as 1 + 3 x its coverage ratio, so
    nothing covered ranks with a 1 and everything with a 4 (an unscored step without a rubric
    sits in the middle, 2.5). Ties go to the step further over its budget, then the earlier.
    """
    def strength(view: StepView) -> float:
        if view.score is not None:
            return float(view.score)
        ratio = view.coverage_ratio
        return 2.5 if ratio is None else 1 + 3 * ratio

    indexes = range(min(len(steps), STEP_COUNT))
    return tuple(sorted(indexes, key=lambda i: (strength(steps[i]), -steps[i].over_s, i))[:count])


# --- the session ---------------------------------------------------------------------------------

def _check_index(index: int, last: int = SEGMENTS - 1) -> None:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= last:
        raise ValueError(f"step index must be 0..{last}, not {index!r}")


def _check_score(score: int | None) -> None:
    if score is not None and (isinstance(score, bool) or score not in SCORES):
        raise ValueError(f"a score is 1..4 or None, not {score!r}")


class InterviewSession:
    """A timed mock interview: 9 steps and a wrap-up, one running at a time.

    Time accrues to the current step only while running. Every method that changes state takes
    ``now`` (an aware UTC datetime); nothing here reads the clock, touches files or knows Qt.
    """

    def __init__(self, question: Question, steps: tuple[StepInfo, ...], budgets: Budgets,
                 now: datetime, *, rng: random.Random | None = None,
                 interview_id: int | None = None) -> None:
        if len(steps) != SEGMENTS:
            raise ValueError(f"an interview has {SEGMENTS} segments (9 steps and the wrap-up), "
                             f"not {len(steps)}")
        self.interview_id = interview_id
        self._question = question
        self._steps = tuple(steps)
        self._budgets = budgets
        self._rng = rng if rng is not None else random.Random()
        self._started_at = now
        self._finished_at: datetime | None = None
        self._latest = now  # the latest time seen, for summary() and snapshot()
        self._current = 0
        self._running_since: datetime | None = now
        self._elapsed = [0.0] * SEGMENTS  # settled seconds, without the running stretch
        self._notes = [""] * SEGMENTS
        self._auto = [self._coverage(i, "") for i in range(SEGMENTS)]
        self._overrides: list[dict[int, bool]] = [{} for _ in range(SEGMENTS)]
        self._scores: list[int | None] = [None] * SEGMENTS
        self._overall: int | None = None
        self._asked: list[list[int]] = [[] for _ in range(SEGMENTS)]
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
        self.jump(min(self._current + 1, SEGMENTS - 1), now)

    def previous_step(self, now: datetime) -> None:
        self.jump(max(self._current - 1, 0), now)

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
        """A follow-up question of the step not asked yet in this interview; None when none
        is left."""
        _check_index(index)
        asked = self._asked[index]
        left = [i for i in range(len(self._steps[index].followups)) if i not in asked]
        if not left:
            return None
        choice = self._rng.choice(left)
        asked.append(choice)
        self._dirty = True
        return self._steps[index].followups[choice]

    def asked(self, index: int) -> tuple[str, ...]:
        """The follow-ups of a step asked so far, in order."""
        return tuple(self._steps[index].followups[i] for i in self._asked[index])

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
                        score=self._scores[index])

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
            finished_at=self._finished_at)

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
            {int(k): bool(v) for k, v in o.items() if 0 <= int(k) < len(steps[i].rubric)}
            for i, o in enumerate(_exactly(snap["overrides"]))]
        scores = [None if s is None else _int(s) for s in _exactly(snap["scores"])]
        for s in scores:
            _check_score(s)
        session._scores = [*scores[:STEP_COUNT], None]
        overall = snap.get("overall")
        session._overall = None if overall is None else _int(overall)
        _check_score(session._overall)
        session._asked = [[_int(i) for i in a if 0 <= _int(i) < len(steps[n].followups)]
                          for n, a in enumerate(_exactly(snap["asked"]))]
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


# --- dealing a question --------------------------------------------------------------------------

def deal_question(questions: Sequence[Question], practised: Mapping[str, int],
                  rng: random.Random) -> Question:
    """A random question, favouring the categories practised least: a category is drawn with
    weight 1 / (1 + interviews done in it), then a question of it uniformly."""
    if not questions:
        raise ValueError("the deck has no interview questions")
    by_category: dict[str, list[Question]] = {}
    for question in questions:
        by_category.setdefault(question.category, []).append(question)
    categories = list(by_category)
    weights = [1 / (1 + max(0, practised.get(c, 0))) for c in categories]
    category = rng.choices(categories, weights=weights)[0]
    return rng.choice(by_category[category])


# --- Markdown export -----------------------------------------------------------------------------

def format_duration(seconds: float) -> str:
    """``m:ss`` (``-m:ss`` when negative), rounding down to the second."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds))
    return f"{sign}{whole // 60}:{whole % 60:02d}"


_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,4})(?=\s)")


def _demoted(notes: str) -> str:
    """Notes with their headings two levels down, to sit under the step's heading."""
    lines, fenced = [], False
    for line in notes.strip().splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        lines.append(line if fenced else _HEADING.sub(r"##\1", line))
    return "\n".join(lines)


def to_markdown(summary: InterviewSummary, *, zone: tzinfo = UTC) -> str:
    """The interview as a Markdown report: question, then per step notes, time, coverage and
    score, then the overall score and the weakest steps."""
    q = summary.question
    budget_s = summary.budgets.total_minutes * 60
    started = summary.started_at.astimezone(zone)
    out = [f"# Mock interview: {q.title}", ""]
    facts = [started.strftime("%Y-%m-%d %H:%M"),
             f"{format_duration(summary.total_elapsed_s)} of {format_duration(budget_s)}"]
    if q.category:
        facts.insert(0, f"Category: {q.category}")
    out += [" · ".join(facts), ""]
    if q.prompt.strip():
        out += [f"> {line}".rstrip() for line in q.prompt.strip().splitlines()]
        out.append("")
    status = {Level.OK: "", Level.SOFT: " (over budget)", Level.FIRM: " (50% over budget)"}
    for view in summary.steps:
        out += [f"## {view.label}", ""]
        out.append(f"- Time: {format_duration(view.elapsed_s)} of "
                   f"{format_duration(view.budget_s)}{status[view.level]}")
        if view.number <= STEP_COUNT:
            out.append(f"- Score: {view.score}/4" if view.score is not None
                       else "- Score: not scored")
        if view.rubric:
            out.append(f"- Coverage: {sum(view.covered)}/{len(view.rubric)} items")
            out += [f"  - [{'x' if hit else ' '}] {item.text}"
                    for item, hit in zip(view.rubric, view.covered, strict=True)]
        out.append("")
        out += [_demoted(view.notes), ""] if view.notes.strip() else ["*No notes.*", ""]
    out += ["## Overall", ""]
    out.append(f"- Overall score: {summary.overall}/4" if summary.overall is not None
               else "- Overall score: not scored")
    if summary.weakest:
        names = ", ".join(summary.steps[i].label for i in summary.weakest)
        out.append(f"- Weakest steps: {names}")
    return "\n".join(out).rstrip() + "\n"
