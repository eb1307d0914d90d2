"""The interview session at fixed UTC times: clock, ticks, follow-ups, scores, autosave, resume."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from interview_deck import GOOD_METRICS_NOTES, MIN, QUESTION, STEPS, T0, S, new_session

from app.interview.budgets import default_budgets
from app.interview.session import InterviewSession
from app.interview.steps import StepInfo
from app.interview.views import Level
from app.model import TopicId


def test_a_session_needs_all_ten_segments() -> None:
    with pytest.raises(ValueError, match="10 segments"):
        InterviewSession(QUESTION, STEPS[:9], default_budgets(45), T0)


def test_soft_and_firm_warnings_exactly_at_100_and_150_percent() -> None:
    session = new_session()
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


def test_pause_and_resume_count_only_running_time() -> None:
    session = new_session()
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


def test_paused_navigation_adds_no_time() -> None:
    session = new_session()
    session.pause(T0 + 10 * S)
    session.next_step(T0 + 50 * S)
    view = session.tick(T0 + 90 * S)
    assert (view.current, view.steps[0].elapsed_s, view.steps[1].elapsed_s) == (1, 10, 0)


def test_step_navigation_keeps_each_steps_time() -> None:
    session = new_session()
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


def test_finishing_stops_the_clock() -> None:
    session = new_session()
    session.jump(1, T0 + 30 * S)
    session.finish(T0 + 4 * MIN)
    view = session.tick(T0 + 60 * MIN)
    assert view.finished and not view.paused
    assert view.message == ""  # step 2 is over budget, but the interview is over
    assert view.total_elapsed_s == 240
    session.resume(T0 + 61 * MIN)
    assert session.tick(T0 + 62 * MIN).total_elapsed_s == 240


def test_a_clock_set_back_adds_no_negative_time() -> None:
    session = new_session()
    session.next_step(T0 + 60 * S)
    session.next_step(T0 + 30 * S)  # the system clock jumped back 30 s
    view = session.tick(T0 + 40 * S)
    assert [s.elapsed_s for s in view.steps[:3]] == [60, 0, 10]


def test_overrides_tick_and_untick_by_hand() -> None:
    session = new_session()
    session.set_notes(1, "- offline we report precision and recall", T0 + 10 * S)
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


@pytest.mark.parametrize("seed", range(5))
def test_followups_never_repeat_and_run_out(seed: int) -> None:
    session = new_session(seed=seed)
    asked = [session.followup(1) for _ in range(3)]
    assert sorted(a or "" for a in asked) == sorted(STEPS[1].followups)
    assert session.followup(1) is None
    assert session.asked(1) == tuple(asked)
    assert session.followup(0) is None  # a step without follow-ups
    assert session.followup(9) is None  # the wrap-up


def test_scores_are_1_to_4_on_steps_1_to_9() -> None:
    session = new_session()
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


def test_summary_names_the_weakest_steps() -> None:
    session = new_session()
    for index in range(9):
        session.set_score(index, 3)
    session.set_score(3, 1)
    session.set_score(6, 2)
    session.set_score(1, None)  # unscored, no notes: nothing of its rubric covered
    assert session.summary().weakest == (1, 3, 6)


def test_autosave_after_5_seconds_of_changes_and_at_once_on_a_step_change() -> None:
    session = new_session()
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


def test_snapshot_round_trip_restores_paused() -> None:
    session = new_session(total=30, seed=3)
    session.set_notes(0, "Goal: long-term engagement", T0 + 20 * S)
    session.next_step(T0 + 50 * S)
    session.set_notes(1, GOOD_METRICS_NOTES, T0 + 60 * S)
    session.set_override(1, 4, True)
    first = session.followup(1)
    session.set_score(0, 3)
    session.set_overall(2)
    snapshot = json.loads(json.dumps(session.snapshot(T0 + 80 * S)))

    later = T0 + 3 * timedelta(hours=1)
    restored = InterviewSession.restore(snapshot, QUESTION, STEPS, later,
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


def test_a_finished_snapshot_restores_finished() -> None:
    session = new_session()
    session.finish(T0 + 5 * MIN)
    restored = InterviewSession.restore(session.snapshot(), QUESTION, STEPS, T0 + 9 * MIN)
    assert restored.finished and not restored.paused
    assert restored.finished_at == T0 + 5 * MIN
    assert restored.tick(T0 + 10 * MIN).total_elapsed_s == 300


def test_restore_drops_ticks_and_follow_ups_the_deck_no_longer_has() -> None:
    session = new_session()
    session.set_override(1, 4, True)
    session.set_override(1, 0, True)
    for _ in range(3):
        session.followup(1)
    shorter = StepInfo(2, "Metrics", TopicId("s2"), STEPS[1].rubric[:2], STEPS[1].followups[:1],
                       STEPS[1].template)
    edited = (STEPS[0], shorter, *STEPS[2:])
    restored = InterviewSession.restore(session.snapshot(), QUESTION, edited, T0 + MIN)
    assert restored.tick(T0 + MIN).steps[1].covered == (True, False)
    assert restored.asked(1) == (STEPS[1].followups[0],)
    overrides = restored.snapshot()["overrides"]
    assert isinstance(overrides, list) and overrides[1] == {"0": True}  # item 4 is gone for good


@pytest.mark.parametrize(("change", "message"), [
    ({"version": 99}, "version 99"),
    ({"notes": ["only one"]}, "list of 10"),
    ({"minutes": [1] * 10}, "add up to"),
    ({"current": 12}, "0..9"),
    ({"scores": [9] + [None] * 9}, "1..4"),
    ({"elapsed_ms": "soon"}, "list of 10"),
])
def test_restore_refuses_a_broken_snapshot(change: dict[str, object], message: str) -> None:
    snapshot = {**new_session().snapshot(), **change}
    with pytest.raises(ValueError, match=message):
        InterviewSession.restore(snapshot, QUESTION, STEPS, T0)


def test_restore_refuses_a_snapshot_with_missing_parts() -> None:
    snapshot = new_session().snapshot()
    del snapshot["notes"]
    with pytest.raises(ValueError, match="not a saved interview"):
        InterviewSession.restore(snapshot, QUESTION, STEPS, T0)
