"""Order ingestion, end to end: batches of 1,000 orders over HTTP to the real app under gunicorn on PostgreSQL.

    python bench/ingest.py [--quick]

Measured in the same run, on the same machine and database:
- ours, new orders: POST /api/v1/orders with 1,000 new orders (and their customers) per request;
- ours, re-posted: the same batches again (every row answered "updated", nothing written);
- COPY: PostgreSQL COPY of the same customers and orders into the same tables, the physical limit; and COPY of
  the same rows a new batch stores, the tracked parcel of each shipped order included (the product watches every
  parcel, so a new batch writes three tables, not two);
- naive: one DRF ModelSerializer validate-and-save per row (customer, then order), in process, no HTTP.

Prints one JSON object as its last line. Uses its own database (BENCH_DATABASE_URL, default crm_bench_ingest on
127.0.0.1) and Redis db 1 (BENCH_REDIS_URL).
"""

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2
from served import free_port, post_all, production_env, start_gunicorn

ROOT = Path(__file__).resolve().parent.parent
PG, DB_NAME = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_ingest").rsplit("/", 1)
BATCH = 1000
URL = "/api/v1/orders"
ENV = production_env(f"{PG}/{DB_NAME}")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fresh_database(db_name: str) -> None:
    """The bench database, migrated and emptied. Kept between runs: migrating from scratch costs ~20 s."""
    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {db_name}")
    conn.close()
    env = production_env(f"{PG}/{db_name}")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    conn = psycopg2.connect(f"{PG}/{db_name}")
    with conn, conn.cursor() as cursor:
        cursor.execute("TRUNCATE crm_store, crm_apitoken CASCADE")
    conn.close()


def setup_django(db_name: str):
    os.environ.update(production_env(f"{PG}/{db_name}"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_orders(count: int, *, prefix: str, seed: int) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    orders = []
    for n in range(count):
        items = [
            {
                "sku": f"SKU-{rng.randint(1, 500)}",
                "name": "真丝围巾",
                "quantity": rng.randint(1, 3),
                "unit_price": "899.00",
            }
            for _ in range(rng.randint(1, 3))
        ]
        placed = start + timedelta(seconds=rng.randint(0, 86400 * 20))
        orders.append(
            {
                "external_id": f"{prefix}-{n:08d}",
                "customer": {
                    # A customer in five orders twice: most buyers are new, some come back.
                    "external_id": f"{prefix}-c{n if rng.random() < 0.8 else rng.randint(0, max(n, 1))}",
                    "name": "张三",
                    "phone": f"139{rng.randint(0, 99_999_999):08d}",
                    "region": "浙江 杭州",
                },
                "total_amount": f"{sum(i['quantity'] for i in items) * 899}.00",
                "items": items,
                "placed_at": placed.astimezone(UTC).isoformat().replace("+00:00", "+08:00"),
                "shipped_at": (placed + timedelta(days=1)).isoformat(),
                "courier": "SF",
                "tracking_number": f"SF{rng.randint(10**11, 10**12)}",
            }
        )
    return orders


def copy_reference(orders: list[dict], store_id: int, *, parcels: bool = False) -> float:
    """COPY the same customers and orders (ids drawn beforehand) into the same tables, and with `parcels` each
    order's shipment as a new batch records it (logistics.shipments_record); returns seconds."""
    conn = psycopg2.connect(f"{PG}/{DB_NAME}")
    with conn.cursor() as cursor:
        customers = {o["customer"]["external_id"]: o["customer"] for o in orders}
        cursor.execute("SELECT nextval('crm_customer_id_seq') FROM generate_series(1, %s)", [len(customers)])
        customer_ids = dict(zip(customers, (row[0] for row in cursor.fetchall()), strict=True))
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('crm_order', 'id')) FROM generate_series(1, %s)", [len(orders)]
        )
        order_ids = [row[0] for row in cursor.fetchall()]
    conn.commit()
    now = datetime.now(UTC).isoformat()
    customer_rows = io.StringIO()
    for external_id, c in customers.items():
        customer_rows.write(
            f"{customer_ids[external_id]}\t{store_id}\t{external_id}\t{c['name']}\t+86{c['phone']}\tunknown\t\\N\t"
            f"{c['region']}\t\t[]\t\tany\tf\t0\t{now}\t{now}\n"
        )
    order_rows, shipment_rows = io.StringIO(), io.StringIO()
    for order_id, o in zip(order_ids, orders, strict=True):
        items = json.dumps(o["items"], ensure_ascii=False)
        shipment_rows.write(
            f"{store_id}\t{order_id}\t{o['courier']}\t{o['tracking_number']}\t{o['shipped_at']}\tpending\t\t\tt\t\t"
            f"{now}\t\t{now}\t{now}\n"
        )
        order_rows.write(
            f"{order_id}\t{store_id}\t{o['external_id']}\t{customer_ids[o['customer']['external_id']]}\t{o['total_amount']}\tCNY\t"
            f"{items}\t{o['placed_at']}\t{o['shipped_at']}\t\\N\t{o['courier']}\t{o['tracking_number']}\tshipped\t"
            f"{now}\t{now}\n"
        )
    customer_rows.seek(0)
    order_rows.seek(0)
    shipment_rows.seek(0)
    started = time.perf_counter()
    with conn.cursor() as cursor:
        cursor.copy_expert(
            "COPY crm_customer (id, store_id, external_id, name, phone, gender, birthday, region, personality_type,"
            " interests, notes, contact_preference, sms_opt_out, vip_tier, created_at, updated_at) FROM STDIN",
            customer_rows,
        )
        cursor.copy_expert(
            "COPY crm_order (id, store_id, external_id, customer_id, total_amount, currency, items, placed_at,"
            " shipped_at, delivered_at, courier, tracking_number, status, created_at, updated_at) FROM STDIN",
            order_rows,
        )
        if parcels:
            cursor.copy_expert(
                "COPY logistics_shipment (store_id, order_id, courier, tracking_number, shipped_at, state,"
                " last_event_text, last_event_location, is_open, provider_status, resubscribe_after, subscribe_error,"
                " created_at, updated_at) FROM STDIN",
                shipment_rows,
            )
    conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def naive_reference(orders: list[dict], store) -> float:
    """One DRF ModelSerializer validate-and-save per row, the way scaffolding writes it; returns seconds."""
    from django.db import transaction
    from rest_framework import serializers

    from crm.models import Customer, Order
    from crm.phones import normalise_phone

    class CustomerSerializer(serializers.ModelSerializer):
        class Meta:
            model = Customer
            fields = ["store", "external_id", "name", "phone", "gender", "birthday", "region"]
            validators = []  # upserted below, so the unique-together check would refuse returning buyers

        def validate_phone(self, value):
            return normalise_phone(value)

    class OrderSerializer(serializers.ModelSerializer):
        class Meta:
            model = Order
            fields = [
                "store",
                "external_id",
                "customer",
                "total_amount",
                "currency",
                "items",
                "placed_at",
                "shipped_at",
                "courier",
                "tracking_number",
            ]

    started = time.perf_counter()
    with transaction.atomic():
        for row in orders:
            customer_in = CustomerSerializer(data={**row["customer"], "store": store.pk})
            customer_in.is_valid(raise_exception=True)
            data = customer_in.validated_data
            customer, _ = Customer.objects.update_or_create(store=store, external_id=data["external_id"], defaults=data)
            order_in = OrderSerializer(data={**row, "store": store.pk, "customer": customer.pk})
            order_in.is_valid(raise_exception=True)
            order_in.save()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 orders instead of 100,000 (under 60 s)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "3")))
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY", "3")))
    args = parser.parse_args()
    batches = 10 if args.quick else 100
    naive_rows = 300 if args.quick else 2000

    log(f"fresh database {DB_NAME} ...")
    fresh_database(DB_NAME)
    setup_django(DB_NAME)
    from crm.models import Store
    from crm.services.api_tokens import api_token_create

    ours_store = Store.objects.create(code="bench-api", name="Bench API", platform="tmall")
    copy_store = Store.objects.create(code="bench-copy", name="Bench COPY", platform="tmall")
    copy_all_store = Store.objects.create(code="bench-copy-all", name="Bench COPY with parcels", platform="tmall")
    naive_store = Store.objects.create(code="bench-naive", name="Bench naive", platform="tmall")
    _token, key = api_token_create(store_codes=[ours_store.code], name="bench")

    orders = make_orders(batches * BATCH, prefix="o", seed=1)
    bodies = [json.dumps(orders[i : i + BATCH], ensure_ascii=False).encode() for i in range(0, len(orders), BATCH)]
    port = free_port()
    server = start_gunicorn(port, args.workers, ENV)
    try:
        post_all(port, URL, key, [json.dumps(make_orders(BATCH, prefix="warm", seed=2)).encode()], 1)  # imports, caches
        log(f"posting {len(orders)} new orders in {len(bodies)} batches ...")
        new_seconds, answers = post_all(port, URL, key, bodies, args.concurrency)
        assert all(r["result"] == "created" for a in answers for r in a["results"])
        log("re-posting them ...")
        again_seconds, answers = post_all(port, URL, key, bodies, args.concurrency)
        assert all(r["result"] == "updated" for a in answers for r in a["results"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    log("COPY reference ...")
    copy_seconds = copy_reference(make_orders(batches * BATCH, prefix="copy", seed=1), copy_store.pk)
    copy_all_seconds = copy_reference(
        make_orders(batches * BATCH, prefix="copy-all", seed=1), copy_all_store.pk, parcels=True
    )
    log(f"naive reference on {naive_rows} rows ...")
    naive_seconds = naive_reference(make_orders(naive_rows, prefix="naive", seed=1), naive_store)

    count = len(orders)
    ours_new = count / new_seconds
    ours_again = count / again_seconds
    copy_rate = count / copy_seconds
    copy_all_rate = count / copy_all_seconds
    naive_rate = naive_rows / naive_seconds
    log(
        f"ours new {ours_new:,.0f}/s, re-posted {ours_again:,.0f}/s, COPY {copy_rate:,.0f}/s"
        f" (with parcels {copy_all_rate:,.0f}/s), naive {naive_rate:,.0f}/s"
    )
    print(
        json.dumps(
            {
                "bench": "ingest",
                "quick": args.quick,
                "orders": count,
                "batch": BATCH,
                "gunicorn_workers": args.workers,
                "client_concurrency": args.concurrency,
                "ours_new_orders_per_s": round(ours_new),
                "ours_reposted_orders_per_s": round(ours_again),
                "copy_orders_per_s": round(copy_rate),
                "naive_orders_per_s": round(naive_rate),
                "copy_over_ours_new": round(copy_rate / ours_new, 2),
                "copy_over_ours_reposted": round(copy_rate / ours_again, 2),
                "copy_with_parcels_orders_per_s": round(copy_all_rate),
                "copy_with_parcels_over_ours_new": round(copy_all_rate / ours_new, 2),
                "ours_new_over_naive": round(ours_new / naive_rate, 1),
                "ours_reposted_over_naive": round(ours_again / naive_rate, 1),
                "goal_orders_per_s": 25000,
            }
        )
    )


if __name__ == "__main__":
    main()
