"""The customer list and its search under a big store's customers: server time p95 against a trivial page.

    python bench/customers.py [--quick] [--requests N]

Builds a fresh PostgreSQL database (BENCH_DATABASE_URL, default crm_bench_customers on 127.0.0.1) with two stores,
a big one of 450,000 customers and a small one of 50,000 (--quick: a tenth), each customer with one order; an agent
of the big store and a manager of both. Written with INSERT ... SELECT generate_series.

Measures, in-process through Django's test client (middleware, view, queries, template; no network): the agent's
list (one store), the manager's (two stores), page 100 of the agent's list, and the searches an agent types when a
customer calls: three characters of a name, its first two (a surname and a given name), the last four digits of a
phone, an order number, and a name nobody has. The reference is /healthz/live (one query and a JSON body). Goal:
every page ≤ 50 ms p95, as the case list's. Last line: one JSON object.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_customers")

from bench.dashboard import _time, fresh_database, page, page_bench_options, print_timings  # noqa: E402  (one timer, one setup)

GOAL_P95_MS = 50.0
FULL = {"big": 450_000, "small": 50_000}
QUICK = {"big": 45_000, "small": 5_000}
# Names as stores see them: a surname, often a given name of one or two characters, here numbered to be distinct.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def build(sizes: dict[str, int]) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from crm import roles
    from crm.models import Agent, Store, StoreRole

    big = Store.objects.create(code="big", name="大店", platform="tmall")
    small = Store.objects.create(code="small", name="小店", platform="jd")
    User = get_user_model()
    agent_user = User.objects.create_user("agent", password="bench")
    manager_user = User.objects.create_user("manager", password="bench")
    Agent.objects.create(user=agent_user).stores.add(big, through_defaults={"on_shift": True})
    Agent.objects.create(user=manager_user).stores.add(
        big, small, through_defaults={"role": StoreRole.MANAGER, "on_shift": True}
    )
    Group.objects.get(name=roles.AGENT).user_set.add(agent_user)
    Group.objects.get(name=roles.STORE_MANAGER).user_set.add(manager_user)
    total = sizes["big"] + sizes["small"]
    with connection.cursor() as cursor:
        # Every tenth customer is the small store's. Names: surname, one or two given characters, a number.
        cursor.execute(
            """
            INSERT INTO crm_customer (external_id, name, phone, gender, region, personality_type, interests, notes,
                contact_preference, sms_opt_out, vip_tier, created_at, updated_at, store_id,
                marketing_consent_source)
            SELECT 'c' || g,
                   substr(%(surnames)s, 1 + g %% 20, 1) || substr(%(given)s, 1 + (g / 20) %% 20, 1 + (g / 400) %% 2)
                       || g,
                   '+86138' || lpad(g::text, 8, '0'), 'unknown', '', '', '[]', '', 'any', false, 0, now(), now(),
                   CASE WHEN g %% 10 = 0 THEN %(small)s ELSE %(big)s END, ''
            FROM generate_series(1, %(total)s) g
            """,
            {"surnames": SURNAMES, "given": GIVEN, "small": small.pk, "big": big.pk, "total": total},
        )
        cursor.execute(
            """
            INSERT INTO crm_order (external_id, total_amount, currency, items, placed_at, courier, tracking_number,
                status, created_at, updated_at, customer_id, store_id, coupon_code)
            SELECT 'T' || (20260000000 + c.id), 1500, 'CNY', '[]', now() - interval '30 days', '', '', 'placed',
                   now(), now(), c.id, c.store_id, ''
            FROM crm_customer c
            """
        )
        cursor.execute("ANALYZE")
    return {"agent": agent_user, "manager": manager_user, "big": big}


def measure(data: dict, requests: int) -> dict:
    from django.test import Client

    from crm.models import Customer, Order

    someone = Customer.objects.filter(store=data["big"]).order_by("id")[1234]
    order = Order.objects.filter(customer=someone).get()

    agent, manager = data["agent"], data["manager"]
    urls = {
        "list_agent": (agent, "/customers/"),
        "list_manager": (manager, "/customers/"),
        "list_agent_page_100": (agent, "/customers/?page=100"),
        "search_name_3_chars": (agent, f"/customers/?q={someone.name[:3]}"),
        "search_name_2_chars": (agent, f"/customers/?q={someone.name[:2]}"),
        "search_phone_last_4": (agent, f"/customers/?q={someone.phone[-4:]}"),
        "search_order_number": (agent, f"/customers/?q={order.external_id}"),
        "search_no_such_name": (manager, "/customers/?q=欧阳无此人"),
    }
    found = {}
    for name, (user, url) in urls.items():
        client = Client()
        client.force_login(user)
        table = client.get(url).content.partition(b'data-testid="customers"')[2]
        found[name] = table.count(b'<tr><td><a href="/customers/')
    timings = {"reference_healthz": _time(page(agent, "/healthz/live"), requests)}
    timings |= {name: _time(page(user, url), requests) for name, (user, url) in urls.items()}
    return {"timings": timings, "rows_shown": found}


def main() -> None:
    quick, requests = page_bench_options(
        __doc__.splitlines()[0], quick_help="a tenth of the customers", requests=(40, 100)
    )
    sizes = QUICK if quick else FULL
    fresh_database()
    data = build(sizes)
    measured = measure(data, requests)
    timings = measured["timings"]
    print_timings(timings)
    print(f"rows shown {measured['rows_shown']}", file=sys.stderr)
    pages = [name for name in timings if name != "reference_healthz"]
    reference = timings["reference_healthz"]["p95_ms"]
    print(
        json.dumps(
            {
                "bench": "customers",
                "quick": quick,
                "customers": sizes,
                "requests_per_page": requests,
                **{f"{name}_p95_ms": figures["p95_ms"] for name, figures in timings.items()},
                **{f"{name}_vs_reference_p95_ratio": round(timings[name]["p95_ms"] / reference, 2) for name in pages},
                "rows_shown": measured["rows_shown"],
                "load_average_1min": round(os.getloadavg()[0], 2),
                "goal_p95_ms": GOAL_P95_MS,
                "goal_met": all(timings[name]["p95_ms"] <= GOAL_P95_MS for name in pages),
            }
        )
    )


if __name__ == "__main__":
    main()
