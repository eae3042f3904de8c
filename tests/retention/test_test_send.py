"""A campaign's test send texts the manager's own phone once per click, through the real twilio client and the local
Twilio server: a double click (or a browser resending the form) sends nothing more, and the form shown after each
answer is good for one more, deliberate, test."""

import html
import re

import pytest
from django.test import Client

from callbacks.services.inbound import inbound_sms_receive
from tests.factories import ManagerFactory

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db

STAFF_PHONE = "+8613900001111"


@pytest.fixture
def page(twilio_backend):
    store = open_store(name="丝韵旗舰店")
    customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store))
    manager = ManagerFactory(stores=[store], phone=STAFF_PHONE)
    client = Client()
    client.force_login(manager.user)
    return client, f"/retention/{store.pk}/campaigns/{campaign.pk}/", twilio_backend, manager.pk


def _token(html: str) -> str:
    """The one-time token of the test-send form (the only form of the page, or of the answer, that has one)."""
    return re.search(r'name="submission" value="([0-9a-f-]{36})"', html)[1]


def test_a_double_click_on_send_test_texts_the_phone_once_and_both_answers_show_the_text(page):
    client, url, twilio, me = page
    form = {"recipient": me, "submission": _token(client.get(url).content.decode())}

    first = client.post(url + "test/", form)
    second = client.post(url + "test/", form)

    assert [m["to"] for m in twilio.messages] == [STAFF_PHONE]
    assert first.status_code == second.status_code == 200
    assert twilio.messages[0]["body"] in first.content.decode()
    assert twilio.messages[0]["body"] in second.content.decode()


def test_the_form_shown_after_a_test_sends_one_more_when_the_manager_asks_again(page):
    client, url, twilio, me = page
    first = client.post(url + "test/", {"recipient": me, "submission": _token(client.get(url).content.decode())})

    again = client.post(url + "test/", {"recipient": me, "submission": _token(first.content.decode())})

    assert again.status_code == 200
    assert [m["to"] for m in twilio.messages] == [STAFF_PHONE, STAFF_PHONE]


def test_a_refused_test_sent_nothing_so_the_same_form_sent_again_tries_again(page):
    client, url, twilio, me = page
    twilio.configure(opted_out={STAFF_PHONE})
    form = {"recipient": me, "submission": _token(client.get(url).content.decode())}
    refused = client.post(url + "test/", form)
    assert refused.status_code == 400 and "refused the test message" in refused.content.decode()
    assert twilio.messages == []

    twilio.configure(opted_out=set())
    sent = client.post(url + "test/", form)

    assert sent.status_code == 200
    assert [m["to"] for m in twilio.messages] == [STAFF_PHONE]


def test_a_test_send_without_its_token_is_refused_saying_so_and_sends_nothing(page):
    client, url, twilio, me = page
    answer = client.post(url + "test/", {"recipient": me}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400 and "reload the page" in answer.content.decode()
    assert twilio.messages == []


@pytest.mark.parametrize("fault", ["500_after_record", "timeout"])
def test_a_test_whose_outcome_is_unknown_says_it_may_have_been_sent_not_that_it_was_refused(page, settings, fault):
    client, url, twilio, me = page
    settings.TWILIO_HTTP_TIMEOUT = 0.4
    twilio.configure(mode=fault, count=1, hang=0.6)
    form = {"recipient": me, "submission": _token(client.get(url).content.decode())}

    answer = client.post(url + "test/", form, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert [m["to"] for m in twilio.messages] == [STAFF_PHONE]  # it went out: the provider recorded it
    assert "may have been sent" in answer and "refused" not in answer


def test_an_unknown_outcome_is_told_in_the_managers_language(page, settings):
    client, url, twilio, me = page
    settings.TWILIO_HTTP_TIMEOUT = 0.4
    twilio.configure(mode="timeout", count=1, hang=0.6)
    form = {"recipient": me, "submission": _token(client.get(url).content.decode())}

    answer = client.post(url + "test/", form, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert answer.status_code == 400 and "可能已发出" in answer.content.decode()


def test_a_refusal_is_told_in_the_managers_language_with_the_providers_code(page):
    """The manager read the provider's English after the translated words ("服务商拒绝了测试短信：Unable to create
    record: The message To number is unsubscribed…"): the provider's code is said instead, its text kept out."""
    client, url, twilio, me = page
    twilio.configure(opted_out={STAFF_PHONE})
    form = {"recipient": me, "submission": _token(client.get(url).content.decode())}

    refused = client.post(url + "test/", form, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "21610" in refused and "Unable" not in refused and "unsubscribed" not in refused
    assert twilio.messages == []


def _reply(sender: str, body: str, sid: str) -> None:
    """An SMS from `sender` to our sending number, as the inbound webhook hands it on."""
    inbound_sms_receive(payload={"From": sender, "To": "+8610000000000", "Body": body, "MessageSid": sid})


def test_a_test_to_a_phone_that_replied_stop_is_refused_saying_why_and_sends_nothing(page):
    """The manager once texted STOP from their phone (to stop the store's messages): Twilio blocks it, and our gate
    keeps every store's SMS from it, but a test send went to it all the same, for Twilio to refuse with its code. It
    is refused before the provider is asked, with the reason, on the recipient; START from the phone lets it go."""
    client, url, twilio, me = page
    _reply(STAFF_PHONE, "STOP", sid="SM" + "1" * 32)
    form = {"recipient": me, "submission": _token(client.get(url).content.decode())}

    refused = client.post(url + "test/", form, HTTP_ACCEPT_LANGUAGE="en")
    in_chinese = client.post(url + "test/", form, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert refused.status_code == in_chinese.status_code == 400
    assert "This phone replied STOP to the store's messages" in html.unescape(refused.content.decode())
    assert "该手机号已回复退订本店短信" in in_chinese.content.decode()
    assert not [r for r in twilio.requests if "Messages" in r["path"]]  # Twilio was not asked

    _reply(STAFF_PHONE, "START", sid="SM" + "2" * 32)
    sent = client.post(url + "test/", form)  # the refusal sent nothing: the same form tries again

    assert sent.status_code == 200
    assert [m["to"] for m in twilio.messages] == [STAFF_PHONE]
