"""Answers survive a hard kill: every answer acknowledged by a study process is on disk after it.

A worker process (``tests/durability_worker.py``) studies the shipped deck and prints one
``ACK`` line after each ``ReviewSession.answer`` returns. We SIGKILL it after a random number
of acknowledgements (different in every run, reproducible from the seed), then reopen the
database and check that every acknowledged answer is there, that card rows and review-log rows
agree (they are written in one transaction), and that SQLite finds the file intact.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.db.store import Store

REPO = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "durability_worker.py"
DECKS = REPO / "decks"
RUNS = 5
SEED = 20260302
#: Only a safety net: a worker that hangs is killed so the blocking read ends. Never reached
#: when things work (each run takes well under a second).
WATCHDOG_SECONDS = 60.0


@dataclass(frozen=True)
class Ack:
    card_id: str
    reps_after: int
    n: int


def _parse(line: str) -> Ack | None:
    """An ACK line, or None for a line the kill cut short."""
    if not line.endswith("\n"):
        return None
    parts = line.split(" ")
    if len(parts) != 4 or parts[0] != "ACK" or not parts[2].isdigit() \
            or not parts[3].strip().isdigit():
        raise AssertionError(f"unexpected worker output: {line!r}")
    _, card_id, reps, n = parts
    return Ack(card_id, int(reps), int(n))


def _run_and_kill(data_dir: Path, seed: int, kill_after: int, log: Path) -> tuple[list[Ack], int]:
    """Start the worker, SIGKILL it once ``kill_after`` answers are acknowledged.

    Returns every ACK it printed (those still in the pipe after the kill included) and how
    many had been read when the kill was sent.
    """
    with log.open("w") as stderr, subprocess.Popen(
            [sys.executable, str(WORKER), str(data_dir), str(DECKS), str(seed)],
            cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
            text=True, bufsize=1) as worker:
        watchdog = threading.Timer(WATCHDOG_SECONDS, worker.kill)
        watchdog.start()
        try:
            assert worker.stdout is not None
            acks: list[Ack] = []
            while len(acks) < kill_after:
                line = worker.stdout.readline()  # blocks until the worker acknowledges
                if not line:
                    pytest.fail(f"worker ended after {len(acks)} answers (exit code "
                                f"{worker.wait()}):\n{log.read_text()}")
                ack = _parse(line)
                assert ack is not None
                acks.append(ack)
            worker.send_signal(signal.SIGKILL)
            read_before_kill = len(acks)
            # Whatever it acknowledged before dying was promised too: drain the pipe.
            acks.extend(a for a in map(_parse, worker.stdout.readlines()) if a is not None)
            code = worker.wait()
        finally:
            watchdog.cancel()
    assert code == -signal.SIGKILL, f"worker was not killed (exit code {code}):\n" \
                                    f"{log.read_text()}"
    return acks, read_before_kill


def _check_store(data_dir: Path, acks: list[Ack]) -> None:
    assert [a.n for a in acks] == list(range(1, len(acks) + 1)), "ACK lines out of order"
    store = Store.open(data_dir)
    try:
        conn = store.conn
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        log = conn.execute("SELECT id, card_id, reps_before FROM review_log ORDER BY id"
                           ).fetchall()
        # The worker never undoes, so the n-th answer is the n-th log row. At most one more
        # answer may have been committed between its ACK being due and the kill.
        assert len(acks) <= len(log) <= len(acks) + 1, (len(acks), len(log))
        for ack, (log_id, card_id, reps_before) in zip(acks, log, strict=False):
            assert (log_id, card_id, reps_before + 1) == (ack.n, ack.card_id, ack.reps_after)
        # Card state and its log rows are one transaction: after a crash they still agree.
        mismatched = conn.execute("""
            SELECT c.id, c.reps, COUNT(r.id) FROM cards c LEFT JOIN review_log r
                ON r.card_id = c.id GROUP BY c.id HAVING c.reps != COUNT(r.id)""").fetchall()
        assert mismatched == []
        last = acks[-1]
        assert conn.execute("SELECT reps >= ? FROM cards WHERE id = ?",
                            [last.reps_after, last.card_id]).fetchone() == (1,)
    finally:
        store.close()


def test_acknowledged_answers_survive_sigkill(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    kill_points = rng.sample(range(1, 120), RUNS)
    for run, kill_after in enumerate(kill_points):
        data_dir = tmp_path / f"run{run}"
        acks, read = _run_and_kill(data_dir, rng.randrange(2**31), kill_after,
                                   tmp_path / f"run{run}.stderr")
        assert read == kill_after
        _check_store(data_dir, acks)
