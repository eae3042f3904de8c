"""Care SMS dispatch and evening planning, measured against references taken in the same run.

    python bench/dispatch.py [--quick]

1. SMS/s: two worker processes run the real dispatch service (claim with SKIP LOCKED, the official twilio
   client, answers recorded in groups) against devtools/twilio_server.py, at 0 ms and 50 ms added latency,
   timed from when both have started up; the reference is a raw HTTP POST loop (http.client, keep-alive, one
   connection) to the same server.
2. Planning: 100,000 deliveries of one evening (10 stores, tiers mixed, repeat customers) through
   followups_plan, then a check that tonight's calls are balanced to the agents' capacity.

Needs PostgreSQL (DATABASE_URL, default postgres://root@127.0.0.1:5432/crm); works in a throwaway test
database it creates and drops (bench_dispatch, or the name BENCH_DATABASE_URL ends with). The last line printed
is one JSON object.
"""

import argparse
import base64
import http.client
import json
import multiprocessing
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("TELEPHONY_BACKEND", "callbacks.telephony.twilio.TwilioBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from callbacks.models import FollowUp  # noqa: E402
from callbacks.services.dispatch import sms_dispatch_due  # noqa: E402
from callbacks.services.planning import followups_plan  # noqa: E402
from callbacks.telephony import get_backend  # noqa: E402
from config.warmup import warm_up_and_freeze  # noqa: E402
from crm.models import Agent, Customer, Order, Store  # noqa: E402

SID, TOKEN = "AC" + "0" * 32, "bench-token"


def _server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "devtools.twilio_server", "--port", str(port), "--account-sid", SID,
         "--auth-token", TOKEN],
        cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            _control(port, "/_reset")
            return proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("twilio server did not start")


def _control(port: int, path: str, body: dict | None = None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body or {}).encode())
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def _accepted(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_messages", timeout=60) as response:
        return len(json.loads(response.read()))


def raw_loop(port: int, count: int) -> float:
    """The reference: the same create requests, form-encoded, over one keep-alive connection, no client library."""
    auth = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    headers = {"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"}
    conn = http.client.HTTPConnection("127.0.0.1", port)
    path = f"/2010-04-01/Accounts/{SID}/Messages.json"
    started = time.perf_counter()
    for index in range(count):
        body = urllib.parse.urlencode({"To": f"+8613{index:09d}", "From": "+8610000000000", "Body": "raw"})
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 201, response.status
    elapsed = time.perf_counter() - started
    conn.close()
    return count / elapsed


def _plan_due_sms(count: int, tag: str) -> None:
    offset = 12 - timezone.now().hour
    # A store where it is midday now, so every care SMS is due at once.
    store = Store.objects.create(
        code=f"sms-{tag}", name=tag, platform="own", timezone=f"Etc/GMT{-offset:+d}" if offset else "UTC"
    )
    customers = Customer.objects.bulk_create(
        Customer(store=store, external_id=f"{tag}-{i}", name=f"顾客{i}", phone=f"+8613{i:09d}") for i in range(count)
    )
    now = timezone.now()
    orders = Order.objects.bulk_create(
        Order(store=store, external_id=f"{tag}-{i}", customer=c, total_amount=Decimal("560.00"), placed_at=now,
              items=[{"sku": "S", "name": "真丝围巾", "quantity": 1, "unit_price": "560.00"}])
        for i, c in enumerate(customers)
    )  # fmt: skip
    followups_plan(deliveries=[(o, now) for o in orders])


def _worker(ready, go, done, cpu) -> None:
    # Start-up first, as a long-running Celery worker has done before its first sweep: the database
    # connection, the twilio client and the URLconf (status callback URLs) with everything it imports, then
    # the freeze that keeps those objects out of the collector's full passes.
    connection.ensure_connection()
    get_backend()
    warm_up_and_freeze()  # as config.celery does in each worker process
    ready.release()
    go.wait()
    started = time.process_time()
    while not done.is_set():
        if not sms_dispatch_due(time_budget=30).sent:
            time.sleep(0.01)
    cpu.put(time.process_time() - started)


def dispatch_rate(port: int, count: int, tag: str) -> tuple[float, float]:
    """(SMS per second of wall time, SMS per CPU-second of the two workers), both from the go signal on."""
    _plan_due_sms(count, tag)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    ready, go, done, cpu = context.Semaphore(0), context.Event(), context.Event(), context.Queue()
    workers = [context.Process(target=_worker, args=(ready, go, done, cpu)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.acquire()
    started = time.perf_counter()
    go.set()
    while FollowUp.objects.filter(store__code=f"sms-{tag}", status=FollowUp.Status.SENT).count() < count:
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    done.set()
    worker_cpu = sum(cpu.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    return count / elapsed, count / worker_cpu


def plan_evening(deliveries: int) -> dict:
    """Deliveries of one morning over 10 stores; tonight's calls balanced over 180 agents per store."""
    from django.contrib.auth import get_user_model

    stores = [Store.objects.create(code=f"plan-{i}", name=f"plan {i}", platform="tmall") for i in range(10)]
    users = get_user_model().objects.bulk_create(get_user_model()(username=f"bench-agent-{i}") for i in range(1800))
    agents = Agent.objects.bulk_create(Agent(user=u) for u in users)
    Through = Agent.stores.through
    Through.objects.bulk_create(
        Through(agent=a, store=stores[i // 180], on_shift=True, evening_capacity=20) for i, a in enumerate(agents)
    )
    # 30% below the first tier, 30% care SMS, 30% calls, 10% dedicated; one customer in ten orders twice.
    amounts = [Decimal(a) for a in ("128.00", "560.00", "1399.00")] * 3 + [Decimal("3888.00")]
    per_store = deliveries // len(stores)
    customer_rows = []
    for s, store in enumerate(stores):
        customer_rows += [Customer(store=store, external_id=f"c{s}-{i}", name=f"顾客{i}", phone=f"+8614{s}{i:08d}")
                          for i in range(per_store * 9 // 10)]  # fmt: skip
    customers = Customer.objects.bulk_create(customer_rows, batch_size=5000)
    by_store: dict[int, list[Customer]] = {}
    for customer in customers:
        by_store.setdefault(customer.store_id, []).append(customer)
    morning = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0)  # 09:00 in Shanghai
    order_rows = []
    for store in stores:
        pool = by_store[store.pk]
        order_rows += [Order(store=store, external_id=f"o{store.pk}-{i}", customer=pool[i % len(pool)],
                             total_amount=amounts[i % len(amounts)], placed_at=morning, status="delivered",
                             delivered_at=morning + timedelta(seconds=i % 3600),
                             items=[{"sku": "S", "name": "和田玉手镯", "quantity": 1}])
                       for i in range(per_store)]  # fmt: skip
    Order.objects.bulk_create(order_rows, batch_size=5000)
    connection.close()

    started = time.perf_counter()
    orders = list(Order.objects.filter(store__in=stores).only("id", "store_id", "customer_id", "total_amount",
                                                               "currency", "delivered_at"))  # fmt: skip
    rows = followups_plan(deliveries=[(o, o.delivered_at) for o in orders])
    elapsed = time.perf_counter() - started

    tonight = rows and min(r.window_start for r in rows if r.channel in ("call", "dedicated"))
    load = Counter(r.assignee_id for r in rows if r.window_start == tonight and r.assignee_id)
    loads = [load.get(a.pk, 0) for a in agents]
    calls = sum(1 for r in rows if r.channel in ("call", "dedicated") and r.status == "planned")
    return {
        "plan_deliveries": len(orders),
        "plan_seconds": round(elapsed, 2),
        "plan_per_s": round(len(orders) / elapsed),
        "plan_followups": len(rows),
        "plan_calls": calls,
        "plan_calls_tonight": sum(loads),
        "plan_overflowed": sum(1 for r in rows if r.overflowed),
        "plan_capacity_tonight": 20 * len(agents),
        "plan_max_load": max(loads),
        "plan_min_load": min(loads),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small run (about a minute)")
    args = parser.parse_args()
    sms, raw, deliveries = (1500, 1500, 10_000) if args.quick else (6000, 6000, 100_000)

    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = SID, TOKEN
    settings.TWILIO_FROM_NUMBER = "+8610000000000"
    settings.SMS_BATCH_SIZE = 200
    # Never a test run's database; two checkouts compared side by side each name their own.
    bench_db = os.environ.get("BENCH_DATABASE_URL", "bench_dispatch").rsplit("/", 1)[-1]
    settings.DATABASES["default"]["TEST"]["NAME"] = bench_db
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    port = 18000 + os.getpid() % 1000
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{port}"
    server = _server(port)
    result: dict = {"quick": args.quick, "load_average_1min": os.getloadavg()[0]}
    try:
        for latency in (0, 50):
            _control(port, "/_reset")
            _control(port, "/_control", {"latency": latency / 1000, "callbacks": False})
            count = raw if latency == 0 else raw // 10
            result[f"raw_per_s_{latency}ms"] = round(raw_loop(port, count))
            _control(port, "/_reset")
            _control(port, "/_control", {"latency": latency / 1000, "callbacks": False})
            count = sms if latency == 0 else sms // 2
            # Sender threads per worker: few when the provider answers at once (they only fight over the
            # GIL), many when each answer takes 50 ms (as Twilio's do).
            settings.SMS_SEND_THREADS = result[f"threads_{latency}ms"] = 4 if latency == 0 else 32
            rate, per_cpu = dispatch_rate(port, count, f"l{latency}")
            result[f"sms_per_s_{latency}ms"] = round(rate)
            result[f"sms_per_worker_cpu_s_{latency}ms"] = round(per_cpu)
            assert _accepted(port) == count, "the server did not record every SMS exactly once"
            result[f"ratio_{latency}ms"] = round(result[f"sms_per_s_{latency}ms"] / result[f"raw_per_s_{latency}ms"], 2)
            print(json.dumps({k: v for k, v in result.items() if k.endswith(f"{latency}ms")}), flush=True)
        result.update(plan_evening(deliveries))
        print(json.dumps({k: v for k, v in result.items() if k.startswith("plan")}), flush=True)
    finally:
        server.terminate()
        server.wait()
        connections.close_all()
        connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)
    result["goal_sms_per_s"] = result["sms_per_s_0ms"] >= 500 and result["ratio_0ms"] >= 0.5
    result["goal_plan"] = result["plan_seconds"] <= 10 and result["plan_max_load"] <= 20
    print(json.dumps(result))


if __name__ == "__main__":
    main()
