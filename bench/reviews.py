"""Bulk review intake with classification: reviews/s through the API, against COPY and the per-row path.

    python bench/reviews.py [--quick]

Builds a fresh PostgreSQL database (BENCH_DATABASE_URL, default crm_bench_reviews on 127.0.0.1) with one
store, five agents and 20,000 delivered orders, then posts reviews in batches of 1,000 to POST /api/v1/reviews
(token auth, JSON parsing, row validation, one transaction per batch). Each review is classified (jieba +
phrase dictionaries + the learned model), flagged, triaged and gets a reply draft checked against the store's
recent replies; the inbound event is logged. Cases for mid and bad reviews are opened by the sweeper after
intake (ADR 0008), outside intake's timed path: the sweep is timed on its own at the end, over every pass's
reviews (`case_sweep_reviews_per_s`).

The mix is a busy Tmall store's: 85 % good, 5 % mid, 10 % bad; 70 % name one of our orders; texts are drawn from
the shipped evaluation set with a distinguishing suffix (so no two are alike).

Measured in the same run:
  - served (the headline; goal 5,000 reviews/s): new reviews over HTTP to gunicorn with production settings
    (3 workers, 3 client threads on loopback), as the order connectors post them;
  - in process: other new reviews through Django's test client, one batch after another (no network, no
    overlap of Python and PostgreSQL work), with the CPU time of this process and of its PostgreSQL backend per
    1,000 reviews (Linux /proc, local server); then the same batches re-posted;
  - COPY of the same rows into the review table (the physical limit: no classification, no replies);
  - the naive path: the same service called once per review (batch of one), on a sample;
  - how fast this machine runs plain Python at the end of the run (`python_loop_s`, bench/machine.py).
Last line: one JSON object.
"""

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_reviews")
os.environ["DATABASE_URL"] = BENCH_DATABASE_URL

GOAL = 5_000
BATCH = 1_000
ORDERS = 20_000
FULL, QUICK = 50_000, 10_000
NAIVE_SAMPLE = 500
SERVED_WORKERS, SERVED_CONCURRENCY = 3, 3
PRODUCTS = [("SILK-01", "真丝围巾"), ("JADE-02", "和田玉手镯"), ("TEA-03", "大红袍礼盒"), ("BAG-04", "羊皮手提包")]


def _setup():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from crm.models import Agent, Customer, Order, Store
    from crm.services.api_tokens import api_token_create
    from reviews.models import KeywordMonitor, ReviewPolicy

    call_command("migrate", verbosity=0)
    store = Store.objects.create(code="silk-tmall", name="丝韵旗舰店", platform="tmall")
    for i in range(5):
        agent = Agent.objects.create(user=get_user_model().objects.create(username=f"agent{i}"))
        agent.stores.add(store, through_defaults={"on_shift": True})
    ReviewPolicy.objects.create(store=store, main_skus=["SILK-01"])
    for phrase in ["假货", "色差", "质量差", "物流慢", "态度差", "破损"]:
        KeywordMonitor.objects.create(store=store, phrase=phrase)
    placed = datetime(2026, 11, 1, tzinfo=UTC)
    customers = Customer.objects.bulk_create(
        Customer(store=store, external_id=f"c{i}", name=f"顾客{i}", phone=f"+86138{i:08d}") for i in range(ORDERS)
    )
    Order.objects.bulk_create(
        Order(
            store=store,
            external_id=f"TM-{i}",
            customer=customer,
            total_amount=Decimal(random.Random(i).choice(["128.00", "560.00", "1399.00", "3888.00"])),
            placed_at=placed,
            delivered_at=placed + timedelta(days=3),
            status="delivered",
        )
        for i, customer in enumerate(customers)
    )
    return store, api_token_create(store_codes=[store.code], name="bench")[1]


def _analyze() -> None:
    """Statistics as autovacuum (off on this machine's server) would keep them: taken once every table holds
    rows like a store's, so the planner reads the store's newest replies from the index rather than sorting
    all of them, and finds orders by their unique key. The row counts then follow the tables' size."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _rows(count: int, seed: int) -> list[dict]:
    from reviews.evaluation import load_eval_set

    texts = {"good": [], "mid": [], "bad": []}
    for row in load_eval_set():
        texts["good" if row["rating"] >= 4 else "mid" if row["rating"] == 3 else "bad"].append(row["text"])
    rng = random.Random(seed)
    posted = datetime(2026, 11, 20, tzinfo=UTC)
    rows = []
    for i in range(count):
        roll = rng.random()
        sentiment, rating = (
            ("bad", rng.choice([1, 2]))
            if roll < 0.10
            else ("mid", 3)
            if roll < 0.15
            else ("good", rng.choice([4, 5, 5]))
        )
        sku, product = rng.choice(PRODUCTS)
        row = {
            "external_id": f"TMR-{seed}-{i}",
            "rating": rating,
            "text": f"{rng.choice(texts[sentiment])} #{i}",
            "product": product,
            "sku": sku,
            "likes": rng.choice([0, 0, 0, 1, 2, 5, 30]),
            "posted_at": (posted + timedelta(seconds=i)).isoformat(),
        }
        if rng.random() < 0.7:
            row["order"] = f"TM-{rng.randrange(ORDERS)}"
        if rng.random() < 0.2:
            row["images"] = [f"https://img.example.com/{seed}/{i}/{k}.jpg" for k in range(rng.choice([1, 2, 4]))]
        rows.append(row)
    return rows


def _post_all(client, key: str, rows: list[dict]) -> tuple[float, float, float]:
    """(wall seconds, this process's CPU seconds, its PostgreSQL backend's CPU seconds): on a shared machine the
    CPU figures show what the work costs without the waiting, and their sum what one batch asks of the machine."""
    import orjson
    from pg_cpu import backend_cpu_seconds, backend_pid

    backend = backend_pid()
    started, cpu, pg_cpu = time.perf_counter(), time.process_time(), backend_cpu_seconds(backend)
    for start in range(0, len(rows), BATCH):
        response = client.post(
            "/api/v1/reviews",
            orjson.dumps(rows[start : start + BATCH]),
            content_type="application/json",
            headers={"Authorization": f"Token {key}"},
        )
        if response.status_code != 200:
            raise SystemExit(f"batch at {start} failed: {response.status_code} {response.content[:300]!r}")
    assert backend_pid() == backend, "the requests changed connections: PostgreSQL's CPU would be misread"
    return time.perf_counter() - started, time.process_time() - cpu, backend_cpu_seconds(backend) - pg_cpu


def _served(key: str, rows: list[dict]) -> float:
    """Wall seconds to post `rows` over HTTP to gunicorn, SERVED_CONCURRENCY batches at a time."""
    import orjson
    from served import free_port, post_all, production_env, start_gunicorn

    bodies = [orjson.dumps(rows[start : start + BATCH]) for start in range(0, len(rows), BATCH)]
    port = free_port()
    server = start_gunicorn(port, SERVED_WORKERS, production_env(BENCH_DATABASE_URL))
    try:
        # One warm-up batch per worker: imports, the classifier's model, connections.
        warm_up = [orjson.dumps(_rows(BATCH, seed=4 + n)) for n in range(SERVED_WORKERS)]
        post_all(port, "/api/v1/reviews", key, warm_up, SERVED_WORKERS)
        seconds, answers = post_all(port, "/api/v1/reviews", key, bodies, SERVED_CONCURRENCY)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert sum(len(answer["results"]) for answer in answers) == len(rows)
    return seconds


def _copy_reference(store, rows: list[dict]) -> float:
    """COPY the same rows (as stored reviews, no work) into the review table, then remove them."""
    from django.db import connection, transaction

    from reviews.models import Review

    def esc(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    started = time.perf_counter()
    buffer = io.StringIO()
    now = datetime.now(UTC).isoformat()
    for row in rows:
        sentiment = Review.sentiment_for(row["rating"])
        buffer.write(
            "\t".join(
                [
                    str(store.pk),
                    "C" + row["external_id"],
                    esc(row.get("order", "")),
                    esc(row["product"]),
                    row["sku"],
                    str(row["rating"]),
                    esc(row["text"]),
                    json.dumps(row.get("images", [])),
                    str(row["likes"]),
                    row["posted_at"],
                    # The version's time and its state on the platform, as intake stores them (ADR 0032).
                    row["posted_at"],
                    "visible",
                    sentiment,
                    now,
                    now,
                    *["", "", "[]", "[]", "{}", "f", "[]", "f", "", "[]", "f", "f"],
                ]
            )
            + "\n"
        )
    buffer.seek(0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            "COPY reviews_review (store_id, external_id, order_ref, product, sku, rating, text, images, likes, "
            "posted_at, platform_changed_at, platform_status, sentiment, created_at, updated_at, buyer, appended_text, "
            "causes, predicted_causes, "
            "cause_evidence, causes_corrected, monitor_hits, flagged, triage_group, triage_reasons, "
            "suspected_malicious, revised_after_contact) FROM STDIN",
            buffer,
        )
    elapsed = time.perf_counter() - started
    Review.objects.filter(external_id__startswith="C").delete()
    return elapsed


def _naive(store, rows: list[dict]) -> float:
    """Our own service, one review per call: what a per-row integration would cost."""
    from reviews.services.intake import ReviewIn, reviews_ingest

    started = time.perf_counter()
    for row in rows:
        review = ReviewIn(
            external_id=row["external_id"],
            rating=row["rating"],
            posted_at=datetime.fromisoformat(row["posted_at"]),
            text=row["text"],
            order=row.get("order", ""),
            product=row["product"],
            sku=row["sku"],
            images=row.get("images", []),
            likes=row["likes"],
            payload=row,
        )
        reviews_ingest(store=store, rows=[review])
    return time.perf_counter() - started


def _sweep() -> tuple[int, float]:
    """Run the case sweeper (what Celery beat runs every few seconds) until no mid or bad review waits for its
    case: (reviews that got one, seconds)."""
    from reviews.services.cases import reviews_open_cases

    swept, started = 0, time.perf_counter()
    while opened := reviews_open_cases():
        swept += opened
    return swept, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} reviews instead of {FULL:,}")
    args = parser.parse_args()
    count = QUICK if args.quick else FULL
    from served import recreate_database

    recreate_database(BENCH_DATABASE_URL)
    import django

    django.setup()
    from django.test import Client
    from machine import python_loop_seconds

    from config.warmup import warm_up_and_freeze
    from crm.models import Case
    from reviews.models import Review, ReviewReply
    from reviews.replies import repeats_in_recent_window

    # Start-up as each web worker does it (config/wsgi.py): the URLconf, the classifier's model and jieba's
    # dictionary, then the freeze that keeps them out of the collector's full passes. The in-process CPU figure
    # is then what a served batch costs; unfrozen, full collections over them added ~14 ms a batch.
    warm_up_and_freeze(review_classifier=True)
    store, key = _setup()
    rows = _rows(count, seed=1)
    client = Client()
    _post_all(client, key, _rows(BATCH, seed=0))  # warm-up batch: connections, caches, code paths
    _analyze()
    print(f"posting {count:,} reviews in batches of {BATCH:,} ...", file=sys.stderr)
    ours, ours_cpu, ours_pg_cpu = _post_all(client, key, rows)
    print(f"  new: {ours:.1f} s ({ours_cpu:.1f} s CPU, PostgreSQL {ours_pg_cpu:.1f} s)", file=sys.stderr)
    reposted, _cpu, _pg_cpu = _post_all(client, key, rows)
    print(f"  re-posted: {reposted:.1f} s", file=sys.stderr)
    served = _served(key, _rows(count, seed=3))
    print(f"  served: {served:.1f} s", file=sys.stderr)
    copy = _copy_reference(store, rows)
    naive_rows = _rows(NAIVE_SAMPLE, seed=2)
    naive = _naive(store, naive_rows)
    swept, sweep = _sweep()
    print(f"  case sweep: {swept:,} reviews in {sweep:.1f} s", file=sys.stderr)
    new_reviews = Review.objects.filter(external_id__startswith="TMR-1-")
    result = {
        "bench": "reviews",
        "quick": args.quick,
        "reviews": count,
        "batch": BATCH,
        "reviews_per_s": round(count / served),
        "served_workers": SERVED_WORKERS,
        "served_client_threads": SERVED_CONCURRENCY,
        "in_process_reviews_per_s": round(count / ours),
        "in_process_reviews_per_cpu_s": round(count / ours_cpu),
        # CPU per 1,000 new reviews, web process and PostgreSQL: what the served figure spends (docs/performance.md).
        "cpu_ms_per_1000": {"web": round(ours_cpu / count * 1e6), "postgresql": round(ours_pg_cpu / count * 1e6)},
        "load_average": os.getloadavg()[0],
        "python_loop_s": python_loop_seconds(),  # how fast this machine is at the end of the run
        "reposted_per_s": round(count / reposted),
        "copy_per_s": round(count / copy),
        "naive_per_s": round(NAIVE_SAMPLE / naive),
        "copy_over_served": round(served / copy, 2),
        "served_over_naive": round((count / served) / (NAIVE_SAMPLE / naive), 1),
        "goal_per_s": GOAL,
        "goal_met": count / served >= GOAL,
        "flagged": new_reviews.filter(flagged=True).count(),
        # Mid and bad reviews naming one of our orders, from every pass; one case per customer and order.
        "case_sweep_reviews": swept,
        "case_sweep_reviews_per_s": round(swept / sweep),
        "cases_opened": Case.objects.filter(reviews__external_id__startswith="TMR-1-").distinct().count(),
        "replies": ReviewReply.objects.filter(review__external_id__startswith="TMR-1-").count(),
        "reply_repeats_in_recent_window": repeats_in_recent_window(store=store),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
