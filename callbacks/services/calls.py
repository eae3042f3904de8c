"""Click-to-call: ring the agent first, then bridge the customer (TwiML served by callbacks.webhooks).

The agent pages call `call_start` (an evening follow-up) or `case_call_start` (a call about a case) and show
`Call.status`; provider status callbacks (or `call_refresh`) move that status forward only.

A provider's "create call" is not idempotent, so a call is placed at most once and never left unrecorded, the way
a care SMS is sent (ADR 0011, "Click to call"):

1. Claim, in one transaction with the subject locked: the checks, then the `Call` row `placing` (no provider id
   yet), its contact ledger row and the subject `in_progress`, committed before the provider is asked. A second
   click waits on the lock, then finds this call under way and is refused.
2. Place, with no transaction open, and only while the claim is young (dispatch.send_deadline).
3. Record the provider's id in a second transaction (`call_record_placed`). An answer proving nothing was placed
   (a refusal, throttling, no connection) marks the call `failed` and gives back its ledger row and the subject's
   status. A 5xx is an answer too: the provider is asked at once for the call, as the reconciler asks (4); one it
   has is recorded, none is settled as a refusal. No answer (a timeout), a failed write, or a provider that cannot
   say leaves it `placing`.
4. A call left `placing` gets its id from the first status callback naming its subject (services.inbound), or from
   `calls_reconcile_stuck` once no request for it can be in flight: found at the provider → its id; else it was never
   placed, and is settled as a refusal is (3): `failed`, its ledger row and the subject's status given back.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.errors import AgentPhoneMissing, CallNotAllowed, CaseCallClosed, TelephonyFailed
from callbacks.models import CALL_CHANNELS, Call, CaseCall, FollowUp
from callbacks.telephony import OutcomeUnknown, ProviderCall, ProviderServerError, TelephonyError, get_backend
from crm.errors import PermissionDenied
from crm.models import Agent
from crm.services.locks import customers_lock

from .dispatch import CLOCK_SKEW, reconcile_cutoff, send_deadline
from .gate import (
    ContactChannel,
    ContactDecision,
    ContactPurpose,
    contact_decide,
    contact_override,
    contact_record,
    contacts_forget,
    contacts_refused_now,
    gate_purpose,
)
from .messages import public_url
from .policy import policy_for_store

_LEDGER_SOURCE = "click_to_call"
_RECONCILE_BATCH = 100
_CALL_RANK = {
    Call.Status.PLACING: -1,
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


def call_bridge_refusal(*, subject: FollowUp | CaseCall) -> ContactDecision | None:
    """The last look before the customer is dialled, when the agent has answered (the bridge's TwiML): the gate's
    refusal when the customer's word, as last committed, now refuses this call (do not contact, no calls, or for a
    marketing call the opt-out and consent: a colleague's change or a STOP while the agent's phone rang), else None.
    The hour and the caps are not asked again: they were the click's, and an agent may have overridden the hour. What
    remains is a change committing after this read, while the customer's phone rings."""
    purpose = call_purpose(subject)
    refused = contacts_refused_now(channel=ContactChannel.CALL, wanted=[(subject.customer_id, purpose)])
    return refused.get((subject.customer_id, purpose))


@dataclass(frozen=True)
class _Claim:
    """A call recorded `placing`, and what the provider is to be asked."""

    call: Call
    subject: FollowUp | CaseCall
    agent_phone: str
    customer_phone: str
    twiml_url: str
    status_callback: str


def _claim(
    *, subject: FollowUp | CaseCall, agent: Agent, bridge: str, status_callback: str, override: bool = False
) -> _Claim:
    """The checks every call shares, then record the call `placing`. `subject` is locked by the caller, whose
    transaction commits the claim before the provider is asked (`_place`).

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
    if subject.calls.exclude(status__in=Call.FINAL).exists():  # `placing` included: a double click places one
        raise CallNotAllowed(_("A call to this customer is already under way."), **ids)
    if not agent.phone:
        raise AgentPhoneMissing(field="phone")
    call = Call.objects.create(agent=agent, status=Call.Status.PLACING, started_at=timezone.now(), **owner)
    contact_record(
        customer=customer,
        channel=ContactChannel.CALL,
        purpose=call_purpose(subject),
        order=subject.order,
        at=call.started_at,
        source=_LEDGER_SOURCE,
    )
    # Attempts are counted when the agent logs the outcome (services.outcomes), not here.
    subject.status = FollowUp.Status.IN_PROGRESS
    subject.save(update_fields=["status", "updated_at"])
    return _Claim(
        call=call,
        subject=subject,
        agent_phone=agent.phone,
        customer_phone=customer.phone,
        twiml_url=public_url(bridge, subject.pk),
        status_callback=public_url(status_callback, subject.pk),
    )


def _place(claim: _Claim) -> Call:
    """Ask the provider to ring the agent, with no transaction open, then record its answer."""
    call = claim.call
    if timezone.now() >= send_deadline(call.started_at):
        return call  # stalled since the claim: the reconciler may already be looking for it, so never start now
    try:
        placed = get_backend().start_call(
            agent_phone=claim.agent_phone,
            customer_phone=claim.customer_phone,
            twiml_url=claim.twiml_url,
            status_callback=claim.status_callback,
        )
    except ProviderServerError as exc:
        return _server_error_looked_up(claim, exc)
    except OutcomeUnknown:
        return call  # perhaps placed: left `placing` for a status callback or the reconciler to settle
    except TelephonyError as exc:  # refused, throttled or unreachable: nothing was placed
        _placing_failed(claim)
        raise TelephonyFailed(code_from_provider=exc.code, provider_message=str(exc)) from exc
    return call_record_placed(call=call, placed=placed)


def _server_error_looked_up(claim: _Claim, error: ProviderServerError) -> Call:
    """The provider answered a 5xx: it may have placed the call before failing, but it has answered, so no request of
    ours for this call is in flight and it can be asked now what the reconciler would ask later (`_reconciled`). The
    call it has is recorded and goes on; none means it placed nothing, and the call is settled as a refusal is
    (`failed`, its ledger row and the subject's status given back) and the agent told, who may click again. A provider
    that cannot say leaves the call `placing` for a status callback or the reconciler."""
    call = claim.call
    try:
        found = get_backend().list_calls(to=claim.agent_phone, placed_after=call.started_at - CLOCK_SKEW)
    except TelephonyError:
        return call
    _reconciled(call=call, found=found)
    call.refresh_from_db()
    if call.status == Call.Status.FAILED:
        raise TelephonyFailed(code_from_provider=error.code, provider_message=str(error)) from error
    return call


@transaction.atomic
def _placing_failed(claim: _Claim) -> None:
    """The provider refused the call (or could not be reached): nothing was placed."""
    _unplaced(call=claim.call)


def _unplaced(*, call: Call) -> bool:
    """The provider placed nothing for a call recorded `placing`: it refused, or the reconciler found no trace of it.
    The call is `failed`; its contact ledger row is taken back (it was never a contact); and its subject, which the
    claim put in progress, goes back to the queue: planned again, so that an agent can call, and the missed-calls
    sweep closes it if nobody does, unless another of its calls since its last logged outcome reached the provider
    (that call still waits for its outcome). The subject is locked first, as a click locks it. Runs in the caller's
    transaction; False when the call was settled otherwise meanwhile (no longer `placing`)."""
    subject_model = CaseCall if call.case_call_id else FollowUp
    subject = subject_model.objects.select_for_update(of=("self",)).get(pk=call.case_call_id or call.followup_id)
    now = timezone.now()
    changes = {"status": Call.Status.FAILED, "ended_at": now}
    if not Call.objects.filter(pk=call.pk, status=Call.Status.PLACING, provider_id="").update(**changes):
        return False
    if subject.status == FollowUp.Status.IN_PROGRESS and not _placed_since_last_outcome(subject=subject, call=call):
        subject.status = FollowUp.Status.PLANNED
        subject.save(update_fields=["status", "updated_at"])
    order = subject.order
    named = {"order_ids": [order.pk]} if order is not None else {"customer_ids": [subject.customer_id]}
    contacts_forget(at=call.started_at, source=_LEDGER_SOURCE, **named)
    return True


def _placed_since_last_outcome(*, subject: FollowUp | CaseCall, call: Call) -> bool:
    """Whether another call of the subject, since the last outcome logged on it, reached the provider."""
    others = subject.calls.exclude(pk=call.pk).exclude(provider_id="")
    last_outcome = subject.call_attempts.aggregate(at=Max("at"))["at"]
    if last_outcome is not None:
        others = others.filter(started_at__gt=last_outcome)
    return others.exists()


@transaction.atomic
def call_record_placed(*, call: Call, placed: ProviderCall) -> Call:
    """The provider's id for a call recorded `placing`, from whichever tells first: the provider's answer, a
    status callback for its subject, or the reconciler. Whatever comes later only moves the status forward."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status == Call.Status.PLACING and not call.provider_id:
        call.provider_id, call.status = placed.sid, Call.Status.QUEUED  # the provider has taken it
        call.save(update_fields=["provider_id", "status"])
    if call.provider_id != placed.sid:
        return call  # settled otherwise meanwhile (the reconciler found nothing): another call's news
    return call_status_advance(call=call, status=placed.status, duration_seconds=placed.duration_seconds)


@transaction.atomic
def _claim_followup(*, followup: FollowUp, agent: Agent, override: bool) -> _Claim:
    # The customer, whose wishes the gate reads, before the call (ADR 0037): an opt-out being written is waited for.
    customers_lock([followup.customer_id])
    followup = FollowUp.objects.select_for_update(of=("self",)).select_related("customer", "store").get(pk=followup.pk)
    if followup.channel not in CALL_CHANNELS or followup.status not in (
        FollowUp.Status.PLANNED,
        FollowUp.Status.IN_PROGRESS,
    ):
        raise CallNotAllowed(_("This follow-up is not an open call."), followup_id=followup.pk)
    return _claim(
        subject=followup,
        agent=agent,
        bridge="twilio:call-bridge",
        status_callback="twilio:call-status",
        override=override,
    )


def call_start(*, followup: FollowUp, agent: Agent, override: bool = False) -> Call:
    """Place a call for a follow-up: the agent's phone rings, then the customer is connected. Call it outside any
    transaction: the call is recorded and committed before the provider is asked."""
    return _place(_claim_followup(followup=followup, agent=agent, override=override))


@transaction.atomic
def _claim_case_call(*, case_call: CaseCall, agent: Agent, override: bool) -> _Claim:
    customers_lock([case_call.customer_id])  # the customer before the call (ADR 0037)
    case_call = (
        CaseCall.objects.select_for_update(of=("self",)).select_related("customer", "store").get(pk=case_call.pk)
    )
    if case_call.status not in CaseCall.OPEN_STATUSES:
        raise CaseCallClosed(case_call_id=case_call.pk)
    return _claim(
        subject=case_call,
        agent=agent,
        bridge="twilio:case-call-bridge",
        status_callback="twilio:case-call-status",
        override=override,
    )


def case_call_start(*, case_call: CaseCall, agent: Agent, override: bool = False) -> Call:
    """Place the call of a case call: the same rules, bridging and recording as a follow-up's call."""
    return _place(_claim_case_call(case_call=case_call, agent=agent, override=override))


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
    """Ask the provider for the call's status (when callbacks cannot reach us, e.g. on a laptop). A call still
    being placed has no id to ask about yet: `calls_reconcile_stuck` settles it."""
    if not call.provider_id:
        return call
    try:
        current = get_backend().fetch_call(sid=call.provider_id)
    except TelephonyError as exc:
        raise TelephonyFailed(code_from_provider=exc.code, provider_message=str(exc)) from exc
    return call_status_advance(call=call, status=current.status, duration_seconds=current.duration_seconds)


def calls_reconcile_stuck() -> int:
    """Calls still `placing` once no request for them can be in flight (the provider's answer was lost, or its
    recording failed): the provider's calls to the agent's phone since the claim are asked for. The oldest one no
    call of ours holds is this call's; none means it was never placed (`_unplaced`: failed, its ledger row and its
    subject given back, so the customer can still be called or the call is missed). A provider that
    cannot answer is asked again next sweep. Returns how many calls were settled.

    Stuck calls are read without locks and looked up with no transaction open; each is written in a short
    transaction guarded by `placing`, so a status callback that settled it meanwhile wins (as in ADR 0011)."""
    stuck = list(
        Call.objects.filter(status=Call.Status.PLACING, provider_id="", started_at__lt=reconcile_cutoff())
        .select_related("agent")
        .order_by("started_at", "pk")[:_RECONCILE_BATCH]
    )
    backend, settled = get_backend(), 0
    for call in stuck:
        try:
            found = backend.list_calls(to=call.agent.phone, placed_after=call.started_at - CLOCK_SKEW)
        except TelephonyError:
            continue
        settled += _reconciled(call=call, found=found)
    return settled


@transaction.atomic
def _reconciled(*, call: Call, found: list[ProviderCall]) -> bool:
    held = set(Call.objects.filter(provider_id__in=[c.sid for c in found]).values_list("provider_id", flat=True))
    placed = next((c for c in found if c.sid not in held), None)
    if placed is not None:
        return call_record_placed(call=call, placed=placed).provider_id == placed.sid
    return _unplaced(call=call)  # never placed: as if the provider had refused it
