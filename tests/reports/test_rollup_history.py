"""The report's figures against a store's history as it happened: cases reopened, parcels delayed twice, roll-ups
rebuilt in part (the frequent refresh) and in whole (the nightly one)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from crm.models import Case
from crm.services.cases import case_add_event, case_close, case_open, case_reassign, case_reopen
from logistics.models import Shipment, ShipmentDelay
from reports.metrics import SECTIONS, Period
from reports.models import DailyCount
from reports.rollups import rollups_refresh, rollups_refresh_recent
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, OrderFactory, StoreFactory
from tests.reports.factories import ReviewFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)  # noon in Shanghai


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


def rows(key, period):
    return SECTIONS[key](period).rows


def test_a_reopened_case_still_counts_as_reached_before_the_review_its_customer_wrote_later(store):
    # Reopening clears the case's first response (its SLA clock starts again): the report took the next call as the
    # first contact, so a customer reached hours before their bad review left "reached before a review", and the
    # review left "reviews with a contacted customer".
    customer = CustomerFactory(store=store)
    with time_machine.travel(T0, tick=False):
        case, _created = case_open(store=store, customer=customer, source=Case.Source.CALL)
    ReviewFactory(customer=customer, case=case, rating=1, posted_at=T0 + timedelta(hours=5))
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        case_close(case=case, root_cause="other")
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        case = case_reopen(case=case, reason="the customer wrote a bad review")
    november = Period(store=store, start=date(2026, 11, 1), end=date(2026, 11, 30))

    rollups_refresh(store=store)
    reached = {r["source"]: (r["customers"], r["reached"]) for r in rows("reached_first", november)}
    contacted = {r["sentiment"]: r["contacted"] for r in rows("review_changes", november)}
    assert reached["Follow-up call"] == (1, 1)
    assert contacted == {"Bad": 1}

    with time_machine.travel(T0 + timedelta(days=2, hours=1), tick=False):
        case_add_event(case=case, kind="call", message="apologised")
    rollups_refresh(store=store)
    reached = {r["source"]: (r["customers"], r["reached"]) for r in rows("reached_first", november)}
    assert reached["Follow-up call"] == (1, 1)


def _delay(shipment: Shipment, rule: str, found_at: datetime) -> ShipmentDelay:
    return ShipmentDelay.objects.create(
        store=shipment.store, shipment=shipment, rule=rule, found_at=found_at, state=shipment.state
    )


def test_a_parcel_delayed_again_after_the_recent_days_is_one_delayed_order_after_the_frequent_refresh(store):
    # The frequent refresh (the last 35 days) saw only the second delay and counted the order again on that day,
    # beside the nightly count on the day of its first delay: one delayed order shown as two.
    order = OrderFactory(store=store, customer__store=store)
    shipment = Shipment.objects.create(
        store=store, order=order, courier="shunfeng", tracking_number="SF1", shipped_at=T0, state="in_transit"
    )
    _delay(shipment, "no_update", datetime(2026, 9, 1, 4, tzinfo=UTC))
    _delay(shipment, "past_promised", datetime(2026, 11, 10, 4, tzinfo=UTC))
    autumn = Period(store=store, start=date(2026, 9, 1), end=date(2026, 11, 30))

    rollups_refresh(store=store)  # nightly
    assert [r["orders"] for r in rows("logistics_notices", autumn)] == [1]
    rollups_refresh(store=store, since_day=date(2026, 10, 20))  # the frequent refresh
    assert [
        r["orders"] for r in rows("logistics_notices", Period(store=store, start=autumn.start, end=autumn.end))
    ] == [1]


def test_a_case_reopened_after_the_recent_days_leaves_the_day_it_was_closed_on(store):
    # Closed in September, reopened and closed again in November: the frequent refresh counted the November close,
    # the September day still counted the first one, and the Pareto showed two closed cases for one (and one while
    # the case was open again) until the next night.
    customer = CustomerFactory(store=store)
    with time_machine.travel(datetime(2026, 9, 1, 4, tzinfo=UTC), tick=False):
        case, _created = case_open(store=store, customer=customer, source=Case.Source.CALL)
        case_close(case=case, root_cause="other")
    with time_machine.travel(datetime(2026, 11, 1, 4, tzinfo=UTC), tick=False):
        rollups_refresh(store=store)  # nightly
    autumn = Period(store=store, start=date(2026, 9, 1), end=date(2026, 11, 30))

    def pareto():
        return [(r["root_cause"], r["cases"]) for r in rows("pareto", Period(store, autumn.start, autumn.end))]

    assert pareto() == [("Other", 1)]
    with time_machine.travel(T0, tick=False):
        case = case_reopen(case=case, reason="the customer came back")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        rollups_refresh_recent(store=store)
    assert pareto() == []
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        case_close(case=case, root_cause="other")
    with time_machine.travel(T0 + timedelta(hours=1, minutes=5), tick=False):
        rollups_refresh_recent(store=store)
    assert pareto() == [("Other", 1)]


def test_a_call_withdrawn_for_an_sms_is_two_follow_ups_of_one_delivery_and_the_table_says_so(store):
    # The customer asked for no calls: their evening call was withdrawn and a care SMS planned instead. The coverage
    # table headed both "Deliveries": one delivery shown as two.
    from callbacks.services.wishes import calls_withdraw_refused
    from tests.reports.factories import FollowUpFactory

    call = FollowUpFactory(order__customer__store=store, channel="call", tier="call")
    customer = call.customer
    customer.contact_preference = "no_calls"
    customer.save(update_fields=["contact_preference"])
    with time_machine.travel(call.window_start - timedelta(hours=2), tick=False):
        assert calls_withdraw_refused(customer=customer) == [call]
    november = Period(store=store, start=date(2026, 11, 1), end=date(2026, 11, 30))
    rollups_refresh(store=store)

    table = SECTIONS["coverage"](november)
    headings = {key: str(heading) for key, heading in table.columns}
    assert call.order.followups.count() == 2
    assert [(row["tier"], row["total"], row["suppressed"], row["planned"]) for row in table.rows] == [
        ("Phone call", 2, 1, 1)
    ]
    assert headings["total"] == "Follow-ups"


def test_a_review_at_half_past_eleven_in_shanghai_counts_on_that_shanghai_day(store):
    ReviewFactory(customer__store=store, rating=1, posted_at=datetime(2026, 11, 10, 15, 30, tzinfo=UTC))  # 23:30
    ReviewFactory(customer__store=store, rating=1, posted_at=datetime(2026, 11, 10, 16, 0, tzinfo=UTC))  # 00:00 next
    rollups_refresh(store=store)
    one_day = Period(store=store, start=date(2026, 11, 10), end=date(2026, 11, 10))
    assert [(r["period"], r["reviews"]) for r in rows("bad_reviews", one_day)] == [("2026-11-10", 1)]


def test_days_in_berlin_follow_the_clock_across_the_autumn_change():
    # 25 October 2026: Berlin goes from UTC+2 to UTC+1; the local day is 25 hours long.
    berlin = StoreFactory(timezone="Europe/Berlin")
    for moment in (
        datetime(2026, 10, 24, 22, 30, tzinfo=UTC),  # 00:30 on the 25th (summer time)
        datetime(2026, 10, 25, 22, 30, tzinfo=UTC),  # 23:30 on the 25th (winter time)
        datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # 00:00 on the 26th
    ):
        ReviewFactory(customer__store=berlin, rating=2, posted_at=moment)
    rollups_refresh(store=berlin)
    period = Period(store=berlin, start=date(2026, 10, 25), end=date(2026, 10, 26))
    assert [(r["period"], r["reviews"]) for r in rows("bad_reviews", period)] == [("2026-10-25", 2), ("2026-10-26", 1)]


def test_a_case_late_and_escalated_then_closed_and_reopened_still_counts_as_escalated_and_past_its_deadline(store):
    # Reopening clears the case's escalation and breach stamps (its SLA clocks start again): the agents' table dropped
    # the case from Escalated and Past a deadline on the day it opened, though it was late and escalated in its first
    # life, so a month's figures went down when a customer came back weeks later.
    from crm.services.cases import case_escalate
    from crm.services.sla import cases_escalate_breached
    from tests.factories import AgentFactory

    lin, wu = AgentFactory(stores=[store], user__first_name="Lin"), AgentFactory(stores=[store], user__first_name="Wu")
    with time_machine.travel(T0, tick=False):
        late, _created = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.MANUAL)
        by_hand, _created = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.MANUAL)
    Case.objects.filter(pk=late.pk).update(assignee=lin)
    Case.objects.filter(pk=by_hand.pk).update(assignee=wu)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        case_escalate(case=by_hand, reason="the customer threatens a dispute")
    cases_escalate_breached(now=T0 + timedelta(days=6))  # the first response was due long before
    for case in (late, by_hand):
        with time_machine.travel(T0 + timedelta(days=7), tick=False):
            case_close(case=Case.objects.get(pk=case.pk), root_cause="other")
        with time_machine.travel(T0 + timedelta(days=9), tick=False):
            case_reopen(case=Case.objects.get(pk=case.pk), reason="the customer came back")
    november = Period(store=store, start=date(2026, 11, 1), end=date(2026, 11, 30))

    rollups_refresh(store=store)
    by_agent = {
        r["agent"]: (r["assigned"], r["escalated"], r["breached"], r["still_open"]) for r in rows("agents", november)
    }
    assert by_agent == {"Lin": (1, 1, 1, 1), "Wu": (1, 1, 1, 1)}


@pytest.mark.parametrize(
    ("old_zone", "new_zone", "moment"),
    [
        # 23:30 in Urumqi on the 10th (its letters' day), 01:30 on the 11th in Beijing time, where the store moved.
        ("Asia/Urumqi", "Asia/Shanghai", datetime(2026, 11, 10, 17, 30, tzinfo=UTC)),
        # 00:30 on the 11th in Beijing time (its letters' day), 22:30 on the 10th in Urumqi time, where it moved.
        ("Asia/Shanghai", "Asia/Urumqi", datetime(2026, 11, 10, 16, 30, tzinfo=UTC)),
    ],
)
def test_a_letter_written_near_midnight_before_the_store_changed_zone_counts_once_after_the_frequent_refresh(
    old_zone, new_zone, moment
):
    # A store in Xinjiang moving between Urumqi and Beijing time: a letter keeps the store-local day it was chosen on,
    # but the frequent refresh picked letters by their creation time in the new zone. One written within the zones'
    # two hours of the first rebuilt day's midnight was counted again on a day the refresh keeps (the rebuild failed
    # on the roll-ups' unique key) or left out of the day it belongs to, until the next night.
    from crm.services.stores import store_timezone_change
    from letters.models import Letter, LetterRule
    from letters.services import letters_prepare
    from tests.factories import ManagerFactory

    store = StoreFactory(timezone=old_zone)
    LetterRule.objects.create(store=store, min_amount=None, control_percent=0)
    order = OrderFactory(customer__store=store, external_id="L-1")
    letters_prepare(store=store, now=moment)
    [letter] = Letter.objects.filter(order=order)
    store_timezone_change(store=store, zone=new_zone, actor=ManagerFactory(stores=[store]).user)
    store.refresh_from_db()
    november = Period(store=store, start=date(2026, 11, 1), end=date(2026, 11, 30))

    def chosen():
        return [(r["group"], r["orders"]) for r in rows("letters", Period(store, november.start, november.end))]

    rollups_refresh(store=store)  # nightly
    assert chosen() == [("With a letter", 1)]
    # The frequent refresh whose first rebuilt day is the day after the letter's: its midnight in the new zone lies
    # on the other side of the letter's writing from its midnight in the old one.
    today = letter.day + timedelta(days=1) + timedelta(days=35)
    with time_machine.travel(datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=6)):
        rollups_refresh_recent(store=store)
    assert chosen() == [("With a letter", 1)]
    with time_machine.travel(datetime.combine(today, datetime.min.time(), tzinfo=UTC) - timedelta(hours=20)):
        rollups_refresh_recent(store=store)  # the day before: the letter's own day is the first rebuilt
    assert chosen() == [("With a letter", 1)]


def _agent_figures(period: Period) -> dict[str, tuple[int, int, int]]:
    """{agent: (assigned, closed, still open)} as the report's agents section shows them."""
    return {r["agent"]: (r["assigned"], r["closed"], r["still_open"]) for r in rows("agents", period)}


OLD = T0 - timedelta(days=50)  # 2026-09-21, before the frequent refresh's 35 days


@pytest.mark.parametrize(
    ("period", "reads"),
    [
        (Period(None, date(2026, 9, 21), date(2026, 9, 21)), "the day's rows"),
        (Period(None, date(2026, 9, 1), date(2026, 11, 30)), "whole months' rows"),
    ],
)
def test_an_old_case_closed_today_is_in_its_agents_figures_after_the_next_frequent_refresh(store, period, reads):
    # Opened 50 days ago: the frequent refresh rebuilt only the last 35 days, so the agent who closed it saw it still
    # open in their figures until the nightly rebuild.
    agent, other = AgentFactory(stores=[store]), AgentFactory(stores=[store])
    with time_machine.travel(OLD, tick=False):
        case, _created = case_open(store=store, customer=CustomerFactory(store=store), source="call", assignee=agent)
        case_open(store=store, customer=CustomerFactory(store=store), source="call", assignee=other)
    with time_machine.travel(T0 - timedelta(hours=3), tick=False):
        rollups_refresh(store=store)  # nightly
    period = Period(store, period.start, period.end)
    assert _agent_figures(period) == {str(agent): (1, 0, 1), str(other): (1, 0, 1)}, reads

    with time_machine.travel(T0, tick=False):
        case_close(case=case, root_cause="other")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        rollups_refresh_recent(store=store)
    period = Period(store, period.start, period.end)
    assert _agent_figures(period) == {str(agent): (1, 1, 0), str(other): (1, 0, 1)}, reads


def test_an_old_case_handed_to_another_agent_moves_between_their_figures_at_the_next_frequent_refresh(store):
    agent, successor = AgentFactory(stores=[store]), AgentFactory(stores=[store])
    manager = ManagerFactory(stores=[store])
    with time_machine.travel(OLD, tick=False):
        case, _created = case_open(store=store, customer=CustomerFactory(store=store), source="call", assignee=agent)
    with time_machine.travel(T0 - timedelta(hours=3), tick=False):
        rollups_refresh(store=store)  # nightly
    with time_machine.travel(T0, tick=False):
        case_reassign(case=case, assignee=successor, manager=manager)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        rollups_refresh_recent(store=store)
    assert _agent_figures(Period(store, OLD.date(), T0.date())) == {str(successor): (1, 0, 1)}


def test_the_frequent_refresh_leaves_the_old_days_nothing_changed_on(store):
    # An old case changed: its opening day is rebuilt, not the history around it.
    agent = AgentFactory(stores=[store])
    with time_machine.travel(OLD, tick=False):
        case, _created = case_open(store=store, customer=CustomerFactory(store=store), source="call", assignee=agent)
    with time_machine.travel(T0 - timedelta(hours=3), tick=False):
        rollups_refresh(store=store)  # nightly
    untouched = DailyCount.objects.create(store=store, day=OLD.date() - timedelta(days=1), metric="review", key="bad")
    with time_machine.travel(T0, tick=False):
        case_close(case=case, root_cause="other")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        rollups_refresh_recent(store=store)
    assert DailyCount.objects.filter(pk=untouched.pk).exists()
    assert _agent_figures(Period(store, OLD.date(), OLD.date())) == {str(agent): (1, 1, 0)}


def _pareto(period: Period) -> list[tuple[str, int]]:
    return [(r["root_cause"], r["cases"]) for r in rows("pareto", Period(period.store, period.start, period.end))]


def test_an_old_close_undone_by_a_reopening_is_rebuilt_alone_not_the_history_after_it(store):
    # A case reopened after an old close pulled the whole frequent rebuild back to the day of that close: every figure
    # of every day since, rebuilt every 5 minutes while it lasted. Now the close's day loses its root cause, and the
    # other figures of that day and the days after it keep their rows.
    closed_on = OLD + timedelta(days=1)
    with time_machine.travel(OLD, tick=False):
        case, _created = case_open(store=store, customer=CustomerFactory(store=store), source="call")
    with time_machine.travel(closed_on, tick=False):
        case_close(case=case, root_cause="other")
    with time_machine.travel(T0 - timedelta(hours=3), tick=False):
        rollups_refresh(store=store)  # nightly
    autumn = Period(store, OLD.date(), T0.date())
    assert _pareto(autumn) == [("Other", 1)]
    untouched = [
        DailyCount.objects.create(store=store, day=day, metric="review", key="bad")
        for day in (closed_on.date(), closed_on.date() + timedelta(days=3))
    ]
    with time_machine.travel(T0, tick=False):
        case_reopen(case=Case.objects.get(pk=case.pk), reason="the customer came back")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        rollups_refresh_recent(store=store)

    assert _pareto(autumn) == []
    assert DailyCount.objects.filter(pk__in=[row.pk for row in untouched]).count() == 2


def test_an_old_review_counts_as_contacted_once_its_old_case_gets_a_call_at_the_next_frequent_refresh(store):
    # The customer's bad review opened a case 50 days ago; the agent calls today. The review, counted on the day it
    # was posted, stayed out of "reviews with a contacted customer" until the night.
    customer = CustomerFactory(store=store)
    with time_machine.travel(OLD, tick=False):
        case, _created = case_open(store=store, customer=customer, source=Case.Source.REVIEW)
    ReviewFactory(customer=customer, case=case, rating=1, posted_at=OLD - timedelta(hours=1))
    with time_machine.travel(T0 - timedelta(hours=3), tick=False):
        rollups_refresh(store=store)  # nightly
    autumn = Period(store, OLD.date() - timedelta(days=1), T0.date())

    def contacted():
        return {r["sentiment"]: r["contacted"] for r in rows("review_changes", Period(store, autumn.start, autumn.end))}

    assert contacted() == {}
    with time_machine.travel(T0, tick=False):
        case_add_event(case=case, kind="call", message="apologised")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        rollups_refresh_recent(store=store)
    assert contacted() == {"Bad": 1}


def test_an_old_remedy_approved_today_is_given_in_the_report_at_the_next_frequent_refresh(store):
    # Proposed 50 days ago above the agent's limit, approved today: counted on the day it was proposed, it stayed
    # "awaiting approval" in the remedies table until the night.
    from crm.services.cases import remedy_approve
    from tests.reports.factories import RemedyFactory

    with time_machine.travel(OLD, tick=False):
        case, _created = case_open(store=store, customer=CustomerFactory(store=store), source="call")
    remedy = RemedyFactory(case=case, status="awaiting_approval", proposed_at=OLD, cost=Decimal("800.00"))
    with time_machine.travel(T0 - timedelta(hours=3), tick=False):
        rollups_refresh(store=store)  # nightly
    autumn = Period(store, OLD.date(), T0.date())

    def remedies():
        return [
            (r["proposed"], r["given"], r["awaiting"], r["cost"])
            for r in rows("remedies", Period(store, autumn.start, autumn.end))
        ]

    assert remedies() == [(1, 0, 1, Decimal("0"))]
    with time_machine.travel(T0, tick=False):
        remedy_approve(remedy=remedy, manager=ManagerFactory(stores=[store]))
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        rollups_refresh_recent(store=store)
    assert remedies() == [(1, 1, 0, Decimal("800.00"))]


def test_an_old_review_without_a_case_raised_today_leaves_the_bad_reviews_at_the_next_frequent_refresh(store):
    # A review counts on the day it was posted, by its sentiment. The buyer raised a 50-day-old bad review that had
    # no case (no order of ours): no case event told the frequent refresh, so it stayed bad until the night.
    from reviews.services.intake import ReviewIn, reviews_ingest

    def review(rating: int, changed_at: datetime) -> ReviewIn:
        return ReviewIn(external_id="R-OLD", rating=rating, posted_at=OLD, text="物流太慢", updated_at=changed_at)

    with time_machine.travel(OLD, tick=False):
        reviews_ingest(store=store, rows=[review(1, OLD)])
    with time_machine.travel(T0 - timedelta(hours=3), tick=False):
        rollups_refresh(store=store)  # nightly
    autumn = Period(store, OLD.date(), T0.date())

    def sentiments():
        return [(r["reviews"], r["bad"]) for r in rows("bad_reviews", Period(store, autumn.start, autumn.end))]

    assert sentiments() == [(1, 1)]
    with time_machine.travel(T0, tick=False):
        assert reviews_ingest(store=store, rows=[review(5, T0)])[0]["case"] is None
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        rollups_refresh_recent(store=store)
    assert sentiments() == [(1, 0)]
