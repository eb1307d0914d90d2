"""Mock-interview sessions without a database: budgets, the clock, coverage, follow-ups,
autosave, snapshots and the Markdown report, all with fixed UTC times."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.decks.loader import load_text
from app.interview.budgets import Budgets, default_budgets
from app.interview.coverage import coverage
from app.interview.questions import deal_question
from app.interview.report import format_duration, to_markdown, weakest_steps
from app.interview.session import InterviewSession
from app.interview.steps import WRAP_UP, StepInfo, interview_steps, notes_template
from app.interview.views import Level, StepView
from app.model import Question, RubricItem, TopicId

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
MIN = timedelta(minutes=1)

DECK = """\
deck:
  id: mini
  title: Mini flow
  version: 1
topics:
  - id: s1
    title: Problem Formulation
    step: 1
    children:
      - id: s1-goal
        title: Business goal
  - id: s2
    title: Metrics (Offline and Online)
    step: 2
    rubric:
      - text: An offline metric that fits the task
        terms: [precision, recall, auc, ndcg, log-loss]
      - text: An online metric tied to the business goal
        terms: [ctr, click-through rate, watch time, conversion]
      - text: Validate online with an A/B test
        terms: [a/b test, online experiment]
      - text: Guardrail or counter metrics
        terms: [guardrail, counter metric]
      - text: Why offline and online can disagree
        terms: [position bias, selection bias, proxy]
    followups:
      - Positives are 0.1% of the data. Which offline metric do you report?
      - CTR went up and watch time went down. What happened?
      - How long do you run the A/B test?
    children:
      - id: s2-offline
        title: Offline metrics (e.g. classification, relevance metrics)
      - id: s2-online
        title: Online metrics
      - id: s2-trade-offs
        title: Trade-offs b/w metrics
  - id: s3
    title: Architectural Components
    step: 3
  - id: s4
    title: Data Collection and Preparation
    step: 4
  - id: s5
    title: Feature Engineering
    step: 5
  - id: s6
    title: Model Development and Offline Evaluation
    step: 6
    rubric:
      - text: A simple baseline first
        terms: [baseline, logistic regression]
      - text: A train/validation/test split that respects time
        terms: [time-based split, temporal split]
  - id: s7
    title: Prediction Service
    step: 7
  - id: s8
    title: Online Testing and Deployment
    step: 8
    rubric:
      - text: A/B test with a primary metric
        terms: [a/b test]
    children:
      - id: s8-ab
        title: A/B Experiments
      - id: s8-canary
        title: Canary release
  - id: s9
    title: Scaling, Monitoring, and Updates
    step: 9
questions:
  - id: q-video
    title: Video recommendations
    category: recommendation
    prompt: |
      Design the home feed of a video app
      with 100M daily users.
  - id: q-ads
    title: Ad click prediction
    category: ads
    prompt: Predict the probability that a user clicks an ad.
"""
GOOD_METRICS_NOTES = """\
## Offline metrics (e.g. classification, relevance metrics)
- ranker: nDCG@10, log loss; candidate generator: recall@100
- PR-AUC since positives are rare

## Online metrics
- watch time per DAU (primary), CTR secondary
- A/B tests, two weeks
- counter-metrics: hide rate, p99 latency as a guardrail
"""


@pytest.fixture(scope="module")
def steps() -> tuple[StepInfo, ...]:
    return interview_steps(load_text(DECK, source="mini.yaml"))


@pytest.fixture(scope="module")
def question() -> Question:
    return load_text(DECK, source="mini.yaml").questions[0]


def new_session(question: Question, steps: tuple[StepInfo, ...], total: int = 45,
                seed: int = 7) -> InterviewSession:
    return InterviewSession(question, steps, default_budgets(total), T0, rng=random.Random(seed))


# --- budgets -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("total", "minutes"), [
    (45, (6, 3, 3, 5, 5, 10, 4, 3, 4, 2)),
    (60, (7, 4, 4, 6, 6, 13, 5, 4, 7, 4)),
    (30, (4, 2, 2, 3, 3, 7, 3, 2, 3, 1)),
])
def test_preset_budgets(total: int, minutes: tuple[int, ...]) -> None:
    budgets = default_budgets(total)
    assert budgets == Budgets(total, minutes)
    assert sum(budgets.minutes) == total
    assert budgets.budget_s(WRAP_UP - 1) == minutes[-1] * 60


def test_custom_totals_scale_the_45_minute_split_and_add_up_exactly() -> None:
    for total in range(10, 241):
        budgets = default_budgets(total)
        assert sum(budgets.minutes) == budgets.total_minutes == total
        assert len(budgets.minutes) == 10
        assert min(budgets.minutes) >= 1
    assert default_budgets(90).minutes == tuple(2 * m for m in default_budgets(45).minutes)
    assert default_budgets(10).minutes == (1,) * 10
    # Largest remainder: 20 min -> floors sum to 16, the 4 largest fractions get a minute.
    assert default_budgets(20).minutes == (3, 1, 1, 2, 2, 5, 2, 1, 2, 1)


@pytest.mark.parametrize("total", [0, 9, 241, 1000])
def test_totals_outside_10_to_240_minutes_are_refused(total: int) -> None:
    with pytest.raises(ValueError, match="10 to 240 minutes"):
        default_budgets(total)


@pytest.mark.parametrize(("total", "minutes", "message"), [
    (45, (6, 3, 3, 5, 5, 10, 4, 3, 6), "need 10 values"),
    (46, (6, 3, 3, 5, 5, 10, 4, 3, 4, 2), "add up to 45 minutes, not 46"),
    (43, (6, 3, 3, 5, 5, 10, 4, 3, 4, 0), "at least 1 minute"),
])
def test_budgets_are_validated(total: int, minutes: tuple[int, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Budgets(total, minutes)


# --- steps from the deck -------------------------------------------------------------------------

def test_steps_come_from_the_deck_in_order_then_the_wrap_up(steps: tuple[StepInfo, ...]) -> None:
    assert [s.number for s in steps] == list(range(1, 11))
    metrics = steps[1]
    assert (metrics.title, metrics.topic_id) == ("Metrics (Offline and Online)", TopicId("s2"))
    assert metrics.label == "Step 2 Metrics (Offline and Online)"
    assert metrics.short_label == "2. Metrics (Offline and Online)" and metrics.is_step
    assert len(metrics.rubric) == 5 and len(metrics.followups) == 3
    assert metrics.template == ("Offline metrics (e.g. classification, relevance metrics)",
                                "Online metrics", "Trade-offs b/w metrics")
    assert steps[-1] == StepInfo(10, "Wrap-up", None, (), (), ())
    assert steps[-1].label == steps[-1].short_label == "Wrap-up"
    assert [s.is_step for s in steps] == [True] * 9 + [False]
    assert notes_template(steps[7]) == "## A/B Experiments\n- \n\n## Canary release\n- \n\n"


def test_a_deck_without_some_steps_still_gives_ten_segments() -> None:
    deck = load_text("deck: {id: d, title: D, version: 1}\ntopics:\n"
                     "  - {id: only, title: Framing, step: 1}\n")
    steps = interview_steps(deck)
    assert len(steps) == 10
    assert steps[0].title == "Framing" and steps[0].topic_id == TopicId("only")
    assert steps[1].title == "Metrics" and steps[1].topic_id is None


def test_a_session_needs_all_ten_segments(question: Question,
                                          steps: tuple[StepInfo, ...]) -> None:
    with pytest.raises(ValueError, match="10 segments"):
        InterviewSession(question, steps[:9], default_budgets(45), T0)


# --- the clock -----------------------------------------------------------------------------------

def test_soft_and_firm_warnings_exactly_at_100_and_150_percent(
        question: Question, steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.jump(1, T0)  # step 2: 3 minutes in the 45-minute split
    assert session.tick(T0 + 179 * S).steps[1].level == Level.OK
    view = session.tick(T0 + 180 * S)
    assert view.steps[1].level == Level.SOFT
    assert view.message == "Step 2 Metrics (Offline and Online) is over its 3 min budget"
    assert view.step_remaining_s == 0
    assert session.tick(T0 + 269 * S).steps[1].level == Level.SOFT
    view = session.tick(T0 + 270 * S)
    assert view.steps[1].level == Level.FIRM
    assert view.message == ("Step 2 Metrics (Offline and Online) is 50% over its 3 min budget: "
                            "move on")
    assert view.step_remaining_s == -90
    # Only the current step warns: step 1 never ran.
    assert view.steps[0].level == Level.OK and view.steps[0].elapsed_s == 0
    session.next_step(T0 + 270 * S)
    assert session.tick(T0 + 271 * S).message == ""


def test_pause_and_resume_count_only_running_time(
        question: Question, steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    assert not session.paused
    session.pause(T0 + 60 * S)
    session.pause(T0 + 70 * S)  # already paused: nothing changes
    view = session.tick(T0 + 160 * S)
    assert view.paused and view.steps[0].elapsed_s == 60
    session.resume(T0 + 160 * S)
    session.resume(T0 + 170 * S)  # already running: the clock does not restart
    view = session.tick(T0 + 190 * S)
    assert not view.paused
    assert view.steps[0].elapsed_s == 90
    assert view.total_elapsed_s == 90
    assert view.step_remaining_s == 6 * 60 - 90
    assert view.total_remaining_s == 45 * 60 - 90


def test_paused_navigation_adds_no_time(question: Question,
                                        steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.pause(T0 + 10 * S)
    session.next_step(T0 + 50 * S)
    view = session.tick(T0 + 90 * S)
    assert (view.current, view.steps[0].elapsed_s, view.steps[1].elapsed_s) == (1, 10, 0)


def test_step_navigation_keeps_each_steps_time(question: Question,
                                               steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.next_step(T0 + 100 * S)
    session.next_step(T0 + 130 * S)
    session.previous_step(T0 + 150 * S)
    session.jump(0, T0 + 160 * S)
    view = session.tick(T0 + 165 * S)
    assert view.current == 0
    assert [s.elapsed_s for s in view.steps[:3]] == [105, 40, 20]
    assert view.total_elapsed_s == 165
    session.previous_step(T0 + 165 * S)  # at the first step: stays
    assert session.current == 0
    session.jump(9, T0 + 165 * S)
    session.next_step(T0 + 170 * S)  # at the wrap-up: stays
    assert session.current == 9
    assert session.tick(T0 + 170 * S).steps[9].elapsed_s == 5
    with pytest.raises(ValueError, match=r"0\.\.9"):
        session.jump(10, T0 + 170 * S)


def test_finishing_stops_the_clock(question: Question, steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.jump(1, T0 + 30 * S)
    session.finish(T0 + 4 * MIN)
    view = session.tick(T0 + 60 * MIN)
    assert view.finished and not view.paused
    assert view.message == ""  # step 2 is over budget, but the interview is over
    assert view.total_elapsed_s == 240
    session.resume(T0 + 61 * MIN)
    assert session.tick(T0 + 62 * MIN).total_elapsed_s == 240


def test_a_clock_set_back_adds_no_negative_time(question: Question,
                                                steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.next_step(T0 + 60 * S)
    session.next_step(T0 + 30 * S)  # the system clock jumped back 30 s
    view = session.tick(T0 + 40 * S)
    assert [s.elapsed_s for s in view.steps[:3]] == [60, 0, 10]


# --- coverage ------------------------------------------------------------------------------------

def test_good_metrics_notes_cover_the_rubric(steps: tuple[StepInfo, ...]) -> None:
    metrics = steps[1]
    covered = coverage(GOOD_METRICS_NOTES, metrics.rubric, metrics.template,
                       title=metrics.title)
    # Everything but "why offline and online disagree", which the notes never mention.
    assert covered == (True, True, True, True, False)


@pytest.mark.parametrize("notes", [
    "",
    "## Offline metrics (e.g. classification, relevance metrics)\n- \n\n## Online metrics\n- \n\n"
    "## Trade-offs b/w metrics\n- \n",
    "# Step 2 Metrics (Offline and Online)\n## Offline metrics\n## Online Metrics\n"
    "* trade-offs b/w metrics\n1. online metrics\n- [ ] Offline metrics\n> metrics\n",
    "Offline metrics online metrics metrics (offline and online)",
])
def test_headings_and_template_words_earn_nothing(steps: tuple[StepInfo, ...],
                                                  notes: str) -> None:
    metrics = steps[1]
    assert not any(coverage(notes, metrics.rubric, metrics.template, title=metrics.title))


def test_the_notes_template_earns_nothing(steps: tuple[StepInfo, ...]) -> None:
    for step in steps:
        assert not any(coverage(notes_template(step), step.rubric, step.template,
                                title=step.title)), step.label


def test_unrelated_notes_score_low(steps: tuple[StepInfo, ...]) -> None:
    metrics = steps[1]
    notes = ("Boil the pasta for nine minutes, then stir in the tomato sauce.\n"
             "Recalled the recipe from memory; the authentication service is down.")
    assert sum(coverage(notes, metrics.rubric, metrics.template, title=metrics.title)) == 0


@pytest.mark.parametrize(("term", "notes", "hit"), [
    ("log-loss", "we minimise log loss", True),
    ("log-loss", "logloss on the holdout", True),
    ("log loss", "Log-Loss", True),
    ("a/b test", "run A/B tests for two weeks", True),
    ("a/b test", "an AB-test", True),
    ("a/b test", "a/b testing", False),  # a different word, not a plural
    ("auc", "compare the AUCs", True),
    ("recall", "precision/recall trade-off", True),
    ("recall", "I recalled it", False),
    ("ctr", "press ctrl-c", False),
    ("query", "two queries per second", True),
    ("queries", "one query per second", True),
    ("embeddings", "one embedding per user", True),
    ("loss", "losses", True),
    ("click-through rate", "Click through rates (CTR)", True),
    ("watch time", "watch\ntime", False),  # a phrase does not run across lines
])
def test_term_matching(term: str, notes: str, hit: bool) -> None:
    assert coverage(notes, (RubricItem("item", (term,)),), ()) == (hit,)


def test_coverage_ignores_a_template_phrase_but_keeps_what_follows_it() -> None:
    rubric = (RubricItem("Online metric", ("online metric", "ctr")),)
    template = ("Online metrics",)
    assert coverage("## Online metrics", rubric, template) == (False,)
    assert coverage("Online metrics: CTR", rubric, template) == (True,)


def test_a_one_word_heading_only_empties_a_line_that_holds_nothing_else() -> None:
    rubric = (RubricItem("Monitoring", ("monitoring", "drift")), RubricItem("Bandits", ("bandit",)))
    template = ("Monitoring", "Bandits", "Canary release")
    headings_only = "## Monitoring\n- Bandits, canary release\n### Scaling\n- monitoring\n"
    assert coverage(headings_only, rubric, template, title="Scaling") == (False, False)
    assert coverage("- monitoring of p99 latency", rubric, template) == (True, False)


def test_overrides_tick_and_untick_by_hand(question: Question,
                                           steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.set_notes(1, "- offline: precision and recall", T0 + 10 * S)
    view = session.tick(T0 + 10 * S).steps[1]
    assert view.auto_covered == view.covered == (True, False, False, False, False)
    session.set_override(1, 0, False)
    session.set_override(1, 4, True)
    view = session.tick(T0 + 11 * S).steps[1]
    assert view.auto_covered == (True, False, False, False, False)
    assert view.covered == (False, False, False, False, True)
    session.set_override(1, 0, None)
    assert session.tick(T0 + 12 * S).steps[1].covered == (True, False, False, False, True)
    # Notes edited later: automatic items follow the notes, manual ones stay.
    session.set_notes(1, "- CTR up, watch time flat", T0 + 13 * S)
    assert session.tick(T0 + 13 * S).steps[1].covered == (False, True, False, False, True)
    with pytest.raises(ValueError, match="no rubric item 5"):
        session.set_override(1, 5, True)


# --- follow-ups, scores, weakest steps -----------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_followups_never_repeat_and_run_out(question: Question, steps: tuple[StepInfo, ...],
                                            seed: int) -> None:
    session = new_session(question, steps, seed=seed)
    asked = [session.followup(1) for _ in range(3)]
    assert sorted(a or "" for a in asked) == sorted(steps[1].followups)
    assert session.followup(1) is None
    assert session.asked(1) == tuple(asked)
    assert session.followup(0) is None  # a step without follow-ups
    assert session.followup(9) is None  # the wrap-up


def test_scores_are_1_to_4_on_steps_1_to_9(question: Question,
                                           steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.set_score(8, 4)
    session.set_overall(3)
    assert session.summary().steps[8].score == 4 and session.summary().overall == 3
    for index, score in [(9, 3), (0, 5), (0, 0), (-1, 2)]:
        with pytest.raises(ValueError):
            session.set_score(index, score)
    with pytest.raises(ValueError):
        session.set_overall(7)
    session.set_score(8, None)
    assert session.summary().steps[8].score is None


def _view(number: int, *, score: int | None = None, covered: tuple[bool, ...] = (),
          elapsed: float = 0, budget: int = 60) -> StepView:
    rubric = tuple(RubricItem(f"item {i}") for i in range(len(covered)))
    return StepView(number=number, title=f"S{number}", budget_s=budget, elapsed_s=elapsed,
                    level=Level.OK, notes="", covered=covered, auto_covered=covered,
                    rubric=rubric, score=score)


def test_weakest_steps_lowest_score_then_coverage_then_time_over() -> None:
    views = [_view(n, score=4) for n in range(1, 10)] + [_view(10)]
    views[4] = _view(5, score=1)
    views[2] = _view(3, covered=(False, False, False, False))  # unscored, nothing covered: as 1
    views[6] = _view(7, score=1, elapsed=200)  # as weak as step 5, but further over budget
    views[1] = _view(2, covered=(True, False, False))  # unscored, a third covered: as 2
    views[0] = _view(1, score=2, elapsed=30)
    assert weakest_steps(views) == (6, 2, 4)
    assert weakest_steps(views, count=5) == (6, 2, 4, 0, 1)
    views[9] = _view(10, score=None, covered=(False,), elapsed=900)  # the wrap-up never counts
    assert 9 not in weakest_steps(views, count=9)


def test_summary_names_the_weakest_steps(question: Question,
                                         steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    for index in range(9):
        session.set_score(index, 3)
    session.set_score(3, 1)
    session.set_score(6, 2)
    session.set_score(1, None)  # unscored, no notes: nothing of its rubric covered
    assert session.summary().weakest == (1, 3, 6)


# --- autosave and snapshots ----------------------------------------------------------------------

def test_autosave_after_5_seconds_of_changes_and_at_once_on_a_step_change(
        question: Question, steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.pause(T0)
    session.mark_saved(T0)
    assert not session.needs_save(T0 + 60 * MIN)  # paused and unchanged: nothing to save
    t1 = T0 + 60 * MIN
    session.mark_saved(t1)
    session.set_notes(0, "Goal: watch time", t1 + S)
    assert not session.needs_save(t1 + 3999 * timedelta(milliseconds=1))
    # One 1-second tick short of 5 s: the page asks once a tick, so nothing typed is ever
    # more than 5 s unsaved.
    assert session.needs_save(t1 + 4 * S)
    session.mark_saved(t1 + 5 * S)
    session.set_notes(0, "Goal: watch time", t1 + 20 * S)  # the same text: no change
    assert not session.needs_save(t1 + 20 * S)
    session.mark_saved(t1 + 21 * S)
    session.set_score(0, 3)
    assert not session.needs_save(t1 + 24999 * timedelta(milliseconds=1))
    assert session.needs_save(t1 + 25 * S)
    session.mark_saved(t1 + 26 * S)
    session.next_step(t1 + 27 * S)
    assert session.needs_save(t1 + 27 * S)  # a step change saves at once
    session.mark_saved(t1 + 27 * S)
    session.resume(t1 + 28 * S)
    # Running: the clock itself is state, saved as often, so a crash loses at most 5 s.
    assert not session.needs_save(t1 + 30 * S)
    assert session.needs_save(t1 + 31 * S)


def test_snapshot_round_trip_restores_paused(question: Question,
                                             steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps, total=30, seed=3)
    session.set_notes(0, "Goal: long-term engagement", T0 + 20 * S)
    session.next_step(T0 + 50 * S)
    session.set_notes(1, GOOD_METRICS_NOTES, T0 + 60 * S)
    session.set_override(1, 4, True)
    first = session.followup(1)
    session.set_score(0, 3)
    session.set_overall(2)
    snapshot = json.loads(json.dumps(session.snapshot(T0 + 80 * S)))

    later = T0 + 3 * timedelta(hours=1)
    restored = InterviewSession.restore(snapshot, question, steps, later,
                                        rng=random.Random(3))
    assert restored.paused and not restored.finished
    view = restored.tick(later + 10 * MIN)  # paused: the time away does not count
    assert (view.current, view.paused) == (1, True)
    assert [s.elapsed_s for s in view.steps[:2]] == [50, 30]
    assert restored.budgets == default_budgets(30)
    assert restored.started_at == T0
    assert view.steps[1].notes == GOOD_METRICS_NOTES
    assert view.steps[1].covered == (True, True, True, True, True)
    assert restored.summary().steps[0].score == 3 and restored.overall == 2
    assert restored.asked(1) == (first,)
    assert first not in {restored.followup(1), restored.followup(1)}
    assert restored.followup(1) is None
    restored.resume(later + 10 * MIN)
    assert restored.tick(later + 11 * MIN).steps[1].elapsed_s == 90
    # The snapshot of the restored session is the same interview.
    again = restored.snapshot(later + 11 * MIN)
    assert again["notes"] == snapshot["notes"] and again["started_at_ms"] == \
        snapshot["started_at_ms"]


def test_a_finished_snapshot_restores_finished(question: Question,
                                               steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.finish(T0 + 5 * MIN)
    restored = InterviewSession.restore(session.snapshot(), question, steps, T0 + 9 * MIN)
    assert restored.finished and not restored.paused
    assert restored.finished_at == T0 + 5 * MIN
    assert restored.tick(T0 + 10 * MIN).total_elapsed_s == 300


def test_restore_drops_ticks_and_follow_ups_the_deck_no_longer_has(
        question: Question, steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.set_override(1, 4, True)
    session.set_override(1, 0, True)
    for _ in range(3):
        session.followup(1)
    shorter = StepInfo(2, "Metrics", TopicId("s2"), steps[1].rubric[:2], steps[1].followups[:1],
                       steps[1].template)
    edited = (steps[0], shorter, *steps[2:])
    restored = InterviewSession.restore(session.snapshot(), question, edited, T0 + MIN)
    assert restored.tick(T0 + MIN).steps[1].covered == (True, False)
    assert restored.asked(1) == (steps[1].followups[0],)
    assert restored.snapshot()["overrides"][1] == {"0": True}  # item 4 is gone for good


@pytest.mark.parametrize(("change", "message"), [
    ({"version": 99}, "version 99"),
    ({"notes": ["only one"]}, "list of 10"),
    ({"minutes": [1] * 10}, "add up to"),
    ({"current": 12}, "0..9"),
    ({"scores": [9] + [None] * 9}, "1..4"),
    ({"elapsed_ms": "soon"}, "list of 10"),
])
def test_restore_refuses_a_broken_snapshot(question: Question, steps: tuple[StepInfo, ...],
                                           change: dict[str, object], message: str) -> None:
    snapshot = {**new_session(question, steps).snapshot(), **change}
    with pytest.raises(ValueError, match=message):
        InterviewSession.restore(snapshot, question, steps, T0)


def test_restore_refuses_a_snapshot_with_missing_parts(question: Question,
                                                       steps: tuple[StepInfo, ...]) -> None:
    snapshot = new_session(question, steps).snapshot()
    del snapshot["notes"]
    with pytest.raises(ValueError, match="not a saved interview"):
        InterviewSession.restore(snapshot, question, steps, T0)


# --- dealing questions ---------------------------------------------------------------------------

def test_deal_question_favours_the_least_practised_categories() -> None:
    questions = [Question("r1", "R1", "recsys"), Question("r2", "R2", "recsys"),
                 Question("a1", "A1", "ads"), Question("s1", "S1", "search")]
    rng = random.Random(11)
    dealt = Counter(deal_question(questions, {"recsys": 3, "ads": 1}, rng).id
                    for _ in range(7000))
    # Category weights 1/4, 1/2 and 1: recsys 1/7, ads 2/7, search 4/7 of the draws.
    assert dealt["s1"] == pytest.approx(4000, rel=0.05)
    assert dealt["a1"] == pytest.approx(2000, rel=0.07)
    assert dealt["r1"] + dealt["r2"] == pytest.approx(1000, rel=0.1)
    assert dealt["r1"] == pytest.approx(dealt["r2"], rel=0.2)  # uniform within a category
    with pytest.raises(ValueError, match="no interview questions"):
        deal_question([], {}, rng)
    # A count below zero (a damaged store) counts as none practised.
    assert deal_question(questions, {"search": -1, "ads": -5}, rng).id in {"r1", "r2", "a1", "s1"}


def test_deal_question_draws_only_from_the_given_rng() -> None:
    questions = [Question(f"q{i}", f"Q{i}", f"c{i % 3}") for i in range(9)]
    first, second = random.Random(5), random.Random(5)
    dealt = [deal_question(questions, {}, first).id for _ in range(20)]
    random.seed(99)  # the global generator plays no part
    assert dealt == [deal_question(questions, {}, second).id for _ in range(20)]
    assert len(set(dealt)) > 3


# --- the Markdown report -------------------------------------------------------------------------

def test_markdown_export_holds_question_notes_timings_coverage_and_scores(
        question: Question, steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.set_notes(0, "## Goal\nLong-term engagement, 100M DAU", T0 + 30 * S)
    session.next_step(T0 + 2 * MIN)
    session.set_notes(1, GOOD_METRICS_NOTES, T0 + 3 * MIN)
    session.jump(9, T0 + 2 * MIN + 270 * S)
    session.finish(T0 + 10 * MIN)
    session.set_score(0, 4)
    session.set_score(1, 2)
    session.set_overall(3)
    text = to_markdown(session.summary())

    assert text.startswith("# Mock interview: Video recommendations\n")
    assert "Category: recommendation · 2026-03-02 09:00 · 10:00 of 45:00" in text
    assert "> Design the home feed of a video app\n> with 100M daily users." in text
    assert "## Step 1 Problem Formulation" in text
    assert "#### Goal\nLong-term engagement, 100M DAU" in text  # notes' headings demoted
    assert "- Time: 2:00 of 6:00\n- Score: 4/4" in text
    assert "- Time: 4:30 of 3:00 (50% over budget)\n- Score: 2/4" in text
    assert "- Coverage: 4/5 items" in text
    assert "  - [x] An offline metric that fits the task" in text
    assert "  - [ ] Why offline and online can disagree" in text
    assert "watch time per DAU (primary), CTR secondary" in text
    assert "## Step 3 Architectural Components\n\n- Time: 0:00 of 3:00\n- Score: not scored" in text
    assert "## Wrap-up\n\n- Time: 3:30 of 2:00 (50% over budget)\n\n*No notes.*" in text
    assert "- Overall score: 3/4" in text
    # Steps 6 and 8 have rubrics and no notes (as weak as a 1); step 8 is less under budget.
    assert "- Weakest steps: Step 8 Online Testing and Deployment, " \
           "Step 6 Model Development and Offline Evaluation, " \
           "Step 2 Metrics (Offline and Online)" in text


def test_markdown_keeps_headings_in_code_and_shows_the_local_time(
        question: Question, steps: tuple[StepInfo, ...]) -> None:
    session = new_session(question, steps)
    session.set_notes(0, "# Goal\n```python\n# not a heading\n```\n## After", T0 + S)
    session.finish(T0 + 2 * S)
    text = to_markdown(session.summary(), zone=timezone(timedelta(hours=-5)))
    assert "### Goal\n```python\n# not a heading\n```\n#### After" in text
    assert "Category: recommendation · 2026-03-02 04:00 · 0:02 of 45:00" in text


def test_format_duration() -> None:
    assert [format_duration(s) for s in (0, 59.9, 60, 754, -90)] == \
        ["0:00", "0:59", "1:00", "12:34", "-1:30"]
