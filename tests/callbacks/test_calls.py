import threading
import time

import pytest
from django.db import DatabaseError, connection

from callbacks.errors import AgentPhoneMissing, CallNotAllowed, TelephonyFailed
from callbacks.models import Call, ContactLog, FollowUp
from callbacks.services.calls import call_refresh, call_start, calls_reconcile_stuck
from callbacks.telephony.memory import InMemoryBackend
from crm.errors import PermissionDenied
from crm.models import Customer
from tests.factories import AgentFactory, FollowUpFactory, StoreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("within_call_hours")]


@pytest.fixture
def agent():
    return AgentFactory(stores=[StoreFactory()], phone="+8613900000009")


@pytest.fixture
def followup(agent):
    return FollowUpFactory(order__customer__store=agent.stores.get(), assignee=agent)


def test_click_to_call_rings_the_agent_first_and_bridges_the_customer(agent, followup):
    call = call_start(followup=followup, agent=agent)
    (placed,) = InMemoryBackend.calls
    assert placed["call"].to == agent.phone and placed["customer_phone"] == followup.customer.phone
    assert placed["twiml_url"].endswith(f"/twilio/calls/{followup.pk}/bridge")
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.IN_PROGRESS and call.status == Call.Status.QUEUED


def test_a_second_click_while_the_call_is_under_way_is_refused(agent, followup):
    call_start(followup=followup, agent=agent)
    with pytest.raises(CallNotAllowed):
        call_start(followup=followup, agent=agent)
    assert Call.objects.count() == 1


@pytest.mark.parametrize("preference", ["no_calls", "sms_only", "do_not_contact"])
def test_a_customer_who_declined_calls_is_not_dialled(agent, followup, preference):
    Customer.objects.filter(pk=followup.customer_id).update(contact_preference=preference)
    with pytest.raises(CallNotAllowed):
        call_start(followup=followup, agent=agent)
    assert InMemoryBackend.calls == []


def test_an_agent_without_a_phone_or_of_another_store_cannot_call(followup):
    with pytest.raises(AgentPhoneMissing):
        call_start(followup=followup, agent=AgentFactory(stores=[followup.store], phone=""))
    with pytest.raises(PermissionDenied):
        call_start(followup=followup, agent=AgentFactory(stores=[StoreFactory()]))


def test_the_maximum_attempts_of_the_store_stop_further_calls(agent, followup):
    FollowUp.objects.filter(pk=followup.pk).update(attempts=3)
    with pytest.raises(CallNotAllowed):
        call_start(followup=followup, agent=agent)


def _wait(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.django_db(transaction=True)
def test_a_twilio_call_fetches_our_signed_twiml_and_its_status_callbacks_complete_it(twilio_live, agent, followup):
    call = call_start(followup=followup, agent=agent)
    (placed,) = twilio_live.calls
    assert placed["to"] == agent.phone and placed["sid"] == call.provider_id
    _wait(lambda: Call.objects.get(pk=call.pk).status == Call.Status.COMPLETED)
    twiml = next(c for c in twilio_live.calls if c["sid"] == call.provider_id)["_twiml"]
    assert f"<Number>{followup.customer.phone}</Number>" in twiml
    call.refresh_from_db()
    assert call.duration_seconds == 42 and call.ended_at is not None
    assert call_refresh(call=call).status == Call.Status.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_call_status_is_read_from_the_provider_when_callbacks_cannot_reach_us(twilio_backend, agent, followup):
    twilio_backend.configure(callbacks=False)
    call = call_start(followup=followup, agent=agent)
    twilio_backend.calls[0]["status"] = "ringing"
    assert call_refresh(call=call).status == Call.Status.RINGING


def _fail_recording(on: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET test.fail_call_id = '{'on' if on else 'off'}'")


@pytest.fixture
def recording_fails(db):
    """Writing a provider's call id fails in this test's database session (a trigger reading a setting of the
    session) until `_fail_recording(False)`: the provider has placed the call, and our write after it breaks.
    Other sessions (the live server's status callbacks) write as usual."""
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE FUNCTION test_fail_call_id() RETURNS trigger AS $$ BEGIN
                IF current_setting('test.fail_call_id', true) = 'on' AND NEW.provider_id <> '' THEN
                    RAISE EXCEPTION 'write failed after the provider answered';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_fail_call_id BEFORE INSERT OR UPDATE ON callbacks_call
                FOR EACH ROW EXECUTE FUNCTION test_fail_call_id();
        """)  # fmt: skip
    _fail_recording(True)
    yield
    _fail_recording(False)
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_fail_call_id ON callbacks_call; DROP FUNCTION test_fail_call_id()")


def _settled_later(settings) -> None:
    settings.SMS_RECONCILE_AFTER_SECONDS = 0  # every claim is past any request in flight: the reconciler may ask


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_after_the_provider_placed_the_call_leaves_it_recorded_and_reconciled(
    twilio_backend, recording_fails, agent, followup, settings
):
    twilio_backend.configure(callbacks=False)
    with pytest.raises(DatabaseError):
        call_start(followup=followup, agent=agent)
    (placed,) = twilio_backend.calls
    call = Call.objects.get(followup=followup)  # committed before the provider was asked
    assert call.status == Call.Status.PLACING and call.provider_id == ""
    with pytest.raises(CallNotAllowed):  # the agent clicks again: still one call
        call_start(followup=followup, agent=agent)
    _fail_recording(False)
    _settled_later(settings)
    assert calls_reconcile_stuck() == 1
    call.refresh_from_db()
    assert call.provider_id == placed["sid"] and call.status == Call.Status.QUEUED
    assert len(twilio_backend.calls) == 1 and calls_reconcile_stuck() == 0


@pytest.mark.django_db(transaction=True)
def test_a_status_callback_gives_its_id_to_the_call_whose_recording_failed(
    twilio_live, recording_fails, agent, followup
):
    with pytest.raises(DatabaseError):
        call_start(followup=followup, agent=agent)
    (placed,) = twilio_live.calls
    _wait(lambda: Call.objects.get(followup=followup).status == Call.Status.COMPLETED)
    assert Call.objects.get(followup=followup).provider_id == placed["sid"]


@pytest.mark.django_db(transaction=True)
def test_an_unknown_outcome_leaves_the_call_placing_until_the_provider_is_asked(
    twilio_backend, agent, followup, settings
):
    # No answer (a read timeout): the provider may still be taking the call, so it is asked only once no request
    # can be in flight.
    settings.TWILIO_HTTP_TIMEOUT = 0.3
    twilio_backend.configure(mode="timeout", hang=0.6, count=1, callbacks=False)
    call = call_start(followup=followup, agent=agent)
    assert call.status == Call.Status.PLACING
    _settled_later(settings)
    calls_reconcile_stuck()
    (placed,) = twilio_backend.calls
    assert Call.objects.get(pk=call.pk).provider_id == placed["sid"]


@pytest.mark.django_db(transaction=True)
def test_a_call_the_provider_refused_is_failed_and_changes_nothing_else(twilio_backend, agent, followup):
    twilio_backend.configure(mode="429", count=1)
    with pytest.raises(TelephonyFailed):
        call_start(followup=followup, agent=agent)
    assert Call.objects.get(followup=followup).status == Call.Status.FAILED
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.PLANNED and not ContactLog.objects.exists()
    assert call_start(followup=followup, agent=agent).provider_id == twilio_backend.calls[0]["sid"]


@pytest.mark.django_db(transaction=True)
def test_a_call_the_provider_failed_to_place_with_a_server_error_can_be_placed_again_at_once(
    twilio_backend, agent, followup
):
    """A 5xx from the provider left the call `placing` until the reconciler, a minute or more later: the agent's
    next click was refused ("already under way") and the panel said only "Placing the call". The provider answered,
    so no request of ours is in flight: it is asked at once, and a call it does not have is settled as a refusal."""
    twilio_backend.configure(mode="500", count=1)
    with pytest.raises(TelephonyFailed) as failed:
        call_start(followup=followup, agent=agent)
    assert failed.value.details["code_from_provider"] == "20500"
    assert Call.objects.get(followup=followup).status == Call.Status.FAILED
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.PLANNED and not ContactLog.objects.exists()
    again = call_start(followup=followup, agent=agent)
    (placed,) = twilio_backend.calls
    assert again.provider_id == placed["sid"] and ContactLog.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_call_the_provider_placed_despite_its_server_error_is_recorded_at_once(twilio_backend, agent, followup):
    twilio_backend.configure(mode="500_after_record", count=1, callbacks=False)
    call = call_start(followup=followup, agent=agent)
    (placed,) = twilio_backend.calls
    assert (call.provider_id, call.status) == (placed["sid"], Call.Status.QUEUED)
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.IN_PROGRESS and ContactLog.objects.count() == 1
    assert calls_reconcile_stuck() == 0 and len(twilio_backend.calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_click_while_the_call_is_being_placed_places_no_other_call(twilio_backend, agent, followup):
    twilio_backend.configure(latency=0.5, callbacks=False)  # the first click's request is on the wire a while
    results = {}

    def first_click():
        try:
            results["call"] = call_start(followup=followup, agent=agent)
        finally:
            connection.close()

    clicking = threading.Thread(target=first_click)
    clicking.start()
    try:
        _wait(lambda: Call.objects.filter(followup=followup, status=Call.Status.PLACING).exists())
        with pytest.raises(CallNotAllowed):
            call_start(followup=followup, agent=agent)
    finally:
        clicking.join()
    (placed,) = twilio_backend.calls
    assert Call.objects.get(followup=followup).provider_id == placed["sid"] == results["call"].provider_id


def _claim_never_sent(settings) -> None:
    """The worker that claimed the call froze until its claim was too old to send (or died before sending): the
    request never leaves, and the call stays `placing` for the reconciler."""
    _settled_later(settings)


@pytest.mark.django_db(transaction=True)
def test_a_call_that_never_reached_the_provider_is_given_back_to_be_placed_again(
    twilio_backend, agent, followup, settings
):
    # It kept the follow-up `in_progress` and its ledger row: a call nobody could see had failed, counted as made.
    reconcile_age = settings.SMS_RECONCILE_AFTER_SECONDS
    _claim_never_sent(settings)
    call = call_start(followup=followup, agent=agent)
    assert call.status == Call.Status.PLACING and twilio_backend.calls == []

    assert calls_reconcile_stuck() == 1

    call.refresh_from_db()
    followup.refresh_from_db()
    assert call.status == Call.Status.FAILED and followup.status == FollowUp.Status.PLANNED
    assert not ContactLog.objects.exists()
    settings.SMS_RECONCILE_AFTER_SECONDS = reconcile_age
    again = call_start(followup=followup, agent=agent)
    (placed,) = twilio_backend.calls
    assert again.provider_id == placed["sid"] and ContactLog.objects.count() == 1
    assert calls_reconcile_stuck() == 0 and len(twilio_backend.calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_return_visit_that_never_reached_the_provider_takes_no_marketing_contact(
    twilio_backend, agent, followup, settings
):
    # Its ledger row stayed: the store's "1 marketing contact a week" then refused the customer's campaign SMS for a
    # week, for a call that was never made.
    from django.utils import timezone

    from callbacks.services.gate import ContactChannel, ContactPurpose, contact_decide

    Customer.objects.filter(pk=followup.customer_id).update(
        marketing_consent_at=timezone.now(), marketing_consent_source="checkout"
    )
    FollowUp.objects.filter(pk=followup.pk).update(purpose=FollowUp.Purpose.RETURN_VISIT)
    followup.refresh_from_db()
    _claim_never_sent(settings)
    call_start(followup=followup, agent=agent)

    calls_reconcile_stuck()

    customer = Customer.objects.get(pk=followup.customer_id)
    assert contact_decide(customer=customer, channel=ContactChannel.SMS, purpose=ContactPurpose.MARKETING)
    assert twilio_backend.calls == []


def _bridge(client, settings, followup) -> str:
    """The TwiML Twilio fetches once the agent answers, as Twilio asks for it (signed)."""
    from urllib.parse import urlencode

    from twilio.request_validator import RequestValidator

    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = "tok", "https://crm.example.com"
    path, params = f"/twilio/calls/{followup.pk}/bridge", {"CallSid": "CA1"}
    signature = RequestValidator("tok").compute_signature(f"https://crm.example.com{path}", params)
    answer = client.post(
        path, data=urlencode(params), content_type="application/x-www-form-urlencoded",
        headers={"x-twilio-signature": signature},
    )  # fmt: skip
    assert answer.status_code == 200
    return answer.text


def test_a_customer_who_asked_not_to_be_contacted_while_the_agents_phone_rang_is_not_bridged(
    client, settings, agent, followup
):
    # The agent clicked; before they answered, a colleague recorded the customer's "do not contact me".
    from crm.services.customers import customer_update_profile

    call_start(followup=followup, agent=agent)
    customer_update_profile(
        customer=followup.customer, actor=agent.user, changes={"contact_preference": "do_not_contact"}
    )

    twiml = _bridge(client, settings, followup)

    assert "<Number>" not in twiml and "<Hangup" in twiml
    assert "不为您接通客户。客户要求不要联系。" in twiml  # said to the agent, in the store's language


def test_a_return_visit_is_not_bridged_to_a_customer_who_opted_out_while_the_agents_phone_rang(client, settings, agent):
    from django.utils import timezone

    from callbacks.services.inbound import inbound_sms_receive

    visit = FollowUpFactory(
        order__customer__store=agent.stores.get(),
        order__customer__marketing_consent_at=timezone.now(),
        order__customer__marketing_consent_source="checkout",
        purpose="return_visit",
        assignee=agent,
    )
    call_start(followup=visit, agent=agent)
    inbound_sms_receive(payload={"From": visit.customer.phone, "Body": "退订", "MessageSid": "SMstop"})

    twiml = _bridge(client, settings, visit)

    assert "<Number>" not in twiml and "<Hangup" in twiml


def test_a_care_call_is_still_bridged_after_an_sms_opt_out(client, settings, agent, followup):
    # An SMS opt-out says "no more messages": the care call the agent placed still connects (ADR 0017, rule 4).
    from callbacks.services.inbound import inbound_sms_receive

    call_start(followup=followup, agent=agent)
    inbound_sms_receive(payload={"From": followup.customer.phone, "Body": "退订", "MessageSid": "SMstop"})

    assert f"<Number>{followup.customer.phone}</Number>" in _bridge(client, settings, followup)


@pytest.mark.django_db(transaction=True)
def test_a_call_the_provider_refused_is_told_to_the_agent_in_their_language(
    twilio_backend, agent, followup, client, settings
):
    """The agent's page said the provider's own English ("Too Many Requests", "The 'To' number … is not a valid
    phone number") where a Chinese-reading agent expected to be told the call was not placed. The provider's code
    is said with it; its text stays with the error's details, for whoever looks into it."""
    settings.LANGUAGE_CODE = "zh-hans"
    twilio_backend.configure(mode="429", count=1)
    client.force_login(agent.user)

    response = client.post(f"/calls/{followup.pk}/call")

    assert response.status_code == 502
    assert "通信服务商未能发起通话" in response.text and "20429" in response.text
    assert "Too Many Requests" not in response.text
    with pytest.raises(TelephonyFailed) as failed:
        twilio_backend.configure(mode="429", count=1)
        call_start(followup=followup, agent=agent)
    assert failed.value.details["code_from_provider"] == "20429"
    assert "Too Many Requests" in failed.value.details["provider_message"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", ["429", "500"])
@pytest.mark.parametrize(
    ("language", "said"),
    [("zh-hans", ["通信服务商未能发起通话", "可以再次拨打"]), ("en", ["could not place the call", "call again"])],
)
def test_the_panel_shows_a_failed_placement_where_its_swap_lands(
    twilio_backend, agent, followup, client, settings, fault, language, said
):
    """The panel's Call button swaps the answer into the call line, and the page's htmx-config swaps 2xx-4xx answers
    only: a placement the provider refused or failed (a 502) showed the agent nothing at all. It is answered as the
    panel's refusal, in the agent's language, and the call can be placed again."""
    settings.LANGUAGE_CODE = language
    twilio_backend.configure(mode=fault, count=1)
    client.force_login(agent.user)

    response = client.post(f"/calls/{followup.pk}/call", headers={"HX-Request": "true"})

    assert 400 <= response.status_code < 500
    assert 'data-testid="call-failed"' in response.text
    for words in said:
        assert words in response.text
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.PLANNED and not ContactLog.objects.exists()
    assert client.post(f"/calls/{followup.pk}/call", headers={"HX-Request": "true"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_call_the_provider_did_not_answer_for_says_what_the_agent_can_do(
    twilio_backend, agent, followup, client, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.TWILIO_HTTP_TIMEOUT = 0.3
    twilio_backend.configure(mode="timeout", hang=0.6, count=1, callbacks=False)
    client.force_login(agent.user)

    response = client.post(f"/calls/{followup.pk}/call", headers={"HX-Request": "true"})

    assert response.status_code == 200 and 'data-status="placing"' in response.text
    assert "通信服务商尚未确认这通电话" in response.text and "之后即可再次拨打" in response.text
