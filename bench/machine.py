"""How fast this machine runs plain Python right now: the same machine has run the same bench at speeds a factor
of 2.7 apart on one day, so a run's figures are read beside this probe's, taken in the same run."""

import time


def python_loop_seconds(steps: int = 10_000_000) -> float:
    """Seconds for a fixed pure-Python loop, best of three (the least disturbed)."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for step in range(steps):
            total += step
        best = min(best, time.perf_counter() - started)
    return round(best, 2)
