"""An agent taken off a store hands on their planned calls there (callbacks.services.handover)."""

from datetime import timedelta

import pytest
import time_machine

from callbacks.models import FollowUp
from callbacks.selectors import case_calls_for_user, followups_for_user
from callbacks.services.calls import call_status_advance, case_call_start
from callbacks.services.case_calls import case_call_log_outcome, case_call_open
from crm.models import AuditLog
from crm.services.cases import case_open
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, ManagerFactory, OrderFactory, StoreFactory

from .conftest import local

pytestmark = pytest.mark.django_db


def _call(store, assignee, *, day=23, channel="call", customer=None, **kwargs) -> FollowUp:
    customer = customer or CustomerFactory(store=store)
    start = local(store, 2026, 11, day, 18, 0)
    return FollowUpFactory(
        order=OrderFactory(customer=customer),
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
