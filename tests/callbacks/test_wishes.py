"""A customer's new wish takes back the calls still waiting for them: the queue offered a call to a customer just
marked do-not-contact (the click was refused, the row stayed), and a care call to a customer now on SMS only stayed
a call instead of becoming the care SMS they allow."""

from datetime import UTC, datetime

import pytest
import time_machine

from callbacks.models import FollowUp
from callbacks.services.outcomes import followup_log_outcome
from crm.services.customers import customer_update_profile
from tests.factories import AgentFactory, FollowUpFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 10, tzinfo=UTC)  # 18:10 in Shanghai: ten minutes into the evening window


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agent():
    return AgentFactory(stores=[StoreFactory()])


def _call(agent, customer=None, day=23):
    order = OrderFactory(customer=customer) if customer else OrderFactory(customer__store=agent.stores.get())
    return FollowUpFactory(
        order=order,
        assignee=agent,
        window_start=datetime(2026, 11, day, 10, 0, tzinfo=UTC),
        window_end=datetime(2026, 11, day, 11, 0, tzinfo=UTC),
    )


def _queue(client, agent) -> str:
    client.force_login(agent.user)
    return client.get("/calls/", headers={"Accept-Language": "en"}).text


def test_do_not_contact_takes_the_customers_calls_out_of_the_queue_and_sends_nothing_instead(client, agent):
    followup = _call(agent)
    assert f"/calls/{followup.pk}/" in _queue(client, agent)

    customer_update_profile(
        customer=followup.customer, actor=agent.user, changes={"contact_preference": "do_not_contact"}
    )

    followup.refresh_from_db()
    assert (followup.status, followup.suppressed_reason) == ("suppressed", "do_not_contact")
    assert f"/calls/{followup.pk}/" not in _queue(client, agent)
    assert not FollowUp.objects.filter(channel="sms").exists()


def test_sms_only_turns_a_waiting_care_call_into_the_care_sms(agent):
    followup = _call(agent)

    customer_update_profile(customer=followup.customer, actor=agent.user, changes={"contact_preference": "sms_only"})

    followup.refresh_from_db()
    assert (followup.status, followup.suppressed_reason) == ("suppressed", "no_calls")
    (sms,) = FollowUp.objects.filter(channel="sms")
    assert (sms.order, sms.status) == (followup.order, "planned")


def test_a_change_that_rules_no_call_out_leaves_the_calls_alone(agent):
    followup = _call(agent)

    customer_update_profile(customer=followup.customer, actor=agent.user, changes={"interests": ["茶具"]})

    followup.refresh_from_db()
    assert followup.status == "planned" and FollowUp.objects.count() == 1


def test_asked_on_a_call_not_to_be_called_closes_that_call_and_takes_back_the_others_without_an_sms_for_it(agent):
    # The call the customer said it on is done, not suppressed, and gets no SMS; another order's call (tomorrow:
    # one live contact a customer a day) goes, and its care SMS comes instead.
    on_the_phone = _call(agent)
    other = _call(agent, customer=on_the_phone.customer, day=24)

    followup_log_outcome(followup=on_the_phone, agent=agent, outcome="do_not_call", expected_seq=1)

    on_the_phone.refresh_from_db()
    other.refresh_from_db()
    assert (on_the_phone.status, on_the_phone.outcome) == ("done", "do_not_call")
    assert (other.status, other.suppressed_reason) == ("suppressed", "no_calls")
    assert list(FollowUp.objects.filter(channel="sms").values_list("order", flat=True)) == [other.order_id]


@pytest.mark.parametrize(("preference", "reason", "sms"), [("do_not_contact", "do_not_contact", False),
                                                            ("sms_only", "no_calls", True)])  # fmt: skip
def test_a_call_unanswered_after_the_customer_refused_calls_during_it_is_not_tried_again(
    client, agent, preference, reason, sms
):
    # The wish was recorded while the agent's call rang (the call in progress, so not a waiting call to take back):
    # the unanswered call's retry would have put it back in the queue, a call nobody may make.
    followup = _call(agent)
    FollowUp.objects.filter(pk=followup.pk).update(status=FollowUp.Status.IN_PROGRESS)
    customer_update_profile(customer=followup.customer, actor=agent.user, changes={"contact_preference": preference})

    followup_log_outcome(followup=followup, agent=agent, outcome="no_answer", expected_seq=1)

    followup.refresh_from_db()
    assert (followup.status, followup.suppressed_reason, followup.outcome) == ("suppressed", reason, "no_answer")
    assert f"/calls/{followup.pk}/" not in _queue(client, agent)
    assert FollowUp.objects.filter(channel="sms", order=followup.order).exists() is sms
