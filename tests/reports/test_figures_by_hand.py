"""The report's figures against answers worked out by hand: stores in Shanghai, Urumqi and Berlin (across its clock
changes), facts just before and after each store's midnight (and a UTC midnight that is not the store's), remedies in
two currencies, a delivery reported twice and out of order, and a store the manager does not run. Each figure is read
from the report page as the manager sees it, after the nightly rebuild and after the frequent one."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from crm.models import Case, Remedy
from crm.services.ingestion.deliveries import DeliveryInput, deliveries_record
from reports.models import DailyCount
from reports.rollups import rollups_refresh, rollups_refresh_recent
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, StoreFactory
from tests.reports.factories import CaseFactory, FollowUpFactory, RemedyFactory, ReviewFactory

pytestmark = pytest.mark.django_db

# 15:59 UTC on 10 November: 23:59 in Shanghai, 21:59 in Urumqi, 16:59 in Berlin.
BEFORE_SHANGHAI_MIDNIGHT = datetime(2026, 11, 10, 15, 59, tzinfo=UTC)
# 17:30 UTC: 01:30 on the 11th in Shanghai, 23:30 on the 10th in Urumqi, 18:30 on the 10th in Berlin.
AFTER_SHANGHAI_MIDNIGHT = datetime(2026, 11, 10, 17, 30, tzinfo=UTC)
# 23:30 UTC on the 10th: the UTC day is the 10th, every store's is the 11th (00:30 in Berlin).
UTC_STILL_THE_10TH = datetime(2026, 11, 10, 23, 30, tzinfo=UTC)


@pytest.fixture
def stores():
    return {
        "sh": StoreFactory(code="sh", timezone="Asia/Shanghai", currency="CNY"),
        "ur": StoreFactory(code="ur", timezone="Asia/Urumqi", currency="CNY"),
        "be": StoreFactory(code="be", timezone="Europe/Berlin", currency="EUR"),
    }


@pytest.fixture
def manager_client(client, stores):
    client.force_login(ManagerFactory(stores=list(stores.values())).user)
    return client


def report(client, store, start, end=None):
    page = client.get("/manager/reports/", {"store": store.code, "start": start, "end": end or start})
    assert page.status_code == 200
    return {table.key: table.rows for table in page.context["tables"]}


def facts(store, moments, agent):
    """At each moment: a case opened (by a call) and closed half a minute later, a bad review, a delivery with nothing
    planned, a care SMS sent, a remedy given in the store's currency and one in yuan or euros."""
    other = "CNY" if store.currency == "EUR" else "EUR"
    for at in moments:
        case = CaseFactory(
            customer__store=store,
            opened_at=at,
            assignee=agent,
            status=Case.Status.CLOSED,
            closed_at=at + timedelta(seconds=30),
            root_cause="other",
        )
        ReviewFactory(customer__store=store, rating=1, posted_at=at)
        OrderFactory(customer__store=store, delivered_at=at, status="delivered")
        FollowUpFactory(
            order__customer__store=store, channel="sms", tier="sms", status="sent", window_start=at, sent_at=at
        )
        RemedyFactory(case=case, proposed_by=agent, proposed_at=at, cost=Decimal("10"), currency=store.currency)
        RemedyFactory(case=case, proposed_by=agent, proposed_at=at, cost=Decimal("7"), currency=other)


def figures(rows, store):
    other = "CNY" if store.currency == "EUR" else "EUR"
    bad = sum(r["bad"] for r in rows["bad_reviews"])
    opened = next((r["customers"] for r in rows["reached_first"] if r["source"] == "All sources"), 0)
    pareto = sum(r["cases"] for r in rows["pareto"])
    coverage = {r["tier"]: r["total"] for r in rows["coverage"]}
    cost = {r["currency"]: (r["given"], r["cost"]) for r in rows["remedies"]}
    [agent] = rows["agents"] or [{}]
    return {
        "bad_reviews": bad,
        "cases_opened": opened,
        "closed_by_root_cause": pareto,
        "care_sms": coverage.get("Care SMS", 0),
        "deliveries_without_follow_up": coverage.get("Deliveries with no follow-up (below the SMS tier)", 0),
        "remedies": (cost.get(store.currency, (0, 0)), cost.get(other, (0, 0))),
        "agent": (agent.get("assigned", 0), agent.get("closed", 0), agent.get("resolution_hours")),
        "agent_costs": (agent.get(f"remedy_cost_{store.currency}"), agent.get(f"remedy_cost_{other}")),
    }


def expected(n, store):
    """n sets of facts on the day, by hand: each set adds one of everything, 10 in the store's money and 7 in the
    other, never added up."""
    return {
        "bad_reviews": n,
        "cases_opened": n,
        "closed_by_root_cause": n,
        "care_sms": n,
        "deliveries_without_follow_up": n,
        "remedies": ((n, Decimal(10 * n)), (n, Decimal(7 * n))),
        "agent": (n, n, 0.0 if n else None),
        "agent_costs": (Decimal(10 * n), Decimal(7 * n)) if n else (None, None),
    }


def test_each_store_counts_on_its_own_days_and_in_its_own_money(manager_client, stores):
    moments = (BEFORE_SHANGHAI_MIDNIGHT, AFTER_SHANGHAI_MIDNIGHT, UTC_STILL_THE_10TH)
    for store in stores.values():
        facts(store, moments, AgentFactory(stores=[store], user__first_name="Lin"))
    with time_machine.travel(datetime(2026, 11, 12, 4, tzinfo=UTC), tick=False):
        for store in stores.values():
            rollups_refresh(store=store)
        nightly = {code: DailyCount.objects.filter(store=s).count() for code, s in stores.items()}
        # By hand: Shanghai's 10th has only 23:59; Urumqi's has 21:59 and 23:30; Berlin's 16:59 and 18:30. The UTC
        # midnight's 23:30 is everyone's 11th.
        by_day = {"sh": (1, 2), "ur": (2, 1), "be": (2, 1)}
        for code, (tenth, eleventh) in by_day.items():
            store = stores[code]
            assert figures(report(manager_client, store, "2026-11-10"), store) == expected(tenth, store), code
            assert figures(report(manager_client, store, "2026-11-11"), store) == expected(eleventh, store), code
            assert figures(report(manager_client, store, "2026-11-09"), store) == expected(0, store), code
            whole = figures(report(manager_client, store, "2026-11-01", "2026-11-30"), store)
            assert whole == expected(3, store), code
        for store in stores.values():
            rollups_refresh_recent(store=store)
        assert {code: DailyCount.objects.filter(store=s).count() for code, s in stores.items()} == nightly
        for code, (tenth, _eleventh) in by_day.items():
            store = stores[code]
            assert figures(report(manager_client, store, "2026-11-10"), store) == expected(tenth, store), code


@pytest.mark.parametrize(
    ("day", "first", "last", "next_day"),
    [
        # 25 October 2026: summer time ends, a 25-hour day from 22:00 UTC on the 24th to 23:00 UTC on the 25th.
        ("2026-10-25", datetime(2026, 10, 24, 22, 0), datetime(2026, 10, 25, 22, 59), datetime(2026, 10, 25, 23, 0)),
        # 28 March 2027: summer time begins, a 23-hour day from 23:00 UTC on the 27th to 22:00 UTC on the 28th.
        ("2027-03-28", datetime(2027, 3, 27, 23, 0), datetime(2027, 3, 28, 21, 59), datetime(2027, 3, 28, 22, 0)),
    ],
)
def test_berlins_clock_change_days_hold_what_happened_on_them(manager_client, stores, day, first, last, next_day):
    berlin = stores["be"]
    agent = AgentFactory(stores=[berlin], user__first_name="Lin")
    before = first - timedelta(minutes=1)  # 23:59 the evening before
    facts(berlin, [m.replace(tzinfo=UTC) for m in (before, first, last, next_day)], agent)
    rollups_refresh(store=berlin)
    the_day = date.fromisoformat(day)
    assert figures(report(manager_client, berlin, day), berlin) == expected(2, berlin)
    assert figures(report(manager_client, berlin, str(the_day - timedelta(days=1))), berlin) == expected(1, berlin)
    assert figures(report(manager_client, berlin, str(the_day + timedelta(days=1))), berlin) == expected(1, berlin)


def test_a_store_the_manager_does_not_run_counts_nowhere(client, stores):
    elsewhere = StoreFactory(code="elsewhere", timezone="Asia/Shanghai")
    lin = AgentFactory(stores=[stores["sh"], elsewhere], user__first_name="Lin")
    facts(stores["sh"], [BEFORE_SHANGHAI_MIDNIGHT], lin)
    facts(elsewhere, [BEFORE_SHANGHAI_MIDNIGHT] * 2, lin)
    manager = ManagerFactory(stores=[stores["sh"]])
    manager.stores.add(elsewhere)  # served as an agent only (ADR 0045)
    client.force_login(manager.user)
    rollups_refresh(store=stores["sh"])
    rollups_refresh(store=elsewhere)
    assert figures(report(client, stores["sh"], "2026-11-10"), stores["sh"]) == expected(1, stores["sh"])
    assert client.get("/manager/reports/", {"store": "elsewhere"}).status_code == 404
    assert client.get("/manager/reports/agents.csv", {"store": "elsewhere"}).status_code == 404
    # Its late and unassigned cases are its own managers' to see, not on this manager's escalations page.
    CaseFactory(
        customer__store=elsewhere, first_response_due=BEFORE_SHANGHAI_MIDNIGHT, opened_at=BEFORE_SHANGHAI_MIDNIGHT
    )
    CaseFactory(customer__store=stores["sh"], first_response_due=BEFORE_SHANGHAI_MIDNIGHT)
    board = client.get("/manager/escalations/").context["board"]
    assert {case.store.code for case in board.late + board.unassigned} == {"sh"}
    assert client.get("/manager/escalations/", {"store": "elsewhere"}).status_code == 404


def test_a_delivery_reported_twice_and_out_of_order_is_one_delivery_on_the_day_first_reported(manager_client, stores):
    shanghai = stores["sh"]
    order = OrderFactory(customer__store=shanghai, total_amount=Decimal("10.00"))  # below every tier
    first, earlier = BEFORE_SHANGHAI_MIDNIGHT, BEFORE_SHANGHAI_MIDNIGHT - timedelta(hours=2)
    deliveries_record(deliveries=[DeliveryInput(order=order, delivered_at=first, payload={"n": 1})], token=None)
    order.refresh_from_db()
    deliveries_record(deliveries=[DeliveryInput(order=order, delivered_at=earlier, payload={"n": 2})], token=None)
    deliveries_record(deliveries=[DeliveryInput(order=order, delivered_at=first, payload={"n": 1})], token=None)
    rollups_refresh(store=shanghai)
    rows = report(manager_client, shanghai, "2026-11-01", "2026-11-30")
    assert [(r["tier"], r["total"]) for r in rows["coverage"]] == [
        ("Deliveries with no follow-up (below the SMS tier)", 1)
    ]
    assert Remedy.objects.count() == 0


def test_the_managers_home_counts_each_store_in_its_own_evening_and_not_a_store_they_only_serve(client, stores):
    # 17:00 UTC on 10 November: 01:00 on the 11th in Shanghai, 23:00 on the 10th in Urumqi, 18:00 in Berlin.
    now = datetime(2026, 11, 10, 17, 0, tzinfo=UTC)
    elsewhere = StoreFactory(code="elsewhere", timezone="Asia/Shanghai")
    manager = ManagerFactory(stores=list(stores.values()))
    manager.stores.add(elsewhere)  # served as an agent only (ADR 0045)
    colleague = AgentFactory(stores=[elsewhere])
    sh, ur, be = stores["sh"], stores["ur"], stores["be"]

    def call(store, local_day, assignee=None, status="planned"):
        start = datetime.combine(local_day, datetime.min.time().replace(hour=18), tzinfo=store.tzinfo)
        return FollowUpFactory(order__customer__store=store, window_start=start, assignee=assignee, status=status)

    # Tonight in each store's own evening: Shanghai's is the 11th's, Urumqi's and Berlin's the 10th's.
    call(sh, date(2026, 11, 11))
    call(sh, date(2026, 11, 10))  # Shanghai's yesterday, though it is the 10th in UTC
    call(ur, date(2026, 11, 10))
    call(ur, date(2026, 11, 11))  # Urumqi's tomorrow
    call(be, date(2026, 11, 10))
    call(be, date(2026, 11, 10), status="done")
    call(elsewhere, date(2026, 11, 11), assignee=manager)  # their own call where they serve
    call(elsewhere, date(2026, 11, 11), assignee=colleague)  # not theirs, in a store they do not run
    late = {"first_response_due": now - timedelta(hours=1), "resolution_due": now - timedelta(hours=1)}
    for store in (sh, ur, be):
        CaseFactory(customer__store=store, opened_at=now - timedelta(days=1), **late)
    CaseFactory(customer__store=sh, status=Case.Status.CLOSED, closed_at=now, root_cause="other")
    CaseFactory(customer__store=elsewhere, assignee=manager, opened_at=now - timedelta(days=1))
    CaseFactory(customer__store=elsewhere, assignee=colleague, opened_at=now - timedelta(days=1), **late)

    with time_machine.travel(now, tick=False):
        client.force_login(manager.user)
        page = client.get("/")
    counts = {work.name: count for work, _link, count in page.context["waiting"]}
    assert (counts["cases"], counts["cases_overdue"], counts["calls_tonight"]) == (4, 3, 4)
