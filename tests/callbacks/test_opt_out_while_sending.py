"""An opt-out that arrives while the sweeper claims a message: the message must not go once the opt-out committed.

The claim asked the gate on the customer's row as last committed, without a lock: a STOP committing between that read
and the claim's commit left the message claimed, on the customer's word from before, and it went out after the
opt-out had committed. The claim now locks the customers of the rows it claims (skipping one locked by a write in
progress: their row waits for the next sweep, which sees what that write committed), so an opt-out commits either
before the claim, which then sees it, or after it, once the message is already on its way.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.models import FollowUp
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.inbound import inbound_sms_receive
from callbacks.telephony.memory import InMemoryBackend
from retention.models import CampaignContact
from retention.services.campaigns import campaign_start
from retention.services.visits import campaign_call_tasks_create
from tests.factories import AgentFactory
from tests.locking import overlapping
from tests.retention.conftest import customer_with_orders
from tests.retention.helpers import campaign_for, everyone, open_store

from .conftest import midday_store, plan_due_sms

pytestmark = pytest.mark.django_db(transaction=True)


def _stop(customer):
    return lambda: inbound_sms_receive(payload={"From": customer.phone, "Body": "退订", "MessageSid": "SMstop"})


def test_a_care_sms_is_not_sent_after_an_opt_out_that_committed_while_it_was_claimed():
    (followup,) = plan_due_sms(midday_store(), 1)

    # The STOP is written, not yet committed, while the sweep runs; it commits once the sweep waits for it.
    overlapping(_stop(followup.customer), sms_dispatch_due)
    sms_dispatch_due()  # the next sweep

    followup.refresh_from_db()
    assert InMemoryBackend.messages == []
    assert (followup.status, followup.suppressed_reason) == ("suppressed", "sms_opt_out")


def test_a_campaign_message_is_not_sent_after_an_opt_out_that_committed_while_it_was_claimed():
    store = open_store()
    customer = customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    CampaignContact.objects.update(due_at=timezone.now() - timedelta(minutes=1))

    overlapping(_stop(customer), sms_dispatch_due)
    sms_dispatch_due()

    row = CampaignContact.objects.get()
    assert InMemoryBackend.messages == []
    assert (row.status, row.excluded_reason) == ("suppressed", "sms_opt_out")


def test_a_message_claimed_before_the_opt_out_goes_once_and_the_opt_out_waits_for_the_claim():
    (followup,) = plan_due_sms(midday_store(), 1)

    # The sweep's claim first (held open until the STOP waits for it): the message was on its way before the opt-out.
    waited = overlapping(sms_dispatch_due, _stop(followup.customer))

    followup.refresh_from_db()
    followup.customer.refresh_from_db()
    assert waited and len(InMemoryBackend.messages) == 1 and followup.status == FollowUp.Status.SENT
    assert followup.customer.sms_opt_out


def test_a_return_visit_is_not_put_in_the_queue_after_an_opt_out_that_committed_while_its_task_was_made():
    # The sweep that makes a call campaign's tasks asked the gate on the customer as last committed: a STOP being
    # written then, committed before the sweep, left a return visit planned in an agent's queue for a customer who had
    # opted out (the STOP's withdrawal could not see a task not yet committed).
    store = open_store()
    AgentFactory(stores=[store], on_shift=True)
    customer = customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store), channel="call")
    campaign_start(campaign=campaign)

    waited = overlapping(_stop(customer), campaign_call_tasks_create)

    row = CampaignContact.objects.select_related("call_task").get(campaign=campaign)
    assert waited
    assert (row.status, row.excluded_reason) == ("suppressed", "marketing_opt_out")
    assert (row.call_task.status, row.call_task.suppressed_reason) == ("suppressed", "marketing_opt_out")
