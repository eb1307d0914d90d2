"""Every setting through a real SQLite file: defaults, round trip, clamping, corrupted values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app.db.interviews as interviews
import app.interview.budgets as interview
from app.db.settings import (
    INTERVIEW_MINUTES_RANGE,
    Appearance,
    AppSettings,
    BackupSettings,
    InterviewDefaults,
    clamped,
    format_steps,
    load_settings,
    load_study_settings,
    parse_steps,
    remember_interview_minutes,
    save_settings,
    save_study_settings,
)
from app.db.store import Store
from app.scheduling.scheduler import Fsrs, SchedulerSettings

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

# A value other than the default in every field.
CHANGED = AppSettings(
    study=SchedulerSettings(desired_retention=0.85, new_per_day=7, reviews_per_day=150,
                            learning_steps=(5 * MINUTE, HOUR, DAY), relearning_steps=(),
                            maximum_interval_days=365, rollover_hour=2,
                            parameters=tuple(0.5 + i / 10 for i in range(21))),
    interview=InterviewDefaults(minutes=47),
    appearance=Appearance(theme="dark", font_size=14),
    backups=BackupSettings(keep_daily=3, keep_weekly=0, every_hours=12),
)

KEYS = ("study.desired_retention", "study.new_per_day", "study.reviews_per_day",
        "study.learning_steps", "study.relearning_steps", "study.maximum_interval_days",
        "study.rollover_hour", "interview.default_minutes", "appearance.theme",
        "appearance.font_size", "backups.keep_daily", "backups.keep_weekly",
        "backups.every_hours", "study.fsrs_parameters")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path)
    yield opened
    opened.close()


def reopened(store: Store) -> AppSettings:
    """What a fresh start reads from the same file."""
    assert store.path is not None
    again = Store.open(store.path.parent)
    try:
        return load_settings(again)
    finally:
        again.close()


def stored(store: Store) -> dict[str, Any]:
    return {key: json.loads(value) for key, value
            in store.conn.execute("SELECT key, value FROM settings")}


# --- defaults and round trip ---------------------------------------------------------------------

def test_a_fresh_store_has_the_defaults(store: Store) -> None:
    loaded = load_settings(store)
    assert loaded == AppSettings()
    assert loaded.study == SchedulerSettings()
    assert loaded.interview.minutes == 45
    assert loaded.appearance == Appearance(theme="system", font_size=0)
    assert loaded.backups == BackupSettings(keep_daily=10, keep_weekly=4, every_hours=4)
    assert stored(store) == {}  # reading writes nothing


def test_every_field_survives_a_restart(store: Store) -> None:
    assert all(getattr(getattr(CHANGED, group), name) != getattr(getattr(AppSettings(), group),
                                                                  name)
               for group, name in (("study", "desired_retention"), ("study", "new_per_day"),
                                   ("study", "reviews_per_day"), ("study", "learning_steps"),
                                   ("study", "relearning_steps"),
                                   ("study", "maximum_interval_days"),
                                   ("study", "rollover_hour"), ("study", "parameters"),
                                   ("interview", "minutes"),
                                   ("appearance", "theme"), ("appearance", "font_size"),
                                   ("backups", "keep_daily"), ("backups", "keep_weekly"),
                                   ("backups", "every_hours")))
    save_settings(store, CHANGED)
    assert reopened(store) == CHANGED
    assert set(stored(store)) == set(KEYS)
    assert stored(store)["study.learning_steps"] == [300, 3600, 86400]
    assert stored(store)["appearance.theme"] == "dark"


def test_saving_again_replaces_the_values(store: Store) -> None:
    save_settings(store, CHANGED)
    save_settings(store, AppSettings())
    assert reopened(store) == AppSettings()
    assert len(stored(store)) == len(KEYS)


def test_the_study_keys_written_before_this_module_are_kept(store: Store) -> None:
    # What the old study settings dialog wrote: three keys, nothing else.
    store.set_setting("study.desired_retention", 0.8)
    store.set_setting("study.new_per_day", 12)
    store.set_setting("study.reviews_per_day", 90)
    study = load_settings(store).study
    assert (study.desired_retention, study.new_per_day, study.reviews_per_day) == (0.8, 12, 90)
    assert study.learning_steps == SchedulerSettings().learning_steps


def test_the_study_group_reads_what_the_settings_dialog_saves(store: Store) -> None:
    save_settings(store, CHANGED)
    assert load_study_settings(store) == CHANGED.study
    save_study_settings(store, replace(CHANGED.study, new_per_day=3))
    after = load_settings(store)
    assert after.study.new_per_day == 3
    assert after.appearance == CHANGED.appearance  # saving the study group leaves the rest


def test_study_settings_default_and_round_trip(store: Store) -> None:
    assert load_study_settings(store) == SchedulerSettings()
    save_study_settings(store, SchedulerSettings(desired_retention=0.85, new_per_day=5,
                                                    reviews_per_day=50))
    reopened = Store.open(store.path.parent) if store.path else store
    try:
        loaded = load_study_settings(reopened)
    finally:
        reopened.close()
    assert (loaded.desired_retention, loaded.new_per_day, loaded.reviews_per_day) == (0.85, 5,
                                                                                      50)
    assert loaded.fuzz and loaded.rollover_hour == 4


def test_study_settings_are_clamped_on_save_and_load(store: Store) -> None:
    save_study_settings(store, SchedulerSettings(desired_retention=0.3, new_per_day=-4,
                                                    reviews_per_day=-1))
    assert store.setting("study.desired_retention") == 0.7
    assert store.setting("study.new_per_day") == 0
    loaded = load_study_settings(store)
    assert (loaded.desired_retention, loaded.new_per_day, loaded.reviews_per_day) == (0.7, 0, 0)
    # Values written some other way are clamped on the way in too.
    store.set_setting("study.desired_retention", 1.2)
    store.set_setting("study.new_per_day", 12.0)
    loaded = load_study_settings(store)
    assert (loaded.desired_retention, loaded.new_per_day) == (0.99, 12)


def test_unreadable_study_settings_fall_back_to_the_defaults(store: Store) -> None:
    store.set_setting("study.new_per_day", "lots")
    assert load_study_settings(store) == SchedulerSettings()
    store.set_setting("study.new_per_day", None)
    assert load_study_settings(store) == SchedulerSettings()


def test_the_last_interview_length_becomes_the_default(store: Store) -> None:
    save_settings(store, CHANGED)
    remember_interview_minutes(store, 60)
    assert reopened(store) == replace(CHANGED, interview=InterviewDefaults(60))
    remember_interview_minutes(store, 500)
    assert load_settings(store).interview.minutes == INTERVIEW_MINUTES_RANGE[1]


def test_interview_bounds_match_the_interview_module() -> None:
    assert INTERVIEW_MINUTES_RANGE == (interview.MIN_TOTAL_MINUTES, interview.MAX_TOTAL_MINUTES)


# --- clamping and corrupted values ---------------------------------------------------------------

@pytest.mark.parametrize(("key", "value", "field", "expected"), [
    ("study.desired_retention", 1.2, "study.desired_retention", 0.99),
    ("study.desired_retention", 0.1, "study.desired_retention", 0.7),
    ("study.desired_retention", 0.876, "study.desired_retention", 0.88),
    ("study.new_per_day", -4, "study.new_per_day", 0),
    ("study.new_per_day", 12.0, "study.new_per_day", 12),
    ("study.reviews_per_day", 10**6, "study.reviews_per_day", 99999),
    ("study.learning_steps", [1, 10**9], "study.learning_steps", (MINUTE, 7 * DAY)),
    ("study.relearning_steps", [], "study.relearning_steps", ()),
    ("study.maximum_interval_days", 0, "study.maximum_interval_days", 1),
    ("study.rollover_hour", 30, "study.rollover_hour", 23),
    ("interview.default_minutes", 5, "interview.minutes", 10),
    ("appearance.font_size", 3, "appearance.font_size", 8),
    ("appearance.font_size", 99, "appearance.font_size", 24),
    ("appearance.font_size", -5, "appearance.font_size", 0),
    ("backups.keep_daily", 0, "backups.keep_daily", 1),
    ("backups.keep_weekly", -1, "backups.keep_weekly", 0),
    ("backups.every_hours", 1000, "backups.every_hours", 168),
])
def test_out_of_range_values_are_clamped(store: Store, key: str, value: Any, field: str,
                                         expected: Any) -> None:
    store.set_setting(key, value)
    group, name = field.split(".")
    assert getattr(getattr(load_settings(store), group), name) == expected


@pytest.mark.parametrize(("name", "value"), [
    ("desired_retention", 1.2), ("desired_retention", 0.1), ("new_per_day", -4),
    ("new_per_day", 10**6), ("reviews_per_day", 10**6), ("reviews_per_day", -1),
    ("rollover_hour", 30), ("rollover_hour", -2), ("maximum_interval_days", 0),
    ("maximum_interval_days", 10**6),
])
def test_the_scheduler_and_the_store_clamp_study_values_alike(store: Store, name: str,
                                                              value: Any) -> None:
    """One set of bounds: what the session's scheduler accepts is what loading keeps."""
    store.set_setting(f"study.{name}", value)
    loaded = getattr(load_settings(store).study, name)
    validated = getattr(SchedulerSettings(**{name: value}).validated(), name)
    assert loaded == validated != value
    assert getattr(Fsrs(SchedulerSettings(**{name: value})).settings, name) == loaded


@pytest.mark.parametrize("junk", ["lots", None, True, [1, 2], {"a": 1}, float("nan"),
                                  float("inf"), "dark mode", "12"])
def test_an_unusable_value_gives_that_fields_default(store: Store, junk: Any) -> None:
    save_settings(store, CHANGED)
    for key in KEYS:
        store.set_setting(key, junk)
    loaded = load_settings(store)
    # A list of whole seconds is a valid (short) list of steps; everything else falls back.
    if junk == [1, 2]:
        assert loaded.study.learning_steps == loaded.study.relearning_steps == (MINUTE, MINUTE)
        defaults = SchedulerSettings()
        loaded = replace(loaded, study=replace(loaded.study,
                                               learning_steps=defaults.learning_steps,
                                               relearning_steps=defaults.relearning_steps))
    assert loaded == AppSettings()


def test_each_field_falls_back_on_its_own(store: Store) -> None:
    save_settings(store, CHANGED)
    store.set_setting("appearance.theme", "purple")
    store.set_setting("study.new_per_day", "many")
    loaded = load_settings(store)
    assert loaded.appearance == Appearance(theme="system", font_size=14)
    assert loaded.study == replace(CHANGED.study, new_per_day=20)
    assert loaded.backups == CHANGED.backups


def test_text_that_is_not_json_does_not_stop_the_start(store: Store) -> None:
    save_settings(store, CHANGED)
    with store.transaction() as conn:  # as a hand edit in an SQLite browser would leave it
        conn.execute("UPDATE settings SET value = '{not json' WHERE key = 'backups.keep_daily'")
        conn.execute("UPDATE settings SET value = '' WHERE key = 'appearance.font_size'")
    loaded = reopened(store)
    assert loaded.backups.keep_daily == 10 and loaded.appearance.font_size == 0
    assert loaded.backups.every_hours == 12 and loaded.appearance.theme == "dark"


def test_a_fraction_where_a_whole_number_belongs_gives_the_default(store: Store) -> None:
    store.set_setting("study.new_per_day", 1.5)
    store.set_setting("appearance.font_size", 12.5)
    loaded = load_settings(store)
    assert (loaded.study.new_per_day, loaded.appearance.font_size) == (20, 0)


def test_too_many_steps_fall_back_to_the_default(store: Store) -> None:
    store.set_setting("study.learning_steps", [60] * 11)
    assert load_settings(store).study.learning_steps == SchedulerSettings().learning_steps


def test_saving_clamps_too(store: Store) -> None:
    wild = AppSettings(
        study=SchedulerSettings(desired_retention=0.3, new_per_day=-4, reviews_per_day=10**9,
                                learning_steps=(timedelta(seconds=5),), rollover_hour=-1,
                                maximum_interval_days=10**6),
        interview=InterviewDefaults(minutes=1000),
        appearance=Appearance(theme="neon", font_size=2),  # type: ignore[arg-type]
        backups=BackupSettings(keep_daily=0, keep_weekly=1000, every_hours=0))
    save_settings(store, wild)
    expected = AppSettings(
        study=SchedulerSettings(desired_retention=0.7, new_per_day=0, reviews_per_day=99999,
                                learning_steps=(MINUTE,), rollover_hour=0,
                                maximum_interval_days=36500),
        interview=InterviewDefaults(minutes=240),
        appearance=Appearance(theme="system", font_size=8),
        backups=BackupSettings(keep_daily=1, keep_weekly=104, every_hours=1))
    assert clamped(wild) == expected
    assert reopened(store) == expected
    assert stored(store)["study.desired_retention"] == 0.7


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=12) | st.dictionaries(st.text(max_size=3), inner,
                                                                 max_size=3),
    max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), json_values))
def test_any_stored_value_loads_within_bounds(values: dict[str, Any]) -> None:
    store = Store.in_memory()
    for key, value in values.items():
        store.set_setting(key, value)
    loaded = load_settings(store)
    assert clamped(loaded) == loaded  # every field within its bounds
    save_settings(store, loaded)
    assert load_settings(store) == loaded


# --- remembered interview splits -----------------------------------------------------------------

def test_remembered_splits_are_listed_and_forgotten(store: Store) -> None:
    assert interviews.remembered_budget_totals(store) == []
    interviews.save_budgets(store, interview.Budgets(47, (6, 3, 3, 5, 5, 12, 4, 3, 4, 2)))
    interviews.save_budgets(store, interview.Budgets(30, (5, 2, 2, 3, 3, 6, 3, 2, 3, 1)))
    save_settings(store, CHANGED)
    assert interviews.remembered_budget_totals(store) == [30, 47]
    interviews.forget_budgets(store)
    assert interviews.remembered_budget_totals(store) == []
    assert interviews.load_budgets(store, 30) == interview.default_budgets(30)
    assert load_settings(store) == CHANGED  # the other settings stay


# --- learning steps as text ----------------------------------------------------------------------

def test_steps_read_and_write_as_text() -> None:
    assert parse_steps("1m 10m") == (MINUTE, 10 * MINUTE)
    assert parse_steps(" 5M, 1h  2d ") == (5 * MINUTE, HOUR, 2 * DAY)
    assert parse_steps("") == ()
    assert format_steps((MINUTE, 90 * MINUTE, 2 * HOUR, DAY)) == "1m 90m 2h 1d"
    assert format_steps(()) == ""
    steps = (MINUTE, 10 * MINUTE, 3 * HOUR, 7 * DAY)
    assert parse_steps(format_steps(steps)) == steps


@pytest.mark.parametrize(("text", "message"), [
    ("1m 10", '"10" is not a step: write a number and a unit, m (minutes), h (hours) or d'),
    ("10s", '"10s" is not a step'),
    ("0m", '"0m" is out of range: each step lasts from 1m to 7d'),
    ("8d", '"8d" is out of range'),
    ("1m " * 11, "11 steps is too many: use at most 10"),
])
def test_unreadable_steps_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_steps(text)
