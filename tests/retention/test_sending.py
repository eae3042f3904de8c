"""Campaign SMS through the care SMS sweeper and the contact gate: the cap, consent, a worker dying mid-send."""

import random
from collections import Counter
from datetime import time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from callbacks.models import ContactLog
from callbacks.services.dispatch import DispatchReport, sms_dispatch_due, sms_reconcile_stuck
from callbacks.telephony.memory import InMemoryBackend
from crm.timezones import store_local_datetime, store_today
from retention.models import CampaignContact
from retention.services.campaigns import campaign_start
from retention.services.plan import campaign_plan
from retention.services.sending import CAMPAIGN_SMS, campaign_messages_claim
from tests.sms_faults import accepted_then_phone_changed, assert_each_sent_exactly_once, drain, sweep_in_killed_workers

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


@pytest.mark.slow
def test_a_worker_killed_mid_campaign_neither_loses_nor_doubles_a_message(twilio_backend, sms_fast_recovery):
    """Real sweeper processes, killed at random points, over campaigns of several stores; the local Twilio server's
    record is the judge."""

    def release() -> list[CampaignContact]:  # a campaign of four customers, due now
        store = open_store()
        for _ in range(4):
            customer_with_orders(store, [30])
        campaign = campaign_for(store, everyone(store))
        campaign_start(campaign=campaign)
        return list(CampaignContact.objects.filter(campaign=campaign, status="planned").select_related("customer"))

    run = sweep_in_killed_workers(
        queue=CAMPAIGN_SMS, twilio=twilio_backend, rng=random.Random(20261204), trials=16, release=release
    )
    assert len(run.rows) == 64
    assert run.stranded > 0, "no kill landed between claim and record: the test proved nothing"
    drain(CAMPAIGN_SMS)
    assert_each_sent_exactly_once(twilio_backend, CAMPAIGN_SMS, run.rows)
    ledger = Counter(ContactLog.objects.filter(purpose="marketing").values_list("customer_id", flat=True))
    assert ledger == Counter(row.customer_id for row in run.rows)  # one row each: a retry is the same contact


def test_reconciling_a_dead_workers_claim_records_what_the_provider_accepted_and_sends_only_the_rest(settings):
    """In-process and step by step: a batch claimed (committed `sending`), half of it accepted by the provider, and
    nothing recorded, as a worker killed mid-send leaves it; reconciling then sends only the rest."""
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


def _claim_at(moment):
    report = DispatchReport()
    claimed = campaign_messages_claim(now=moment, limit=100, report=report)
    return claimed, report, CampaignContact.objects.get()


def test_a_message_still_planned_when_its_campaign_ends_is_excluded_and_not_counted():
    store = open_store()
    customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store), ends_at=timezone.now() + timedelta(hours=1))
    campaign_start(campaign=campaign)

    claimed, report, contact = _claim_at(campaign.ends_at)

    assert (claimed, report.suppressed) == ([], 1)
    assert (contact.status, contact.excluded_reason) == ("suppressed", "campaign_ended")
    assert not ContactLog.objects.exists()


def test_a_message_due_outside_its_campaigns_own_hours_waits_for_them_to_open():
    store = open_store()
    customer_with_orders(store, [30])
    campaign_start(campaign=campaign_for(store, everyone(store), send_from=time(13, 0), send_until=time(20, 0)))
    today = store_today(store)
    assert CampaignContact.objects.get().due_at == store_local_datetime(store, today, time(13, 0))

    # 20:30 in the store: the store's SMS hours (until 21:00) are open, the campaign's are over.
    claimed, report, contact = _claim_at(store_local_datetime(store, today, time(20, 30)))

    assert (claimed, report.rescheduled) == ([], 1)
    tomorrow_at_one = store_local_datetime(store, today + timedelta(days=1), time(13, 0))
    assert (contact.status, contact.due_at) == ("planned", tomorrow_at_one)
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize(
    ("ends_at", "status", "due_tomorrow"),
    [(time(23, 0), "suppressed", False), (None, "planned", True)],
    ids=["campaign-ends-first", "campaign-goes-on"],
)
def test_the_stores_quiet_hours_defer_a_message_unless_the_campaign_ends_first(ends_at, status, due_tomorrow):
    store = open_store()
    customer_with_orders(store, [30])
    today = store_today(store)
    overrides = {"ends_at": store_local_datetime(store, today, ends_at)} if ends_at else {}
    campaign_start(campaign=campaign_for(store, everyone(store), **overrides))

    claimed, _report, contact = _claim_at(store_local_datetime(store, today, time(21, 30)))  # quiet from 21:00

    assert claimed == [] and contact.status == status
    assert contact.excluded_reason == ("" if due_tomorrow else "quiet_hours")
    if due_tomorrow:  # the gate's "not before": the store's SMS hours open at 09:00
        assert contact.due_at == store_local_datetime(store, today + timedelta(days=1), time(9, 0))


def test_a_campaign_sms_accepted_before_the_customers_phone_changed_is_found_at_the_old_number_not_resent(
    twilio_backend, monkeypatch
):
    store = open_store()
    for _ in range(3):
        customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    rows = list(CampaignContact.objects.filter(campaign=campaign, status="planned").select_related("customer"))
    accepted_then_phone_changed(queue=CAMPAIGN_SMS, twilio=twilio_backend, rows=rows, monkeypatch=monkeypatch)
