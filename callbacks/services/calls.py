"""Click-to-call: ring the agent first, then bridge the customer (TwiML served by callbacks.webhooks).

The agent pages call `call_start` (an evening follow-up) or `case_call_start` (a call about a case) and show
`Call.status`; provider status callbacks (or `call_refresh`) move that status forward only.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.errors import AgentPhoneMissing, CallNotAllowed, CaseCallClosed, TelephonyFailed
from callbacks.models import CALL_CHANNELS, Call, CaseCall, FollowUp
from callbacks.telephony import TelephonyError, get_backend
from crm.errors import PermissionDenied
from crm.models import Agent

from .gate import (
    ContactChannel,
    ContactDecision,
    ContactPurpose,
    contact_decide,
    contact_override,
    contact_record,
    gate_purpose,
)
from .messages import public_url
from .policy import policy_for_store

_CALL_RANK = {
    Call.Status.QUEUED: 0,
    Call.Status.INITIATED: 1,
    Call.Status.RINGING: 2,
    Call.Status.IN_PROGRESS: 3,
    **dict.fromkeys(Call.FINAL, 4),
}


def call_purpose(subject: FollowUp | CaseCall) -> str:
    """What a call is for, to the contact gate: a case call is about a case; a follow-up says by its purpose."""
    return ContactPurpose.CASE.value if isinstance(subject, CaseCall) else gate_purpose(subject.purpose)


def call_decide(*, subject: FollowUp | CaseCall) -> ContactDecision:
    """The gate's answer for calling the subject's customer now (what the panel's call button shows)."""
    return contact_decide(
        customer=subject.customer, channel=ContactChannel.CALL, purpose=call_purpose(subject), order=subject.order
    )


def _ring(
    *, subject: FollowUp | CaseCall, agent: Agent, bridge: str, status_callback: str, override: bool = False
) -> Call:
    """The checks every call shares, then ring the agent and record the call. `subject` is locked by the caller.

    The contact gate decides whether the customer may be called now; outside the store's call hours only an
    explicit `override` by the agent calls anyway, and the override is audited (ADR 0017)."""
    customer = subject.customer
    kind = "case_call" if isinstance(subject, CaseCall) else "followup"
    owner, ids = {kind: subject}, {f"{kind}_id": subject.pk}  # the Call's FK; what the errors name
    if not agent.stores.filter(pk=subject.store_id).exists():
        raise PermissionDenied(_("The agent does not serve this store."))
    decision = call_decide(subject=subject)
    if not decision and override and decision.only_the_hour:
        decision = contact_override(
            decision=decision,
            customer=customer,
            channel=ContactChannel.CALL,
            purpose=call_purpose(subject),
            agent=agent,
            subject=f"{kind}:{subject.pk}",
        )
    if not decision:
        not_before = decision.not_before.isoformat() if decision.not_before else None
        raise CallNotAllowed(
            decision.detail, reason=decision.reason, not_before=not_before, overridable=decision.only_the_hour, **ids
        )
    if subject.attempts >= policy_for_store(store=subject.store).max_call_attempts:
        raise CallNotAllowed(_("The store's maximum number of call attempts is reached."), **ids)
    if subject.calls.exclude(status__in=Call.FINAL).exists():
        raise CallNotAllowed(_("A call to this customer is already under way."), **ids)
    if not agent.phone:
        raise AgentPhoneMissing(field="phone")
    try:
        placed = get_backend().start_call(
            agent_phone=agent.phone,
            customer_phone=customer.phone,
            twiml_url=public_url(bridge, subject.pk),
            status_callback=public_url(status_callback, subject.pk),
        )
    except TelephonyError as exc:
        raise TelephonyFailed(str(exc), code_from_provider=exc.code) from exc
    status = placed.status if placed.status in Call.Status.values else Call.Status.QUEUED
    call = Call.objects.create(agent=agent, provider_id=placed.sid, status=status, started_at=timezone.now(), **owner)
    contact_record(
        customer=customer,
        channel=ContactChannel.CALL,
        purpose=call_purpose(subject),
        order=subject.order,
        at=call.started_at,
        source="click_to_call",
    )
    # Attempts are counted when the agent logs the outcome (services.outcomes), not here.
    subject.status = FollowUp.Status.IN_PROGRESS
    subject.save(update_fields=["status", "updated_at"])
    return call


@transaction.atomic
def call_start(*, followup: FollowUp, agent: Agent, override: bool = False) -> Call:
    """Place a call for a follow-up: the agent's phone rings, then the customer is connected."""
    followup = FollowUp.objects.select_for_update().select_related("customer", "store").get(pk=followup.pk)
    if followup.channel not in CALL_CHANNELS or followup.status not in (
        FollowUp.Status.PLANNED,
        FollowUp.Status.IN_PROGRESS,
    ):
        raise CallNotAllowed(_("This follow-up is not an open call."), followup_id=followup.pk)
    return _ring(
        subject=followup,
        agent=agent,
        bridge="twilio:call-bridge",
        status_callback="twilio:call-status",
        override=override,
    )


@transaction.atomic
def case_call_start(*, case_call: CaseCall, agent: Agent, override: bool = False) -> Call:
    """Place the call of a case call: the same rules and bridging as a follow-up's call."""
    case_call = CaseCall.objects.select_for_update().select_related("customer", "store").get(pk=case_call.pk)
    if case_call.status not in CaseCall.OPEN_STATUSES:
        raise CaseCallClosed(case_call_id=case_call.pk)
    return _ring(
        subject=case_call,
        agent=agent,
        bridge="twilio:case-call-bridge",
        status_callback="twilio:case-call-status",
        override=override,
    )


@transaction.atomic
def call_status_advance(*, call: Call, status: str, duration_seconds: int | None = None) -> Call:
    """Move a call's status forward; duplicates and late, out-of-order reports change nothing."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if status not in _CALL_RANK or _CALL_RANK[status] <= _CALL_RANK[call.status]:
        return call
    call.status = status
    if status in Call.FINAL:
        call.ended_at, call.duration_seconds = timezone.now(), duration_seconds
    call.save(update_fields=["status", "ended_at", "duration_seconds"])
    return call


def call_refresh(*, call: Call) -> Call:
    """Ask the provider for the call's status (when callbacks cannot reach us, e.g. on a laptop)."""
    try:
        current = get_backend().fetch_call(sid=call.provider_id)
    except TelephonyError as exc:
        raise TelephonyFailed(str(exc)) from exc
    return call_status_advance(call=call, status=current.status, duration_seconds=current.duration_seconds)
