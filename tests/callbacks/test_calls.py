import time

import pytest

from callbacks.errors import AgentPhoneMissing, CallNotAllowed
from callbacks.models import Call, FollowUp
from callbacks.services.calls import call_refresh, call_start
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


@pytest.mark.django_db(transaction=True)
def test_a_status_callback_arriving_before_the_call_is_committed_still_completes_it(agent, followup):
    # The agent's phone is busy: Twilio reports the call over before call_start's transaction has committed its
    # Call row. The report must wait for the row, or the call stays "queued" and the follow-up can never be called.
    import threading

    from django.db import connection, transaction

    from callbacks.services.inbound import call_status_record
    from tests.locking import hold_until_another_session_waits_or

    placed, reported = threading.Event(), threading.Event()

    def agent_clicks_call():
        try:
            with transaction.atomic():
                call_start(followup=followup, agent=agent)
                placed.set()
                hold_until_another_session_waits_or(reported)
        finally:
            connection.close()

    clicking = threading.Thread(target=agent_clicks_call)
    clicking.start()
    placed.wait()
    sid = InMemoryBackend.calls[0]["call"].sid
    try:
        call_status_record(followup_id=followup.pk, payload={"CallSid": sid, "CallStatus": "busy"})
    finally:
        reported.set()
        clicking.join()
    assert Call.objects.get(provider_id=sid).status == Call.Status.BUSY
