"""The cause classifier alone: µs per review on bench/reviews.py's mix (85 % good, 5 % mid, 10 % bad).

    python bench/classify.py [--quick]

No database: the same rows bench/reviews.py posts, classified in this process, best of three passes (the
machine is shared; the best pass is the one least disturbed), in wall time and in this process's CPU time. The
learned model is trained before timing, as intake's warm-up does. Last line: one JSON object.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from reviews_bench import load_reviews_bench

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

FULL, QUICK = 20_000, 5_000
PASSES = 3


def _bench_rows(count: int) -> list[dict]:
    """bench/reviews.py's rows."""
    return load_reviews_bench()._rows(count, seed=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} reviews instead of {FULL:,}")
    args = parser.parse_args()
    import django

    django.setup()
    from reviews.classification import classify

    rows = _bench_rows(QUICK if args.quick else FULL)
    classify(text="预热 jieba 的词典", rating=5)
    timings, cpu_timings = [], []
    for _ in range(PASSES):
        started, cpu = time.perf_counter(), time.process_time()
        for row in rows:
            classify(text=row["text"], rating=row["rating"])
        timings.append((time.perf_counter() - started) / len(rows) * 1e6)
        cpu_timings.append((time.process_time() - cpu) / len(rows) * 1e6)
    print(
        json.dumps(
            {
                "bench": "classify",
                "reviews": len(rows),
                "us_per_review": round(min(timings), 1),
                "us_per_review_passes": [round(t, 1) for t in timings],
                "cpu_us_per_review": round(min(cpu_timings), 1),
                "reviews_per_s": round(1e6 / min(timings)),
                "load_average": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
