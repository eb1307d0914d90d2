"""Every user setting in one value, loaded safely and saved in one transaction (raw sqlite3)."""

# Raw sqlite3: settings are read at start-up, before the first paint, where sqlite-utils is not
# imported; saving is one executemany in Store.transaction.

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from typing import Any, Literal, cast, get_args

from app.db.store import Store
from app.scheduling.scheduler import (
    MAX_STEPS,
    MAXIMUM_INTERVAL_RANGE,
    NEW_PER_DAY_RANGE,
    RETENTION_RANGE,
    REVIEWS_PER_DAY_RANGE,
    ROLLOVER_HOUR_RANGE,
    STEP_RANGE,
    SchedulerSettings,
)

Theme = Literal["system", "light", "dark"]
THEMES: tuple[Theme, ...] = get_args(Theme)

# Bounds of each number, shared by loading (a hand-edited value is clamped) and the dialog. The
# study settings' bounds belong to their value type (app.scheduling.scheduler); these are the rest.
# The same bounds as app.interview.budgets.MIN/MAX_TOTAL_MINUTES (a test keeps them equal); not
# imported from there so that reading settings at start-up does not load the interview module.
INTERVIEW_MINUTES_RANGE = (10, 240)
FONT_SIZE_RANGE = (8, 24)  # points; 0 means the platform's default size
KEEP_DAILY_RANGE = (1, 365)
KEEP_WEEKLY_RANGE = (0, 104)
EVERY_HOURS_RANGE = (1, 168)


@dataclass(frozen=True)
class InterviewDefaults:
    """How a new mock interview starts: its total length (the last one run is remembered)."""

    minutes: int = 45


@dataclass(frozen=True)
class Appearance:
    """The colour theme and the base font size in points (0: the platform's default)."""

    theme: Theme = "system"
    font_size: int = 0


@dataclass(frozen=True)
class BackupSettings:
    """Automatic copies of the database: how many to keep and how often to make one."""

    keep_daily: int = 10
    keep_weekly: int = 4
    every_hours: int = 4


@dataclass(frozen=True)
class AppSettings:
    """Every setting of the app, grouped as the Settings dialog shows them."""

    study: SchedulerSettings = field(default_factory=SchedulerSettings)
    interview: InterviewDefaults = field(default_factory=InterviewDefaults)
    appearance: Appearance = field(default_factory=Appearance)
    backups: BackupSettings = field(default_factory=BackupSettings)


# --- checking one value ---------------------------------------------------------------------------
# Each checker turns a stored JSON value into the field's value (clamped into its bounds) or
# raises ValueError/TypeError, and then the field keeps its default.

def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    number = float(value)  # OverflowError for an int too large
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _whole(bounds: tuple[int, int]) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        number = _number(value)
        if not number.is_integer():
            raise ValueError(f"not a whole number: {value!r}")
        return int(min(bounds[1], max(bounds[0], number)))
    return check


def _retention(value: Any) -> float:
    return round(min(RETENTION_RANGE[1], max(RETENTION_RANGE[0], _number(value))), 2)


def _stored_steps(value: Any) -> tuple[timedelta, ...]:
    """Steps stored as a list of seconds."""
    if not isinstance(value, list) or len(value) > MAX_STEPS:
        raise TypeError(f"not a list of at most {MAX_STEPS} steps: {value!r}")
    low, high = (int(s.total_seconds()) for s in STEP_RANGE)
    return tuple(timedelta(seconds=min(high, max(low, round(_number(v))))) for v in value)


def _parameters(value: Any) -> tuple[float, ...]:
    """FSRS parameters fitted by optimize-fsrs: 21 numbers (FSRS-6), or none for the defaults."""
    if not isinstance(value, list) or len(value) not in (0, 21):
        raise TypeError(f"not a list of 21 FSRS parameters: {value!r}")
    return tuple(_number(v) for v in value)


def _theme(value: Any) -> Theme:
    if value not in THEMES:
        raise ValueError(f"not a theme: {value!r}")
    return cast(Theme, value)


def _font_size(value: Any) -> int:
    size = _whole((0, FONT_SIZE_RANGE[1]))(value)
    return 0 if size == 0 else max(FONT_SIZE_RANGE[0], size)


def _seconds(steps: tuple[timedelta, ...]) -> list[int]:
    return [int(step.total_seconds()) for step in steps]


def _plain(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class _Key:
    group: str  # the AppSettings field holding the value
    name: str  # the field of that group
    key: str  # the key in the settings table
    check: Callable[[Any], Any]
    to_json: Callable[[Any], Any] = _plain


# The study keys predate this module (they were written by the study settings dialog): kept.
_KEYS = (
    _Key("study", "desired_retention", "study.desired_retention", _retention),
    _Key("study", "new_per_day", "study.new_per_day", _whole(NEW_PER_DAY_RANGE)),
    _Key("study", "reviews_per_day", "study.reviews_per_day", _whole(REVIEWS_PER_DAY_RANGE)),
    _Key("study", "learning_steps", "study.learning_steps", _stored_steps, _seconds),
    _Key("study", "relearning_steps", "study.relearning_steps", _stored_steps, _seconds),
    _Key("study", "maximum_interval_days", "study.maximum_interval_days",
         _whole(MAXIMUM_INTERVAL_RANGE)),
    _Key("study", "rollover_hour", "study.rollover_hour", _whole(ROLLOVER_HOUR_RANGE)),
    _Key("study", "parameters", "study.fsrs_parameters", _parameters, list),
    _Key("interview", "minutes", "interview.default_minutes", _whole(INTERVIEW_MINUTES_RANGE)),
    _Key("appearance", "theme", "appearance.theme", _theme),
    _Key("appearance", "font_size", "appearance.font_size", _font_size),
    _Key("backups", "keep_daily", "backups.keep_daily", _whole(KEEP_DAILY_RANGE)),
    _Key("backups", "keep_weekly", "backups.keep_weekly", _whole(KEEP_WEEKLY_RANGE)),
    _Key("backups", "every_hours", "backups.every_hours", _whole(EVERY_HOURS_RANGE)),
)
_GROUPS = tuple(f.name for f in fields(AppSettings))


def _stored(store: Store, keys: tuple[_Key, ...]) -> dict[str, str]:
    """The raw JSON text of ``keys`` that are set, by key."""
    names = [k.key for k in keys]
    rows = store.conn.execute(
        f"SELECT key, value FROM settings WHERE key IN ({','.join('?' * len(names))})",
        names).fetchall()
    return {str(key): value for key, value in rows}


def _checked(key: _Key, text: Any) -> Any:
    """The checked value of one stored JSON text; raises ValueError/TypeError if unusable."""
    if not isinstance(text, str):
        raise TypeError("not JSON text")
    return key.check(json.loads(text))  # json's errors are ValueErrors


def _load(store: Store, defaults: AppSettings, groups: tuple[str, ...]) -> AppSettings:
    keys = tuple(k for k in _KEYS if k.group in groups)
    stored = _stored(store, keys)
    changes: dict[str, dict[str, Any]] = {}
    for key in keys:
        if key.key not in stored:
            continue
        try:
            changes.setdefault(key.group, {})[key.name] = _checked(key, stored[key.key])
        except (TypeError, ValueError, OverflowError):
            continue  # corrupted or hand-edited: this field keeps its default
    return replace(defaults, **{group: replace(getattr(defaults, group), **values)
                                for group, values in changes.items()})


def load_settings(store: Store) -> AppSettings:
    """Every setting; a value that is unset or cannot be used gives that field's default."""
    return _load(store, AppSettings(), _GROUPS)


def clamped(settings: AppSettings) -> AppSettings:
    """The same settings with every value brought into its bounds (as loading would)."""
    changes: dict[str, dict[str, Any]] = {}
    defaults = AppSettings()
    for key in _KEYS:
        value = getattr(getattr(settings, key.group), key.name)
        try:
            checked = key.check(key.to_json(value))
        except (TypeError, ValueError, OverflowError):
            checked = getattr(getattr(defaults, key.group), key.name)
        changes.setdefault(key.group, {})[key.name] = checked
    return replace(settings, **{group: replace(getattr(settings, group), **values)
                                for group, values in changes.items()})


def _write(store: Store, settings: AppSettings, groups: tuple[str, ...]) -> None:
    settings = clamped(settings)
    rows = [(k.key, json.dumps(k.to_json(getattr(getattr(settings, k.group), k.name))))
            for k in _KEYS if k.group in groups]
    with store.transaction() as conn:
        conn.executemany("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) "
                         "DO UPDATE SET value = excluded.value", rows)


def save_settings(store: Store, settings: AppSettings) -> None:
    """Store every setting, clamped into its bounds, in one transaction."""
    _write(store, settings, _GROUPS)


def load_study_settings(store: Store) -> SchedulerSettings:
    """The scheduler's settings alone (what a review session needs)."""
    return _load(store, AppSettings(), ("study",)).study


def current_decay(store: Store) -> float:
    """The forgetting curve's decay of the FSRS parameters in use (the fitted ones once
    ``optimize-fsrs`` applied a fit): what "known" (retrievability now at least the desired
    retention) is measured with in the tree and the statistics."""
    return load_study_settings(store).decay


def save_study_settings(store: Store, study: SchedulerSettings) -> None:
    _write(store, AppSettings(study=study), ("study",))


def remember_interview_minutes(store: Store, minutes: int) -> None:
    """The length of the interview just started becomes the default for the next one."""
    _write(store, AppSettings(interview=InterviewDefaults(minutes)), ("interview",))


# --- learning steps as text -----------------------------------------------------------------------

_UNITS = {"m": 60, "h": 3600, "d": 86400}
_STEP = re.compile(r"(\d+)\s*([mhd])")


def parse_steps(text: str) -> tuple[timedelta, ...]:
    """``"1m 10m 1h"`` as steps; ValueError with a message a person can act on."""
    steps = []
    for token in text.replace(",", " ").split():
        match = _STEP.fullmatch(token.lower())
        if match is None:
            raise ValueError(f'"{token}" is not a step: write a number and a unit, m (minutes), '
                             'h (hours) or d (days), e.g. "1m 10m 1h"')
        step = timedelta(seconds=int(match[1]) * _UNITS[match[2]])
        if not STEP_RANGE[0] <= step <= STEP_RANGE[1]:
            raise ValueError(f'"{token}" is out of range: each step lasts from 1m to 7d')
        steps.append(step)
    if len(steps) > MAX_STEPS:
        raise ValueError(f"{len(steps)} steps is too many: use at most {MAX_STEPS}")
    return tuple(steps)


def format_steps(steps: tuple[timedelta, ...]) -> str:
    """Steps as :func:`parse_steps` reads them, each in its largest whole unit."""
    words = []
    for step in steps:
        seconds = round(step.total_seconds())
        unit = next((u for u in ("d", "h") if seconds % _UNITS[u] == 0), "m")
        words.append(f"{max(1, round(seconds / _UNITS[unit]))}{unit}")
    return " ".join(words)
