"""Hard kills during interviews, deck syncs and outline imports leave nothing half-written.

A worker process (``tests/durability_more_worker.py``) does the work and says on stdout what it
has done; we SIGKILL it at a random point (reproducible from the seed), reopen the files and
check them:

- interview notes: what is stored is exactly what had been typed by the last save, and that
  save is less than one autosave period (5 s, checked at the page's 1-second timer ticks)
  behind the last keystroke;
- deck sync: a big deck change is in the store entirely or not at all, and the old deck's
  cards and review history are intact;
- outline import: the deck file is the old one byte for byte or the new one complete, and the
  store agrees with one of them.
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from durability_more_worker import START, TYPED

from app.clock import to_ms
from app.db.store import DB_NAME, Store
from app.db.study import Scope
from app.decks.cards import generate_cards
from app.decks.library import USER, import_outline, sync_decks
from app.decks.loader import load_text
from app.interview.session import AUTOSAVE_AFTER
from app.interview.steps import SEGMENTS
from app.model import Deck
from app.paths import user_decks_dir
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

REPO = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "durability_more_worker.py"
SEED = 20260309
WATCHDOG_SECONDS = 60.0


@contextmanager
def _worker(args: Sequence[str], log: Path) -> Iterator[subprocess.Popen[str]]:
    """The worker running with its stderr in ``log``; killed if the test leaves it running."""
    with log.open("w") as stderr, subprocess.Popen(
            [sys.executable, str(WORKER), *args], cwd=REPO, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1) as worker:
        # Only a safety net: a worker that hangs is killed so a blocking read ends.
        watchdog = threading.Timer(WATCHDOG_SECONDS, worker.kill)
        watchdog.start()
        try:
            yield worker
        finally:
            watchdog.cancel()
            if worker.poll() is None:
                worker.kill()


def _read_line(worker: subprocess.Popen[str], log: Path) -> str:
    assert worker.stdout is not None
    line = worker.stdout.readline()  # blocks until the worker says something
    if not line:
        pytest.fail(f"worker ended early (exit code {worker.wait()}):\n{log.read_text()}")
    return line


def _kill(worker: subprocess.Popen[str], log: Path) -> list[str]:
    """SIGKILL the worker; every complete line it wrote before dying."""
    worker.send_signal(signal.SIGKILL)
    assert worker.stdout is not None
    rest = [line for line in worker.stdout.readlines() if line.endswith("\n")]
    code = worker.wait()
    assert code in (-signal.SIGKILL, 0), f"worker failed (exit code {code}):\n{log.read_text()}"
    return rest


def _integrity(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


# --- interview notes -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Key:
    ms: int
    step: int
    length: int


def _key(line: str) -> Key:
    kind, ms, step, length = line.split()
    assert kind == "KEY", line
    return Key(int(ms), int(step), int(length))


def _typed_and_killed(data_dir: Path, seed: int, kill_after: int, log: Path) -> list[Key]:
    with _worker(["interview", str(data_dir), str(seed)], log) as worker:
        keys = [_key(_read_line(worker, log)) for _ in range(kill_after)]
        return keys + [_key(line) for line in _kill(worker, log)]


def _check_notes(data_dir: Path, keys: list[Key]) -> int:
    """The stored notes are the typed ones as of the last save; returns the typing lost (ms)."""
    with sqlite3.connect(data_dir / DB_NAME) as conn:
        _integrity(conn)
        [(interview_id, saved_ms, status)] = conn.execute(
            "SELECT id, updated_at, status FROM interviews").fetchall()
        notes = dict(conn.execute("SELECT step, notes FROM interview_steps "
                                  "WHERE interview_id = ?", [interview_id]).fetchall())
    conn.close()
    assert status == "running" and saved_ms >= to_ms(START)
    typed: dict[int, int] = {}
    for key in keys:
        if key.ms <= saved_ms:
            typed[key.step] = key.length
    assert sorted(notes) == list(range(1, SEGMENTS + 1))
    for index in range(SEGMENTS):
        assert notes[index + 1] == TYPED[:typed.get(index, 0)], f"step {index + 1}"
    lost = [key for key in keys if key.ms > saved_ms]
    return lost[-1].ms - saved_ms if lost else 0


def test_interview_notes_survive_sigkill_at_most_one_autosave_behind(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    # The page asks the session at every 1-second tick and a save is due one tick short of
    # AUTOSAVE_AFTER, so even after a save made between ticks (a step change) no typing is
    # more than AUTOSAVE_AFTER (5 s) unsaved.
    bound_ms = AUTOSAVE_AFTER / timedelta(milliseconds=1)
    worst = 0
    for run, kill_after in enumerate(rng.sample(range(20, 600), 5)):
        data_dir = tmp_path / f"interview{run}"
        keys = _typed_and_killed(data_dir, rng.randrange(2**31), kill_after,
                                 tmp_path / f"interview{run}.stderr")
        assert len(keys) >= kill_after
        lost_ms = _check_notes(data_dir, keys)
        assert lost_ms <= bound_ms, f"run {run}: {lost_ms} ms of typing lost"
        worst = max(worst, lost_ms)
    assert worst > 0  # some run was killed with unsaved typing: the check above had work


# --- deck sync -----------------------------------------------------------------------------------

def _big_deck(version: int, groups: int, per_group: int, skip: int | None = None) -> str:
    """A deck of ``groups`` x ``per_group`` topics; titles and notes name the version."""
    lines = [f"deck:\n  id: big\n  title: Big deck v{version}\n  version: {version}\ntopics:\n"]
    for g in range(groups):
        if g == skip:
            continue
        lines.append(f"  - id: g{g}\n    title: Group {g} v{version}\n"
                     f"    notes: What group {g} is about, version {version}.\n    children:\n")
        lines += [f"      - id: g{g}-t{i}\n        title: Topic {g}.{i} v{version}\n"
                  f"        notes: Notes for topic {g}.{i}, version {version}.\n"
                  for i in range(per_group)]
    return "".join(lines)


OLD_DECK = _big_deck(1, 40, 50)  # 2,040 topics
NEW_DECK = _big_deck(2, 50, 50, skip=3)  # 2,499 topics: renamed, 510 added, 51 retired
BASE_TIME = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Version:
    deck: Deck
    cards: frozenset[str]

    @staticmethod
    @cache  # every check compares with the same two versions
    def of(text: str) -> Version:
        deck = load_text(text, "big.yaml")
        return Version(deck, frozenset(c.id for c in generate_cards(deck)))

    @property
    def titles(self) -> dict[str, str]:
        return {str(topic.id): topic.title for topic, _ in self.deck.walk()}


@dataclass(frozen=True)
class History:
    log: list[tuple[object, ...]]
    cards: list[tuple[object, ...]]


def _history(conn: sqlite3.Connection) -> History:
    log = conn.execute("SELECT * FROM review_log ORDER BY id").fetchall()
    cards = conn.execute("SELECT id, queue, step, stability, difficulty, due, last_review, reps, "
                         "lapses FROM cards WHERE reps > 0 ORDER BY id").fetchall()
    return History(log, cards)


def _study(store: Store) -> History:
    """Answer a few cards of the old deck; returns the review history."""
    fsrs = Fsrs(SchedulerSettings(new_per_day=1000, fuzz=False))
    session = ReviewSession(store, fsrs, Scope(), BASE_TIME, UTC)
    now = BASE_TIME
    for grade in (Grade.GOOD, Grade.AGAIN, Grade.EASY, Grade.HARD) * 3:
        session.reveal(now)
        now += timedelta(seconds=9)
        session.answer(grade, now)
    history = _history(store.conn)
    assert len(history.log) == 12
    return history


def _studied_old_deck(folder: Path) -> History:
    """The old deck synced and a few of its cards answered; returns the review history."""
    decks = folder / "decks"
    decks.mkdir(parents=True)
    (decks / "big.yaml").write_text(OLD_DECK, encoding="utf-8")
    store = Store.open(folder / "data")
    try:
        assert sync_decks(store, [(decks, USER)], BASE_TIME).problems == ()
        return _study(store)
    finally:
        store.close()


OLD, NEW = "old", "new"


def _check_deck(data_dir: Path, history: History, old: Version, new: Version) -> str:
    """The deck is entirely the old version or entirely the new one; returns which."""
    with sqlite3.connect(data_dir / DB_NAME) as conn:
        _integrity(conn)
        [(version, title)] = conn.execute("SELECT version, title FROM decks").fetchall()
        topics = conn.execute("SELECT id, title, retired FROM topics").fetchall()
        cards = conn.execute("SELECT id, retired FROM cards").fetchall()
        assert _history(conn) == history  # every answer, and every answered card's state
    conn.close()
    active = {t: title for t, title, retired in topics if not retired}
    assert active in (old.titles, new.titles)
    which = OLD if active == old.titles else NEW
    now = old if which == OLD else new
    assert (version, title) == (now.deck.version, now.deck.title)
    assert {t for t, _, retired in topics if retired} == \
        (set() if which == OLD else set(old.titles) - set(new.titles))
    assert {c for c, retired in cards if not retired} == now.cards
    assert {c for c, retired in cards if retired} == \
        (set() if which == OLD else old.cards - new.cards)
    return which


Kill = float | str | None


def _run_and_kill(args: Sequence[str], kill: Kill, log: Path) -> tuple[bool, float]:
    """Run the worker and SIGKILL it: ``kill`` seconds after it says WRITING, or where it
    holds still after saying the line named ``kill`` (exactly there, however the machine
    schedules us), or never (None). Returns whether it finished and how long it ran after
    WRITING."""
    hold = kill if isinstance(kill, str) else ""
    with _worker([*args, hold] if hold else args, log) as worker:
        assert _read_line(worker, log) == "START\n"
        assert _read_line(worker, log) == "WRITING\n"
        if hold == "SYNCING":
            assert _read_line(worker, log) == "SYNCING\n"
        started = time.perf_counter()
        if not hold:
            with suppress(subprocess.TimeoutExpired):  # a wait on the worker, not a sleep
                worker.wait(timeout=kill)
        ran = time.perf_counter() - started
        done = any(line.startswith("DONE") for line in _kill(worker, log))
    return done, ran


def _kills(holds: list[str], duration: float) -> list[Kill]:
    """At the named points, then anywhere in the writing, most often late in it, where the
    commits are."""
    rng = random.Random(SEED)
    return [*holds] + [rng.uniform(0.3, 1.1) * duration for _ in range(4)]


def _start_up(data_dir: Path, decks: Path) -> None:
    """What the next start does: sync the deck files into the store."""
    store = Store.open(data_dir)
    try:
        assert sync_decks(store, [(decks, USER)], BASE_TIME + timedelta(days=2)).problems == ()
    finally:
        store.close()


def test_a_deck_sync_killed_midway_keeps_the_old_deck_or_the_whole_new_one(
        tmp_path: Path) -> None:
    old, new = Version.of(OLD_DECK), Version.of(NEW_DECK)
    base = tmp_path / "base"
    history = _studied_old_deck(base)
    decks = base / "decks"
    (decks / "big.yaml").write_text(NEW_DECK, encoding="utf-8")

    # Once to the end: it works, and it tells how long the writing takes on this machine.
    whole = tmp_path / "whole"
    shutil.copytree(base / "data", whole)
    done, duration = _run_and_kill(["sync", str(whole), str(decks)], None,
                                   tmp_path / "whole.stderr")
    assert done and _check_deck(whole, history, old, new) == NEW

    outcomes = []
    for run, kill in enumerate(_kills(["WRITING"], duration)):
        data_dir = tmp_path / f"sync{run}"
        shutil.copytree(base / "data", data_dir)
        done, _ = _run_and_kill(["sync", str(data_dir), str(decks)], kill,
                                tmp_path / f"sync{run}.stderr")
        which = _check_deck(data_dir, history, old, new)
        assert which == NEW or not done
        outcomes.append(which)
        _start_up(data_dir, decks)  # the next start finishes the job
        assert _check_deck(data_dir, history, old, new) == NEW
    assert outcomes[0] == OLD  # killed as its transaction began


# --- outline import ------------------------------------------------------------------------------

def _outline(version: int, groups: int) -> str:
    """Headings and list items; odd items name the version, so a re-import retires them."""
    parts = ["# Big outline\n"]
    for g in range(groups):
        parts.append(f"\n## Group {g}\n\nWhat group {g} covers, version {version}.\n\n")
        parts += [f"- Item {g}.{i}\n" if i % 2 == 0 else f"- Item {g}.{i} v{version}\n"
                  for i in range(50)]
    return "".join(parts)


OUTLINE_ID = "big-outline"


def _check_import(data_dir: Path, history: History, old_file: bytes, new_file: bytes
                  ) -> tuple[str, str]:
    """The deck file is the old one or the new one, whole; so is the store. Returns which
    version (file, store)."""
    decks = user_decks_dir(data_dir)
    # Only the deck file is read at start-up; a leftover temporary file, or the old file's
    # second name kept for a rollback (removed by the next import), is not.
    assert [p.name for p in decks.iterdir() if p.suffix in (".yaml", ".yml")] == \
        [f"{OUTLINE_ID}.yaml"]
    assert all(p.suffix in (".tmp", ".previous") for p in decks.iterdir()
               if p.name != f"{OUTLINE_ID}.yaml")
    data = (decks / f"{OUTLINE_ID}.yaml").read_bytes()
    assert data in (old_file, new_file), "a half-written deck file"
    old, new = Version.of(old_file.decode()), Version.of(new_file.decode())
    return (OLD if data == old_file else NEW), _check_deck(data_dir, history, old, new)


def _import_args(data_dir: Path, source: Path) -> list[str]:
    return ["import", str(data_dir), str(source), OUTLINE_ID, "Big outline"]


def test_an_import_killed_midway_leaves_the_old_deck_file_or_the_whole_new_one(
        tmp_path: Path) -> None:
    # The store names the deck file by its path, so every run works in the same folder.
    work, source = tmp_path / "data", tmp_path / "big.md"
    source.write_text(_outline(1, 30), encoding="utf-8")  # 1,531 topics
    store = Store.open(work)
    try:
        import_outline(store, source, work, BASE_TIME, deck_id=OUTLINE_ID, title="Big outline")
        history = _study(store)
    finally:
        store.close()
    deck_file = user_decks_dir(work) / f"{OUTLINE_ID}.yaml"
    old_file = deck_file.read_bytes()
    saved = tmp_path / "saved"
    shutil.copytree(work, saved)
    source.write_text(_outline(2, 40), encoding="utf-8")  # 2,041: 765 retired, 1,275 added

    done, duration = _run_and_kill(_import_args(work, source), None, tmp_path / "whole.stderr")
    new_file = deck_file.read_bytes()
    assert done and new_file != old_file
    assert _check_import(work, history, old_file, new_file) == (NEW, NEW)

    outcomes = []
    for run, kill in enumerate(_kills(["WRITING", "SYNCING"], duration)):
        shutil.rmtree(work)
        shutil.copytree(saved, work)
        done, _ = _run_and_kill(_import_args(work, source), kill,
                                tmp_path / f"import{run}.stderr")
        in_file, in_store = _check_import(work, history, old_file, new_file)
        # The file is replaced before the store is updated: never a new store with an old file.
        assert (in_file, in_store) != (OLD, NEW)
        assert (in_file, in_store) == (NEW, NEW) or not done
        outcomes.append((in_file, in_store))
        _start_up(work, user_decks_dir(work))  # the next start syncs the store to the file
        assert _check_import(work, history, old_file, new_file) == (in_file, in_file)
    # Killed before the file is replaced, and between replacing it and updating the store.
    assert outcomes[:2] == [(OLD, OLD), (NEW, OLD)]
