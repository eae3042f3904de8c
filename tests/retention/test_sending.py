"""Campaign SMS through the care SMS sweeper and the contact gate: the cap, consent, a worker dying mid-send."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from callbacks.models import ContactLog
from callbacks.services.dispatch import DispatchReport, sms_dispatch_due, sms_reconcile_stuck
from callbacks.telephony.memory import InMemoryBackend
from retention.models import CampaignContact
from retention.services.campaigns import campaign_start
from retention.services.plan import campaign_plan
from retention.services.sending import CAMPAIGN_SMS, campaign_messages_claim

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_marketing_cap_holds_across_two_overlapping_campaigns():
    store = open_store()
    customers = [customer_with_orders(store, [30]) for _ in range(5)]
    segment = everyone(store)
    first, second = campaign_for(store, segment, name="A"), campaign_for(store, segment, name="B")
    campaign_start(campaign=first)
    campaign_start(campaign=second)  # both planned before either sent: only the claim can keep the cap

    for _ in range(3):
        sms_dispatch_due(time_budget=5)
    CampaignContact.objects.update(due_at=timezone.now() - timedelta(seconds=1))  # the deferred second ones
    sms_dispatch_due(time_budget=5)

    assert sorted(m.to for m in InMemoryBackend.messages) == sorted(c.phone for c in customers)
    later = CampaignContact.objects.filter(status="suppressed")
    assert later.count() == 5 and set(later.values_list("excluded_reason", flat=True)) == {"cap_reached"}
    assert ContactLog.objects.filter(purpose="marketing").count() == 5
    # A third campaign's preview already names the cap as the reason.
    assert set(campaign_plan(campaign=campaign_for(store, segment, name="C")).excluded.values()) == {"cap_reached"}


def test_no_marketing_consent_is_excluded_with_its_reason():
    store = open_store()
    customer = customer_with_orders(store, [30], marketing_consent_at=None)
    plan = campaign_plan(campaign=campaign_for(store, everyone(store)))
    assert plan.excluded == {customer.pk: "no_marketing_consent"}


def test_a_worker_killed_mid_campaign_neither_loses_nor_doubles_a_message(settings):
    """The worker claims a batch (committed `sending`), sends half of it, and dies before recording anything."""
    store = open_store()
    customers = [customer_with_orders(store, [30]) for _ in range(6)]
    campaign_start(campaign=campaign_for(store, everyone(store)))
    with transaction.atomic():
        claimed = campaign_messages_claim(now=timezone.now(), limit=100, report=DispatchReport())
    backend = InMemoryBackend()
    for row in claimed[:3]:  # accepted by the provider; the answer never written down
        backend.send_sms(to=row.customer.phone, body=row.message_body, status_callback="")
    assert CampaignContact.objects.filter(status="sending").count() == 6

    settings.SMS_RECONCILE_AFTER_SECONDS = 0  # the claim is now old enough: nothing of it can be in flight
    report = sms_reconcile_stuck(queue=CAMPAIGN_SMS)
    assert (report.reconciled_sent, report.reconciled_replanned) == (3, 3)
    settings.SMS_RECONCILE_AFTER_SECONDS = 60
    sms_dispatch_due(time_budget=5)

    assert sorted(m.to for m in InMemoryBackend.messages) == sorted(c.phone for c in customers)
    assert CampaignContact.objects.filter(status="sent").count() == 6
    assert ContactLog.objects.filter(purpose="marketing").count() == 6  # the retry is the same contact
