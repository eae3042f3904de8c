"""A customer's opt-out reply, end to end: the local Twilio server posts the customer's SMS (signed, as Twilio does) to
the live test server, and the sweeper then sends through the real twilio client to that server, whose record of
what it accepted is the judge. An opt-out holds back every message already queued for the customer: the care SMS,
a campaign's message and a parcel notice."""

import pytest

from callbacks.services.dispatch import sms_dispatch_due

from .conftest import midday_store, plan_due_sms

pytestmark = pytest.mark.django_db(transaction=True)


def reply(twilio, live_server, sender: str, body: str, *, sid: str = "") -> None:
    status, _ = twilio.receive_sms(url=f"{live_server.url}/twilio/sms/inbound", sender=sender, body=body, sid=sid)
    assert status == 200


@pytest.mark.parametrize("word", ["TD", "td", "ＴＤ", "ｓｔｏｐ", "退订！"])
def test_an_opt_out_reply_in_any_usual_form_holds_back_the_queued_care_sms(twilio_live, live_server, word):
    (followup,) = plan_due_sms(midday_store(), 1)
    reply(twilio_live, live_server, followup.customer.phone, word)

    sms_dispatch_due(time_budget=5)

    followup.refresh_from_db()
    assert (followup.status, followup.suppressed_reason) == ("suppressed", "sms_opt_out")
    assert twilio_live.messages == []
