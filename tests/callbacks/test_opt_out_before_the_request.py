"""An opt-out that commits after the sweeper claimed a message, before its request leaves: the message is withdrawn.

The claim locks the customers of its rows (ADR 0037), so an opt-out commits before a claim, which refuses the message,
or after it. After it, the message waited for its request with no lock held (ADR 0011): a batch is claimed while the
one before it is on the wire, and leaves only once that one's answers are recorded, seconds later. The sweeper now reads
the customers' word again, in a short transaction of its own, just before a batch's requests leave, and withdraws the
messages of those who opted out meanwhile. Through the real twilio client against the local Twilio server, whose
record of what it accepted is the judge.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.models import ContactLog, FollowUp
from callbacks.services.inbound import inbound_sms_receive
from crm.services.customers import customer_update_profile
from retention.models import CampaignContact
from retention.services.campaigns import campaign_start
from tests.callbacks.sweeper import sweep_in_a_thread, wait_until
from tests.factories import ManagerFactory
from tests.retention.conftest import customer_with_orders
from tests.retention.helpers import campaign_for, everyone, open_store

from .conftest import midday_store, plan_due_sms

pytestmark = pytest.mark.django_db(transaction=True)


def _stop(phone: str, sid: str = "SMstop") -> None:
    inbound_sms_receive(payload={"From": phone, "Body": "退订", "MessageSid": sid})


def test_a_care_sms_claimed_before_an_opt_out_is_withdrawn_if_the_opt_out_commits_before_its_request(
    twilio_backend, settings
):
    # One message a batch: the second is claimed (committed `sending`) while the first is on the wire for 2 s.
    settings.SMS_BATCH_SIZE = 1
    first, second = plan_due_sms(midday_store(), 2)
    twilio_backend.configure(latency=2.0)
    sweeper, errors = sweep_in_a_thread()
    wait_until(lambda: FollowUp.objects.get(pk=second.pk).status == FollowUp.Status.SENDING)

    _stop(second.customer.phone)  # commits while the first message is still on the wire
    sweeper.join()

    first.refresh_from_db()
    second.refresh_from_db()
    assert errors == []
    assert [m["to"] for m in twilio_backend.messages] == [first.customer.phone]
    assert first.status == FollowUp.Status.SENT
    assert (second.status, second.suppressed_reason) == ("suppressed", "sms_opt_out")
    # A message withdrawn was no contact: the caps do not count it.
    assert not ContactLog.objects.filter(order_id=second.order_id).exists()


def _withdraw_consent(customer) -> None:
    """An agent clears the customer's marketing consent on the call panel (the profile write the panel makes)."""
    agent = ManagerFactory(stores=[customer.store])
    customer_update_profile(customer=customer, actor=agent.user, changes={"marketing_consent_source": ""})


@pytest.mark.parametrize(
    ("refuse", "reason"),
    [
        (lambda customer: _stop(customer.phone), "sms_opt_out"),  # the customer replies STOP
        (_withdraw_consent, "no_marketing_consent"),
    ],
    ids=["opt_out", "consent_withdrawn"],
)
def test_a_campaign_message_claimed_before_the_customer_refused_it_is_withdrawn_if_that_commits_before_its_request(
    twilio_backend, settings, refuse, reason
):
    settings.SMS_BATCH_SIZE = 1
    store = open_store()
    customers = [customer_with_orders(store, [30]) for _ in range(2)]
    campaign_start(campaign=campaign_for(store, everyone(store)))
    CampaignContact.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    twilio_backend.configure(latency=2.0)
    sweeper, errors = sweep_in_a_thread()
    wait_until(lambda: CampaignContact.objects.filter(status="sending").count() == 2)
    waiting = CampaignContact.objects.filter(status="sending").order_by("-claimed_at", "-pk").first()

    refuse(waiting.customer)  # commits while the first message is still on the wire
    sweeper.join()

    waiting.refresh_from_db()
    (sent,) = twilio_backend.messages
    assert errors == [] and len(customers) == 2
    assert sent["to"] != waiting.customer.phone
    assert (waiting.status, waiting.excluded_reason) == ("suppressed", reason)
    assert not ContactLog.objects.filter(customer_id=waiting.customer_id, source="campaign_sms").exists()


def test_a_care_sms_claimed_before_marketing_consent_was_withdrawn_still_goes(twilio_backend, settings):
    # Consent is about marketing: the care SMS of a customer who withdrew it meanwhile is sent like any other.
    settings.SMS_BATCH_SIZE = 1
    first, second = plan_due_sms(
        midday_store(), 2, marketing_consent_at=timezone.now() - timedelta(days=1), marketing_consent_source="checkout"
    )
    twilio_backend.configure(latency=2.0)
    sweeper, errors = sweep_in_a_thread()
    wait_until(lambda: FollowUp.objects.get(pk=second.pk).status == FollowUp.Status.SENDING)

    _withdraw_consent(second.customer)
    sweeper.join()

    second.refresh_from_db()
    assert errors == []
    assert sorted(m["to"] for m in twilio_backend.messages) == sorted([first.customer.phone, second.customer.phone])
    assert second.status == FollowUp.Status.SENT
