"""CPU per 1,000-order batch, in process: the figure to trust where the HTTP bench is too noisy.

    python bench/ingest_cpu.py [--batches N]

Runs the real view (Django's test client, no network; what is loaded first is frozen, as each web worker
does at start, config/wsgi.py) against PostgreSQL and reads, per batch, the CPU
time of this process and of its PostgreSQL backend (/proc/<pid>/stat, so Linux only, and the server must
be local). CPU time is far steadier than wall time on a shared machine, because waiting for the other
core does not count. Prints one JSON object as its last line: mean milliseconds per batch of new orders
and of re-posted ones (a mean, because the clock ticks only every 10 ms: a median would only round).
Uses its own database (crm_bench_cpu, or BENCH_CPU_DATABASE) and Redis db 1.
"""

import argparse
import json
import os
import statistics
import sys
import time

from ingest import fresh_database, make_orders, setup_django
from pg_cpu import backend_cpu_seconds, backend_pid

DB_NAME = os.environ.get("BENCH_CPU_DATABASE", "crm_bench_cpu")  # a name per checkout when comparing two


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=20)
    args = parser.parse_args()

    fresh_database(DB_NAME)
    setup_django(DB_NAME)
    from config.warmup import warm_up_and_freeze

    warm_up_and_freeze(review_classifier=True)  # as config/wsgi.py does in each web worker
    from django.test import Client

    from crm.models import Store
    from crm.services.api_tokens import api_token_create

    store = Store.objects.create(code="bench-cpu", name="Bench CPU", platform="tmall")
    _token, key = api_token_create(store_codes=[store.code], name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Token {key}", SERVER_NAME="127.0.0.1")

    def post(body: bytes) -> tuple[float, float, float]:
        backend = backend_pid()
        pg_before, py_before, wall_before = backend_cpu_seconds(backend), time.process_time(), time.perf_counter()
        response = client.post("/api/v1/orders", body, content_type="application/json")
        assert response.status_code == 200, response.content[:500]
        assert backend_pid() == backend, "the request changed connections: CPU would be misread"
        return (
            (time.process_time() - py_before) * 1000,
            (backend_cpu_seconds(backend) - pg_before) * 1000,
            (time.perf_counter() - wall_before) * 1000,
        )

    post(json.dumps(make_orders(1000, prefix="warm", seed=2)).encode())
    bodies = [json.dumps(make_orders(1000, prefix=f"b{n}", seed=n + 10)).encode() for n in range(args.batches)]
    new = [post(body) for body in bodies]
    again = [post(body) for body in bodies]

    def means(samples):
        columns = zip(*samples, strict=True)
        return {name: round(statistics.fmean(c), 1) for name, c in zip(("python", "pg", "wall"), columns, strict=True)}

    print(json.dumps({"batch": 1000, "batches": args.batches, "new_ms": means(new), "reposted_ms": means(again)}))


if __name__ == "__main__":
    sys.exit(main())
