"""A simulated learner for the optimizer's tests and benchmark: a true memory model it answers by,
scheduled with FSRS's default parameters, with seeded randomness."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from fsrs_rs_python import FSRS

from app.clock import to_ms
from app.scheduling.optimizer import DEFAULT_PARAMETERS

START = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
DAY_MS = 86_400_000
_NAMES = {1: "again", 2: "hard", 3: "good", 4: "easy"}
# A learner who forgets faster than the defaults assume (lower initial stabilities and growth).
TRUE = (0.1, 0.6, 1.5, 5.0, *DEFAULT_PARAMETERS[4:8], 1.3, *DEFAULT_PARAMETERS[9:])


def _recall(stability: float, days: int, decay: float) -> float:
    factor = 0.9 ** (-1 / decay) - 1
    return float((1 + factor * days / stability) ** -decay)


def histories(cards: int, days: int, seed: int = 7) -> list[list[tuple[int, int]]]:
    """Each card's answers as (ms since the epoch, rating), introduced over the first half."""
    rng = random.Random(seed)
    truth, scheduler = FSRS(list(TRUE)), FSRS(list(DEFAULT_PARAMETERS))
    out = []
    for card in range(cards):
        day = card * days // (2 * cards)
        elapsed = 0
        true_mem = sched_mem = None
        log: list[tuple[int, int]] = []
        while day < days:
            if true_mem is None:
                rating = rng.choices((1, 2, 3, 4), (0.2, 0.1, 0.6, 0.1))[0]
            elif rng.random() > _recall(true_mem.stability, elapsed, TRUE[20]):
                rating = 1
            else:
                rating = rng.choices((2, 3, 4), (0.15, 0.75, 0.1))[0]
            log.append((to_ms(START) + day * DAY_MS + card * 1000, rating))
            name = _NAMES[rating]
            true_mem = getattr(truth.next_states(true_mem, 0.9, elapsed), name).memory
            step = getattr(scheduler.next_states(sched_mem, 0.9, elapsed), name)
            sched_mem = step.memory
            elapsed = max(1, round(step.interval))
            day += elapsed
        out.append(log)
    return out
