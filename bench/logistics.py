"""Parcel tracking: Kuaidi100 pushes served per second, and the delay sweep over a million open parcels.

    python bench/logistics.py [--quick]

Builds a fresh PostgreSQL database (BENCH_DATABASE_URL, default crm_bench_logistics on 127.0.0.1) with one store,
five agents and SHIPMENTS open parcels (1,000,000; --quick 100,000), each with its own customer and order,
written with INSERT ... SELECT generate_series. Measured in the same run:

  - pushes (goal: at least half the reference): signed Kuaidi100 pushes (form `param` + `sign`, four checkpoints
    of history, the newest one new) POSTed to /hooks/kuaidi100/ on gunicorn with production settings (5 workers,
    10 client threads on loopback, one connection per push, as Kuaidi100 sends them). Each is verified, matched,
    its checkpoints merged and the state moved. The reference: the same pushes to a bare Django view in the same
    gunicorn setup (bench/bare_push_wsgi.py) that only parses the form and the JSON and answers the same
    acknowledgement. `pushes_over_bare` is the ratio;
  - the delay sweep (goal <= 10 s on PostgreSQL): `delays_sweep()` over every open parcel, where 1 % are late:
    0.4 % without a first scan after 24 h, 0.4 % without news for 48 h, 0.1 % past the promised date,
    0.05 % out for delivery and not signed the day before, 0.05 % in 疑难. Every delay is recorded, every
    customer's notice planned through the contact gate. A second sweep right after finds nothing new
    (`second_sweep_s`). Then the follow-up step, timed on its own (`follow_up_s`): call-tier orders (10 %) get a
    call task, exceptions a case, one at a time through the gate's call_task_create and crm's cases_open.
Last line: one JSON object.
"""

import argparse
import hashlib
import http.client
import json
import os
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_logistics")
os.environ["DATABASE_URL"] = BENCH_DATABASE_URL

SWEEP_GOAL_S, PUSH_GOAL_RATIO = 10.0, 0.5
FULL, QUICK = 1_000_000, 100_000
PUSHES_FULL, PUSHES_QUICK = 4_000, 2_000
# gunicorn's advice for sync workers, 2 x cores + 1, for both apps; a push waits on PostgreSQL, a bare one does not.
SERVED_WORKERS, SERVED_CONCURRENCY = 5, 10
SALT = "bench-salt"
BEIJING = ZoneInfo("Asia/Shanghai")


def _insert_series(model, count: int, exprs: dict[str, str], params: dict | None = None) -> None:
    """INSERT ... SELECT over generate_series(1, count) AS g: `exprs` per column (SQL using g and %(name)s
    parameters), every other column its field's default."""
    from django.db import connection

    columns, values, args = [], [], dict(params or {})
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in exprs:
            values.append(exprs[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
        else:
            name = f"default_{field.column}"
            args[name] = field.get_db_prep_save(field.get_default(), connection)
            values.append(f"%({name})s")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 (bench: constant SQL)
        f"SELECT {', '.join(values)} FROM generate_series(1, {int(count)}) AS g ORDER BY g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, args)


def _setup(count: int):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from crm.models import Agent, Customer, Order, Store
    from logistics.models import Shipment

    call_command("migrate", verbosity=0)
    store = Store.objects.create(code="silk-tmall", name="丝韵旗舰店", platform="tmall", manager_hotline="4008208820")
    for i in range(5):
        agent = Agent.objects.create(user=get_user_model().objects.create(username=f"agent{i}"))
        agent.stores.add(store, through_defaults={"on_shift": True})
    now = datetime.now(UTC)
    params = {"store": store.pk, "now": now}
    _insert_series(
        Customer,
        count,
        {"store_id": "%(store)s", "external_id": "'c' || g", "name": "'顾客' || g",
         "phone": "'+86138' || lpad(g::text, 8, '0')"},
        params,
    )  # fmt: skip
    first_customer = Customer.objects.order_by("pk").values_list("pk", flat=True).first()
    _insert_series(
        Order,
        count,
        {"store_id": "%(store)s", "external_id": "'TM-' || g", "customer_id": f"{first_customer - 1} + g",
         "total_amount": "CASE WHEN mod(g, 10) = 0 THEN 1500 ELSE 500 END", "placed_at": "%(now)s - interval '5 days'",
         "shipped_at": "%(now)s - interval '4 days'", "status": "'shipped'",
         "items": """'[{"sku": "SILK-01", "name": "真丝围巾", "quantity": 1, "unit_price": "500.00"}]'::jsonb"""},
        params,
    )  # fmt: skip
    first_order = Order.objects.order_by("pk").values_list("pk", flat=True).first()
    # g % 2000 picks the parcel's story: 0-7 no first scan, 8-15 no news for 60 h, 16-17 past the promised date,
    # 18 out for delivery since yesterday, 19 in 疑难; the rest (99 %) move on time.
    case = "CASE WHEN mod(g, 2000) < 8 THEN {0} WHEN mod(g, 2000) < 16 THEN {1} WHEN mod(g, 2000) < 18 THEN {2} " \
           "WHEN mod(g, 2000) = 18 THEN {3} WHEN mod(g, 2000) = 19 THEN {4} ELSE {5} END"  # fmt: skip
    _insert_series(
        Shipment,
        count,
        {
            "store_id": "%(store)s",
            "order_id": f"{first_order - 1} + g",
            "courier": "'shunfeng'",
            "tracking_number": "'SF' || lpad(g::text, 10, '0')",
            "shipped_at": case.format(*["%(now)s - interval '30 hours'"] + ["%(now)s - interval '80 hours'"] * 4
                                      + ["%(now)s - interval '20 hours'"]),
            "first_scan_at": case.format("NULL", *["%(now)s - interval '70 hours'"] * 4,
                                         "%(now)s - interval '18 hours'"),
            "last_event_at": case.format("NULL", "%(now)s - interval '60 hours'", *["%(now)s - interval '3 hours'"] * 3,
                                         "%(now)s - mod(g, 10) * interval '1 hour'"),
            "last_event_text": case.format("''", *["'快件到达【上海浦东集散中心】'"] * 5),
            "state": case.format("'pending'", "'in_transit'", "'in_transit'", "'out_for_delivery'", "'problem'",
                                 "'in_transit'"),
            "promised_by": case.format("NULL", "NULL", "%(now)s - interval '1 hour'", "NULL", "NULL",
                                       "%(now)s + interval '2 days'"),
            "deliver_by": case.format("NULL", "NULL", "NULL", "%(now)s - interval '2 hours'", "NULL", "NULL"),
            "is_open": "true",
            "provider_status": "'polling'",
        },
        params,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return store


# -- pushes ----------------------------------------------------------------------------------------------------


def _beijing(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _pushes(count: int) -> list[bytes]:
    """Signed form bodies for `count` parcels moving on time (g % 2000 >= 20), each with one new checkpoint."""
    now = datetime.now(UTC)
    bodies = []
    g = 20
    while len(bodies) < count:
        g += 1
        if g % 2000 < 20:
            continue
        data = [
            {"context": text, "time": _beijing(now - timedelta(minutes=minutes)),
             "ftime": _beijing(now - timedelta(minutes=minutes)), "status": "在途", "areaName": "上海,上海市"}
            for text, minutes in [("快件已到达【上海虹口营业点】", 5), ("快件离开【上海浦东集散中心】", 300),
                                  ("快件到达【上海浦东集散中心】", 600), ("顺丰速运 已收取快件", 1200)]
        ]  # fmt: skip
        param = json.dumps(
            {"status": "polling", "message": "", "autoCheck": "0", "comOld": "", "comNew": "",
             "lastResult": {"message": "ok", "state": "0", "status": "200", "condition": "F00", "ischeck": "0",
                            "com": "shunfeng", "nu": f"SF{g:010d}", "data": data}},
            ensure_ascii=False, separators=(",", ":"),
        )  # fmt: skip
        sign = hashlib.md5((param + SALT).encode()).hexdigest().upper()  # noqa: S324 (the provider's scheme)
        bodies.append(urllib.parse.urlencode({"param": param, "sign": sign}).encode())
    return bodies


def _post_forms(port: int, bodies: list[bytes]) -> float:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def post(body: bytes) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", "/hooks/kuaidi100/", body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        if response.status != 200 or b'"returnCode":"200"' not in content:
            raise SystemExit(f"push answered {response.status}: {content[:300]!r}")

    started = time.perf_counter()
    with ThreadPoolExecutor(SERVED_CONCURRENCY) as pool:
        list(pool.map(post, bodies))
    return time.perf_counter() - started


def _served_pushes(bodies: list[bytes], app: str) -> float:
    """Seconds to POST the bodies (after a warm-up of each worker) to gunicorn serving `app`."""
    from served import free_port, production_env, start_gunicorn

    # Plain HTTP on loopback: no redirect to HTTPS.
    env = {**production_env(BENCH_DATABASE_URL), "KUAIDI100_SALT": SALT, "SECURE_SSL_REDIRECT": "false"}
    port = free_port()
    server = start_gunicorn(port, SERVED_WORKERS, env, app)
    try:
        _post_forms(port, bodies[: SERVED_WORKERS * 20])  # warm both workers (imports, connections)
        return _post_forms(port, bodies[SERVED_WORKERS * 20 :])
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 parcels (default 1,000,000)")
    args = parser.parse_args()
    count = QUICK if args.quick else FULL
    pushes = PUSHES_QUICK if args.quick else PUSHES_FULL

    from served import recreate_database

    recreate_database(BENCH_DATABASE_URL)
    import django

    django.setup()
    from django.db import connection

    from logistics.models import Checkpoint, ShipmentDelay
    from logistics.services.delays import delays_follow_up, delays_sweep

    started = time.perf_counter()
    _setup(count)
    print(f"  setup: {count:,} open parcels in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    bodies = _pushes(pushes + SERVED_WORKERS * 20)
    bare = _served_pushes(bodies, "bench.bare_push_wsgi:application")
    print(f"  bare view: {pushes / bare:,.0f} pushes/s", file=sys.stderr)
    served = _served_pushes(bodies, "config.wsgi:application")
    print(f"  served: {pushes / served:,.0f} pushes/s", file=sys.stderr)
    checkpoints = Checkpoint.objects.count()
    if checkpoints != 4 * len(bodies):
        raise SystemExit(f"expected {4 * len(bodies)} checkpoints after the pushes, found {checkpoints}")

    connection.close()
    started = time.perf_counter()
    report = delays_sweep()
    sweep = time.perf_counter() - started
    print(f"  sweep: {sum(report.found.values()):,} delays in {sweep:.2f} s {report.found}", file=sys.stderr)
    started = time.perf_counter()
    again = delays_sweep()
    second = time.perf_counter() - started
    if again.found:
        raise SystemExit(f"a second sweep found delays again: {again.found}")
    started = time.perf_counter()
    followed = delays_follow_up()
    follow_up = time.perf_counter() - started
    print(f"  follow-up: {followed.call_tasks} calls, {followed.cases} cases in {follow_up:.2f} s", file=sys.stderr)
    expected = sum(1 for g in range(1, count + 1) if g % 2000 < 20)
    if ShipmentDelay.objects.count() != expected:
        raise SystemExit(f"expected {expected} delays, found {ShipmentDelay.objects.count()}")

    from machine import python_loop_seconds

    result = {
        "bench": "logistics",
        "quick": args.quick,
        "open_parcels": count,
        "pushes": pushes,
        "pushes_per_s": round(pushes / served),
        "bare_pushes_per_s": round(pushes / bare),
        "pushes_over_bare": round(bare / served, 3),
        "served_workers": SERVED_WORKERS,
        "served_client_threads": SERVED_CONCURRENCY,
        "sweep_s": round(sweep, 2),
        "second_sweep_s": round(second, 2),
        "delays_found": report.found,
        "notices_planned": report.notices,
        "follow_up_s": round(follow_up, 2),
        "call_tasks": followed.call_tasks,
        "cases": followed.cases,
        "python_loop_s": round(python_loop_seconds(), 3),
        "goal_met": bare / served >= PUSH_GOAL_RATIO and sweep <= SWEEP_GOAL_S,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
