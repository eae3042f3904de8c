import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from callbacks.errors import FollowUpChanged, FollowUpClosed, FollowUpNotFound
from callbacks.models import CallAttempt, FollowUp
from callbacks.services.calls import call_start
from callbacks.services.outcomes import followup_log_outcome
from callbacks.services.policy import policy_update
from crm.errors import InvalidInput
from crm.models import Case, Customer, CustomerChange
from tests.factories import AgentFactory, FollowUpFactory, StoreFactory

MAX_ATTEMPTS = 3  # the follow-up policy's default

pytestmark = pytest.mark.django_db

# 18:10 in Shanghai: ten minutes into the evening window.
NOW = datetime(2026, 11, 23, 10, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agent():
    return AgentFactory()


@pytest.fixture
def followup(agent):
    store = StoreFactory()
    agent.stores.add(store, through_defaults={"on_shift": True})
    return FollowUpFactory(
        order__customer__store=store,
        assignee=agent,
        window_start=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
        window_end=datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
    )


def _log(followup, agent, outcome, seq=None, **kwargs):
    seq = seq if seq is not None else followup.call_attempts.count() + 1
    return followup_log_outcome(followup=followup, agent=agent, outcome=outcome, expected_seq=seq, **kwargs)


def test_a_satisfied_customer_closes_the_follow_up(followup, agent):
    attempt = _log(followup, agent, "satisfied")
    followup.refresh_from_db()
    assert (followup.status, followup.outcome, followup.attempts) == ("done", "satisfied", 1)
    assert attempt.seq == 1 and attempt.agent == agent
    assert not Case.objects.exists()


def test_a_dissatisfied_customer_opens_a_call_case_with_cause_and_notes_at_once(followup, agent):
    attempt = _log(followup, agent, "dissatisfied", cause="size", note="  偏小一码  ")
    case = Case.objects.get()
    assert attempt.case == case
    assert (case.source, case.cause, case.summary, case.order) == ("call", "size", "偏小一码", followup.order)
    assert case.assignee == agent  # the store's only agent, picked by the store's assignment rule
    assert case.events.get().actor == agent.user


@pytest.mark.parametrize("cause", ["", "unknown-cause"])
def test_dissatisfied_without_a_known_cause_is_rejected_and_writes_nothing(followup, agent, cause):
    with pytest.raises(InvalidInput) as excinfo:
        _log(followup, agent, "dissatisfied", cause=cause)
    assert excinfo.value.field == "cause"
    followup.refresh_from_db()
    assert followup.status == "planned" and not CallAttempt.objects.exists() and not Case.objects.exists()


def test_no_answer_retries_later_in_the_window(followup, agent):
    _log(followup, agent, "no_answer")
    followup.refresh_from_db()
    assert followup.status == "planned" and followup.attempts == 1
    assert followup.window_start == NOW + timedelta(minutes=15)
    assert not FollowUp.objects.filter(channel="sms").exists()


def test_after_the_last_unanswered_attempt_a_care_sms_goes_instead(followup, agent):
    for _ in range(MAX_ATTEMPTS):
        _log(followup, agent, "no_answer")
    followup.refresh_from_db()
    assert (followup.status, followup.attempts, followup.outcome) == ("done", MAX_ATTEMPTS, "no_answer")
    sms = FollowUp.objects.get(channel="sms")
    assert (sms.order, sms.customer, sms.status) == (followup.order, followup.customer, "planned")
    assert sms.window_start == NOW  # 18:10 local: inside the store's SMS hours


def test_the_stores_policy_sets_how_many_tries(followup, agent):
    policy_update(store=followup.store, actor=None, changes={"max_call_attempts": 1})
    _log(followup, agent, "no_answer")
    assert FollowUp.objects.filter(channel="sms").count() == 1


def test_no_answer_near_the_end_of_the_window_sends_the_sms_at_once(followup, agent):
    with time_machine.travel(datetime(2026, 11, 23, 10, 50, tzinfo=UTC), tick=False):
        _log(followup, agent, "no_answer")
    followup.refresh_from_db()
    assert followup.status == "done"
    assert FollowUp.objects.filter(channel="sms", status="planned").count() == 1


def test_a_customer_who_opted_out_of_sms_gets_no_care_sms(followup, agent):
    Customer.objects.filter(pk=followup.customer_id).update(sms_opt_out=True)
    followup.refresh_from_db()
    for _ in range(MAX_ATTEMPTS):
        _log(followup, agent, "no_answer")
    assert not FollowUp.objects.filter(channel="sms").exists()


def test_a_placed_call_and_its_logged_outcome_count_one_attempt(followup, agent):
    call_start(followup=followup, agent=agent)
    _log(followup, agent, "no_answer")
    followup.refresh_from_db()
    assert followup.attempts == 1 and followup.status == "planned"


def test_asked_not_to_be_called_sets_the_contact_preference_with_who_and_when(followup, agent):
    _log(followup, agent, "do_not_call")
    followup.customer.refresh_from_db()
    assert followup.customer.contact_preference == "no_calls"
    change = CustomerChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("contact_preference", "any", "no_calls")
    assert (change.changed_by, change.changed_at) == (agent.user, NOW)


def test_call_me_back_reschedules_the_call(followup, agent):
    at = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)
    _log(followup, agent, "call_back", callback_at=at)
    followup.refresh_from_db()
    assert (followup.status, followup.window_start, followup.window_end) == ("planned", at, at + timedelta(hours=1))


@pytest.mark.parametrize("at", [None, datetime(2026, 11, 23, 9, 0, tzinfo=UTC), datetime(2026, 12, 30, tzinfo=UTC)])
def test_call_me_back_needs_a_time_in_the_next_two_weeks(followup, agent, at):
    with pytest.raises(InvalidInput) as excinfo:
        _log(followup, agent, "call_back", callback_at=at)
    assert excinfo.value.field == "callback_at"


def test_a_double_click_cannot_log_the_same_attempt_twice(followup, agent):
    _log(followup, agent, "no_answer", seq=1)
    with pytest.raises(FollowUpChanged):
        _log(followup, agent, "no_answer", seq=1)
    assert CallAttempt.objects.count() == 1


def test_a_closed_follow_up_takes_no_more_outcomes(followup, agent):
    _log(followup, agent, "satisfied")
    with pytest.raises(FollowUpClosed):
        _log(followup, agent, "dissatisfied", cause="quality")
    assert not Case.objects.exists()


def test_another_agent_cannot_log_on_a_follow_up_that_is_not_theirs(followup):
    other = AgentFactory(stores=[followup.store])
    with pytest.raises(FollowUpNotFound):
        _log(followup, other, "satisfied")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_logs_of_one_attempt_make_exactly_one(followup, agent):
    barrier, results = threading.Barrier(2), []

    def log(outcome):
        barrier.wait()
        try:
            _log(FollowUp.objects.get(pk=followup.pk), agent, outcome, seq=1, cause="quality")
            results.append("ok")
        except FollowUpChanged:
            results.append("conflict")
        except FollowUpClosed:
            results.append("closed")
        finally:
            connection.close()

    threads = [threading.Thread(target=log, args=(o,)) for o in ("satisfied", "dissatisfied")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results)[0] != "ok" and results.count("ok") == 1
    assert CallAttempt.objects.count() == 1


@pytest.fixture
def return_visit(agent):
    store = StoreFactory()
    agent.stores.add(store)
    # A return visit is marketing: the gate plans one only for a customer who consented (and keeps asking it).
    return FollowUpFactory(
        order__customer__store=store,
        order__customer__marketing_consent_at=datetime(2026, 11, 1, tzinfo=UTC),
        order__customer__marketing_consent_source="checkout",
        purpose="return_visit",
        assignee=agent,
        window_start=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
        window_end=datetime(2026, 11, 23, 13, 0, tzinfo=UTC),
    )


def test_a_return_visit_takes_its_own_outcomes_and_not_the_care_ones(return_visit, followup, agent):
    with pytest.raises(InvalidInput) as care_on_visit:
        _log(return_visit, agent, "satisfied")
    with pytest.raises(InvalidInput) as visit_on_care:
        _log(followup, agent, "interested")
    assert care_on_visit.value.field == visit_on_care.value.field == "outcome"
    assert not CallAttempt.objects.exists()

    _log(return_visit, agent, "not_now")
    return_visit.refresh_from_db()
    assert (return_visit.status, return_visit.outcome) == ("done", "not_now")


def test_a_complaint_on_a_return_visit_opens_a_return_visit_case_about_its_order(return_visit, agent):
    attempt = _log(return_visit, agent, "complaint", note="颜色和图片不一样")
    case = Case.objects.get()
    assert (case.source, case.order, case.customer) == ("return_visit", return_visit.order, return_visit.customer)
    assert case.summary == "颜色和图片不一样" and attempt.case == case


def test_the_app_that_made_a_call_task_hears_each_outcome_inside_the_transaction(return_visit, agent):
    from callbacks.signals import followup_outcome_logged

    heard = []

    def receiver(sender, *, followup, attempt, **kwargs):
        heard.append((followup.pk, followup.status, attempt.seq, attempt.outcome))
        if attempt.outcome == "interested":
            raise RuntimeError("the receiver's own write failed")

    followup_outcome_logged.connect(receiver, dispatch_uid="test-receiver")
    try:
        _log(return_visit, agent, "no_answer")
        with pytest.raises(RuntimeError):
            _log(return_visit, agent, "interested")
    finally:
        followup_outcome_logged.disconnect(dispatch_uid="test-receiver")

    assert heard == [(return_visit.pk, "planned", 1, "no_answer"), (return_visit.pk, "done", 2, "interested")]
    return_visit.refresh_from_db()
    # The failed receiver took the outcome back with it: still one attempt, the task still open.
    assert (return_visit.status, return_visit.call_attempts.count()) == ("planned", 1)
