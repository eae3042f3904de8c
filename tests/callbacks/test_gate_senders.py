"""Every sender asks the contact gate, and only the gate.

`gate_says_do_not_contact` changes one of the gate's rules (not the customer, whose data still allows everything):
each sender must then refuse with the gate's reason. A sender that kept its own check of the customer's fields
would contact them anyway; one that asks the gate sees the changed rule at once.
"""

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from callbacks.errors import CallNotAllowed
from callbacks.models import ContactLog, FollowUp, RefusalReason
from callbacks.services.calls import call_start, case_call_start
from callbacks.services.case_calls import case_call_open
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.gate import deciding
from callbacks.services.gate.decisions import refuse
from callbacks.services.outcomes import followup_log_outcome
from callbacks.services.policy import policy_update
from callbacks.services.tasks_calls import call_task_create
from callbacks.telephony.memory import InMemoryBackend
from crm.errors import InvalidInput
from crm.models import AuditLog
from crm.services.cases import case_open
from tests.callbacks.conftest import deliver, local
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store], phone="+8613900000009", on_shift=True)


@pytest.fixture
def gate_says_do_not_contact(monkeypatch):
    """The gate's standing rule now refuses everyone, whatever the customer's own fields say (changed where every
    sender's answer is decided)."""

    def refuse_everyone(facts, channel, purpose):
        return refuse(RefusalReason.DO_NOT_CONTACT, "changed rule")

    monkeypatch.setattr(deciding, "standing_refusal", refuse_everyone)


@pytest.fixture
def noon(store):
    with time_machine.travel(local(store, 2026, 12, 4, 12, 0), tick=False):
        yield


@pytest.mark.usefixtures("noon")
def test_planning_asks_the_gate(store, gate_says_do_not_contact):
    order = OrderFactory(customer=CustomerFactory(store=store), total_amount="1500.00")
    followup = deliver(order, local(store, 2026, 12, 4, 12, 0))
    assert (followup.status, followup.suppressed_reason) == ("suppressed", "do_not_contact")


@pytest.mark.usefixtures("noon")
def test_sms_dispatch_asks_the_gate_at_the_moment_of_sending(store, monkeypatch):
    order = OrderFactory(customer=CustomerFactory(store=store), total_amount="500.00")
    followup = deliver(order, local(store, 2026, 12, 4, 12, 0))
    assert followup.status == "planned"
    monkeypatch.setattr(deciding, "standing_refusal", lambda *args: refuse(RefusalReason.DO_NOT_CONTACT, "changed"))
    sms_dispatch_due(time_budget=0)
    followup.refresh_from_db()
    assert (followup.status, followup.suppressed_reason) == ("suppressed", "do_not_contact")
    assert not InMemoryBackend.messages and not ContactLog.objects.exists()


@pytest.mark.usefixtures("noon")
def test_sms_dispatch_records_each_message_in_the_ledger_in_its_claim(store):
    order = OrderFactory(customer=CustomerFactory(store=store), total_amount="500.00")
    deliver(order, local(store, 2026, 12, 4, 12, 0))
    sms_dispatch_due(time_budget=0)
    (entry,) = ContactLog.objects.all()
    assert (entry.channel, entry.purpose, entry.order_id, entry.source) == ("sms", "care", order.pk, "care_sms")


def test_sms_dispatch_waits_out_quiet_hours_in_the_store_zone(store):
    order = OrderFactory(customer=CustomerFactory(store=store), total_amount="500.00")
    with time_machine.travel(local(store, 2026, 12, 4, 12, 0), tick=False):
        followup = deliver(order, local(store, 2026, 12, 4, 12, 0))
    # The sweeper was down all afternoon; at 23:30 the store's quiet hours hold the message till morning.
    with time_machine.travel(local(store, 2026, 12, 4, 20, 59), tick=False):
        FollowUp.objects.filter(pk=followup.pk).update(window_end=local(store, 2026, 12, 5, 0, 0))
    with time_machine.travel(local(store, 2026, 12, 4, 23, 30), tick=False):
        sms_dispatch_due(time_budget=0)
    followup.refresh_from_db()
    assert followup.status == "planned" and followup.window_start == local(store, 2026, 12, 5, 9, 0)
    assert not InMemoryBackend.messages


@pytest.mark.usefixtures("noon")
def test_the_care_sms_after_the_last_unanswered_call_asks_the_gate(store, agent, gate_says_do_not_contact):
    followup = FollowUpFactory(order__customer__store=store, assignee=agent, attempts=2)
    followup_log_outcome(followup=followup, agent=agent, outcome="no_answer", expected_seq=1)
    assert not FollowUp.objects.filter(channel="sms").exists()


@pytest.mark.usefixtures("noon")
def test_a_call_back_time_outside_the_store_call_hours_is_refused_with_the_reason(store, agent):
    followup = FollowUpFactory(order__customer__store=store, assignee=agent)
    with pytest.raises(InvalidInput) as error:
        followup_log_outcome(
            followup=followup,
            agent=agent,
            outcome="call_back",
            expected_seq=1,
            callback_at=local(store, 2026, 12, 5, 1, 12),
        )
    assert error.value.field == "callback_at"
    assert error.value.details["reason"] == "outside_call_window"
    followup.refresh_from_db()
    assert followup.attempts == 0


@pytest.mark.usefixtures("noon")
def test_click_to_call_asks_the_gate(store, agent, gate_says_do_not_contact):
    followup = FollowUpFactory(order__customer__store=store, assignee=agent)
    with pytest.raises(CallNotAllowed) as error:
        call_start(followup=followup, agent=agent)
    assert error.value.details["reason"] == "do_not_contact"
    assert not InMemoryBackend.calls


@pytest.mark.usefixtures("noon")
def test_click_to_call_on_a_case_asks_the_gate(store, agent, gate_says_do_not_contact):
    order = OrderFactory(customer=CustomerFactory(store=store))
    case, _ = case_open(store=store, customer=order.customer, order=order, source="manual", summary="x")
    case_call, _ = case_call_open(case=case, agent=agent)
    with pytest.raises(CallNotAllowed) as error:
        case_call_start(case_call=case_call, agent=agent)
    assert error.value.details["reason"] == "do_not_contact"


@pytest.mark.usefixtures("noon")
def test_call_tasks_ask_the_gate(store, gate_says_do_not_contact):
    order = OrderFactory(customer=CustomerFactory(store=store))
    task = call_task_create(
        order=order, customer=order.customer, purpose="logistics", due_on=date(2026, 12, 4), note=""
    )
    assert (task.status, task.suppressed_reason) == ("suppressed", "do_not_contact")


def test_click_to_call_at_0112_customer_time_is_refused_and_an_override_is_explicit_and_audited(agent):
    store = StoreFactory(timezone="America/Los_Angeles")
    agent.stores.add(store)
    with time_machine.travel(datetime(2026, 12, 4, 9, 12, tzinfo=UTC), tick=False):  # 01:12 in Los Angeles
        followup = FollowUpFactory(order__customer__store=store, assignee=agent)
        with pytest.raises(CallNotAllowed) as error:
            call_start(followup=followup, agent=agent)
        assert error.value.details["reason"] == "outside_call_window"
        assert error.value.details["overridable"] is True
        assert not InMemoryBackend.calls
        call = call_start(followup=followup, agent=agent, override=True)
    assert call.provider_id and len(InMemoryBackend.calls) == 1
    audit = AuditLog.objects.get(action="contact.override")
    assert audit.target == f"followup:{followup.pk}" and audit.actor == agent.user
    (entry,) = ContactLog.objects.all()
    assert (entry.channel, entry.source) == ("call", "click_to_call")


@pytest.mark.usefixtures("noon")
def test_an_override_cannot_call_a_customer_who_asked_not_to_be_called(store, agent):
    followup = FollowUpFactory(order__customer=CustomerFactory(store=store, contact_preference="no_calls"))
    followup.assignee = agent
    followup.save()
    with pytest.raises(CallNotAllowed) as error:
        call_start(followup=followup, agent=agent, override=True)
    assert error.value.details == {
        "reason": "no_calls",
        "not_before": None,
        "overridable": False,
        "followup_id": followup.pk,
    }


def test_a_store_rule_change_is_seen_by_every_sender(store, agent):
    """Call hours narrowed on the policy: click to call and a call back both refuse at once."""

    with time_machine.travel(local(store, 2026, 12, 4, 19, 30), tick=False):
        followup = FollowUpFactory(order__customer__store=store, assignee=agent)
        policy_update(store=store, actor=agent.user, changes={"call_hours_until": time(19, 0)})
        with pytest.raises(CallNotAllowed):
            call_start(followup=followup, agent=agent)
        with pytest.raises(InvalidInput):
            followup_log_outcome(
                followup=followup,
                agent=agent,
                outcome="call_back",
                expected_seq=1,
                callback_at=local(store, 2026, 12, 4, 19, 45),
            )
