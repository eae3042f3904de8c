"""Does pausing the cyclic collector during a batch (crm/api/gc_pause.py) still pay? Counted in instructions.

    valgrind --tool=callgrind --callgrind-out-file=/dev/null python bench/gc_pause.py [--off]

Posts ten new and ten re-posted 1,000-order batches in process (Django's test client, the whole view: parse,
validate, upsert, answer) after the start-up that web processes do (config.warmup: import everything, freeze).
With --off the pause is replaced by a no-op. callgrind counts the instructions of the whole run, the same for
the same inputs however busy the machine is; compare the two totals ("Collected"). Needs PostgreSQL and a
database of its own (crm_bench_gc, or BENCH_GC_DB to run the two side by side).
"""

import contextlib
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DATABASE_URL"] = "postgres://root@127.0.0.1:5432/" + os.environ.get("BENCH_GC_DB", "crm_bench_gc")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from config.warmup import warm_up_and_freeze  # noqa: E402
from crm.api import ingestion  # noqa: E402
from crm.models import Store  # noqa: E402
from crm.services.api_tokens import api_token_create  # noqa: E402

BATCHES, BATCH = 10, 1000


def batch(n: int) -> bytes:
    placed = datetime(2026, 11, 20, 2, 0, tzinfo=UTC).isoformat()
    return orjson.dumps(
        [
            {
                "external_id": f"GC{n:03d}-{i:05d}",
                "customer": {"external_id": f"gc-buyer-{n}-{i}", "name": f"顾客{i}", "phone": f"138{i:08d}"},
                "total_amount": "1899.00",
                "items": [{"sku": "SILK-01", "name": "真丝围巾", "quantity": 1, "unit_price": "1899.00"}],
                "placed_at": placed,
            }
            for i in range(BATCH)
        ]
    )


def main() -> None:
    if "--off" in sys.argv:
        ingestion.gc_paused = contextlib.nullcontext
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE crm_order, crm_customer, crm_inboundevent, crm_apitoken_stores CASCADE")
    store, _ = Store.objects.get_or_create(code="gc-bench", defaults={"name": "GC bench", "platform": "own"})
    _, key = api_token_create(store_codes=[store.code], name="gc bench")
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    bodies = [batch(n) for n in range(BATCHES)]
    warm_up_and_freeze()
    for _ in range(2):  # new, then re-posted
        for body in bodies:
            response = client.post("/api/v1/orders", body, content_type="application/json")
            assert response.status_code in (200, 201, 207), response.content[:300]


if __name__ == "__main__":
    main()
