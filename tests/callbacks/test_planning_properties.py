"""Planning rules as properties, over amounts, instants and timezones far from UTC and across DST."""

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from callbacks.models import FollowUp, FollowUpPolicy
from callbacks.services.planning import followups_plan
from callbacks.services.windows import call_window, sms_window
from crm.models import Store
from crm.services.service_time import closed_days_of
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Pago_Pago",
         "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns"]  # fmt: skip
instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))
amounts = st.decimals(min_value=0, max_value=10_000, places=2)
EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(amount=amounts)
def test_the_tier_is_the_highest_threshold_the_amount_reaches(amount):
    expected = None if amount < 300 else "sms" if amount < 1000 else "call" if amount < 2000 else "dedicated"
    assert FollowUpPolicy().channel_for(amount) == expected


@given(moment=instants, zone=st.sampled_from(ZONES))
def test_a_call_is_planned_in_the_first_local_evening_window_that_has_not_closed(moment, zone):
    store, policy = Store(timezone=zone), FollowUpPolicy()
    start, end = call_window(policy=policy, store=store, moment=moment, closed=frozenset())
    local_start, local_end, local_delivery = (t.astimezone(store.tzinfo) for t in (start, end, moment))
    assert (local_start.time(), local_end.time()) == (time(18, 0), time(19, 0))
    assert end > moment
    closed_today = local_delivery.time() >= time(19, 0)
    assert local_start.date() == local_delivery.date() + timedelta(days=1 if closed_today else 0)


@given(
    moment=instants,
    zone=st.sampled_from(ZONES),
    call_days=st.sets(st.integers(0, 6), min_size=1),
    closures=st.lists(st.tuples(st.integers(-3, 40), st.integers(1, 31)), max_size=4),
)
# Calls on Mondays only, asked on a Tuesday in Shanghai, the next Monday closed: the call is the Monday after, a week
# further than one day per closed day (the search stopped short of it and raised "no call day").
@example(moment=datetime(2026, 12, 1, 4, 0, tzinfo=UTC), zone="Asia/Shanghai", call_days={0}, closures=[(6, 1)])
def test_a_call_is_never_planned_on_a_closed_day_nor_later_than_the_first_open_call_day(
    moment, zone, call_days, closures
):
    store, policy = Store(timezone=zone), FollowUpPolicy(call_days=sorted(call_days))
    today = moment.astimezone(store.tzinfo).date()
    closed = closed_days_of((today + timedelta(days=a), today + timedelta(days=a + n - 1)) for a, n in closures)
    start, end = call_window(policy=policy, store=store, moment=moment, closed=closed)
    day = start.astimezone(store.tzinfo).date()
    assert end > moment and day not in closed and day.weekday() in call_days
    skipped = (today + timedelta(days=n) for n in range((day - today).days))
    assert all(d in closed or d.weekday() not in call_days or d == today for d in skipped)


@given(moment=instants, zone=st.sampled_from(ZONES))
def test_a_care_sms_goes_out_at_once_inside_sending_hours_else_at_the_next_opening(moment, zone):
    store, policy = Store(timezone=zone), FollowUpPolicy()
    start, end = sms_window(policy=policy, store=store, moment=moment)
    local_start, local_end = start.astimezone(store.tzinfo), end.astimezone(store.tzinfo)
    local_delivery = moment.astimezone(store.tzinfo)
    assert time(9, 0) <= local_start.time() < time(21, 0) and local_end.time() == time(21, 0)
    assert start >= moment and local_end.date() == local_start.date()
    if time(9, 0) <= local_delivery.time() < time(21, 0):
        assert start == moment
    else:
        assert local_start.time() == time(9, 0) and start - moment < timedelta(hours=13)


@pytest.mark.django_db
@EXAMPLES
@given(values=st.lists(st.sampled_from(["100", "299.99", "300", "999.99", "1000", "1999.99", "2000"]), min_size=1,
                       max_size=5))  # fmt: skip
def test_one_customers_deliveries_of_a_day_become_one_contact_at_the_highest_tier(values):
    store = StoreFactory()
    AgentFactory(stores=[store])
    customer = CustomerFactory(store=store)
    orders = [OrderFactory(customer=customer, total_amount=Decimal(v)) for v in values]
    day = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    for index, order in enumerate(orders):  # one event each, as the order API sends them
        followups_plan(deliveries=[(order, day + timedelta(minutes=index))])
    rows = list(FollowUp.objects.filter(customer=customer))
    policy = FollowUpPolicy()
    tiers = [policy.channel_for(Decimal(v)) for v in values]
    planned = [r for r in rows if r.status == FollowUp.Status.PLANNED]
    if not any(tiers):
        assert rows == []
        return
    rank = {"sms": 1, "call": 2, "dedicated": 3}
    assert len(planned) == 1 and planned[0].channel == max(filter(None, tiers), key=rank.get)
    assert len(rows) == sum(1 for t in tiers if t)
    assert all(r.suppressed_reason == "merged" and r.merged_into_id for r in rows if r is not planned[0])


@pytest.mark.django_db
@EXAMPLES
@given(capacities=st.lists(st.integers(0, 4), min_size=0, max_size=4), calls=st.integers(0, 14))
def test_tonights_calls_fill_agents_evenly_up_to_capacity_and_the_rest_moves_on(capacities, calls):
    store = StoreFactory(timezone="Asia/Shanghai")
    agents = [AgentFactory(stores=[store], evening_capacity=cap) for cap in capacities]
    orders = [OrderFactory(customer=CustomerFactory(store=store), total_amount=Decimal("1500")) for _ in range(calls)]
    delivered = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    with time_machine.travel(delivered, tick=False):  # reported as it happens
        rows = followups_plan(deliveries=[(order, delivered) for order in orders])
    tonight = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    load = Counter(r.assignee_id for r in rows if r.window_start == tonight)
    room = sum(capacities)
    assert sum(load.values()) == min(calls, room) and None not in load
    assert all(load[a.pk] <= cap for a, cap in zip(agents, capacities, strict=True))
    overflowed = [r for r in rows if r.overflowed]
    assert len(overflowed) == calls - min(calls, room)
    assert all(r.window_start == tonight + timedelta(days=1) and r.status == "planned" for r in overflowed)
    if len(set(c for c in capacities if c)) == 1:  # equal capacities: nobody has two more than another
        busy = [load[a.pk] for a, cap in zip(agents, capacities, strict=True) if cap]
        assert max(busy) - min(busy) <= 1
