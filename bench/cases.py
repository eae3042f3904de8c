"""The case list and a case page under production-sized data: server time p95 against a trivial page in the same run.

    python bench/cases.py [--quick] [--requests N]

Builds a fresh PostgreSQL database (BENCH_DATABASE_URL, default crm_bench_cases on 127.0.0.1) with 200,000 cases
over 50 stores (a fifth of them open, the rest closed history), each with its order, three timeline events and,
for a third, a remedy; 40,000 customers; one manager and five agents per store. Written with COPY. --quick builds
a tenth of the cases and customers (still 50 stores) and says so in its output.

Measures, in-process through Django's test client (the whole middleware, view, query and template stack; no
network): an agent's case list (their open cases), a manager's case list (every case of their store), a search,
a case page, and /healthz/live (the reference: one query and a JSON body). It also counts each page's queries for
a case or list with few rows and one with many: the counts must be equal. Last line: one JSON object.
"""

import json
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_cases")

from bench.dashboard import (  # noqa: E402  (one COPY writer, one timer, one page bench setup)
    _copy,
    _role,
    _time,
    fresh_database,
    page,
    page_bench_options,
    print_timings,
)

GOAL_P95_MS = 50.0
STORES, AGENTS_PER_STORE = 50, 5
FULL = {"cases": 200_000, "customers": 40_000}
QUICK = {"cases": 20_000, "customers": 4_000}
NAMES = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄婷", "周杰", "吴倩", "郑浩", "孙丽"]
SOURCES = ["call", "review", "inbound_sms", "manual", "logistics"]
CAUSES = ["quality", "logistics", "price", "size", "description_mismatch", "service_attitude"]


def build(sizes: dict[str, int]) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection

    from crm import roles
    from crm.models import Agent, Case, CaseEvent, Customer, Order, Remedy, Store

    rng = random.Random(20261123)
    stores = Store.objects.bulk_create(
        Store(code=f"bench-{i:02d}", name=f"旗舰店 {i:02d}", platform="tmall") for i in range(STORES)
    )
    User = get_user_model()
    password = make_password("bench")
    users = User.objects.bulk_create(
        User(username=f"agent{i:03d}", first_name=f"客服{i:03d}", password=password)
        for i in range(STORES * AGENTS_PER_STORE)
    )
    managers = User.objects.bulk_create(User(username=f"manager{i:02d}", password=password) for i in range(STORES))
    agents = Agent.objects.bulk_create(Agent(user=u) for u in users + managers)
    Through = Agent.stores.through
    Through.objects.bulk_create(
        Through(agent_id=agent.pk, store_id=stores[index % STORES].pk, role=_role(index), on_shift=True)
        for index, agent in enumerate(agents)
    )
    Group.objects.get(name=roles.AGENT).user_set.add(*users)
    Group.objects.get(name=roles.STORE_MANAGER).user_set.add(*managers)
    agents_by_store: dict[int, list] = {}
    for index, agent in enumerate(agents[: STORES * AGENTS_PER_STORE]):
        agents_by_store.setdefault(stores[index % STORES].pk, []).append(agent)

    n_cases, n_customers = sizes["cases"], sizes["customers"]
    _copy(
        Customer,
        (
            {
                "id": c + 1,
                "store_id": stores[c % STORES].pk,
                "external_id": f"c{c}",
                "name": f"{NAMES[c % len(NAMES)]}{c}",
                "phone": f"+86138{c:08d}",
                "personality_type": ["", "dominant", "expressive", "amiable", "analytical"][c % 5],
            }
            for c in range(n_customers)
        ),
    )
    start = datetime(2025, 6, 1, tzinfo=UTC)
    now = datetime.now(UTC)

    def store_of(case: int) -> int:
        return stores[(case % n_customers) % STORES].pk

    _copy(
        Order,
        (
            {
                "id": o + 1,
                "store_id": store_of(o),
                "external_id": f"o{o}",
                "customer_id": o % n_customers + 1,
                "total_amount": "1500.00",
                "items": [{"sku": "SKU", "name": "真丝围巾", "quantity": 1, "unit_price": "1500.00"}],
                "placed_at": start + timedelta(minutes=o),
                "status": "delivered",
                "delivered_at": start + timedelta(minutes=o, days=2),
            }
            for o in range(n_cases)
        ),
    )
    open_from = n_cases - n_cases // 5  # the newest fifth is open

    def case_row(c: int) -> dict:
        opened = start + (now - start) * (c / n_cases)
        is_open = c >= open_from
        cause = CAUSES[c % len(CAUSES)]
        row = {
            "id": c + 1,
            "store_id": store_of(c),
            "customer_id": c % n_customers + 1,
            "order_id": c + 1,
            "source": SOURCES[c % len(SOURCES)],
            "status": ["open", "in_progress", "awaiting_approval"][c % 3] if is_open else "closed",
            "cause": cause,
            "causes": [cause],
            "triage_group": ["normal", "normal", "priority", "difficult"][c % 4],
            "assignee_id": agents_by_store[store_of(c)][c % AGENTS_PER_STORE].pk,
            "summary": "盒子压坏了",
            "opened_at": opened,
            # Open cases straddle now: some breached, some due within the hour, most on time.
            "first_response_due": now + timedelta(minutes=rng.randrange(-600, 2400)) if is_open else opened,
            "resolution_due": now + timedelta(minutes=rng.randrange(-600, 4000)) if is_open else opened,
            "first_response_at": None if is_open and c % 2 else opened,
        }
        if not is_open:
            row |= {"closed_at": opened + timedelta(hours=20), "root_cause": "courier"}
        return row

    _copy(Case, (case_row(c) for c in range(n_cases)))
    kinds = ["opened", "call", "note"]
    _copy(
        CaseEvent,
        (
            {"id": e + 1, "case_id": e // 3 + 1, "kind": kinds[e % 3], "at": now, "message": "已联系顾客", "data": {}}
            for e in range(n_cases * 3)
        ),
    )
    _copy(
        Remedy,
        (
            {
                "id": r + 1,
                "case_id": r * 3 + 1,
                "kind": "coupon",
                "cost": "30.00",
                "status": "agreed",
                "proposed_by_id": agents_by_store[store_of(r * 3)][0].pk,
                "proposed_at": now,
            }
            for r in range(n_cases // 3)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"stores": stores, "agents": agents, "open_from": open_from}


def _queries(user, url: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(url)  # warm: session, translations
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def measure(data: dict, requests: int) -> dict:
    from django.test import Client

    from crm.models import Case, CaseEvent
    from crm.services.cases import case_add_event

    agent, manager = data["agents"][0], data["agents"][-1]
    store = manager.stores.get()
    busy = Case.objects.filter(store=store, status="in_progress").order_by("-id").first()
    quiet = Case.objects.filter(store=store, status="open").order_by("-id").first()
    for n in range(12):  # a case with a long timeline beside one with three events
        case_add_event(case=busy, kind=CaseEvent.Kind.NOTE, actor=agent.user, message=f"跟进 {n}")
    customer_name = busy.customer.name

    results = {
        "reference_healthz": _time(page(agent.user, "/healthz/live"), requests),
        "case_list_agent": _time(page(agent.user, "/cases/"), requests),
        "case_list_manager": _time(page(manager.user, "/cases/"), requests),
        "case_list_search": _time(page(manager.user, f"/cases/?status=all&q={customer_name}"), requests),
        "case_page": _time(page(manager.user, f"/cases/{busy.pk}/"), requests),
    }
    queries = {
        "case_list_agent": _queries(agent.user, "/cases/"),
        "case_list_manager": _queries(manager.user, "/cases/"),
        "case_list_one_row": _queries(manager.user, f"/cases/?status=all&q={customer_name}"),
        "case_page_long_timeline": _queries(manager.user, f"/cases/{busy.pk}/"),
        "case_page_short_timeline": _queries(manager.user, f"/cases/{quiet.pk}/"),
    }
    manager_client = Client()
    manager_client.force_login(manager.user)
    rows = manager_client.get("/cases/").content.count(b'data-testid="case-row-')
    return {"timings": results, "queries": queries, "manager_rows_shown": rows}


def main() -> None:
    quick, requests = page_bench_options(
        __doc__.splitlines()[0], quick_help="a tenth of the cases and customers", requests=(60, 200)
    )
    sizes = QUICK if quick else FULL
    fresh_database()
    data = build(sizes)
    measured = measure(data, requests)
    timings, queries = measured["timings"], measured["queries"]
    print_timings(timings)
    print(f"queries {queries}", file=sys.stderr)
    pages = ("case_list_agent", "case_list_manager", "case_list_search", "case_page")
    reference = timings["reference_healthz"]["p95_ms"]
    print(
        json.dumps(
            {
                "bench": "cases",
                "quick": quick,
                "note": "quick: a tenth of the cases and customers" if quick else "full size",
                "cases": sizes["cases"],
                "stores": STORES,
                "customers": sizes["customers"],
                "requests_per_page": requests,
                **{f"{name}_p95_ms": figures["p95_ms"] for name, figures in timings.items()},
                **{f"{name}_cpu_p95_ms": figures["cpu_p95_ms"] for name, figures in timings.items()},
                **{f"{name}_vs_reference_p95_ratio": round(timings[name]["p95_ms"] / reference, 2) for name in pages},
                "queries": queries,
                "query_count_constant": queries["case_list_manager"] == queries["case_list_one_row"]
                and queries["case_page_long_timeline"] == queries["case_page_short_timeline"],
                "manager_rows_shown": measured["manager_rows_shown"],
                "load_average_1min": round(os.getloadavg()[0], 2),
                "goal_p95_ms": GOAL_P95_MS,
                "goal_met": all(timings[name]["p95_ms"] <= GOAL_P95_MS for name in pages),
            }
        )
    )


if __name__ == "__main__":
    main()
