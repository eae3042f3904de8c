"""CPU per 1,000-review batch, in process: the figure to trust where the served review bench is too noisy.

    python bench/reviews_cpu.py [--batches N] [--freeze] [--profile FILE]

Builds bench/reviews.py's store, orders and rows in its own database (BENCH_DATABASE_URL, default
crm_bench_reviews_cpu on 127.0.0.1), posts two warm-up batches (statistics taken between them, as reviews.py
does), then N batches of 1,000 new reviews to the real view (Django's test client, no network), and reads per
batch the CPU time of this process and of its PostgreSQL backend (/proc, so Linux only and a local server), and
the time Python's cyclic collector took. CPU time is far steadier than wall time on a shared machine, because
waiting for the other core does not count. `--freeze` freezes what is loaded before the batches and sets the
collector's thresholds, as each web worker does at start (config/wsgi.py, config/warmup.py) and as reviews.py's
in-process run does; without it the collector runs as in a plain Python process.
`--profile FILE` writes a cProfile of the batches (CPU time) for pstats.
Prints one JSON object as its last line: mean milliseconds per batch (a mean, because the clock ticks only
every 10 ms: a median would only round).
"""

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

from reviews_bench import load_reviews_bench

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_reviews_cpu")
os.environ["BENCH_DATABASE_URL"] = DATABASE_URL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--freeze", action="store_true", help="start up as web workers do: freeze, thresholds")
    parser.add_argument("--profile", help="write a cProfile of the batches here")
    args = parser.parse_args()

    bench = load_reviews_bench()  # sets DATABASE_URL and the settings module from BENCH_DATABASE_URL
    from served import recreate_database

    recreate_database(DATABASE_URL)
    import django

    django.setup()
    import orjson
    from django.test import Client
    from pg_cpu import backend_cpu_seconds, backend_pid

    from reviews.classification import classify

    classify(text="预热 jieba 的词典", rating=5)
    _store, key = bench._setup()
    client = Client()

    def post(rows: list[dict]) -> None:
        body = orjson.dumps(rows)
        response = client.post(
            "/api/v1/reviews", body, content_type="application/json", headers={"Authorization": f"Token {key}"}
        )
        assert response.status_code == 200, response.content[:300]

    post(bench._rows(bench.BATCH, seed=0))
    bench._analyze()
    post(bench._rows(bench.BATCH, seed=5))
    batches = [bench._rows(bench.BATCH, seed=100 + n) for n in range(args.batches)]
    if args.freeze:
        from config.warmup import warm_up_and_freeze

        gc.collect()
        warm_up_and_freeze(review_classifier=True)  # the freeze and the collector's thresholds of a web worker
    collecting = {"since": 0.0, "total": 0.0}

    def on_gc(phase: str, _info: dict) -> None:
        if phase == "start":
            collecting["since"] = time.process_time()
        else:
            collecting["total"] += time.process_time() - collecting["since"]

    gc.callbacks.append(on_gc)
    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile(time.process_time)
    backend = backend_pid()
    python_ms, pg_ms = [], []
    for rows in batches:
        pg_before, py_before = backend_cpu_seconds(backend), time.process_time()
        if profile:
            profile.enable()
        post(rows)
        if profile:
            profile.disable()
        python_ms.append((time.process_time() - py_before) * 1000)
        pg_ms.append((backend_cpu_seconds(backend) - pg_before) * 1000)
    gc.callbacks.remove(on_gc)
    assert backend_pid() == backend, "the requests changed connections: PostgreSQL's CPU would be misread"
    if profile:
        profile.dump_stats(args.profile)
    print(
        json.dumps(
            {
                "bench": "reviews_cpu",
                "batch": bench.BATCH,
                "batches": args.batches,
                "frozen": args.freeze,
                "python_ms": round(statistics.fmean(python_ms), 1),
                "postgresql_ms": round(statistics.fmean(pg_ms), 1),
                "gc_ms": round(collecting["total"] * 1000 / args.batches, 1),
                "load_average": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
