import itertools
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from twilio.request_validator import RequestValidator

from callbacks.models import FollowUp, FollowUpPolicy, NumberOptOut, TelephonyEvent
from crm.models import Case, Customer
from crm.services.cases import case_open
from crm.services.waiting import case_wait
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, OrderFactory

from .conftest import midday_store, plan_due_sms

pytestmark = pytest.mark.django_db
TOKEN = "webhook-test-token"
_sids = itertools.count(1)


@pytest.fixture(autouse=True)
def _token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = "https://crm.example.com"


def _post(client, path, params, *, token=TOKEN):
    signature = RequestValidator(token).compute_signature(f"https://crm.example.com{path}", params)
    return client.post(
        path, data=urlencode(params), content_type="application/x-www-form-urlencoded",
        headers={"x-twilio-signature": signature},
    )  # fmt: skip


@pytest.fixture
def sending():
    (followup,) = plan_due_sms(midday_store(), 1)
    FollowUp.objects.filter(pk=followup.pk).update(status=FollowUp.Status.SENDING, claimed_at=timezone.now())
    return followup


def _status(client, followup, sid, status, **kwargs):
    path = f"/twilio/messages/{followup.pk}/status"
    return _post(client, path, {"MessageSid": sid, "MessageStatus": status}, **kwargs)


@pytest.mark.parametrize("token", ["wrong-token", None])
def test_a_callback_without_a_valid_signature_is_refused_and_changes_nothing(client, sending, token):
    if token is None:
        response = client.post(f"/twilio/messages/{sending.pk}/status", {"MessageSid": "SM1", "MessageStatus": "sent"})
    else:
        response = _status(client, sending, "SM1", "delivered", token=token)
    sending.refresh_from_db()
    assert response.status_code == 403
    assert sending.status == FollowUp.Status.SENDING and not TelephonyEvent.objects.exists()


def test_a_status_callback_proves_the_send_before_our_own_commit(client, sending):
    assert _status(client, sending, "SM1", "sent").status_code == 204
    sending.refresh_from_db()
    assert (sending.status, sending.provider_id, sending.provider_status) == (FollowUp.Status.SENT, "SM1", "sent")


def test_duplicate_and_out_of_order_callbacks_only_move_forward(client, sending):
    for status in ["sent", "delivered", "sent", "queued", "delivered"]:
        _status(client, sending, "SM1", status)
    sending.refresh_from_db()
    assert sending.provider_status == "delivered"
    assert TelephonyEvent.objects.filter(kind="message_status").count() == 5


def test_an_undelivered_message_is_recorded_as_such(client, sending):
    # A care SMS that reached nobody is failed (ADR 0051), with the carrier's code; that it left us is kept.
    path = f"/twilio/messages/{sending.pk}/status"
    _post(client, path, {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30003"})
    sending.refresh_from_db()
    assert (sending.status, sending.outcome, sending.error_code) == (FollowUp.Status.FAILED, "undelivered", "30003")
    assert (sending.provider_id, sending.provider_status) == ("SM1", "undelivered")


_inbound_sids = itertools.count(1)


def _inbound(client, phone, body, sid=None):
    """A new message from the customer: each has its own sid, unless `sid` names one delivered again."""
    sid = sid or f"SMin{next(_inbound_sids)}"
    return _post(
        client, "/twilio/sms/inbound", {"From": phone, "To": "+8610000000000", "Body": body, "MessageSid": sid}
    )


@pytest.mark.parametrize("word", ["STOP", "unsubscribe", "退订", "T", " t "])
def test_stop_words_opt_the_sender_out_and_start_opts_back_in(client, word):
    customer = CustomerFactory()
    response = _inbound(client, customer.phone, word)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    customer.refresh_from_db()
    assert customer.sms_opt_out is True
    _inbound(client, customer.phone, "START")
    customer.refresh_from_db()
    assert customer.sms_opt_out is False


def test_the_stores_own_words_opt_out_its_customers_only(client):
    mine, other = CustomerFactory(), CustomerFactory(phone="+8613800001111")
    other_store_customer = CustomerFactory(phone=mine.phone)
    FollowUpPolicy.objects.create(store=mine.store, opt_out_words=["N"])
    _inbound(client, mine.phone, "n")
    for customer in (mine, other, other_store_customer):
        customer.refresh_from_db()
    assert (mine.sms_opt_out, other.sms_opt_out, other_store_customer.sms_opt_out) == (True, False, False)


def test_a_reply_after_a_recent_delivery_opens_a_case_and_a_second_joins_it(client):
    order = OrderFactory(status="delivered", delivered_at=timezone.now() - timedelta(days=1))
    _inbound(client, order.customer.phone, "围巾有色差，和图片不一样")
    _inbound(client, order.customer.phone, "请尽快回复")
    case = Case.objects.get()
    assert (case.source, case.order, case.customer) == ("inbound_sms", order, order.customer)
    assert case.summary == "围巾有色差，和图片不一样" and case.events.count() == 2


def test_a_redelivered_or_replayed_reply_changes_nothing(client):
    # Twilio's signature has no time in it: the same signed request, posted again (a retry, or anyone who saw it),
    # added its text to the case a second time, and once the case was closed opened a new one.
    order = OrderFactory(status="delivered", delivered_at=timezone.now() - timedelta(days=1))
    _inbound(client, order.customer.phone, "围巾有色差，和图片不一样", sid="SM-once")
    Case.objects.update(status=Case.Status.CLOSED, root_cause="other", closed_at=timezone.now())

    response = _inbound(client, order.customer.phone, "围巾有色差，和图片不一样", sid="SM-once")

    assert response.status_code == 200 and b"<Response />" in response.content
    case = Case.objects.get()
    assert case.status == Case.Status.CLOSED and case.events.count() == 1
    assert TelephonyEvent.objects.filter(provider_id="SM-once").count() == 2  # each delivery kept as it came


def test_a_stop_replayed_after_start_leaves_the_customer_opted_in(client):
    customer = CustomerFactory()
    _inbound(client, customer.phone, "STOP", sid="SM-stop")
    _inbound(client, customer.phone, "START", sid="SM-start")

    _inbound(client, customer.phone, "STOP", sid="SM-stop")

    customer.refresh_from_db()
    assert customer.sms_opt_out is False


def test_a_reply_with_nul_characters_is_kept_without_them(client):
    # PostgreSQL text holds no NUL; the customer's words are kept, and Twilio gets its usual empty TwiML answer.
    order = OrderFactory(status="delivered", delivered_at=timezone.now() - timedelta(days=1))
    response = _inbound(client, order.customer.phone, "\x00围巾\x00有色差")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    assert b"<Response />" in response.content
    assert Case.objects.get().summary == "围巾有色差"
    assert TelephonyEvent.objects.get(kind="inbound_sms").payload["Body"] == "围巾有色差"


def test_a_reply_without_a_recent_delivery_opens_no_case(client):
    order = OrderFactory(status="delivered", delivered_at=timezone.now() - timedelta(days=60))
    _inbound(client, order.customer.phone, "你好")
    assert not Case.objects.exists()
    assert TelephonyEvent.objects.get().kind == "inbound_sms"


@pytest.mark.parametrize("sender", ["9" * 30, "x" * 21])
def test_a_stop_from_a_sender_longer_than_any_number_is_kept_and_opts_out_no_number(client, sender):
    # A 500: the sender is no number, so it was kept as it came, and Twilio's keyword then wrote it into every store's
    # opt-outs, whose numbers hold 20 characters.
    CustomerFactory()

    response = _inbound(client, sender, "STOP")

    assert response.status_code == 200 and b"<Response />" in response.content
    assert TelephonyEvent.objects.get(kind="inbound_sms").payload["From"] == sender
    assert not NumberOptOut.objects.exists()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("messages/{pk}/status", {"MessageSid": "SM1\x00", "MessageStatus": "delivered"}),
        ("messages/{pk}/status", {"MessageSid": "SM1", "MessageStatus": "delivered", "ErrorMessage": "\x00"}),
        ("messages/{pk}/status", {"MessageSid": "SM" + "1" * 63, "MessageStatus": "delivered"}),
        ("calls/{pk}/status", {"CallSid": "CA" + "1" * 63, "CallStatus": "completed"}),
        ("sms/inbound", {"From": "+8613800000000\x00", "Body": "你好", "MessageSid": "SMin"}),
    ],
    ids=["NUL in the sid", "NUL in another parameter", "a 65-character sid", "a long call sid", "NUL in the sender"],
)
def test_a_signed_callback_that_cannot_be_stored_is_a_400_and_changes_nothing(client, sending, path, params):
    # Each was a 500: PostgreSQL holds no NUL in text or jsonb, and the provider ids we keep hold 64 characters.
    response = _post(client, f"/twilio/{path.format(pk=sending.pk)}", params)

    sending.refresh_from_db()
    assert response.status_code == 400
    assert sending.status == FollowUp.Status.SENDING and not TelephonyEvent.objects.exists()


@pytest.mark.parametrize(
    ("language", "no_number", "connecting"),
    [
        (
            "zh-hans",
            '<Say language="zh-CN">这通电话没有可拨打的号码。</Say>',
            '<Say language="zh-CN">正在为您接通客户。</Say>',
        ),
        ("en", '<Say language="en-US">This call has no number to dial.</Say>', '<Say language="en-US">Connecting you'),
    ],
)
def test_the_bridge_speaks_to_the_agent_in_the_stores_language(client, language, no_number, connecting):
    followup = FollowUpFactory(order__customer__phone="")
    FollowUpPolicy.objects.create(store=followup.store, sms_language=language)
    path = f"/twilio/calls/{followup.pk}/bridge"
    assert no_number in _post(client, path, {"CallSid": "CA1"}).text
    Customer.objects.filter(pk=followup.customer_id).update(phone="+8613800000001")
    assert connecting in _post(client, path, {"CallSid": "CA1"}).text


def test_a_reply_from_a_customer_we_wait_on_resumes_their_case_whatever_order_it_is_about(client):
    # The case waits for photos of an order delivered long ago: the reply opens no case, and still resumes it.
    order = OrderFactory(status="delivered", delivered_at=timezone.now() - timedelta(days=60))
    case, _ = case_open(store=order.store, customer=order.customer, order=order, source=Case.Source.CALL)
    agent = AgentFactory(stores=[order.store])
    case_wait(case=case, actor=agent.user, asked="请拍外盒照片")

    _inbound(client, order.customer.phone, "照片已经发到旺旺了")

    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and Case.objects.count() == 1
    resumed = case.events.get(kind="resumed")
    assert (resumed.data["resumed"], resumed.message, resumed.actor) == ("sms", "照片已经发到旺旺了", None)


def test_an_opt_out_reply_does_not_resume_a_wait(client):
    order = OrderFactory(status="delivered", delivered_at=timezone.now() - timedelta(days=1))
    case, _ = case_open(store=order.store, customer=order.customer, order=order, source=Case.Source.CALL)
    case_wait(case=case, actor=AgentFactory(stores=[order.store]).user, asked="请拍外盒照片")
    _inbound(client, order.customer.phone, "STOP")
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_CUSTOMER
