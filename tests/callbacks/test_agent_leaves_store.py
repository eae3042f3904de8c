"""An agent taken off a store hands on their planned calls there (callbacks.services.handover)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from callbacks.models import FollowUp
from callbacks.selectors import case_calls_for_user, followups_for_user
from callbacks.services.calls import call_status_advance, case_call_start
from callbacks.services.case_calls import case_call_log_outcome, case_call_open
from callbacks.services.policy import policy_update
from crm.models import AuditLog
from crm.services.cases import case_open
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, ManagerFactory, OrderFactory, StoreFactory

from .conftest import local

pytestmark = pytest.mark.django_db


def _call(store, assignee, *, day=23, channel="call", customer=None, amount="1500", **kwargs) -> FollowUp:
    customer = customer or CustomerFactory(store=store)
    start = local(store, 2026, 11, day, 18, 0)
    return FollowUpFactory(
        order=OrderFactory(customer=customer, total_amount=Decimal(amount)),
        assignee=assignee,
        channel=channel,
        window_start=start,
        window_end=start + timedelta(hours=1),
        **kwargs,
    )


@pytest.fixture
def morning():
    with time_machine.travel(local(StoreFactory.build(), 2026, 11, 23, 10, 0), tick=False):
        yield


def _assignee(followup):
    followup.refresh_from_db()
    return followup.assignee


def test_planned_calls_still_to_come_go_to_the_least_loaded_on_shift_agent_of_the_store(morning):
    store, other = StoreFactory(), StoreFactory()
    leaver = AgentFactory(stores=[store, other])
    busy, idle = AgentFactory(stores=[store]), AgentFactory(stores=[store])
    AgentFactory(stores=[store], on_shift=False)  # serves the store, but not tonight
    _call(store, busy)
    tonight = [_call(store, leaver) for _ in range(3)]
    tomorrow = _call(store, leaver, day=24)
    under_way = _call(store, leaver, status="in_progress")
    yesterday = _call(store, leaver, day=22)  # its window is over: the missed-call sweep closes it
    elsewhere = _call(other, leaver)

    leaver.stores.remove(store)

    assert [_assignee(f) for f in tonight] == [idle, busy, idle]
    assert _assignee(tomorrow) in (busy, idle)
    assert _assignee(under_way) == leaver
    assert _assignee(yesterday) == leaver
    assert _assignee(elsewhere) == leaver  # a store they still serve
    audit = AuditLog.objects.filter(action="followup.reassigned", target=f"followup:{tonight[0].pk}").get()
    assert audit.data == {"from_agent_id": leaver.pk, "to_agent_id": idle.pk, "why": "assignee_left_store"}
    assert audit.actor is None


def test_a_dedicated_customer_whose_owner_left_gets_the_new_agent_as_owner(morning):
    store = StoreFactory()
    leaver, stays = AgentFactory(stores=[store]), AgentFactory(stores=[store])
    owned = CustomerFactory(store=store, dedicated_owner=leaver)
    kept = CustomerFactory(store=store, dedicated_owner=stays)
    other_owner = AgentFactory(stores=[store])  # fewer calls than stays, yet kept's call goes to its owner
    _call(store, stays)
    mine = _call(store, leaver, channel="dedicated", customer=owned)
    stand_in = _call(store, leaver, channel="dedicated", customer=kept)  # a manager gave it to the leaver

    store.agents.remove(leaver)

    assert _assignee(mine) == other_owner
    owned.refresh_from_db()
    assert owned.dedicated_owner == other_owner
    assert _assignee(stand_in) == stays
    kept.refresh_from_db()
    assert kept.dedicated_owner == stays


def test_a_call_task_for_a_customer_whose_owner_still_serves_the_store_goes_to_that_owner(morning):
    store = StoreFactory()
    leaver, owner = AgentFactory(stores=[store]), AgentFactory(stores=[store])
    AgentFactory(stores=[store])  # fewer calls than the owner, yet the owner's customer's task goes to the owner
    _call(store, owner)
    customer = CustomerFactory(store=store, dedicated_owner=owner)
    task = _call(store, leaver, customer=customer, purpose="logistics")  # a manager gave it to the leaver
    task.window_start, task.window_end = local(store, 2026, 11, 23, 9, 0), local(store, 2026, 11, 23, 21, 0)
    task.save()

    store.agents.remove(leaver)

    assert _assignee(task) == owner
    customer.refresh_from_db()
    assert customer.dedicated_owner == owner


def test_nobody_on_shift_left_leaves_the_call_unassigned_on_the_managers_queue(morning):
    store = StoreFactory()
    leaver = AgentFactory(stores=[store])
    manager = ManagerFactory(stores=[store], on_shift=False)
    call = _call(store, leaver)
    leaver.stores.clear()
    assert _assignee(call) is None
    assert call.status == FollowUp.Status.PLANNED
    assert list(followups_for_user(user=manager.user)) == [call]
    assert list(followups_for_user(user=leaver.user)) == []


def _window(followup):
    followup.refresh_from_db()
    return followup.window_start, followup.window_end


def test_a_call_handed_to_a_full_evening_is_moved_like_planning_moves_it(morning):
    store = StoreFactory()
    leaver = AgentFactory(stores=[store])
    full, roomy = AgentFactory(stores=[store], evening_capacity=2), AgentFactory(stores=[store], evening_capacity=4)
    for holder in (full, full, roomy, roomy):
        _call(store, holder)
    small, big = _call(store, leaver, amount="1500"), _call(store, leaver, amount="3000")
    owned = _call(store, leaver, channel="dedicated", customer=CustomerFactory(store=store, dedicated_owner=full))
    asked = _call(store, leaver, outcome="call_back", attempts=1)  # the customer asked to be called at 18:30
    asked.window_start = local(store, 2026, 11, 23, 18, 30)
    asked.save()  # it takes roomy's third place before any care call is placed
    task = _call(store, leaver, purpose="logistics")  # call tasks are not limited by the evening capacity
    task.window_start, task.window_end = local(store, 2026, 11, 23, 9, 0), local(store, 2026, 11, 23, 21, 0)
    task.save()
    tonight = (local(store, 2026, 11, 23, 18, 0), local(store, 2026, 11, 23, 19, 0))
    tomorrow = (local(store, 2026, 11, 24, 18, 0), local(store, 2026, 11, 24, 19, 0))

    leaver.stores.remove(store)

    assert (_assignee(big), _window(big), big.overflowed) == (roomy, tonight, False)  # the evening's last room
    assert (_window(small), small.overflowed, small.status) == (tomorrow, True, "planned")
    assert _assignee(small) in (full, roomy)
    assert (_assignee(owned), _window(owned), owned.overflowed) == (full, tomorrow, True)  # the owner keeps it
    assert _window(asked) == (local(store, 2026, 11, 23, 18, 30), tonight[1]) and not asked.overflowed
    assert _assignee(asked) == roomy
    assert _window(task)[0] == local(store, 2026, 11, 23, 9, 0) and not task.overflowed
    assert _assignee(task) in (full, roomy)


def test_with_no_room_left_a_store_that_texts_instead_sends_the_care_sms(morning):
    store = StoreFactory()
    policy_update(store=store, actor=None, changes={"overflow_rule": "sms_instead"})
    leaver, stays = AgentFactory(stores=[store]), AgentFactory(stores=[store], evening_capacity=1)
    _call(store, stays)
    texted = _call(store, leaver)
    opted_out = _call(store, leaver, customer=CustomerFactory(store=store, sms_opt_out=True))

    store.agents.remove(leaver)

    texted.refresh_from_db()
    assert (texted.channel, texted.assignee, texted.overflowed, texted.status) == ("sms", None, True, "planned")
    assert texted.window_start == local(store, 2026, 11, 23, 10, 0)  # within the store's SMS hours: now
    opted_out.refresh_from_db()
    assert (opted_out.channel, opted_out.assignee, opted_out.overflowed) == ("call", stays, True)
    assert opted_out.window_start == local(store, 2026, 11, 24, 18, 0)


def test_a_switched_off_login_hands_on_the_calls_of_every_store(morning):
    store, other = StoreFactory(), StoreFactory()
    leaver = AgentFactory(stores=[store, other])
    here, there = AgentFactory(stores=[store]), AgentFactory(stores=[other])
    calls = _call(store, leaver), _call(other, leaver)
    leaver.user.is_active = False
    leaver.user.save()
    assert [_assignee(c) for c in calls] == [here, there]


def _reach(case_call, agent, *, outcome="reached"):
    case_call_log_outcome(case_call=case_call, agent=agent, outcome=outcome, expected_seq=case_call.attempts + 1)


def _case_call(store, *, case_assignee, opened_by):
    """An open case with an open call about it, opened from the case page by `opened_by`."""
    order = OrderFactory(store=store, customer__store=store)
    case, _created = case_open(
        store=store, customer=order.customer, order=order, source="review", assignee=case_assignee
    )
    case_call, _created = case_call_open(case=case, agent=opened_by)
    return case_call


def _holder(case_call):
    case_call.refresh_from_db()
    return case_call.assignee


def test_open_case_calls_follow_their_case_to_its_new_assignee(morning, client):
    store, other = StoreFactory(), StoreFactory()
    leaver = AgentFactory(stores=[store, other])
    stays = AgentFactory(stores=[store])
    mine = _case_call(store, case_assignee=leaver, opened_by=leaver)
    retried = _case_call(store, case_assignee=leaver, opened_by=leaver)
    _reach(retried, leaver, outcome="no_answer")  # open for another try
    unlogged = _case_call(store, case_assignee=leaver, opened_by=leaver)
    call_status_advance(call=case_call_start(case_call=unlogged, agent=leaver), status="completed")
    on_the_phone = _case_call(store, case_assignee=leaver, opened_by=leaver)
    case_call_start(case_call=on_the_phone, agent=leaver)
    colleagues = _case_call(store, case_assignee=stays, opened_by=leaver)  # the leaver rang about a colleague's case
    done = _case_call(store, case_assignee=leaver, opened_by=leaver)
    _reach(done, leaver)
    elsewhere = _case_call(other, case_assignee=leaver, opened_by=leaver)

    leaver.stores.remove(store)

    for handed in (mine, retried, unlogged, colleagues):
        handed.case.refresh_from_db()
        assert _holder(handed) == handed.case.assignee == stays
    assert _holder(on_the_phone) == leaver  # the call under way is theirs to finish
    assert _holder(done) == leaver and _holder(elsewhere) == leaver
    retried.refresh_from_db()
    assert (retried.status, retried.attempts) == ("planned", 1)  # the same call, its attempts kept
    audit = AuditLog.objects.filter(action="case_call.reassigned", target=f"case_call:{mine.pk}").get()
    assert audit.data == {"from_agent_id": leaver.pk, "to_agent_id": stays.pk, "why": "assignee_left_store"}
    assert audit.actor is None
    assert set(case_calls_for_user(user=stays.user)) == {mine, retried, unlogged, colleagues}
    assert set(case_calls_for_user(user=leaver.user)) == {elsewhere}
    # The new assignee opens the call where the leaver left it, and the case's button finds that same call.
    client.force_login(stays.user)
    page = client.get(f"/calls/case-calls/{retried.pk}/")
    assert page.status_code == 200 and str(stays) in page.text
    assert client.post(f"/calls/cases/{retried.case_id}/call").url.startswith(f"/calls/case-calls/{retried.pk}/")


def test_leaving_locks_the_customers_of_the_cases_and_of_the_calls_before_any_case(morning):
    """ADR 0037: customers first, then their cases and follow-ups. crm locked the leaver's cases, then callbacks'
    handover locked the customers of their calls: a customer after a case. Now the first row lock taken is every
    customer's, those of the cases crm hands on and of the calls callbacks hands on, in one id-ordered statement."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    store = StoreFactory()
    leaver, stays = AgentFactory(stores=[store]), AgentFactory(stores=[store])
    call = _call(store, leaver)
    case, _ = case_open(store=store, customer=CustomerFactory(store=store), source="call", assignee=leaver)

    with CaptureQueriesContext(connection) as queries:
        store.agents.remove(leaver)

    locks = [query["sql"] for query in queries if re.search(r"\bFOR (NO KEY )?UPDATE\b", query["sql"])]
    tables = [re.search(r'\bFROM "(\w+)"', sql).group(1) for sql in locks]
    assert tables[0] == "crm_customer" and tables.index("crm_case") > 0
    customers = [int(pk) for pk in re.search(r'"crm_customer"\."id" IN \(([^)]*)\)', locks[0]).group(1).split(", ")]
    assert customers == sorted([call.customer_id, case.customer_id])
    case.refresh_from_db()
    assert (case.assignee, _assignee(call)) == (stays, stays)
