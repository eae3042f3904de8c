"""The marketing cap counts a customer's marketing contacts on every channel: a campaign SMS and a return-visit call
are both marketing, so the store's "1 per 7 days" lets one of them through, not one of each. Calls go through the
real twilio client to the local Twilio server, whose signed status callbacks reach the live test server."""

import pytest

from callbacks.models import Call
from callbacks.services.calls import call_start
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.outcomes import followup_log_outcome
from retention.models import CampaignContact
from retention.services.campaigns import campaign_start
from retention.services.visits import campaign_call_tasks_create
from tests.factories import AgentFactory
from tests.system.procs import wait_for

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def store():
    return open_store(name="丝韵旗舰店")


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store], on_shift=True, phone="+8613900000009")


def _return_visit(store, segment):
    """A call campaign over `segment`, its call task made: (the campaign's row, its task)."""
    campaign = campaign_for(store, segment, name="回访电话", channel="call")
    campaign_start(campaign=campaign)
    campaign_call_tasks_create()
    row = CampaignContact.objects.select_related("call_task").get(campaign=campaign)
    return row, row.call_task


def _called(task, agent) -> Call:
    call = call_start(followup=task, agent=agent)
    wait_for(lambda: Call.objects.get(pk=call.pk).status == "completed", timeout=10, what="the call's callbacks")
    return call


def test_a_campaign_sms_this_week_holds_back_a_return_visit_call(twilio_live, store, agent):
    customer_with_orders(store, [30])
    segment = everyone(store)
    campaign_start(campaign=campaign_for(store, segment, name="短信"))
    sms_dispatch_due(time_budget=5)
    assert len(twilio_live.messages) == 1

    row, task = _return_visit(store, segment)

    assert (row.status, row.excluded_reason) == ("suppressed", "cap_reached")
    assert task is None or task.status == "suppressed"
    assert twilio_live.calls == []


def test_a_return_visit_call_this_week_holds_back_a_campaign_sms(twilio_live, store, agent):
    customer_with_orders(store, [30])
    segment = everyone(store)
    _row, task = _return_visit(store, segment)
    _called(task, agent)

    campaign = campaign_for(store, segment, name="短信")
    campaign_start(campaign=campaign)
    sms_dispatch_due(time_budget=5)

    sms = CampaignContact.objects.get(campaign=campaign)
    assert (sms.status, sms.excluded_reason) == ("suppressed", "cap_reached")
    assert twilio_live.messages == []


def test_a_second_attempt_of_the_same_return_visit_is_not_held_back_by_the_first(twilio_live, store, agent):
    customer_with_orders(store, [30])
    _row, task = _return_visit(store, everyone(store))
    _called(task, agent)
    followup_log_outcome(followup=task, agent=agent, outcome="no_answer", expected_seq=1)

    _called(task, agent)

    assert len(twilio_live.calls) == 2
