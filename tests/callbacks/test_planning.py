from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from callbacks.models import FollowUp, FollowUpPolicy
from callbacks.selectors import QueueFilters, queue_tonight
from callbacks.services.planning import followups_plan
from callbacks.services.policy import policy_update
from crm.models import Customer
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory

from .conftest import deliver, local

pytestmark = pytest.mark.django_db
Channel, Status, Reason = FollowUp.Channel, FollowUp.Status, FollowUp.SuppressedReason


@pytest.fixture
def store():
    store = StoreFactory(timezone="Asia/Shanghai")
    AgentFactory(stores=[store])
    return store


def _order(store, amount="1500.00", **customer):
    return OrderFactory(customer=CustomerFactory(store=store, **customer), total_amount=Decimal(amount))


@pytest.mark.parametrize(
    ("amount", "channel"),
    [
        ("0.00", None),
        ("299.99", None),
        ("300.00", Channel.SMS),
        ("999.99", Channel.SMS),
        ("1000.00", Channel.CALL),
        ("1999.99", Channel.CALL),
        ("2000.00", Channel.DEDICATED),
        ("98000.00", Channel.DEDICATED),
    ],
)
def test_tier_follows_the_order_value_at_each_boundary(store, amount, channel):
    followup = deliver(_order(store, amount), local(store, 2026, 11, 23, 10, 0))
    assert (followup.channel if followup else None) == channel
    if followup:
        assert followup.tier == channel and followup.status == Status.PLANNED


def test_call_delivered_before_the_window_is_planned_for_tonight(store):
    followup = deliver(_order(store), local(store, 2026, 11, 23, 10, 5))
    assert followup.window_start == local(store, 2026, 11, 23, 18, 0)
    assert followup.window_end == local(store, 2026, 11, 23, 19, 0)
    assert followup.contact_day.isoformat() == "2026-11-23"


def test_call_delivered_inside_the_window_stays_tonight(store):
    followup = deliver(_order(store), local(store, 2026, 11, 23, 18, 40))
    assert followup.window_start == local(store, 2026, 11, 23, 18, 0)


@pytest.mark.parametrize("minute", [(19, 0), (19, 1), (23, 59)])
def test_call_after_window_moves_to_next_evening(store, minute):
    followup = deliver(_order(store), local(store, 2026, 11, 23, *minute))
    assert followup.window_start == local(store, 2026, 11, 24, 18, 0)
    assert followup.contact_day.isoformat() == "2026-11-23"


def test_call_days_skip_to_the_next_allowed_weekday(store):
    policy_update(store=store, actor=None, changes={"call_days": [0, 1, 2, 3, 4]})  # no weekend calls
    friday_night = local(store, 2026, 11, 27, 20, 0)
    followup = deliver(_order(store), friday_night)
    assert followup.window_start == local(store, 2026, 11, 30, 18, 0)


@pytest.mark.parametrize("tz", ["America/New_York", "Europe/London", "Australia/Sydney"])
def test_a_delivery_reported_after_its_evening_ended_is_called_on_the_next_evening(tz):
    # An order system that sends the day's "signed for" events overnight: yesterday's window is over by then.
    store = StoreFactory(timezone=tz)
    agent = AgentFactory(stores=[store])
    delivered, reported = local(store, 2026, 11, 23, 10, 0), local(store, 2026, 11, 24, 2, 0)
    followup = deliver(_order(store), delivered, reported=reported)
    with time_machine.travel(reported, tick=False):
        tonight = queue_tonight(user=agent.user, stores=[store], filters=QueueFilters(), is_manager=False, agent=agent)
    assert (followup.window_start, followup.window_end) == (
        local(store, 2026, 11, 24, 18, 0),
        local(store, 2026, 11, 24, 19, 0),
    )
    assert followup.contact_day.isoformat() == "2026-11-23"  # the delivery's day: one care contact per day
    assert [row.pk for row in tonight.rows] == [followup.pk]


@pytest.mark.parametrize(
    ("delivered", "due"),
    [((8, 0), (2026, 11, 23, 9, 0)), ((12, 30), (2026, 11, 23, 12, 30)), ((21, 0), (2026, 11, 24, 9, 0))],
)
def test_care_sms_waits_for_sending_hours(store, delivered, due):
    followup = deliver(_order(store, "500.00"), local(store, 2026, 11, 23, *delivered))
    assert followup.channel == Channel.SMS
    assert followup.window_start == local(store, *due)
    assert followup.window_end == local(store, *due[:3], 21, 0)


@pytest.mark.parametrize(
    ("tz", "utc_start"),
    [
        ("Europe/Berlin", datetime(2026, 3, 29, 16, 0, tzinfo=UTC)),  # the day clocks go forward: CEST
        ("Europe/Berlin", datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),  # the day clocks go back: CET
        ("America/Los_Angeles", datetime(2026, 3, 9, 1, 0, tzinfo=UTC)),
        ("Pacific/Kiritimati", datetime(2026, 3, 8, 4, 0, tzinfo=UTC)),  # UTC+14
        ("Pacific/Pago_Pago", datetime(2026, 3, 9, 5, 0, tzinfo=UTC)),  # UTC-11
    ],
)
def test_call_window_is_local_evening_across_dst_and_far_timezones(tz, utc_start):
    store = StoreFactory(timezone=tz)
    AgentFactory(stores=[store])
    local_start = utc_start.astimezone(store.tzinfo)
    followup = deliver(_order(store), local(store, local_start.year, local_start.month, local_start.day, 9, 0))
    assert followup.window_start == utc_start
    assert (followup.window_end - followup.window_start).total_seconds() == 3600


@pytest.mark.parametrize(
    ("signed", "day", "evening"),
    [
        # Berlin, calling every day. Clocks go back in the night of Saturday 24 October 2026 (CEST to CET) and forward
        # in the night of Saturday 27 March 2027 (CET to CEST): the contact day is the signing's local day, the call
        # the first evening whose window has not closed, 18:00 local on the offset of that evening.
        ((2026, 10, 24, 23, 59), "2026-10-24", datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),
        ((2026, 10, 25, 0, 0), "2026-10-25", datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),
        ((2026, 10, 25, 23, 59), "2026-10-25", datetime(2026, 10, 26, 17, 0, tzinfo=UTC)),
        ((2027, 3, 27, 23, 59), "2027-03-27", datetime(2027, 3, 28, 16, 0, tzinfo=UTC)),
        ((2027, 3, 28, 0, 0), "2027-03-28", datetime(2027, 3, 28, 16, 0, tzinfo=UTC)),
        ((2027, 3, 28, 19, 0), "2027-03-28", datetime(2027, 3, 29, 16, 0, tzinfo=UTC)),
    ],
)
def test_a_delivery_signed_for_around_midnight_of_a_clock_change_night_is_called_on_its_evening(signed, day, evening):
    store = StoreFactory(timezone="Europe/Berlin")
    FollowUpPolicy.objects.create(store=store, call_days=[0, 1, 2, 3, 4, 5, 6])
    AgentFactory(stores=[store])
    followup = deliver(_order(store), local(store, *signed))
    assert (followup.channel, followup.contact_day.isoformat()) == ("call", day)
    assert (followup.window_start, followup.window_end - followup.window_start) == (evening, timedelta(hours=1))


def test_a_care_sms_signed_for_just_before_the_clocks_go_forward_waits_for_the_mornings_hours():
    store = StoreFactory(timezone="Europe/Berlin")
    followup = deliver(_order(store, "500.00"), local(store, 2027, 3, 27, 23, 59))
    # 09:00-21:00 CEST on Sunday 28 March: 07:00-19:00 UTC, the night before it having been an hour short.
    assert (followup.window_start, followup.window_end) == (
        datetime(2027, 3, 28, 7, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 19, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize("preference", [Customer.ContactPreference.NO_CALLS, Customer.ContactPreference.SMS_ONLY])
def test_customer_who_wants_no_calls_gets_a_care_sms(store, preference):
    followup = deliver(_order(store, contact_preference=preference), local(store, 2026, 11, 23, 10, 0))
    assert (followup.tier, followup.channel, followup.assignee) == (Channel.CALL, Channel.SMS, None)
    assert followup.window_start == local(store, 2026, 11, 23, 10, 0)


def test_sms_opt_out_turns_a_care_sms_into_nothing_but_keeps_the_reason(store):
    followup = deliver(_order(store, "500.00", sms_opt_out=True), local(store, 2026, 11, 23, 10, 0))
    assert (followup.status, followup.suppressed_reason) == (Status.SUPPRESSED, Reason.SMS_OPT_OUT)


def test_do_not_contact_suppresses_even_the_top_tier(store):
    order = _order(store, "5000.00", contact_preference=Customer.ContactPreference.DO_NOT_CONTACT)
    followup = deliver(order, local(store, 2026, 11, 23, 10, 0))
    assert (followup.status, followup.suppressed_reason, followup.assignee) == (
        Status.SUPPRESSED,
        Reason.DO_NOT_CONTACT,
        None,
    )
    order.customer.refresh_from_db()
    assert order.customer.dedicated_owner is None


def test_two_orders_delivered_the_same_day_make_one_contact_at_the_higher_tier(store):
    customer = CustomerFactory(store=store)
    small = OrderFactory(customer=customer, total_amount=Decimal("500.00"))
    big = OrderFactory(customer=customer, total_amount=Decimal("1200.00"))
    first = deliver(small, local(store, 2026, 11, 23, 9, 30))
    second = deliver(big, local(store, 2026, 11, 23, 11, 0))
    first.refresh_from_db()
    assert (second.channel, second.status) == (Channel.CALL, Status.PLANNED)
    assert (first.status, first.suppressed_reason, first.merged_into) == (Status.SUPPRESSED, Reason.MERGED, second)
    assert customer.followups.exclude(status=Status.SUPPRESSED).count() == 1


def test_a_contact_already_under_way_is_never_replaced(store):
    customer = CustomerFactory(store=store)
    first = deliver(OrderFactory(customer=customer, total_amount=Decimal("500.00")), local(store, 2026, 11, 23, 9, 30))
    FollowUp.objects.filter(pk=first.pk).update(status=Status.SENT, provider_id="SM1")
    second = deliver(OrderFactory(customer=customer, total_amount=Decimal("3000")), local(store, 2026, 11, 23, 12, 0))
    assert (second.status, second.suppressed_reason, second.merged_into_id) == (
        Status.SUPPRESSED,
        Reason.MERGED,
        first.pk,
    )


def test_orders_delivered_on_different_days_and_texted_on_different_days_get_their_own_contact(store):
    # 20:30: texted at once, that evening; 00:30: at 09:00 the next morning. Two days, two contacts (a delivery at
    # 23:30 would have been texted at 09:00 too, and joined: tests/callbacks/test_planning_one_per_day.py).
    customer = CustomerFactory(store=store)
    deliver(OrderFactory(customer=customer, total_amount=Decimal("500")), local(store, 2026, 11, 23, 20, 30))
    deliver(OrderFactory(customer=customer, total_amount=Decimal("500")), local(store, 2026, 11, 24, 0, 30))
    assert customer.followups.filter(status=Status.PLANNED).count() == 2


def test_bulk_planning_merges_a_customers_orders_of_one_day():
    store = StoreFactory()
    AgentFactory(stores=[store])
    customer = CustomerFactory(store=store)
    orders = [OrderFactory(customer=customer, total_amount=Decimal(a)) for a in ("400", "2500", "1100")]
    rows = followups_plan(deliveries=[(o, local(store, 2026, 11, 23, 10, i)) for i, o in enumerate(orders)])
    live = [r for r in rows if r.status == Status.PLANNED]
    assert len(rows) == 3 and len(live) == 1 and live[0].order == orders[1]
    assert {r.merged_into_id for r in rows if r.status == Status.SUPPRESSED} == {live[0].pk}


def test_calls_are_balanced_over_on_shift_agents_and_overflow_moves_to_next_window():
    store = StoreFactory()
    busy, quiet = AgentFactory(stores=[store], evening_capacity=2), AgentFactory(stores=[store], evening_capacity=2)
    AgentFactory(stores=[store], on_shift=False)
    AgentFactory(stores=[StoreFactory()])  # serves another store
    orders = [_order(store, str(1000 + i)) for i in range(5)]
    with time_machine.travel(local(store, 2026, 11, 23, 10, 0), tick=False):
        rows = followups_plan(deliveries=[(o, local(store, 2026, 11, 23, 10, 0)) for o in orders])
    tonight = [r for r in rows if r.window_start == local(store, 2026, 11, 23, 18, 0)]
    assert sorted(r.assignee_id for r in tonight) == sorted([busy.pk, busy.pk, quiet.pk, quiet.pk])
    (moved,) = [r for r in rows if r.overflowed]
    assert moved.order == orders[0]  # the smallest order waits
    assert moved.window_start == local(store, 2026, 11, 24, 18, 0)
    assert moved.assignee_id in (busy.pk, quiet.pk) and moved.status == Status.PLANNED


def test_with_nobody_on_shift_calls_are_flagged_and_kept_for_the_next_window():
    store = StoreFactory()
    followup = deliver(_order(store), local(store, 2026, 11, 23, 10, 0))
    assert followup.overflowed and followup.assignee is None and followup.status == Status.PLANNED
    assert followup.window_start == local(store, 2026, 11, 24, 18, 0)


def test_overflow_rule_can_send_a_care_sms_instead():
    store = StoreFactory()
    AgentFactory(stores=[store], evening_capacity=1)
    policy_update(store=store, actor=None, changes={"overflow_rule": "sms_instead"})
    rows = followups_plan(deliveries=[(_order(store, "1500"), local(store, 2026, 11, 23, 10, 0)) for _ in range(2)])
    assert sorted((r.channel, r.overflowed) for r in rows) == [("call", False), ("sms", True)]


def test_dedicated_owner_is_chosen_once_and_kept():
    store = StoreFactory()
    first_agent = AgentFactory(stores=[store])
    customer = CustomerFactory(store=store)
    one = deliver(OrderFactory(customer=customer, total_amount=Decimal("2500")), local(store, 2026, 11, 23, 10, 0))
    customer.refresh_from_db()
    assert one.channel == Channel.DEDICATED and one.assignee == first_agent == customer.dedicated_owner
    AgentFactory.create_batch(3, stores=[store])  # less loaded agents arrive; the owner stays
    two = deliver(OrderFactory(customer=customer, total_amount=Decimal("2500")), local(store, 2026, 11, 25, 10, 0))
    assert two.assignee == first_agent


def test_policy_changes_apply_to_deliveries_planned_after_them(store):
    before = deliver(_order(store, "500"), local(store, 2026, 11, 23, 10, 0))
    policy_update(
        store=store,
        actor=None,
        changes={"tiers": [{"min_amount": "100", "channel": "call"}], "call_window_start": time(20, 0),
                 "call_window_end": time(21, 0)},
    )  # fmt: skip
    after = deliver(_order(store, "500"), local(store, 2026, 11, 23, 10, 0))
    before.refresh_from_db()
    assert before.channel == Channel.SMS
    assert after.channel == Channel.CALL and after.window_start == local(store, 2026, 11, 23, 20, 0)


def test_order_in_a_currency_without_a_rate_is_kept_with_its_reason():
    store = StoreFactory()
    FollowUpPolicy.objects.create(store=store, exchange_rates={"USD": "7.1"})
    usd = OrderFactory(customer=CustomerFactory(store=store), total_amount=Decimal("150"), currency="USD")
    eur = OrderFactory(customer=CustomerFactory(store=store), total_amount=Decimal("500"), currency="EUR")
    assert deliver(usd, local(store, 2026, 11, 23, 10, 0)).channel == Channel.CALL  # 150 USD = 1,065 CNY
    assert deliver(eur, local(store, 2026, 11, 23, 10, 0)).suppressed_reason == Reason.UNKNOWN_CURRENCY


def test_plan_rolls_back_with_a_failed_delivery_transaction(store):
    order = _order(store)
    with pytest.raises(RuntimeError), transaction.atomic():
        deliver(order, local(store, 2026, 11, 23, 10, 0))
        raise RuntimeError("the order API rejected the batch")
    assert not FollowUp.objects.exists()


def test_a_repeated_delivery_plans_nothing_twice(store):
    order = _order(store)
    deliver(order, local(store, 2026, 11, 23, 10, 0))
    followups_plan(deliveries=[(order, local(store, 2026, 11, 23, 10, 0))])
    assert FollowUp.objects.count() == 1


def _post_deliveries(store, orders, delivered_at: str):
    from django.test import Client

    from crm.services.api_tokens import api_token_create

    _token, key = api_token_create(store_codes=[store.code], name="courier feed")
    body = [{"order": o.external_id, "delivered_at": delivered_at} for o in orders]
    return Client().post(
        "/api/v1/deliveries", body, content_type="application/json", headers={"Authorization": f"Token {key}"}
    )


def test_a_delivery_batch_over_the_api_merges_one_customers_orders_into_one_contact(store):
    buyer = CustomerFactory(store=store)
    orders = [OrderFactory(customer=buyer, total_amount=Decimal(amount)) for amount in ("500.00", "1500.00", "800.00")]

    response = _post_deliveries(store, orders, "2026-11-23T10:00:00+08:00")

    assert response.status_code == 200
    rows = FollowUp.objects.filter(order__in=orders)
    live = rows.get(status=Status.PLANNED)
    assert live.order == orders[1] and live.channel == Channel.CALL
    assert set(rows.exclude(pk=live.pk).values_list("suppressed_reason", "merged_into", flat=False)) == {
        (Reason.MERGED, live.pk)
    }


def test_a_delivery_batch_is_planned_in_a_constant_number_of_queries(store, django_assert_max_num_queries):
    # Set-based: one signal for the batch, so planning 200 deliveries costs what planning 2 does.
    small = [_order(store, "500.00") for _ in range(2)]
    large = [_order(store, "500.00") for _ in range(200)]
    with django_assert_max_num_queries(40) as small_run:
        _post_deliveries(store, small, "2026-11-23T10:00:00+08:00")
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        response = _post_deliveries(store, large, "2026-11-23T10:00:00+08:00")
    assert response.status_code == 200
    assert FollowUp.objects.filter(order__in=large, status=Status.PLANNED).count() == 200


def _full_evening_after(outcome, **moved):
    """The one agent of a store, with room for one call an evening, given a delivery's call tonight (23 November,
    18:00-19:00 in Shanghai); the agent logs `outcome` on it at 18:10, moving it within tonight or to another
    evening. Returns the store and the call."""
    from callbacks.services.outcomes import followup_log_outcome

    store = StoreFactory(timezone="Asia/Shanghai")
    agent = AgentFactory(stores=[store], evening_capacity=1)
    first = deliver(_order(store), local(store, 2026, 11, 23, 10, 0))
    assert first.assignee == agent
    with time_machine.travel(local(store, 2026, 11, 23, 18, 10), tick=False):
        followup_log_outcome(followup=first, agent=agent, outcome=outcome, expected_seq=1, **moved)
    first.refresh_from_db()
    return store, first


def test_a_call_the_customer_asked_to_be_called_back_on_fills_that_evening():
    # Moved to 18:30 the next evening, the call was not counted in that evening's load (it no longer starts at
    # 18:00), and a delivery planned that morning went to the same agent, whose capacity was already taken.
    at = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)  # 18:30 in Shanghai
    store, moved = _full_evening_after("call_back", callback_at=at)
    later = deliver(_order(store), local(store, 2026, 11, 24, 10, 0))

    assert (moved.status, moved.window_start) == (Status.PLANNED, local(store, 2026, 11, 24, 18, 30))
    assert later.overflowed and later.window_start == local(store, 2026, 11, 25, 18, 0)


def test_a_call_tried_again_after_no_answer_still_fills_its_evening():
    # Tried again at 18:25, the call no longer started at 18:00 and left the evening's load: a delivery reported at
    # 18:20 was given to the agent whose one call of the evening it still was.
    store, retried = _full_evening_after("no_answer")
    later = deliver(_order(store), local(store, 2026, 11, 23, 18, 20))

    assert (retried.status, retried.window_start) == (Status.PLANNED, local(store, 2026, 11, 23, 18, 25))
    assert later.overflowed and later.window_start == local(store, 2026, 11, 24, 18, 0)
