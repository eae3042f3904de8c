"""Calls nobody made: a call follow-up still planned after its window (and a few minutes' grace) is closed as missed,
and a missed care call gets the care SMS an unanswered one gets, once (callbacks.services.missed)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from callbacks.models import Call, FollowUp
from callbacks.services.calls import call_start
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.missed import followups_close_missed
from callbacks.tasks import close_missed_calls
from crm.models import Customer
from tests.factories import AgentFactory, FollowUpFactory, ManagerFactory, StoreFactory
from tests.locking import overlapping

# The evening window 18:00-19:00 in Shanghai (the factories' store zone).
WINDOW_START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WINDOW_END = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
# 19:06 in Shanghai: the window ended six minutes ago, inside the store's SMS hours.
AFTER_GRACE = WINDOW_END + timedelta(minutes=6)


@pytest.fixture
def agent():
    return AgentFactory()


def _call(agent, **kwargs) -> FollowUp:
    store = StoreFactory()
    agent.stores.add(store)
    return FollowUpFactory(
        order__customer__store=store,
        assignee=agent,
        **{"window_start": WINDOW_START, "window_end": WINDOW_END, **kwargs},
    )


@pytest.mark.django_db
def test_a_care_call_nobody_made_is_missed_and_the_customer_gets_one_care_sms_through_twilio(agent, twilio_backend):
    followup = _call(agent)
    with time_machine.travel(AFTER_GRACE, tick=True):
        report = close_missed_calls()
        again = followups_close_missed()
        sms_dispatch_due()
        sms_dispatch_due()

    followup.refresh_from_db()
    assert (followup.status, followup.outcome, followup.attempts) == ("done", "missed", 0)
    assert report == {"missed": 1, "care_sms": 1, "not_logged": 0} and (again.missed, again.care_sms) == (0, 0)
    sms = FollowUp.objects.get(channel="sms")
    assert (sms.order, sms.status, sms.contact_day) == (followup.order, "sent", followup.contact_day)
    assert [m["to"] for m in twilio_backend.messages] == [followup.customer.phone]
    assert "已签收" in twilio_backend.messages[0]["body"]  # the store's care SMS, in its language


@pytest.mark.django_db
def test_a_call_whose_window_ended_within_the_grace_minutes_is_left_to_its_agent(agent):
    followup = _call(agent)
    with time_machine.travel(WINDOW_END + timedelta(minutes=3), tick=False):
        assert followups_close_missed().missed == 0
    followup.refresh_from_db()
    assert followup.status == "planned" and not FollowUp.objects.filter(channel="sms").exists()


@pytest.mark.django_db
def test_a_call_in_progress_at_the_windows_end_is_not_touched(agent):
    followup = _call(agent)
    with time_machine.travel(WINDOW_END - timedelta(minutes=2), tick=False):
        call_start(followup=followup, agent=agent)  # in-memory telephony: the agent is on the line
    with time_machine.travel(AFTER_GRACE + timedelta(hours=2), tick=False):
        assert followups_close_missed().missed == 0
    followup.refresh_from_db()
    assert (followup.status, followup.outcome) == ("in_progress", "")
    assert not FollowUp.objects.filter(channel="sms").exists()


@pytest.mark.django_db
def test_a_planned_call_with_a_call_still_being_placed_is_not_touched(agent):
    followup = _call(agent)
    Call.objects.create(followup=followup, agent=agent, status=Call.Status.PLACING, started_at=WINDOW_END)
    with time_machine.travel(AFTER_GRACE, tick=False):
        assert followups_close_missed().missed == 0
    followup.refresh_from_db()
    assert followup.status == "planned"


@pytest.mark.django_db
def test_a_future_window_and_a_planned_care_sms_are_not_calls_nobody_made(agent):
    tomorrow = _call(agent, window_start=WINDOW_START + timedelta(days=1), window_end=WINDOW_END + timedelta(days=1))
    sms = _call(agent, channel="sms")
    with time_machine.travel(AFTER_GRACE, tick=False):
        assert followups_close_missed().missed == 0
    assert set(FollowUp.objects.values_list("pk", "status")) == {(tomorrow.pk, "planned"), (sms.pk, "planned")}


@pytest.mark.django_db
def test_a_missed_care_call_of_a_customer_who_opted_out_of_sms_sends_nothing(agent):
    followup = _call(agent, channel="dedicated")
    Customer.objects.filter(pk=followup.customer_id).update(sms_opt_out=True)
    with time_machine.travel(AFTER_GRACE, tick=False):
        report = followups_close_missed()
    followup.refresh_from_db()
    assert (report.missed, report.care_sms) == (1, 0) and followup.outcome == "missed"
    assert not FollowUp.objects.filter(channel="sms").exists()


@pytest.mark.django_db
def test_thousands_of_missed_calls_are_closed_batch_by_batch(agent):
    followups = [_call(agent) for _ in range(7)]
    with time_machine.travel(AFTER_GRACE, tick=False):
        report = followups_close_missed(batch_size=3)
    assert (report.missed, report.care_sms) == (7, 7)
    assert set(FollowUp.objects.filter(pk__in=[f.pk for f in followups]).values_list("outcome", flat=True)) == {
        "missed"
    }


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_close_the_call_once_and_send_one_sms(agent, twilio_backend):
    followup = _call(agent)
    reports = []
    with time_machine.travel(AFTER_GRACE, tick=True):
        # The first run holds its claim uncommitted while the second runs: the second skips the locked row.
        overlapping(lambda: reports.append(followups_close_missed()), lambda: reports.append(followups_close_missed()))
        reports.append(followups_close_missed())  # and a third, after both
        sms_dispatch_due()

    assert [(r.missed, r.care_sms) for r in reports] == [(1, 1), (0, 0), (0, 0)]
    followup.refresh_from_db()
    assert followup.outcome == "missed"
    assert FollowUp.objects.filter(channel="sms").count() == 1
    assert [m["to"] for m in twilio_backend.messages] == [followup.customer.phone]


@pytest.mark.django_db
def test_the_call_panel_of_a_missed_call_says_it_was_missed(agent):
    followup = _call(agent)
    with time_machine.travel(AFTER_GRACE, tick=False):
        followups_close_missed()
    client = Client()
    client.force_login(ManagerFactory(stores=[followup.store]).user)

    page = client.get(f"/calls/{followup.pk}/").text

    assert 'data-testid="missed"' in page and "Nobody called this customer in the window" in page
    assert "This call is closed: Not called in its window." in page
    assert 'data-testid="outcome-form"' not in page


@pytest.mark.django_db
def test_the_missed_call_panel_reads_in_chinese(agent):
    followup = _call(agent)
    with time_machine.travel(AFTER_GRACE, tick=False):
        followups_close_missed()
    client = Client()
    client.force_login(ManagerFactory(stores=[followup.store]).user)

    page = client.get(f"/calls/{followup.pk}/", headers={"accept-language": "zh-CN,zh;q=0.9"}).text

    assert "未在时段内拨打" in page


@pytest.mark.django_db
def test_tonights_queue_counts_a_missed_call_as_missed_not_done(agent):
    from callbacks.services.outcomes import followup_log_outcome

    missed = _call(agent)
    made = FollowUpFactory(
        order__customer__store=missed.store, assignee=agent, window_start=WINDOW_START, window_end=WINDOW_END
    )
    with time_machine.travel(WINDOW_START + timedelta(minutes=20), tick=False):
        followup_log_outcome(followup=made, agent=agent, outcome="satisfied", expected_seq=1)
    client = Client()
    client.force_login(agent.user)
    with time_machine.travel(AFTER_GRACE, tick=False):
        followups_close_missed()
        page = client.get("/calls/").text

    assert 'data-testid="count-done">1<' in page and 'data-testid="count-missed">1<' in page
    assert 'data-testid="count-left">0<' in page


@pytest.mark.django_db(transaction=True)
def test_a_call_whose_only_click_never_reached_the_provider_is_missed_and_gets_its_care_sms(
    agent, twilio_backend, settings
):
    # The click was claimed and its request never left (the worker froze); the reconciler failed the call but left
    # the follow-up `in_progress`, which no sweep closes: the customer got neither the call nor the care SMS.
    from callbacks.services.calls import calls_reconcile_stuck

    followup = _call(agent)
    with time_machine.travel(WINDOW_END - timedelta(minutes=10), tick=True):
        settings.SMS_RECONCILE_AFTER_SECONDS = 0  # the claim is too old to send at once: no request leaves
        call_start(followup=followup, agent=agent)
        assert calls_reconcile_stuck() == 1
    with time_machine.travel(AFTER_GRACE, tick=True):
        report = followups_close_missed()
    followup.refresh_from_db()
    assert (followup.status, followup.outcome) == ("done", "missed")
    assert (report.missed, report.care_sms) == (1, 1) and twilio_backend.calls == []


# -- calls placed whose outcome nobody logged ---------------------------------------------------------------------


def _called_and_left(agent, *, ended_at=None) -> FollowUp:
    """A call follow-up whose agent clicked to call ten minutes before the window's end, talked, and closed the tab
    without logging an outcome; the provider reported the call ended at `ended_at` (None: it never reported)."""
    from callbacks.services.calls import call_status_advance

    followup = _call(agent)
    with time_machine.travel(WINDOW_END - timedelta(minutes=10), tick=False):
        call = call_start(followup=followup, agent=agent)
    if ended_at is not None:
        with time_machine.travel(ended_at, tick=False):
            call_status_advance(call=call, status=Call.Status.COMPLETED, duration_seconds=300)
    return followup


@pytest.mark.django_db
def test_a_call_placed_and_never_given_an_outcome_is_closed_as_not_logged_once_its_agent_had_time(agent):
    # It stayed `in_progress` for ever: out of every queue once its evening was over, never closed, never counted.
    from callbacks.services.missed import OUTCOME_WAIT

    ended = WINDOW_END - timedelta(minutes=5)
    followup = _called_and_left(agent, ended_at=ended)
    with time_machine.travel(ended + OUTCOME_WAIT - timedelta(minutes=1), tick=False):
        assert followups_close_missed().not_logged == 0  # the agent may still be writing it down
    with time_machine.travel(ended + OUTCOME_WAIT + timedelta(minutes=1), tick=True):
        report = close_missed_calls()
        again = followups_close_missed()

    followup.refresh_from_db()
    assert (followup.status, followup.outcome, followup.attempts) == ("done", "not_logged", 0)
    assert report == {"missed": 0, "care_sms": 0, "not_logged": 1} and again.not_logged == 0
    assert not FollowUp.objects.filter(channel="sms").exists()  # the customer was called: no care SMS on top


@pytest.mark.django_db
def test_a_call_still_on_the_line_after_its_window_is_left_to_finish(agent):
    from callbacks.services.calls import call_status_advance

    followup = _called_and_left(agent)
    call = followup.calls.get()
    call_status_advance(call=call, status=Call.Status.IN_PROGRESS)
    with time_machine.travel(AFTER_GRACE + timedelta(minutes=50), tick=False):
        assert followups_close_missed().not_logged == 0
    followup.refresh_from_db()
    assert followup.status == "in_progress"


@pytest.mark.django_db
def test_a_call_whose_end_the_provider_never_reported_is_closed_as_not_logged_hours_later(agent):
    from callbacks.services.missed import CALL_LOST_AFTER

    followup = _called_and_left(agent)  # the in-memory backend never reports the call's end
    started = followup.calls.get().started_at
    with time_machine.travel(started + CALL_LOST_AFTER - timedelta(minutes=1), tick=False):
        assert followups_close_missed().not_logged == 0
    with time_machine.travel(started + CALL_LOST_AFTER + timedelta(minutes=1), tick=False):
        assert followups_close_missed().not_logged == 1
    followup.refresh_from_db()
    assert followup.outcome == "not_logged"


@pytest.mark.django_db
def test_what_was_said_can_still_be_logged_on_a_call_closed_as_not_logged(agent):
    from callbacks.services.outcomes import followup_log_outcome
    from crm.models import Case

    followup = _called_and_left(agent, ended_at=WINDOW_END)
    with time_machine.travel(WINDOW_END + timedelta(hours=3), tick=False):
        assert followups_close_missed().not_logged == 1
        attempt = followup_log_outcome(
            followup=followup, agent=agent, outcome="dissatisfied", cause="quality", expected_seq=1
        )

    followup.refresh_from_db()
    assert (followup.status, followup.outcome, followup.attempts) == ("done", "dissatisfied", 1)
    assert attempt.case is not None and Case.objects.get().order == followup.order


@pytest.mark.django_db
def test_the_panel_of_a_call_closed_as_not_logged_says_so_and_offers_the_outcome(agent):
    followup = _called_and_left(agent, ended_at=WINDOW_END)
    with time_machine.travel(WINDOW_END + timedelta(hours=3), tick=False):
        followups_close_missed()
    client = Client()
    client.force_login(agent.user)

    page = client.get(f"/calls/{followup.pk}/").text
    chinese = client.get(f"/calls/{followup.pk}/", headers={"accept-language": "zh-CN,zh;q=0.9"}).text

    assert 'data-testid="not-logged"' in page and 'data-testid="outcome-form"' in page
    assert "no outcome was logged" in page
    assert 'data-testid="call"' not in page  # closed: not a call to place again
    assert "未记录结果" in chinese


@pytest.mark.django_db
def test_tonights_queue_counts_a_call_closed_as_not_logged_on_its_own(agent):
    followup = _called_and_left(agent, ended_at=WINDOW_END)
    client = Client()
    client.force_login(agent.user)
    with time_machine.travel(WINDOW_END + timedelta(hours=1), tick=False):
        followups_close_missed()
        page = client.get("/calls/").text
    followup.refresh_from_db()
    assert followup.outcome == "not_logged"
    assert 'data-testid="count-done">0<' in page and 'data-testid="count-not-logged">1<' in page
    assert 'data-testid="count-left">0<' in page
