from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callbacks.models import CallAttempt, FollowUp
from callbacks.services.inbound import message_status_record
from crm.models import Case, Remedy, RootCause
from reports.metrics import SECTIONS, Period
from reports.rollups import rollups_refresh
from reviews.models import ReviewRevision
from tests.factories import AgentFactory, OrderFactory, StoreFactory
from tests.reports.factories import T0, CaseFactory, FollowUpFactory, RemedyFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


@pytest.fixture
def november(store):
    return Period(store=store, start=date(2026, 11, 1), end=date(2026, 11, 30))


def rows(key, period):
    rollups_refresh(store=period.store)
    return SECTIONS[key](period).rows


def test_bad_review_rate_counts_each_review_on_the_store_local_day(store, november):
    for rating in (5, 1, 3):  # 01:00 on 10 Nov in Shanghai, still 9 Nov in UTC
        ReviewFactory(customer__store=store, rating=rating, posted_at=datetime(2026, 11, 9, 17, 0, tzinfo=UTC))
    ReviewFactory(customer__store=store, rating=2, posted_at=datetime(2026, 11, 11, 3, 0, tzinfo=UTC))
    ReviewFactory(customer__store=store, rating=1, posted_at=datetime(2026, 10, 31, 15, 59, tzinfo=UTC))  # 23:59
    ReviewFactory(rating=1, posted_at=T0)  # another store
    assert rows("bad_reviews", november) == [
        {"period": "2026-11-10", "reviews": 3, "mid": 1, "bad": 1, "bad_rate": 33.3},
        {"period": "2026-11-11", "reviews": 1, "mid": 0, "bad": 1, "bad_rate": 100.0},
    ]


def test_long_periods_are_shown_by_week(store):
    ReviewFactory(customer__store=store, rating=1, posted_at=datetime(2026, 11, 10, 4, tzinfo=UTC))  # a Tuesday
    ReviewFactory(customer__store=store, rating=5, posted_at=datetime(2026, 11, 15, 4, tzinfo=UTC))  # Sunday
    year = Period(store=store, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert [(r["period"], r["reviews"]) for r in rows("bad_reviews", year)] == [("2026-11-09", 2)]


def test_a_week_cut_by_the_period_is_labelled_with_the_first_day_it_counts(store):
    # 2 September 2026 is a Wednesday: its week starts on 31 August, outside the period, which counts from the 2nd.
    ReviewFactory(customer__store=store, rating=1, posted_at=datetime(2026, 9, 2, 4, tzinfo=UTC))
    ReviewFactory(customer__store=store, rating=1, posted_at=datetime(2026, 8, 31, 4, tzinfo=UTC))  # before it
    autumn = Period(store=store, start=date(2026, 9, 2), end=date(2026, 11, 30))
    assert [(r["period"], r["reviews"]) for r in rows("bad_reviews", autumn)] == [("2026-09-02", 1)]


def test_reached_first_counts_customers_contacted_before_any_mid_or_bad_review(store, november):
    reached = CaseFactory(customer__store=store, first_response_at=T0 + timedelta(hours=1))
    late = CaseFactory(customer__store=store, source=Case.Source.REVIEW, first_response_at=T0 + timedelta(hours=3))
    ReviewFactory(customer=late.customer, rating=1, posted_at=T0 - timedelta(hours=1))
    CaseFactory(customer__store=store)  # never reached
    reached_then_wrote = CaseFactory(customer__store=store, first_response_at=T0 + timedelta(hours=1))
    ReviewFactory(customer=reached_then_wrote.customer, rating=2, posted_at=T0 + timedelta(days=1))
    ReviewFactory(customer=reached.customer, rating=1, posted_at=T0 - timedelta(days=60))  # an old disappointment
    assert rows("reached_first", november) == [
        {"source": "Follow-up call", "customers": 3, "reached": 2, "share": 66.7},
        {"source": "Review", "customers": 1, "reached": 0, "share": 0.0},
        {"source": "All sources", "customers": 4, "reached": 2, "share": 50.0},
    ]


def test_coverage_by_tier_counts_follow_ups_by_state_and_deliveries_without_one(store, november):
    order = {"order__customer__store": store}
    FollowUpFactory(channel=FollowUp.Channel.SMS, status=FollowUp.Status.SENT, **order)
    FollowUpFactory(
        channel=FollowUp.Channel.SMS, status=FollowUp.Status.SUPPRESSED, suppressed_reason="sms_opt_out", **order
    )
    FollowUpFactory(channel=FollowUp.Channel.CALL, status=FollowUp.Status.PLANNED, **order)
    FollowUpFactory(channel=FollowUp.Channel.CALL, status=FollowUp.Status.DONE, **order)
    FollowUpFactory(channel=FollowUp.Channel.DEDICATED, status=FollowUp.Status.FAILED, **order)
    OrderFactory(customer__store=store, status="delivered", delivered_at=T0, total_amount=Decimal("99"))
    assert rows("coverage", november) == [
        {
            "tier": "Care SMS",
            "total": 2,
            "planned": 0,
            "done": 1,
            "failed": 0,
            "undelivered": 0,
            "suppressed": 1,
            "missed": 0,
            "not_logged": 0,
            "done_share": 50.0,
        },
        {
            "tier": "Phone call",
            "total": 2,
            "planned": 1,
            "done": 1,
            "failed": 0,
            "undelivered": 0,
            "suppressed": 0,
            "missed": 0,
            "not_logged": 0,
            "done_share": 50.0,
        },
        {
            "tier": "Dedicated owner",
            "total": 1,
            "planned": 0,
            "done": 0,
            "failed": 1,
            "undelivered": 0,
            "suppressed": 0,
            "missed": 0,
            "not_logged": 0,
            "done_share": 0.0,
        },
        {"tier": "Deliveries with no follow-up (below the SMS tier)", "total": 1},
    ]
    assert rows("suppressed", november) == [{"tier": "Care SMS", "reason": "Customer opted out of SMS", "count": 1}]


def test_a_care_sms_the_provider_could_not_deliver_is_no_done_follow_up_nor_a_first_contact(store, november):
    """Twilio reports `undelivered` or `failed` after the message was sent: it never reached the customer. Done is a
    message delivered, or sent with no delivery report (yet, or from a carrier that gives none)."""
    delivered_at = T0 - timedelta(hours=1)
    sms = [
        FollowUpFactory(
            order__customer__store=store,
            order__delivered_at=delivered_at,
            channel=FollowUp.Channel.SMS,
            status=FollowUp.Status.SENT,
            provider_id=f"SM{n}",
            sent_at=T0 + timedelta(minutes=n),
        )
        for n in range(4)
    ]
    reports = [("sent", "delivered"), ("sent", "undelivered"), ("failed",), ("sent",)]
    for followup, statuses in zip(sms, reports, strict=True):
        for status in statuses:
            message_status_record(
                followup_id=followup.pk, payload={"MessageSid": followup.provider_id, "MessageStatus": status}
            )
    [care_sms] = rows("coverage", november)
    assert (care_sms["total"], care_sms["done"], care_sms.get("undelivered"), care_sms["done_share"]) == (4, 2, 2, 50.0)
    [first] = rows("first_contact", november)
    assert (first["contacted"], first["2h"]) == (2, 2)


def test_call_outcomes_are_counted_with_their_share(store, november):
    for outcome in ("satisfied", "satisfied", "no_answer"):
        FollowUpFactory(order__customer__store=store, status=FollowUp.Status.DONE, outcome=outcome)
    FollowUpFactory(order__customer__store=store, channel=FollowUp.Channel.SMS, outcome="satisfied")
    assert rows("outcomes", november) == [
        {"outcome": "Reached, satisfied", "count": 2, "share": 66.7},
        {"outcome": "No answer", "count": 1, "share": 33.3},
    ]


def test_remedies_count_what_was_given_and_its_cost(store, november):
    case = CaseFactory(customer__store=store)
    RemedyFactory(case=case, kind=Remedy.Kind.GIFT, cost=Decimal("50"))
    RemedyFactory(case=case, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("300"), status=Remedy.Status.APPROVED)
    RemedyFactory(
        case=case, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("500"), status="declined", decision_reason="too much"
    )
    RemedyFactory(case=case, kind=Remedy.Kind.COUPON, cost=Decimal("250"), status=Remedy.Status.AWAITING_APPROVAL)
    assert [
        (r["kind"], r["proposed"], r["given"], r["awaiting"], r["declined"], r["cost"])
        for r in rows("remedies", november)
    ] == [
        ("Partial refund", 2, 1, 0, 1, Decimal("300")),
        ("Small gift", 1, 1, 0, 0, Decimal("50")),
        ("Coupon", 1, 0, 1, 0, Decimal("0")),
    ]


def test_a_remedy_carried_out_or_confirmed_still_counts_as_given_with_its_cost(store, november):
    # Once carried out (or confirmed by the customer) a remedy left "given" and its cost left the figures: the
    # remedies the store actually paid for counted for nothing, in the remedies table and in the agent's cost.
    lin = AgentFactory(stores=[store], user__first_name="Lin")
    case = CaseFactory(customer__store=store)
    done = {"fulfilment_reference": "REF-1", "fulfilled_at": T0 + timedelta(hours=1)}
    refund = {"case": case, "proposed_by": lin, "kind": Remedy.Kind.PARTIAL_REFUND}
    RemedyFactory(**refund, cost=Decimal("300"), status="fulfilled", **done)
    RemedyFactory(
        **refund,
        cost=Decimal("200"),
        status="confirmed",
        confirmed_at=T0 + timedelta(hours=2),
        confirmed_via="call",
        **done,
    )

    (refunds,) = rows("remedies", november)
    by_agent = {r["agent"]: r for r in rows("agents", november)}

    assert (refunds["proposed"], refunds["given"], refunds["cost"]) == (2, 2, Decimal("500"))
    assert by_agent["Lin"]["remedy_cost_CNY"] == Decimal("500.00")


def test_remedies_in_different_currencies_are_never_added_up(store, november):
    """A store selling in CNY with an order paid in euros: its refund is EUR, a row and a cost column of its own."""
    lin = AgentFactory(stores=[store], user__first_name="Lin")
    case = CaseFactory(customer__store=store)
    refund = {"case": case, "proposed_by": lin, "kind": Remedy.Kind.PARTIAL_REFUND}
    RemedyFactory(**refund, cost=Decimal("300"), currency="CNY")
    RemedyFactory(**refund, cost=Decimal("40"), currency="EUR")
    RemedyFactory(case=case, proposed_by=lin, kind=Remedy.Kind.GIFT, cost=Decimal("20"), currency="EUR")

    assert [(r["kind"], r["currency"], r["given"], r["cost"]) for r in rows("remedies", november)] == [
        ("Partial refund", "CNY", 1, Decimal("300")),
        ("Partial refund", "EUR", 1, Decimal("40")),
        ("Small gift", "EUR", 1, Decimal("20")),
    ]
    table = SECTIONS["agents"](november)
    (lin_row,) = table.rows
    assert (lin_row["remedy_cost_CNY"], lin_row["remedy_cost_EUR"]) == (Decimal("300"), Decimal("60"))
    headings = dict(table.columns)
    assert (headings["remedy_cost_CNY"], headings["remedy_cost_EUR"]) == (
        "Remedies given (cost, CNY)",
        "Remedies given (cost, EUR)",
    )
    chart = SECTIONS["remedies"](november).chart_data()
    assert chart["labels"] == ["Partial refund (CNY)", "Partial refund (EUR)", "Small gift (EUR)"]


def test_remedy_rollups_stored_before_currencies_get_their_stores(store):
    import importlib

    from django.apps import apps

    from reports.models import DailyCount

    migration = importlib.import_module("reports.migrations.0003_remedy_rollups_per_currency")
    euros = StoreFactory(currency="EUR")
    day = {"day": date(2026, 11, 10), "count": 1, "amount": Decimal("40")}
    DailyCount.objects.create(store=euros, metric="remedy", key="coupon:agreed", **day)
    DailyCount.objects.create(store=euros, metric="agent_remedy", key="7", **day)
    DailyCount.objects.create(store=store, metric="remedy", key="gift:agreed:CNY", **day)  # already per currency
    DailyCount.objects.create(store=store, metric="review", key="bad", **day)
    migration.remedy_keys_with_currency(apps, None)
    assert set(DailyCount.objects.values_list("metric", "key")) == {
        ("remedy", "coupon:agreed:EUR"),
        ("agent_remedy", "7:EUR"),
        ("remedy", "gift:agreed:CNY"),
        ("review", "bad"),
    }


def test_reviews_appended_or_changed_after_contact(store, november):
    contacted = CaseFactory(customer__store=store, first_response_at=T0)
    ReviewFactory(
        customer=contacted.customer,
        case=contacted,
        rating=2,
        appended_text="后来换了新的,很好",
        appended_at=T0 + timedelta(days=1),
    )
    revised_case = CaseFactory(customer__store=store, first_response_at=T0)
    ReviewFactory(customer=revised_case.customer, case=revised_case, rating=5)
    review = revised_case.reviews.get()
    ReviewRevision.objects.create(
        review=review, at=T0 + timedelta(days=2), old_rating=2, new_rating=5, after_contact=True
    )
    silent = CaseFactory(customer__store=store, first_response_at=T0)
    ReviewFactory(customer=silent.customer, case=silent, rating=1)
    ReviewFactory(customer__store=store, rating=1, appended_at=T0 + timedelta(days=1))  # never contacted
    assert rows("review_changes", november) == [
        {"sentiment": "Bad", "contacted": 2, "appended": 1, "revised": 0, "raised": 0, "share": 50.0},
        {"sentiment": "Good", "contacted": 1, "appended": 0, "revised": 1, "raised": 1, "share": 100.0},
    ]


def test_root_cause_pareto_sorts_causes_and_accumulates_their_share(store, november):
    RootCause.objects.create(store=store, code="dye", label="染色批次")
    closed = {"customer__store": store, "status": Case.Status.CLOSED, "closed_at": T0}
    for root_cause in ("dye", "dye", "dye", "box"):
        CaseFactory(root_cause=root_cause, **closed)
    CaseFactory(customer__store=store)  # open: no root cause yet
    assert rows("pareto", november) == [
        {"root_cause": "染色批次", "cases": 3, "share": 75.0, "cumulative": 75.0},
        {"root_cause": "box", "cases": 1, "share": 25.0, "cumulative": 100.0},
    ]


def test_agent_workload_joins_cases_calls_and_remedies_per_agent(store, november):
    lin, wu = AgentFactory(stores=[store], user__first_name="Lin"), AgentFactory(stores=[store], user__first_name="Wu")
    closed = CaseFactory(
        customer__store=store,
        assignee=lin,
        status=Case.Status.CLOSED,
        root_cause="other",
        closed_at=T0 + timedelta(hours=3),
    )
    CaseFactory(customer__store=store, assignee=lin, escalated_at=T0 + timedelta(hours=5))
    RemedyFactory(case=closed, proposed_by=lin, cost=Decimal("80"))
    FollowUpFactory(order__customer__store=store, assignee=wu, status=FollowUp.Status.DONE)
    FollowUpFactory(order__customer__store=store, assignee=wu)
    by_agent = {r["agent"]: r for r in rows("agents", november)}
    assert by_agent["Lin"] == {
        "agent": "Lin",
        "assigned": 2,
        "closed": 1,
        "still_open": 1,
        "escalated": 1,
        "breached": 0,
        "resolution_hours": 3.0,
        "calls": 0,
        "calls_done": 0,
        "calls_missed": 0,
        "calls_not_logged": 0,
        "remedy_cost_CNY": Decimal("80.00"),
    }
    assert (by_agent["Wu"]["assigned"], by_agent["Wu"]["calls"], by_agent["Wu"]["calls_done"]) == (0, 2, 1)


def test_a_case_escalated_by_hand_before_its_deadline_counts_as_past_its_deadline_once_it_passes(store, november):
    """The per-agent table counted such a case escalated but never late: the sweep that records breaches skipped
    every case escalated already."""
    from crm.services.cases import case_escalate
    from crm.services.sla import cases_escalate_breached

    lin = AgentFactory(stores=[store], user__first_name="Lin")
    due = T0 + timedelta(hours=2)
    early = CaseFactory(customer__store=store, assignee=lin, first_response_due=due, resolution_due=due)
    CaseFactory(customer__store=store, assignee=lin, first_response_due=due + timedelta(days=60))  # not late
    case_escalate(case=early, reason="the customer threatens a dispute")
    cases_escalate_breached(now=due + timedelta(minutes=1))

    [row] = rows("agents", november)
    assert (row["assigned"], row["escalated"], row["breached"]) == (2, 1, 1)


def test_a_call_nobody_made_counts_as_missed_neither_open_nor_done_nor_an_agents_call(store, november):
    import time_machine

    from callbacks.services.missed import GRACE, followups_close_missed

    wu = AgentFactory(stores=[store], user__first_name="Wu")
    FollowUpFactory(order__customer__store=store, assignee=wu, status=FollowUp.Status.DONE, outcome="satisfied")
    missed = FollowUpFactory(order__customer__store=store, assignee=wu)
    with time_machine.travel(missed.window_end + GRACE + timedelta(minutes=1), tick=False):
        assert followups_close_missed().care_sms == 1
    # The care SMS that went instead is the delivery's next contact, of the same value tier, planned.
    [phone_calls] = [row for row in rows("coverage", november) if row["tier"] == "Phone call"]
    assert phone_calls == {
        "tier": "Phone call",
        "total": 3,
        "planned": 1,
        "done": 1,
        "failed": 0,
        "undelivered": 0,
        "suppressed": 0,
        "missed": 1,
        "not_logged": 0,
        "done_share": 33.3,
    }
    assert rows("outcomes", november) == [
        {"outcome": "Not called in its window", "count": 1, "share": 50.0},
        {"outcome": "Reached, satisfied", "count": 1, "share": 50.0},
    ]
    by_agent = {r["agent"]: r for r in rows("agents", november)}
    assert (by_agent["Wu"]["calls"], by_agent["Wu"]["calls_done"], by_agent["Wu"]["calls_missed"]) == (2, 1, 1)
    first_contact = rows("first_contact", november)
    assert sum(row["contacted"] for row in first_contact) == 0  # a missed call reached nobody


def test_a_call_made_with_no_outcome_logged_counts_apart_neither_open_nor_done(store, november):
    # Left `in_progress` for ever, it was counted as planned (open) in the coverage and in no agent's calls done.
    import time_machine

    from callbacks.models import Call
    from callbacks.services.missed import OUTCOME_WAIT, followups_close_missed

    wu = AgentFactory(stores=[store], user__first_name="Wu")
    FollowUpFactory(order__customer__store=store, assignee=wu, status=FollowUp.Status.DONE, outcome="satisfied")
    left = FollowUpFactory(order__customer__store=store, assignee=wu, status=FollowUp.Status.IN_PROGRESS)
    Call.objects.create(
        followup=left, agent=wu, provider_id="CA1", status=Call.Status.COMPLETED, started_at=left.window_start,
        ended_at=left.window_start + timedelta(minutes=5),
    )  # fmt: skip
    with time_machine.travel(left.window_end + OUTCOME_WAIT + timedelta(minutes=1), tick=False):
        assert followups_close_missed().not_logged == 1
    [phone_calls] = [row for row in rows("coverage", november) if row["tier"] == "Phone call"]
    assert phone_calls == {
        "tier": "Phone call",
        "total": 2,
        "planned": 0,
        "done": 1,
        "failed": 0,
        "undelivered": 0,
        "suppressed": 0,
        "missed": 0,
        "not_logged": 1,
        "done_share": 50.0,
    }
    assert rows("outcomes", november) == [
        {"outcome": "Called, outcome not logged", "count": 1, "share": 50.0},
        {"outcome": "Reached, satisfied", "count": 1, "share": 50.0},
    ]
    by_agent = {r["agent"]: r for r in rows("agents", november)}
    assert (by_agent["Wu"]["calls"], by_agent["Wu"]["calls_done"], by_agent["Wu"]["calls_not_logged"]) == (2, 1, 1)


def _queries_for_report(store) -> int:
    rollups_refresh(store=store)
    period = Period(store=store, start=date(2026, 11, 1), end=date(2026, 11, 30))
    with CaptureQueriesContext(connection) as queries:
        for section in SECTIONS.values():
            section(period)
    return len(queries)


def _activity(store, count: int) -> None:
    for index in range(count):
        agent = AgentFactory(stores=[store])
        case = CaseFactory(customer__store=store, assignee=agent, first_response_at=T0)
        RemedyFactory(case=case, proposed_by=agent)
        FollowUpFactory(order__customer__store=store, assignee=agent, outcome=f"o{index}")
        ReviewFactory(customer=case.customer, case=case, rating=1 + index % 5, posted_at=T0 + timedelta(days=index))


def test_the_report_reads_as_many_queries_for_thirty_agents_as_for_one(store):
    _activity(store, 1)
    few = _queries_for_report(store)
    _activity(store, 30)
    assert _queries_for_report(store) == few <= 4


def test_time_to_first_contact_counts_sms_sent_and_calls_that_reached_the_customer(store, november):
    delivered = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    sms = FollowUpFactory(
        order__customer__store=store,
        order__delivered_at=delivered,
        channel="sms",
        status="sent",
        sent_at=delivered + timedelta(hours=1),
    )
    call = FollowUpFactory(order__customer__store=store, order__delivered_at=delivered, status="done")
    agent = AgentFactory(stores=[store])
    CallAttempt.objects.create(
        followup=call, seq=1, agent=agent, outcome="no_answer", at=delivered + timedelta(hours=6)
    )
    CallAttempt.objects.create(
        followup=call, seq=2, agent=agent, outcome="satisfied", at=delivered + timedelta(hours=30)
    )
    FollowUpFactory(order__customer__store=store, order__delivered_at=delivered)  # not reached yet
    assert sms.order.delivered_at == delivered
    assert rows("first_contact", november) == [
        {"tier": "Care SMS", "contacted": 1, "2h": 1, "12h": 0, "36h": 0, "later": 0, "within_12h": 100.0},
        {"tier": "Phone call", "contacted": 1, "2h": 0, "12h": 0, "36h": 1, "later": 0, "within_12h": 0.0},
    ]


def test_a_rebuild_from_a_day_replaces_those_days_and_keeps_the_earlier_ones(store, november):
    from reports.models import DailyCount

    ReviewFactory(customer__store=store, rating=1, posted_at=datetime(2026, 11, 2, 4, tzinfo=UTC))
    ReviewFactory(customer__store=store, rating=1, posted_at=datetime(2026, 11, 20, 4, tzinfo=UTC))
    rollups_refresh(store=store)
    rollups_refresh(store=store)
    assert DailyCount.objects.filter(store=store, metric="review", month=False).count() == 2
    ReviewFactory(customer__store=store, rating=5, posted_at=datetime(2026, 11, 3, 4, tzinfo=UTC))
    ReviewFactory(customer__store=store, rating=5, posted_at=datetime(2026, 11, 21, 4, tzinfo=UTC))
    rollups_refresh(store=store, since_day=date(2026, 11, 15))
    assert sum(r["reviews"] for r in SECTIONS["bad_reviews"](november).rows) == 3


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 12, 15), date(2026, 11, 10)),  # odd days at both ends, whole months between
        (date(2026, 1, 1), date(2026, 10, 31)),  # whole months only
        (date(2026, 3, 5), date(2026, 3, 20)),  # inside one month
        (date(2026, 2, 20), date(2026, 3, 10)),  # across a month end, no whole month
    ],
)
def test_month_rows_and_edge_days_sum_to_what_the_days_alone_say(store, start, end):
    from reports.metrics.base import sums
    from reports.models import DailyCount

    for index in range(60):
        ReviewFactory(
            customer__store=store,
            rating=1 + index % 5,
            posted_at=datetime(2025, 12, 1, 4, tzinfo=UTC) + timedelta(days=6 * index),
        )
    rollups_refresh(store=store)
    days = DailyCount.objects.filter(store=store, metric="review", month=False, day__gte=start, day__lte=end)
    expected = {key: sum(r.count for r in days if r.key == key) for key in {r.key for r in days}}
    found = sums(Period(store=store, start=start, end=end), "review")
    assert {key: n for (_metric, key), (n, _amount) in found.items()} == expected


def test_letters_section_compares_mid_and_bad_rates_with_and_without_a_letter(store, november):
    from letters.models import Letter, LetterRule
    from letters.services import letters_prepare

    LetterRule.objects.create(store=store, min_amount=None, control_percent=50)
    orders = [OrderFactory(customer__store=store, external_id=f"L-{i}") for i in range(30)]
    letters_prepare(store=store, now=T0)
    for index, order in enumerate(orders):
        if index % 3:  # two thirds are reviewed: 1 (bad), 3 (mid) or 5 (good) stars
            ReviewFactory(customer=order.customer, order=order, rating=(1, 3, 5)[index % 3], posted_at=T0)
    expected = {}
    for status in ("letter", "held_back"):
        chosen = [o for o in orders if Letter.objects.get(order=o).status == status]
        reviewed = [o for o in chosen if o.reviews.exists()]
        bad = [o for o in reviewed if o.reviews.filter(sentiment="bad").exists()]
        mid = [o for o in reviewed if o.reviews.filter(sentiment="mid").exists()]
        expected[status] = (len(chosen), len(reviewed), len(mid), len(bad))
    table = {row["group"]: row for row in rows("letters", november)}
    for group, status in (("With a letter", "letter"), ("Held back", "held_back")):
        assert tuple(table[group][key] for key in ("orders", "reviewed", "mid", "bad")) == expected[status]
    with_letter = table["With a letter"]
    assert with_letter["bad_rate"] == round(100 * expected["letter"][3] / expected["letter"][1], 1)


def test_a_case_whose_bad_review_the_customer_raised_since_was_not_reached_before_the_review(store, november):
    # The customer wrote a 1-star review, we called, they raised it to 4 stars: we reached them after the review,
    # not before it, whatever the review says now.
    case = CaseFactory(customer__store=store, source=Case.Source.REVIEW, first_response_at=T0 + timedelta(hours=3))
    ReviewFactory(customer=case.customer, case=case, rating=4, original_rating=1, posted_at=T0 - timedelta(hours=1))
    assert rows("reached_first", november) == [
        {"source": "Review", "customers": 1, "reached": 0, "share": 0.0},
        {"source": "All sources", "customers": 1, "reached": 0, "share": 0.0},
    ]


def test_reviews_raised_to_good_after_contact_are_counted_apart_from_other_changes(store, november):
    def contacted_review(rating, *changes):
        case = CaseFactory(customer__store=store, first_response_at=T0)
        review = ReviewFactory(customer=case.customer, case=case, rating=rating)
        for old, new, after_contact in changes:
            ReviewRevision.objects.create(
                review=review, at=T0 + timedelta(days=1), old_rating=old, new_rating=new, after_contact=after_contact
            )

    contacted_review(4, (1, 4, True))  # raised after our call
    contacted_review(5, (3, 5, False))  # raised before we called
    contacted_review(2, (4, 2, True))  # lowered after our call
    contacted_review(5, (4, 5, True))  # good already
    assert [(r["sentiment"], r["revised"], r["raised"]) for r in rows("review_changes", november)] == [
        ("Bad", 1, 0),
        ("Good", 2, 1),
    ]
