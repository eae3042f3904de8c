"""How long the manager's report page takes over a year of a busy store's data.

    python bench/reports.py [--quick]

Builds a fresh PostgreSQL database (BENCH_DATABASE_URL, default crm_bench_reports on 127.0.0.1), fills it with a
year of one busy store's deliveries, follow-ups, reviews, cases, events and remedies (plus two smaller stores the
filter must skip), then times GET /manager/reports/ for the whole year in-process (Django test client: URL
routing, middleware, session, the SQL and the template; no network). The reference, measured in the same run,
is the least any report could do: one COUNT(*) over each source table's rows of that store and year.
Last line: one JSON object.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_reports")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

BUDGET_MS = 200.0
# Rows of one busy store's year; --quick builds a tenth.
FULL = {"orders": 150_000, "reviews": 45_000, "cases": 8_000, "agents": 30}


def build(scale: dict[str, int], now: datetime, rng: random.Random):
    """A year of data for one busy store and two small ones. Returns (busy store, its manager's user)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from callbacks.models import FollowUp
    from crm import roles
    from crm.models import Agent, Case, CaseEvent, Customer, Order, Remedy, Store, StoreRole
    from reviews.models import Review

    User = get_user_model()
    batch = 5_000
    stores = [
        Store.objects.create(code=f"bench-{i}", name=f"Bench {i}", platform="tmall", timezone="Asia/Shanghai")
        for i in range(3)
    ]
    manager_user = User.objects.create_user(username="bench-manager", password="x")
    manager_user.groups.add(Group.objects.get_or_create(name=roles.STORE_MANAGER)[0])
    Agent.objects.create(user=manager_user).stores.add(
        stores[0], through_defaults={"role": StoreRole.MANAGER, "on_shift": True}
    )

    for store_index, store in enumerate(stores):
        share = 1.0 if store_index == 0 else 0.2
        n_orders, n_reviews, n_cases = (int(scale[k] * share) for k in ("orders", "reviews", "cases"))
        agents = []
        for i in range(max(2, int(scale["agents"] * share))):
            user = User.objects.create_user(username=f"{store.code}-agent-{i}", first_name=f"客服{i}")
            agent = Agent.objects.create(user=user)
            agent.stores.add(store, through_defaults={"on_shift": True})
            agents.append(agent)
        customers = Customer.objects.bulk_create(
            [
                Customer(
                    store=store,
                    external_id=f"c{i}",
                    name=f"顾客{i}",
                    phone=f"+86138{i:08d}",
                    contact_preference="no_calls" if i % 50 == 0 else "any",
                )
                for i in range(n_orders)  # one order each: no two live follow-ups of a customer on one day
            ],
            batch_size=batch,
        )

        def moment() -> datetime:
            return now - timedelta(seconds=rng.randrange(365 * 86_400))

        orders = Order.objects.bulk_create(
            [
                Order(
                    store=store,
                    external_id=f"o{i}",
                    customer=customers[i % len(customers)],
                    total_amount=Decimal(rng.choice(["128", "560", "899", "1399", "1899", "3888"])),
                    placed_at=(delivered := moment()) - timedelta(days=3),
                    delivered_at=delivered,
                    status="delivered",
                )
                for i in range(n_orders)
            ],
            batch_size=batch,
        )
        followups = []
        for order in orders:
            amount = order.total_amount
            if amount < 300:
                continue
            channel = "sms" if amount < 1000 else ("call" if amount < 2000 else "dedicated")
            start = order.delivered_at.replace(minute=0, second=0) + timedelta(hours=2)
            roll = rng.random()
            status, reason, outcome = ("done" if channel != "sms" else "sent"), "", ""
            if roll < 0.08:
                status, reason = "suppressed", rng.choice(["sms_opt_out", "do_not_contact", "merged"])
            elif roll < 0.12:
                status = "failed"
            elif roll < 0.15:
                status = "planned"
            elif channel != "sms":
                outcome = rng.choice(["satisfied"] * 7 + ["dissatisfied", "no_answer", "call_back"])
            followups.append(
                FollowUp(
                    store=store,
                    customer_id=order.customer_id,
                    order=order,
                    tier=channel,
                    channel=channel,
                    status=status,
                    contact_day=order.delivered_at.astimezone(store.tzinfo).date(),
                    sent_at=start + timedelta(minutes=rng.randrange(5, 600)) if status == "sent" else None,
                    provider_id="SM-bench" if status == "sent" else "",
                    window_start=start,
                    window_end=start + timedelta(hours=1),
                    assignee=rng.choice(agents) if channel != "sms" else None,
                    outcome=outcome,
                    suppressed_reason=reason,
                )
            )
        FollowUp.objects.bulk_create(followups, batch_size=batch)

        cases = []
        for i in range(n_cases):
            opened = moment()
            closed = rng.random() < 0.85
            cases.append(
                Case(
                    store=store,
                    customer=customers[rng.randrange(len(customers))],
                    order=orders[rng.randrange(len(orders))],
                    source=rng.choice(["call", "call", "review", "inbound_sms"]),
                    status="closed" if closed else "in_progress",
                    cause=rng.choice(["quality", "logistics", "size", "description_mismatch"]),
                    triage_group=rng.choice(["normal", "normal", "priority", "difficult"]),
                    assignee=rng.choice(agents),
                    opened_at=opened,
                    first_response_at=opened + timedelta(hours=rng.randrange(1, 30)),
                    first_response_due=opened + timedelta(hours=4),
                    resolution_due=opened + timedelta(days=2),
                    escalated_at=opened + timedelta(hours=5) if i % 9 == 0 else None,
                    closed_at=opened + timedelta(hours=rng.randrange(2, 120)) if closed else None,
                    root_cause=rng.choice(["courier"] * 5 + ["supplier_defect"] * 3 + ["listing", "packaging"])
                    if closed
                    else "",
                )
            )
        cases = Case.objects.bulk_create(cases, batch_size=batch)
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(case=case, kind=kind, at=case.opened_at + timedelta(hours=offset))
                for case in cases
                for kind, offset in (("opened", 0), ("call", 3), ("review_changed", 40))
                if kind != "review_changed" or case.pk % 4 == 0
            ],
            batch_size=batch,
        )
        Remedy.objects.bulk_create(
            [
                Remedy(
                    case=case,
                    kind=rng.choice(["gift", "coupon", "exchange", "partial_refund"]),
                    cost=Decimal(rng.choice(["30", "50", "120", "300", "680"])),
                    status=rng.choice(["agreed", "agreed", "approved", "declined"]),
                    decision_reason="over budget",
                    proposed_by=case.assignee,
                    proposed_at=case.opened_at + timedelta(hours=4),
                )
                for case in cases[: len(cases) // 2]
            ],
            batch_size=batch,
        )
        reviews = []
        for i in range(n_reviews):
            rating = rng.choice([5] * 14 + [4] * 3 + [3, 2, 1])
            case = cases[i % len(cases)] if rating <= 3 and i % 2 == 0 else None
            reviews.append(
                Review(
                    store=store,
                    external_id=f"r{i}",
                    customer=case.customer if case else customers[rng.randrange(len(customers))],
                    rating=rating,
                    sentiment=Review.sentiment_for(rating),
                    posted_at=moment(),
                    case=case,
                    appended_at=case.opened_at + timedelta(days=2) if case and i % 3 == 0 else None,
                )
            )
        Review.objects.bulk_create(reviews, batch_size=batch)
    return stores[0], manager_user


def timed(fn, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data and fewer runs")
    args = parser.parse_args()
    scale = {k: (v // 10 if args.quick and k != "agents" else v) for k, v in FULL.items()}
    runs = 5 if args.quick else 20

    from served import recreate_database

    recreate_database(DATABASE_URL)
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from crm.timezones import store_day_bounds, store_today
    from reports.metrics import Period, report_tables
    from reports.rollups import rollups_refresh, rollups_refresh_recent

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    started = time.perf_counter()
    store, manager = build(scale, now, random.Random(20261123))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    build_s = time.perf_counter() - started
    refresh_all_s = timed(lambda: rollups_refresh(store=store), 1)[0] / 1000
    refresh_recent_s = timed(lambda: rollups_refresh_recent(store=store), 1)[0] / 1000
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_dailycount")  # as autovacuum would after the first rebuild

    end = store_today(store, now=now)
    period = Period(store=store, start=end - timedelta(days=364), end=end)
    client = Client()
    client.force_login(manager)
    url = f"/manager/reports/?store={store.code}&start={period.start}&end={period.end}"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert b"section-agents" in response.content

    def reference() -> None:
        span = (store_day_bounds(store, period.start)[0], store_day_bounds(store, period.end)[1], store.pk)
        with connection.cursor() as cursor:
            for table, column, store_column in (
                ("reviews_review", "posted_at", "store_id"),
                ("callbacks_followup", "window_start", "store_id"),
                ("crm_order", "delivered_at", "store_id"),
                ("crm_case", "opened_at", "store_id"),
            ):
                cursor.execute(
                    f"SELECT count(*) FROM {table} WHERE {column} >= %s AND {column} < %s AND {store_column} = %s",  # noqa: S608
                    span,
                )
                cursor.fetchone()

    for _ in range(2):  # warm the caches and the connection
        page()
        reference()
    page_samples, reference_samples = [], []
    for _ in range(runs):  # interleaved, so both see the same machine load
        page_samples += timed(page, 1)
        reference_samples += timed(reference, 1)
    # The report's SQL and table building without HTTP or the template (a fresh Period reads the roll-ups anew).
    tables_ms = summary(timed(lambda: report_tables(Period(store=store, start=period.start, end=period.end)), runs))

    from callbacks.models import FollowUp
    from crm.models import Case
    from reviews.models import Review

    page_stats, reference_stats = summary(page_samples), summary(reference_samples)
    result = {
        "bench": "reports",
        "quick": args.quick,
        "rows": {
            "orders": store.orders.count(),
            "followups": FollowUp.objects.filter(store=store).count(),
            "reviews": Review.objects.filter(store=store).count(),
            "cases": Case.objects.filter(store=store).count(),
        },
        "build_s": round(build_s, 1),
        "rollup_refresh_all_s": round(refresh_all_s, 2),
        "rollup_refresh_recent_s": round(refresh_recent_s, 2),
        "page": page_stats,
        "reference_count_scan": reference_stats,
        "ratio_page_to_reference": round(page_stats["median_ms"] / reference_stats["median_ms"], 2),
        "report_tables": tables_ms,
        "budget_ms": BUDGET_MS,
        "within_budget": page_stats["p95_ms"] <= BUDGET_MS,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
