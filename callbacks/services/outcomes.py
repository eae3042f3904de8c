"""Logging what came of a call: one click on the call panel, and what follows from it.

Each purpose of follow-up has its outcomes (`callbacks.models.OUTCOMES_BY_PURPOSE`): a care call or a parcel at
risk is satisfied, dissatisfied (a case), ...; a return visit is interested, not now, do not call again, or a
complaint (a case). The app that created a call task hears of each attempt through
`callbacks.signals.followup_outcome_logged`, sent inside the transaction.

Double clicks and two people on one follow-up cannot log twice: the panel posts the attempt number it showed
(`expected_seq`); under a row lock on the follow-up the service compares it with the attempts already logged,
and (followup, seq) is unique in the database as the last line of defence.

A closed follow-up takes no outcome, except one closed as `not_logged` (a call made whose agent never logged what
came of it, callbacks.services.missed): what was said may still be logged, late, and replaces it (ADR 0028).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from callbacks.errors import FollowUpChanged, FollowUpClosed, FollowUpNotFound
from callbacks.models import (
    CallAttempt,
    ClosedUnlogged,
    FollowUp,
    FollowUpOutcome,
    ReturnVisitOutcome,
    outcomes_for,
)
from callbacks.selectors import followups_for_user
from callbacks.signals import followup_outcome_logged
from crm.errors import InvalidInput
from crm.models import Agent, Case
from crm.services.cases import case_open
from crm.services.closures import store_closure_on
from crm.services.locks import customers_lock
from crm.timezones import to_store_local

from .gate import ContactChannel, ContactPurpose, contact_decide, customer_stop_calls, gate_purpose
from .one_a_day import followups_hold_one_a_day
from .policy import policy_for_store
from .rows import followups_set_merged_into
from .windows import sms_window

Status, Reason = FollowUp.Status, FollowUp.SuppressedReason
# How far ahead a customer may ask to be called back.
CALL_BACK_HORIZON = timedelta(days=14)
# After no answer, the next try comes this much later, if the window and the store's attempt limit allow.
RETRY_AFTER = timedelta(minutes=15)
# The outcomes that open (or join) a case: its source, and its summary when the agent wrote no note.
_CASE_SOURCES = {
    FollowUpOutcome.DISSATISFIED: (Case.Source.CALL, ""),
    ReturnVisitOutcome.COMPLAINT: (Case.Source.RETURN_VISIT, gettext_noop("Complaint during a return visit")),
}


def _callback_allowed(*, followup: FollowUp, callback_at: datetime) -> None:
    """A call back is a call: the gate must allow it at that time (the store's call hours, in its time zone), on a day
    the store is open (nobody works the queue during a closure, ADR 0035)."""
    day = to_store_local(callback_at, followup.store).date()
    if (closure := store_closure_on(store=followup.store, day=day)) is not None:
        raise InvalidInput(
            _("The store is closed on %(day)s (%(closure)s): choose a time on a day it is open.")
            % {"day": day.isoformat(), "closure": closure.name},
            field="callback_at",
        )
    decision = contact_decide(
        customer=followup.customer,
        channel=ContactChannel.CALL,
        purpose=gate_purpose(followup.purpose),
        at=callback_at,
        order=followup.order,
    )
    if not decision:
        raise InvalidInput(decision.detail, field="callback_at", reason=decision.reason)


def _validate(*, purpose: str, outcome: str, cause: str, callback_at: datetime | None, now: datetime) -> None:
    if outcome not in outcomes_for(purpose).values:
        raise InvalidInput(_("Unknown outcome."), field="outcome")
    if outcome == FollowUpOutcome.DISSATISFIED and cause not in Case.Cause.values[1:]:
        raise InvalidInput(_("Choose what the customer is unhappy about."), field="cause")
    if outcome == ReturnVisitOutcome.COMPLAINT and cause not in Case.Cause.values:
        raise InvalidInput(_("Unknown cause."), field="cause")
    if outcome == FollowUpOutcome.CALL_BACK:
        if callback_at is None or timezone.is_naive(callback_at):
            raise InvalidInput(_("Give the time the customer asked to be called back."), field="callback_at")
        if not now < callback_at <= now + CALL_BACK_HORIZON:
            raise InvalidInput(_("The call-back time must be within the next 14 days."), field="callback_at")


def _lock(*, followup: FollowUp, agent: Agent) -> FollowUp:
    # The customer before the call (ADR 0037): "do not call" writes the customer's wishes, as an opt-out reply does
    # before it takes back their planned calls.
    customers_lock([followup.customer_id])
    locked = (
        followups_for_user(user=agent.user)
        .select_for_update(of=("self",))
        .select_related("store", "customer", "order")
        .filter(pk=followup.pk)
        .first()
    )
    if locked is None:
        raise FollowUpNotFound(followup_id=followup.pk)
    return locked


def care_sms_instead(*, followup: FollowUp, now: datetime) -> FollowUp | None:
    """After the last unanswered try of a care call (at the outcome, or a retry that re-planning leaves no room for in
    its evening, services.replan), or a care call nobody made in its window (services.missed): a
    care SMS for the same delivery, if the gate allows one (the hour aside: the SMS waits for the store's sending
    hours). The call is closed first: one live contact per order. The SMS is a contact of the day it goes out on, held
    to one a day there (ADR 0051): on a day the customer already has a care contact (another order's SMS the next
    morning, the next evening's call), it is `merged` into it and never sent. The orders merged into the call are
    merged into what covers the call's own order now, the SMS or the contact it joined; with no SMS (the gate refuses
    one) they stay with the call. The caller holds the customer (ADR 0037). Returns the SMS, suppressed when it was
    merged."""
    customer = followup.customer
    if followup.purpose != FollowUp.Purpose.CARE:
        return None  # a call task's app decides what follows (it sees the outcome on the follow-up)
    decision = contact_decide(
        customer=customer, channel=ContactChannel.SMS, purpose=ContactPurpose.CARE, at=now, order=followup.order
    )
    if not decision and not decision.only_the_hour:
        return None
    # Within the store's SMS sending hours, like every care SMS.
    window_start, window_end = sms_window(
        policy=policy_for_store(store=followup.store), store=followup.store, moment=now
    )
    sms = FollowUp.objects.create(
        store=followup.store,
        customer=customer,
        order=followup.order,
        tier=followup.tier,
        channel=FollowUp.Channel.SMS,
        contact_day=followup.contact_day,
        window_start=window_start,
        window_end=window_end,
    )
    if merged := followups_hold_one_a_day(moved=[sms]).get(sms.pk):
        sms.status, sms.suppressed_reason, sms.merged_into_id = Status.SUPPRESSED, Reason.MERGED, merged
    # The orders merged into the call are the day's too (ADR 0051, "Nothing merged is lost"): the contact that goes
    # instead of it covers them as it covers the call's own, whatever closed the call.
    under = FollowUp.objects.filter(merged_into=followup, status=Status.SUPPRESSED).values_list("pk", flat=True)
    followups_set_merged_into(dict.fromkeys(under, merged or sms.pk))
    return sms


@transaction.atomic
def followup_log_outcome(
    *,
    followup: FollowUp,
    agent: Agent,
    outcome: str,
    expected_seq: int,
    cause: str = "",
    note: str = "",
    callback_at: datetime | None = None,
) -> CallAttempt:
    now = timezone.now()
    _validate(purpose=followup.purpose, outcome=outcome, cause=cause, callback_at=callback_at, now=now)
    followup = _lock(followup=followup, agent=agent)
    if followup.status in FollowUp.FINAL and followup.outcome != ClosedUnlogged.NOT_LOGGED:
        raise FollowUpClosed(followup_id=followup.pk)
    seq = followup.call_attempts.count() + 1
    if expected_seq != seq:
        raise FollowUpChanged(followup_id=followup.pk, expected_seq=expected_seq, seq=seq)

    attempt = CallAttempt(
        followup=followup, seq=seq, agent=agent, outcome=outcome, note=note.strip(), callback_at=callback_at, at=now
    )
    followup.attempts += 1
    sms_fallback = False
    followup.outcome = outcome
    followup.status = FollowUp.Status.DONE
    if outcome in _CASE_SOURCES:
        # Unhappy on a care call, or a complaint during a return visit: a case about the order the call was about.
        source, untold = _CASE_SOURCES[outcome]
        attempt.cause = cause
        attempt.case, _joined = case_open(
            store=followup.store,
            customer=followup.customer,
            order=followup.order,
            source=source,
            cause=cause,
            summary=note.strip() or (_(untold) if untold else ""),  # gettext("") would be the catalog's header
            actor=agent.user,
        )
    elif outcome == FollowUpOutcome.NO_ANSWER:
        retry_at = now + RETRY_AFTER
        max_attempts = policy_for_store(store=followup.store).max_call_attempts
        if followup.attempts < max_attempts and retry_at < followup.window_end:
            followup.status, followup.window_start = FollowUp.Status.PLANNED, retry_at
        else:
            sms_fallback = True
    elif outcome == FollowUpOutcome.CALL_BACK:
        _callback_allowed(followup=followup, callback_at=callback_at)
        length = followup.window_end - followup.window_start
        followup.status = FollowUp.Status.PLANNED
        followup.window_start, followup.window_end = callback_at, callback_at + max(length, timedelta(minutes=30))
    followup.save(update_fields=["attempts", "outcome", "status", "window_start", "window_end", "updated_at"])
    if outcome == FollowUpOutcome.DO_NOT_CALL:
        # After this call is closed: the wish takes back the customer's other planned calls, not this one.
        customer_stop_calls(customer=followup.customer, agent=agent)
    elif outcome == FollowUpOutcome.NO_ANSWER and followup.status == FollowUp.Status.PLANNED:
        # A wish recorded while this call rang (in progress, it was no waiting call to take back) rules its retry
        # out as it would any planned call: suppressed with the gate's reason, the care SMS instead where allowed.
        from .wishes import calls_withdraw_refused  # wishes builds on this module's care_sms_instead

        calls_withdraw_refused(customer=followup.customer)
        followup.refresh_from_db(fields=["status", "suppressed_reason"])
    if sms_fallback:  # after the call is closed: one live contact per order
        care_sms_instead(followup=followup, now=now)
    attempt.save()
    if outcome == FollowUpOutcome.CALL_BACK:
        # Asked for another day, it takes in the contact planned on it (ADR 0051): the customer's time stays.
        followups_hold_one_a_day(moved=[followup])
    followup_outcome_logged.send(sender=FollowUp, followup=followup, attempt=attempt)
    return attempt
