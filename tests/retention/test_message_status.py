"""The provider's status callbacks for campaign (and birthday) SMS: signed callbacks the local Twilio server sends to
the live test server, and the same callbacks replayed, twice and out of order. A status only moves forward; a
callback proves a send our own record never wrote down."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
import requests
import time_machine
from django.utils import timezone
from twilio.request_validator import RequestValidator

from callbacks.services.dispatch import sms_dispatch_due
from retention.models import CampaignContact
from retention.services.campaigns import campaign_start
from retention.services.sending import CAMPAIGN_SMS
from tests.system.procs import wait_for

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db(transaction=True)


def _campaign_of(count: int) -> list[CampaignContact]:
    store = open_store()
    for _ in range(count):
        customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    return list(CampaignContact.objects.filter(campaign=campaign).select_related("customer"))


def _replay(live_server, twilio, row_id: int, sid: str, status: str) -> int:
    """A callback signed as the provider signs it, posted to the live server as the provider posts it."""
    url = f"{live_server.url}/retention/twilio/messages/{row_id}/status"
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": twilio.account_sid}
    signature = RequestValidator(twilio.auth_token).compute_signature(url, params)
    answer = requests.post(
        url, data=urlencode(params), headers={"X-Twilio-Signature": signature,
                                              "Content-Type": "application/x-www-form-urlencoded"}, timeout=5,
    )  # fmt: skip
    return answer.status_code


def _delivered(rows) -> bool:
    return CampaignContact.objects.filter(pk__in=[r.pk for r in rows], provider_status="delivered").count() == len(rows)


def test_replayed_and_out_of_order_callbacks_never_move_a_campaign_sms_back(twilio_live, live_server):
    rows = _campaign_of(2)
    sms_dispatch_due(time_budget=5, queues=[CAMPAIGN_SMS.name])
    wait_for(lambda: _delivered(rows), timeout=10, what="the provider's sent and delivered callbacks")

    for row in CampaignContact.objects.filter(pk__in=[r.pk for r in rows]):
        for status in ["delivered", "sent", "queued", "delivered", "sent"]:
            assert _replay(live_server, twilio_live, row.pk, row.provider_id, status) == 204
        # A callback for another message (a sid this row does not hold) changes nothing either.
        assert _replay(live_server, twilio_live, row.pk, "SMforeign", "failed") == 204

    assert list(CampaignContact.objects.values_list("status", "provider_status", "outcome").distinct()) == [
        ("sent", "delivered", "")
    ]
    assert len(twilio_live.messages) == 2


def test_a_callback_for_a_send_whose_answer_was_lost_records_it_sent_and_it_is_never_resent(
    twilio_live, live_server, settings
):
    """The provider accepted the message but answered 500: our record wrote nothing, its callbacks arrive first."""
    [row] = _campaign_of(1)
    twilio_live.configure(mode="500_after_record", count=1)
    report = sms_dispatch_due(time_budget=5, queues=[CAMPAIGN_SMS.name])
    assert report.unknown == 1
    wait_for(lambda: _delivered([row]), timeout=10, what="the provider's callbacks")

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS + 1)):
        sms_dispatch_due(time_budget=5, queues=[CAMPAIGN_SMS.name])

    row.refresh_from_db()
    [message] = twilio_live.messages
    assert (row.status, row.provider_id, row.provider_status) == ("sent", message["sid"], "delivered")


def test_a_callback_for_a_test_send_or_an_unknown_row_is_answered_and_changes_nothing(twilio_live, live_server):
    [row] = _campaign_of(1)
    assert _replay(live_server, twilio_live, 0, "SMtest", "delivered") == 204
    assert _replay(live_server, twilio_live, row.pk + 1000, "SMelse", "delivered") == 204
    row.refresh_from_db()
    assert (row.status, row.provider_id) == ("planned", "")


def test_a_campaign_messages_callbacks_are_kept_as_they_came(twilio_live, live_server):
    # Applied and dropped before: the care SMS's callbacks were kept (TelephonyEvent), a campaign message's were not.
    from callbacks.models import TelephonyEvent

    [row] = _campaign_of(1)
    sms_dispatch_due(time_budget=5, queues=[CAMPAIGN_SMS.name])
    wait_for(lambda: _delivered([row]), timeout=10, what="the provider's sent and delivered callbacks")
    row.refresh_from_db()

    assert _replay(live_server, twilio_live, row.pk, row.provider_id, "sent") == 204

    kept = TelephonyEvent.objects.filter(kind="message_status", provider_id=row.provider_id)
    assert [event.payload["_row"] for event in kept] == [f"campaigns:{row.pk}"] * kept.count()
    assert [event.payload["MessageStatus"] for event in kept.order_by("id")][-1] == "sent"
    assert kept.count() >= 2  # the provider's own callbacks and the replay


def test_a_campaign_message_reported_refused_as_opted_out_opts_out_its_customer_and_number(twilio_live, live_server):
    """Twilio accepted the message and then reported it `failed` with 21610 (the number had replied STOP to our sending
    number): the same fact as Twilio refusing it when it was sent, with the same consequence (callbacks'
    carrier_opt_out): the customer is opted out of SMS and the number kept from every store's SMS (ADR 0049). Before,
    only the provider's status was kept, and the store's next message to the number was claimed and refused again."""
    from callbacks.models import NumberOptOut

    [row] = _campaign_of(1)
    phone = row.customer.phone
    twilio_live.configure(undelivered={phone: "failed:21610"})

    sms_dispatch_due(time_budget=5, queues=[CAMPAIGN_SMS.name])
    wait_for(
        lambda: CampaignContact.objects.filter(pk=row.pk, provider_status="failed").exists(),
        timeout=10,
        what="the provider's report",
    )

    row.refresh_from_db()
    row.customer.refresh_from_db()
    assert (row.status, row.provider_status, row.outcome, row.error_code) == ("sent", "failed", "opted_out", "21610")
    assert row.customer.sms_opt_out is True
    numbers = NumberOptOut.objects.filter(phone=phone, opted_out=True)
    assert list(numbers.values_list("store", "customer")) == [(row.store_id, row.customer_id)]
