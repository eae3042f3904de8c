"""Every path that locks a customer and their follow-ups locks the customer first (docs/decisions/0037-lock-order.md).

An opt-out reply (STOP / 退订 from Twilio's inbound webhook) locks the customer, then their planned calls; a "do not
call" outcome locked its call, then the customer: logged at the same instant, PostgreSQL aborted one of them as a
deadlock (Twilio retried the webhook, the agent's page showed an error). Each test queues the two writers, each on its
own connection, behind a lock on the customer held by a third, in the order that deadlocked, and lets them go.
"""

import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from callbacks.models import FollowUp
from callbacks.services.calls import call_start
from callbacks.services.case_calls import case_call_open
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.handover import followups_hand_over
from callbacks.services.inbound import inbound_sms_receive
from callbacks.services.missed import followups_close_missed
from callbacks.services.outcomes import followup_log_outcome
from crm.models import Case, Customer
from crm.services.cases import case_open
from crm.services.order_delivery import orders_mark_delivered
from crm.services.waiting import case_wait
from tests.callbacks.sweeper import sweep_in_a_thread, wait_until
from tests.factories import AgentFactory, FollowUpFactory, OrderFactory, StoreFactory
from tests.locking import overlapping, queued_behind_a_lock

from .conftest import midday_store, plan_due_sms

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _evening():
    # 18:10 in Shanghai: inside the call hours and the evening window. The clock ticks: the writers wait on locks.
    with time_machine.travel(datetime(2026, 11, 23, 10, 10, tzinfo=UTC)):
        yield


@pytest.fixture
def agent():
    return AgentFactory(phone="+8613800000001")


@pytest.fixture
def call(agent):
    """A customer's care call, planned and open (its window began ten minutes ago), in a store open all day."""
    store = StoreFactory()
    agent.stores.add(store)
    return FollowUpFactory(order__customer__store=store, assignee=agent)


def _lock_customer(customer: Customer):
    return lambda: Customer.objects.select_for_update().get(pk=customer.pk)


def _stop(customer: Customer, sid: str = "SMstop1"):
    return lambda: inbound_sms_receive(payload={"From": customer.phone, "Body": "退订", "MessageSid": sid})


def test_an_opt_out_and_a_do_not_call_outcome_at_the_same_instant_both_commit(call, agent):
    customer = call.customer

    def do_not_call():
        followup_log_outcome(
            followup=FollowUp.objects.get(pk=call.pk), agent=agent, outcome="do_not_call", expected_seq=1
        )

    errors = queued_behind_a_lock(_lock_customer(customer), _stop(customer), do_not_call)

    assert errors == [None, None]
    customer.refresh_from_db()
    call.refresh_from_db()
    assert customer.sms_opt_out and customer.contact_preference == "no_calls"
    assert (call.status, call.outcome) == ("done", "do_not_call")


def test_an_opt_out_and_a_click_to_call_at_the_same_instant_both_commit(call, agent):
    customer = call.customer

    def click():
        call_start(followup=FollowUp.objects.get(pk=call.pk), agent=agent)

    errors = queued_behind_a_lock(_lock_customer(customer), _stop(customer), click)

    assert errors == [None, None]
    customer.refresh_from_db()
    call.refresh_from_db()
    assert customer.sms_opt_out and call.status == "in_progress"  # a care call still goes after STOP


def test_an_opt_out_and_the_handover_of_a_leaving_agents_calls_at_the_same_instant_both_commit(agent):
    store = StoreFactory()
    agent.stores.add(store)
    colleague = AgentFactory(stores=[store], on_shift=True)
    # A dedicated call goes to the customer's owner: the handover reads (and locks) the customer.
    dedicated = FollowUpFactory(
        order__customer__store=store, assignee=agent, channel="dedicated", window_start=timezone.now()
    )
    customer = dedicated.customer

    def leave():
        with transaction.atomic():
            followups_hand_over(agent_id=agent.pk, store_ids=[store.pk])

    errors = queued_behind_a_lock(_lock_customer(customer), _stop(customer), leave)

    assert errors == [None, None]
    dedicated.refresh_from_db()
    customer.refresh_from_db()
    assert customer.sms_opt_out and dedicated.assignee_id == colleague.pk


def test_a_customers_answer_and_opening_the_call_of_their_case_at_the_same_instant_both_commit(call, agent):
    # The reply resumes the case waiting on the customer (the customer, then the case); the agent opens the case's call.
    customer = call.customer
    case, _ = case_open(store=customer.store, customer=customer, source=Case.Source.CALL, assignee=agent)
    case_wait(case=case, actor=agent.user, asked="请拍一张外盒破损的照片")

    def answer():
        inbound_sms_receive(payload={"From": customer.phone, "Body": "照片发过去了", "MessageSid": "SManswer1"})

    def open_call():
        case_call_open(case=Case.objects.get(pk=case.pk), agent=agent)

    errors = queued_behind_a_lock(_lock_customer(customer), answer, open_call)

    assert errors == [None, None]
    case.refresh_from_db()
    assert case.status != "awaiting_customer" and case.case_calls.count() == 1


def test_the_missed_call_sweep_leaves_a_call_whose_customer_an_opt_out_holds_to_its_next_run(agent):
    # The care call's window is over and nobody called: the sweep closes it and plans the care SMS, held to one contact
    # a day (which waits on the customer's contacts), while the customer's STOP holds them and takes back their calls.
    # The sweep takes the customer before the call without waiting (ADR 0037): it skips them, and closes the call on
    # its next run, when the STOP has committed and rules the SMS out.
    store = StoreFactory()
    agent.stores.add(store)
    missed = FollowUpFactory(
        order__customer__store=store,
        assignee=agent,
        window_start=timezone.now() - timedelta(hours=2),
        window_end=timezone.now() - timedelta(hours=1),
    )
    customer = missed.customer

    waited = overlapping(_stop(customer), followups_close_missed)

    missed.refresh_from_db()
    assert not waited and missed.status == "planned"
    followups_close_missed()
    missed.refresh_from_db()
    customer.refresh_from_db()
    assert customer.sms_opt_out and (missed.status, missed.outcome) == ("done", "missed")
    assert not customer.followups.filter(channel="sms").exists()


def test_a_carriers_opt_out_recorded_by_the_sweeper_and_a_delivery_planned_at_the_same_instant_both_commit(
    twilio_backend,
):
    # Twilio refuses the care SMS (21610: the number sent STOP to the carrier); the sweeper records the refusal on the
    # message and opts the customer out, while another delivery of the customer's that day is planned (the customer,
    # then the day's care contacts, that message among them).
    (message,) = plan_due_sms(midday_store(), 1)
    customer = message.customer
    twilio_backend.configure(opted_out=[customer.phone], latency=1.0)
    sweep_errors = []

    def sweep():
        try:
            sms_dispatch_due(time_budget=5)
        except Exception as exc:  # reported to the test, which asserts on it
            sweep_errors.append(exc)
        finally:
            connection.close()

    another = OrderFactory(customer=customer, total_amount=Decimal("500"))

    def deliver_another():
        orders_mark_delivered(deliveries=[(another, timezone.now())])

    sweeper = threading.Thread(target=sweep)
    sweeper.start()
    while FollowUp.objects.get(pk=message.pk).status != "sending":  # claimed; the provider answers in a second
        time.sleep(0.01)
    errors = queued_behind_a_lock(_lock_customer(customer), deliver_another, sweeper.join)

    assert errors == [None, None] and sweep_errors == []
    message.refresh_from_db()
    customer.refresh_from_db()
    assert customer.sms_opt_out and (message.status, message.outcome) == ("failed", "opted_out")


def test_a_closure_recorded_while_an_outcome_is_logged_on_a_dedicated_call_both_commit(agent):
    """A closure moves tonight's calls (ADR 0035) and locks the dedicated customers whose owners it weighs: it took
    their calls first, an outcome its customer first; now the closure takes the customers first too."""
    from crm.models import Store
    from crm.services.closures import store_closure_add
    from crm.timezones import store_today

    store = StoreFactory()
    agent.stores.add(store)
    call = FollowUpFactory(order__customer__store=store, assignee=agent, channel="dedicated")
    Customer.objects.filter(pk=call.customer_id).update(dedicated_owner=agent)
    today = store_today(store)

    def close_today():
        store_closure_add(
            store=Store.objects.get(pk=store.pk), actor=None, name="盘点", first_day=today, last_day=today
        )

    def do_not_call():
        followup_log_outcome(
            followup=FollowUp.objects.get(pk=call.pk), agent=agent, outcome="do_not_call", expected_seq=1
        )

    errors = queued_behind_a_lock(_lock_customer(call.customer), do_not_call, close_today)

    assert errors == [None, None]
    call.refresh_from_db()
    assert call.status == "done" and call.outcome == "do_not_call"


def test_a_stop_from_a_number_two_stores_share_and_the_carriers_opt_out_recorded_for_it_both_commit(twilio_backend):
    """One phone, a customer in each of two stores. The inbound STOP locked the number's customers in the customers'
    default order (store code, then name), not by id: here the second, then the first, while the sweeper recording the
    carrier's 21610 for both messages takes them in id order (customers_lock). Each held what the other waited for,
    and PostgreSQL aborted one as a deadlock."""
    phone = "+8613900000042"
    (first,) = plan_due_sms(midday_store(code="silk"), 1, phone=phone)
    (second,) = plan_due_sms(midday_store(code="jade"), 1, phone=phone)
    assert first.customer_id < second.customer_id
    twilio_backend.configure(opted_out=[phone], latency=1.0)
    sweeper, sweep_errors = sweep_in_a_thread(time_budget=5)
    wait_until(lambda: FollowUp.objects.filter(pk__in=[first.pk, second.pk], status="sending").count() == 2)
    errors = queued_behind_a_lock(_lock_customer(second.customer), _stop(second.customer), sweeper.join)

    assert errors == [None, None] and sweep_errors == []
    assert set(Customer.objects.filter(phone=phone).values_list("sms_opt_out", flat=True)) == {True}
    assert set(FollowUp.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", "outcome")) == {
        ("failed", "opted_out")
    }


def _blocking(pid: int) -> set[int]:
    """The sessions the session `pid` waits for now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_blocking_pids(%s)", [pid])
        return set(cursor.fetchone()[0])


def test_the_sms_sweeper_holding_a_late_sms_and_the_handover_of_a_call_given_meanwhile_both_commit(agent):
    """The sweeper holds a care SMS nobody sent in its window and its customer, moves it to the hours still open and
    waits on that customer's contacts of the day (ADR 0051). The handover of a leaving agent's calls took the calls
    given to them after it read its customers (a delivery planned meanwhile) before their customers: it held that
    call and waited on the customer the sweeper held, while the sweeper waited on the call, and PostgreSQL aborted one
    as a deadlock. Now both take the customer first (ADR 0037). A session holding another of the customer's contacts
    queues the sweeper at the point where it has the customer and not the call, so the two meet in that order."""
    from tests.locking import backend_pid, hold_lock, wait_until_another_session_waits

    store = StoreFactory()
    agent.stores.add(store)
    colleague = AgentFactory(stores=[store], on_shift=True)
    other = FollowUpFactory(order__customer__store=store, assignee=agent)  # the leaver's call the handover reads
    now, today = timezone.now(), other.contact_day
    # Three orders of one customer, each its own delivery day (the database's one live contact per customer and day).
    failed = FollowUpFactory(order__customer__store=store, channel="sms", status="failed",
                           window_start=now - timedelta(hours=8), contact_day=today - timedelta(days=2))  # fmt: skip
    customer = failed.customer
    late = FollowUpFactory(order__customer=customer, channel="sms", window_start=now - timedelta(hours=2),
                           window_end=now - timedelta(minutes=5), contact_day=today - timedelta(days=1))  # fmt: skip
    call = FollowUpFactory(order__customer=customer, assignee=colleague, window_start=now + timedelta(minutes=10))

    def leave():  # the agent no longer serves the store: their calls are handed on in that transaction
        with transaction.atomic():
            agent.stores.remove(store)

    release_other, release_failed = threading.Event(), threading.Event()
    holder_other, other_pid = hold_lock(_lock_customer(other.customer), release_other)
    holder_failed, _ = hold_lock(lambda: FollowUp.objects.select_for_update().get(pk=failed.pk), release_failed)
    errors, leaving_pid = [None], []

    def run_leave():
        try:
            leaving_pid.append(backend_pid())
            leave()
        except BaseException as exc:  # reported to the test, which asserts on it
            errors[0] = exc
        finally:
            connection.close()

    try:
        leaving = threading.Thread(target=run_leave)
        leaving.start()
        wait_until_another_session_waits(timeout=30, sessions=1)  # the handover, on the first customer
        FollowUp.objects.filter(pk=call.pk).update(assignee=agent)  # given to the leaver meanwhile
        sweeper, sweep_errors = sweep_in_a_thread(time_budget=5)
        wait_until_another_session_waits(timeout=30, sessions=2)  # the sweeper, on the customer's failed SMS
        release_other.set()
        # The handover goes on, to wait on the customer the sweeper holds (having taken their call first, before).
        wait_until(lambda: (blocked := _blocking(leaving_pid[0])) and other_pid not in blocked)
        release_failed.set()
        leaving.join()
        sweeper.join()
    finally:
        release_other.set()
        release_failed.set()
        holder_other.join()
        holder_failed.join()

    assert errors == [None] and sweep_errors == []
    late.refresh_from_db()
    call.refresh_from_db()
    assert (late.status, late.merged_into_id) == ("suppressed", call.pk)  # the evening's call covers its order
    assert call.assignee_id == colleague.pk


def test_the_last_look_before_an_sms_batch_leaves_and_a_delivery_planned_at_the_same_instant_both_commit():
    """The last look before a batch's requests leave (ADR 0011) withdraws a care SMS of a customer who opted out since
    its claim, and covers again what was merged into it (ADR 0051): here a dedicated-tier order, planned again as a
    dedicated call, whose owner it writes on the customer. Meanwhile another delivery of the customer is planned: the
    customer, then the day's care contacts, that SMS among them. Had the look taken the SMS first, then the customer
    (to write the owner), each would hold what the other waits for; it takes the customer first (ADR 0037)."""
    from callbacks.services.dispatch import CARE_SMS, DispatchReport
    from callbacks.services.dispatch.last_look import withdraw_refused
    from callbacks.services.gate import customers_opt_out_sms

    store = StoreFactory()
    agent = AgentFactory(stores=[store])  # on shift there: the dedicated call's owner
    (sms,) = plan_due_sms(store, 1)
    customer = sms.customer
    claimed_at = timezone.now()
    (claimed,) = CARE_SMS.claim(now=claimed_at, limit=10, report=DispatchReport())
    dedicated = OrderFactory(customer=customer, total_amount=Decimal("2500"))
    orders_mark_delivered(deliveries=[(dedicated, timezone.now())])  # merged into the SMS under way
    customers_opt_out_sms(customer_ids=[customer.pk])
    another = OrderFactory(customer=customer, total_amount=Decimal("1500"))

    def deliver_another():
        orders_mark_delivered(deliveries=[(another, timezone.now())])

    def last_look():
        withdraw_refused([claimed], claimed_at, CARE_SMS, DispatchReport())

    errors = queued_behind_a_lock(_lock_customer(customer), deliver_another, last_look)

    assert errors == [None, None]
    sms.refresh_from_db()
    customer.refresh_from_db()
    call = FollowUp.objects.get(order=dedicated)
    assert (sms.status, sms.suppressed_reason, sms.merged_into_id) == ("suppressed", "sms_opt_out", call.pk)
    assert (call.status, call.channel, call.assignee_id, customer.dedicated_owner_id) == (
        "planned", "dedicated", agent.pk, agent.pk,
    )  # fmt: skip
    assert FollowUp.objects.get(order=another).merged_into_id == call.pk


def test_the_handover_taking_a_call_given_meanwhile_and_a_delivery_planned_for_its_customers_both_commit(agent):
    """The handover of a leaving agent's calls locks their customers, then the calls, and again for a call given to the
    agent after it read them (a delivery planned meanwhile, ADR 0037). That second round took its customer after the
    first round's, whatever their ids: holding the customer of its first call, it waited on one with a lower id, while
    planning a delivery of both customers held the lower one and waited, in id order, on the higher one. Each held what
    the other waited for, and PostgreSQL aborted one as a deadlock. Now every customer lock of the handover is taken in
    one id-ordered statement: a round that finds a customer not yet held lets its locks go and takes them all again."""
    store = StoreFactory()
    agent.stores.add(store)
    colleague = AgentFactory(stores=[store], on_shift=True)
    given = FollowUpFactory(order__customer__store=store, assignee=colleague)  # given to the leaver meanwhile
    theirs = FollowUpFactory(order__customer__store=store, assignee=agent)  # the leaver's call the handover reads
    low, high = given.customer, theirs.customer
    assert low.pk < high.pk
    orders = [OrderFactory(customer=customer, total_amount=Decimal("500")) for customer in (low, high)]

    def leave():
        with transaction.atomic():
            followups_hand_over(agent_id=agent.pk, store_ids=[store.pk])

    def give_then_deliver():
        # Queued behind the handover, which holds the higher customer and waits on its call: the lower customer's call
        # is the leaver's now, and a delivery of each customer is planned (their customers locked in id order).
        FollowUp.objects.filter(pk=given.pk).update(assignee=agent)
        orders_mark_delivered(deliveries=[(order, timezone.now()) for order in orders])

    errors = queued_behind_a_lock(
        lambda: FollowUp.objects.select_for_update().get(pk=theirs.pk), leave, give_then_deliver
    )

    assert errors == [None, None]
    given.refresh_from_db()
    theirs.refresh_from_db()
    assert (given.assignee_id, theirs.assignee_id) == (colleague.pk, colleague.pk)
    assert {FollowUp.objects.get(order=order).merged_into_id for order in orders} == {given.pk, theirs.pk}


def test_an_agent_leaving_a_store_and_opening_the_call_of_their_case_with_its_customer_both_commit(call, agent):
    """An agent taken off a store hands on their open cases there (crm), then, on crm's signal, their calls
    (callbacks' handover, which locks the calls' customers). crm locked the cases first, so the handover took the
    customer after the case, while opening a case's call takes the customer, then the case (ADR 0037): a colleague
    opening the call of the leaver's case of that customer held the customer and waited on the case, the leaving agent
    held the case and waited on the customer, and PostgreSQL aborted one as a deadlock. Now crm takes the customers of
    what is handed on, its own and the apps' (`crm.signals.agent_leaving_stores`), before the cases."""
    store, customer = call.store, call.customer
    colleague = AgentFactory(stores=[store], on_shift=True)
    case, _ = case_open(store=store, customer=customer, source=Case.Source.CALL, assignee=agent)

    def open_call():  # the customer, then the case
        case_call_open(case=Case.objects.get(pk=case.pk), agent=colleague)

    def leave():
        with transaction.atomic():
            agent.stores.remove(store)

    errors = queued_behind_a_lock(_lock_customer(customer), open_call, leave)

    assert errors == [None, None]
    case.refresh_from_db()
    call.refresh_from_db()
    assert (case.assignee_id, call.assignee_id) == (colleague.pk, colleague.pk)
    assert case.case_calls.get().assignee_id == colleague.pk
