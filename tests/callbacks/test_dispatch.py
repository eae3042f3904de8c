from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from callbacks.models import FollowUp, FollowUpPolicy
from callbacks.services.dispatch import sms_dispatch_due, sms_reconcile_stuck
from callbacks.telephony.memory import InMemoryBackend
from crm.models import Customer

from .conftest import midday_store, plan_due_sms

pytestmark = pytest.mark.django_db
Status = FollowUp.Status


@pytest.fixture
def fast_reconcile(settings):
    settings.TWILIO_HTTP_TIMEOUT = 0.3
    settings.SMS_RECONCILE_AFTER_SECONDS = 1.0


def _past_reconcile_age(settings):
    """The clock moved on past the age at which a `sending` row is reconciled (time-machine, not a sleep)."""
    return time_machine.travel(timezone.now() + timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS + 1), tick=True)


def test_due_care_sms_is_sent_once_in_the_store_voice_with_the_opt_out():
    store = midday_store(name="丝韵旗舰店", manager_hotline="+864008208820")
    FollowUpPolicy.objects.create(
        store=store, sms_template_zh="亲爱的主人{name}，您的{product}到啦！有问题先找{store}：{hotline}。"
    )
    (followup,) = plan_due_sms(store, 1)
    sms_dispatch_due()
    sms_dispatch_due()
    (message,) = InMemoryBackend.messages
    followup.refresh_from_db()
    assert followup.status == Status.SENT and followup.provider_id == message.sid
    assert message.to == followup.customer.phone
    assert (
        message.body
        == f"亲爱的主人{followup.customer.name}，您的真丝围巾到啦！有问题先找丝韵旗舰店：+864008208820。回T退订"
    )


def test_english_store_sends_the_english_template_and_wording():
    store = midday_store(name="Tea Words")
    FollowUpPolicy.objects.create(store=store, sms_language="en")
    plan_due_sms(store, 1)
    sms_dispatch_due()
    (message,) = InMemoryBackend.messages
    assert message.body.startswith("Hi ") and "Tea Words" in message.body
    assert message.body.endswith("Reply STOP to opt out")


def test_sms_not_yet_due_waits():
    store = midday_store()
    (followup,) = plan_due_sms(store, 1)
    # Decades ahead, both ends moved alike: replace(year=...) put the end before the start when the window crossed
    # New Year (and fails on 29 February).
    later = timedelta(days=365 * 70)
    FollowUp.objects.filter(pk=followup.pk).update(
        window_start=followup.window_start + later, window_end=followup.window_end + later
    )
    sms_dispatch_due()
    assert InMemoryBackend.messages == []


def test_opt_out_after_planning_still_wins_at_dispatch():
    store = midday_store()
    (followup,) = plan_due_sms(store, 1)
    Customer.objects.filter(pk=followup.customer_id).update(sms_opt_out=True)
    sms_dispatch_due()
    followup.refresh_from_db()
    assert InMemoryBackend.messages == []
    assert (followup.status, followup.suppressed_reason) == (Status.SUPPRESSED, "sms_opt_out")


def test_the_number_of_queries_does_not_depend_on_the_number_of_messages():
    def queries_to_send(count: int) -> int:
        plan_due_sms(midday_store(), count)
        with CaptureQueriesContext(connection) as queries:
            assert sms_dispatch_due().sent == count
        return len(queries)

    assert queries_to_send(2) == queries_to_send(7)


def test_sent_through_the_twilio_client_with_our_id_in_the_status_callback(twilio_backend):
    store = midday_store()
    followups = plan_due_sms(store, 3)
    report = sms_dispatch_due()
    assert report.sent == 3
    by_sid = {m["sid"]: m for m in twilio_backend.messages}
    for followup in followups:
        followup.refresh_from_db()
        assert followup.status == Status.SENT
        message = by_sid[followup.provider_id]
        assert message["to"] == followup.customer.phone and message["body"] == followup.message_body
        assert message["_status_callback"].endswith(f"/twilio/messages/{followup.pk}/status")


def test_unsubscribed_number_fails_and_opts_the_customer_out(twilio_backend):
    store = midday_store()
    (followup,) = plan_due_sms(store, 1)
    twilio_backend.configure(opted_out=[followup.customer.phone])
    sms_dispatch_due()
    followup.refresh_from_db()
    followup.customer.refresh_from_db()
    assert (followup.status, followup.error_code, followup.outcome) == (Status.FAILED, "21610", "opted_out")
    assert followup.customer.sms_opt_out is True
    assert twilio_backend.messages == []


def test_throttled_send_is_retried_later_and_sent_once(twilio_backend):
    store = midday_store()
    (followup,) = plan_due_sms(store, 1)
    twilio_backend.configure(mode="429", count=1)
    assert sms_dispatch_due(time_budget=0).retry_later == 1
    followup.refresh_from_db()
    assert followup.status == Status.PLANNED
    sms_dispatch_due()
    followup.refresh_from_db()
    assert followup.status == Status.SENT and len(twilio_backend.messages) == 1


def test_throttling_gives_back_the_batch_claimed_ahead_without_sending_it(twilio_backend, settings):
    settings.SMS_BATCH_SIZE = 2
    store = midday_store()
    followups = plan_due_sms(store, 4)
    twilio_backend.configure(mode="429", count=1)
    assert sms_dispatch_due().retry_later == 1
    # The first batch: one sent, one throttled. The second, claimed while the first was on the wire: untouched.
    assert len(twilio_backend.messages) == 1
    ahead = FollowUp.objects.filter(pk__in=[f.pk for f in followups[2:]])
    assert [(f.status, f.attempts, f.claimed_at) for f in ahead] == [(Status.PLANNED, 0, None)] * 2
    sms_dispatch_due()
    assert Counter(m["to"] for m in twilio_backend.messages) == Counter(f.customer.phone for f in followups)
    assert set(FollowUp.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.parametrize("fault", ["500_after_record", "timeout"])
def test_accepted_but_unanswered_send_is_found_at_the_provider_not_resent(
    twilio_backend, fast_reconcile, settings, fault
):
    store = midday_store()
    followups = plan_due_sms(store, 4)
    twilio_backend.configure(mode=fault, count=2, hang=0.6)
    report = sms_dispatch_due()
    assert report.sent == 2 and report.unknown == 2
    assert FollowUp.objects.filter(status=Status.SENDING).count() == 2
    sms_dispatch_due()  # too early to reconcile: nothing is resent
    assert len(twilio_backend.messages) == 4
    with _past_reconcile_age(settings):
        assert sms_reconcile_stuck().reconciled_sent == 2
        sms_dispatch_due()
    assert Counter(m["to"] for m in twilio_backend.messages) == Counter(f.customer.phone for f in followups)
    assert set(FollowUp.objects.values_list("status", flat=True)) == {Status.SENT}
    assert {m["sid"] for m in twilio_backend.messages} == set(FollowUp.objects.values_list("provider_id", flat=True))


def test_stuck_send_that_never_reached_the_provider_is_sent_after_reconciling(twilio_backend, fast_reconcile, settings):
    store = midday_store()
    (followup,) = plan_due_sms(store, 1)
    # A worker that died after claiming: the row is `sending`, the provider never saw it.
    claimed = timezone.now() - timedelta(seconds=5)
    FollowUp.objects.filter(pk=followup.pk).update(status=Status.SENDING, claimed_at=claimed, attempts=1)
    report = sms_dispatch_due()
    assert (report.reconciled_replanned, report.sent) == (1, 1)
    followup.refresh_from_db()
    assert followup.status == Status.SENT and len(twilio_backend.messages) == 1


def test_provider_outage_during_reconciliation_keeps_the_row_waiting(twilio_backend, fast_reconcile, settings):
    store = midday_store()
    (followup,) = plan_due_sms(store, 1)
    claimed = timezone.now() - timedelta(seconds=5)
    FollowUp.objects.filter(pk=followup.pk).update(status=Status.SENDING, claimed_at=claimed)
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens: the provider cannot be asked
    report = sms_reconcile_stuck()
    followup.refresh_from_db()
    assert followup.status == Status.SENDING and report.errors


def test_status_callback_urls_by_id_are_the_reversed_urls(settings):
    from callbacks.services.messages import public_url, public_url_by_id

    settings.PUBLIC_BASE_URL = "https://crm.example.com/"
    by_id = public_url_by_id("twilio:message-status")
    assert [by_id(pk) for pk in (1, 42, 10**9)] == [public_url("twilio:message-status", pk) for pk in (1, 42, 10**9)]
