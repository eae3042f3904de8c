"""Parcel notices: planned through the contact gate, sent at most once like the care SMS (ADR 0011).

Planning (in the delay sweep's or the shipment's transaction) writes one ShipmentNotice per shipment, kind, rule
and channel; the unique constraint makes a second planning of the same one a no-op. The contact gate is asked
then (a standing refusal keeps the notice as `suppressed` with the gate's reason; "not now" moves `due_at` to the
gate's `not_before`) and again at the claim, because the customer's wishes and the ledger may have changed: the
claim writes the gate's ledger row in the same transaction, so the per-order cap counts across every rule.

Sending is the care SMS sweeper's (callbacks.services.dispatch, ADR 0011): parcel notices are a registered
`SmsQueue`, and this module is only its claim. Sent at most once, recorded guarded by the claim, a stuck claim
looked up at the provider before any resend, exactly as for the care SMS.

A call-tier parcel gets a call task (callbacks) and a `call` notice naming it; what came of the call comes back
through callbacks' `followup_outcome_logged` (`parcel_call_outcome_record`), missed calls included.
"""

from collections import defaultdict
from datetime import datetime
from string import Formatter

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from callbacks.models import (
    REACHED_OUTCOMES,
    CallAttempt,
    ClosedUncalled,
    FollowUp,
    FollowUpChannel,
    FollowUpOutcome,
    FollowUpPolicy,
    FollowUpPurpose,
    SmsLanguage,
)
from callbacks.services.claims import DueClaim, due_sms_queue
from callbacks.services.dispatch import DispatchReport, sms_dispatch_due, sms_queue_register
from callbacks.services.gate import ContactChannel, ContactPurpose, contacts_decide
from callbacks.services.messages import message_language
from callbacks.services.policy import policy_for_store
from callbacks.services.tasks_calls import call_task_create, call_task_due_on
from crm import bulk
from crm.models import Store
from crm.timezones import to_store_local
from logistics.models import DelayRule, LogisticsPolicy, Shipment, ShipmentNotice

from .policy import logistics_policy_for_store

Status = ShipmentNotice.Status
_NO_PRODUCT = {SmsLanguage.ZH_HANS: "商品", SmsLanguage.EN: "order"}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def notice_render(
    *,
    shipment: Shipment,
    key: str,
    followup_policy: FollowUpPolicy | None = None,
    policy: LogisticsPolicy | None = None,
) -> str:
    """The notice text for `key` (a rule, or "shipped") in the customer's language (else the store's) and the store's
    voice, with its opt-out."""
    store, order = shipment.store, shipment.order
    followup_policy = followup_policy or policy_for_store(store=store)
    language = message_language(customer=order.customer, policy=followup_policy)
    template = (policy or logistics_policy_for_store(store=store)).template(key, language)
    promised = ""
    if shipment.promised_date is not None:
        with override(language):
            promised = date_format(shipment.promised_date, "MONTH_DAY_FORMAT")
    text = Formatter().vformat(
        template,
        (),
        _Blank(
            name=order.customer.name,
            store=store.name,
            product=order.product_summary or _NO_PRODUCT[language],
            hotline=store.manager_hotline,
            promised=promised,
            tracking_number=shipment.tracking_number,
        ),
    )
    if language == SmsLanguage.ZH_HANS:
        return f"{text}{followup_policy.sms_opt_out_zh}"
    return f"{text} {followup_policy.sms_opt_out_en}"


def _decisions(store: Store, shipments: list[Shipment], now: datetime) -> dict:
    return contacts_decide(
        store=store,
        customer_ids=[s.order.customer_id for s in shipments],
        channel=ContactChannel.SMS,
        purpose=ContactPurpose.LOGISTICS,
        at=now,
        order_ids={s.order.customer_id: s.order_id for s in shipments},
    )


_NOTICE_KEY = ("shipment_id", "kind", "rule", "channel")  # ShipmentNotice's notice_once_per_rule


def _notice_key(row: dict) -> tuple:
    return tuple(row[name] for name in _NOTICE_KEY)


def _plan(*, store: Store, kind: str, rule: str, key: str, shipments: list[Shipment], now: datetime) -> int:
    if not shipments:
        return 0
    notices = []
    decisions = _decisions(store, shipments, now)
    followup_policy, policy = policy_for_store(store=store), logistics_policy_for_store(store=store)
    for shipment in shipments:
        decision = decisions[shipment.order.customer_id]
        refused = not decision and not decision.only_the_hour
        notices.append(
            {
                "store_id": store.pk,
                "shipment_id": shipment.pk,
                "order_id": shipment.order_id,
                "customer_id": shipment.order.customer_id,
                "kind": kind,
                "rule": rule,
                "channel": ShipmentNotice.Channel.SMS,
                "status": Status.SUPPRESSED if refused else Status.PLANNED,
                "suppressed_reason": decision.reason if refused else "",
                "due_at": (decision.not_before or now) if not decision and not refused else now,
                "message_body": ""
                if refused
                else notice_render(shipment=shipment, key=key, followup_policy=followup_policy, policy=policy),
            }
        )
    # A notice planned before (the unique key: a second planning is a no-op) is neither written nor counted.
    inserted = bulk.insert_new(ShipmentNotice, notices, key=_NOTICE_KEY)
    return sum(1 for n in notices if n["status"] == Status.PLANNED and _notice_key(n) in inserted)


def delay_notices_plan(*, store: Store, rule: str, shipments: list[Shipment], now: datetime) -> int:
    return _plan(store=store, kind=ShipmentNotice.Kind.DELAY, rule=rule, key=rule, shipments=shipments, now=now)


def shipping_notices_plan(*, shipment_ids: list[tuple[int, int]]) -> int:
    """The store's shipping notice for new shipments, given as (store id, shipment id), when the store turned it
    on (off by default)."""
    by_store: dict[int, list[int]] = defaultdict(list)
    for store_id, shipment_id in shipment_ids:
        by_store[store_id].append(shipment_id)
    planned = 0
    now = timezone.now()
    for store in Store.objects.select_related("logistics_policy").filter(pk__in=by_store):
        if not logistics_policy_for_store(store=store).shipping_notice:
            continue
        rows = list(Shipment.objects.filter(pk__in=by_store[store.pk]).select_related("store", "order__customer"))
        planned += _plan(store=store, kind=ShipmentNotice.Kind.SHIPPED, rule="", key="shipped", shipments=rows, now=now)
    return planned


def _is_call_tier(shipment: Shipment, policy) -> bool:
    order = shipment.order
    amount = policy.amount_in_policy_currency(order.total_amount, order.currency)
    return amount is not None and policy.channel_for(amount) in (FollowUpChannel.CALL, FollowUpChannel.DEDICATED)


def _call_note(shipment: Shipment, rule: str) -> str:
    local = to_store_local(shipment.last_event_at, shipment.store) if shipment.last_event_at else None
    last = (
        f"{local:%Y-%m-%d %H:%M} {shipment.last_event_location} {shipment.last_event_text}".strip()
        if local
        else _("No scan yet since %(shipped)s.")
        % {"shipped": f"{to_store_local(shipment.shipped_at, shipment.store):%Y-%m-%d %H:%M}"}
    )
    return _("%(rule)s — %(courier)s %(number)s. Courier's last event: %(last)s") % {
        "rule": DelayRule(rule).label,
        "courier": shipment.courier,
        "number": shipment.tracking_number,
        "last": last,
    }


def delay_call_tasks_plan(*, store: Store, rule: str, shipments: list[Shipment], now: datetime) -> int:
    """A call task for today (tomorrow once today's call hours are over; past the store's closures) for call-tier and
    dedicated orders."""
    policy = policy_for_store(store=store)
    due_on = call_task_due_on(store=store, now=now)
    made = 0
    for shipment in shipments:
        if not _is_call_tier(shipment, policy):
            continue
        task = call_task_create(
            order=shipment.order,
            customer=shipment.order.customer,
            purpose=FollowUpPurpose.LOGISTICS,
            due_on=due_on,
            note=_call_note(shipment, rule),
        )
        _notice, created = ShipmentNotice.objects.get_or_create(
            shipment=shipment,
            kind=ShipmentNotice.Kind.DELAY,
            rule=rule,
            channel=ShipmentNotice.Channel.CALL,
            defaults={
                "store": store,
                "order_id": shipment.order_id,
                "customer_id": shipment.order.customer_id,
                "status": Status.SUPPRESSED if task.suppressed_reason else Status.PLANNED,
                "suppressed_reason": task.suppressed_reason,
                "due_at": task.window_start,
                "call_task": f"followup:{task.pk}",
            },
        )
        made += created and not task.suppressed_reason
    return made


# A parcel's call task closed with one of these did not reach the customer: its call notice failed.
CALL_NOT_REACHED = (FollowUpOutcome.NO_ANSWER, FollowUpOutcome.WRONG_NUMBER, ClosedUncalled.MISSED)


def parcel_call_outcome_record(sender, *, followup: FollowUp, attempt: CallAttempt | None = None, **_kwargs) -> None:
    """callbacks.signals.followup_outcome_logged: a parcel's call task's outcome onto its call notices (one per rule
    that asked for the call), so the board shows what came of the call. The notice takes every outcome logged (or
    "missed", when nobody called in the task's window: no attempt); it fails once the task is closed without
    reaching the customer. The first attempt that reached the customer (`REACHED_OUTCOMES`) told them of the delay:
    its time is the notice's `sent_at` (`NOTICE_TOLD`, ADR 0021), kept whatever is logged after it."""
    if followup.purpose != FollowUpPurpose.LOGISTICS:
        return
    now = timezone.now()
    notices = ShipmentNotice.objects.filter(channel=ShipmentNotice.Channel.CALL, call_task=f"followup:{followup.pk}")
    if attempt is not None and attempt.outcome in REACHED_OUTCOMES:
        notices.filter(sent_at__isnull=True).update(sent_at=attempt.at, updated_at=now)
    changes = {"outcome": followup.outcome, "updated_at": now}
    if followup.status == FollowUp.Status.DONE and followup.outcome in CALL_NOT_REACHED:
        changes["status"] = Status.FAILED
    notices.filter(status=Status.PLANNED).update(**changes)


def parcel_calls_withdrawn(sender, *, followups: list[FollowUp], **_kwargs) -> None:
    """callbacks.signals.call_tasks_withdrawn: a parcel's call task callbacks took back for the customer's wishes (do
    not contact, no calls, the phone removed) takes its call notices with it, with the gate's reason, so the board
    no longer shows a call that will not come."""
    for followup in followups:
        if followup.purpose == FollowUpPurpose.LOGISTICS:
            ShipmentNotice.objects.filter(
                channel=ShipmentNotice.Channel.CALL, call_task=f"followup:{followup.pk}", status=Status.PLANNED
            ).update(status=Status.SUPPRESSED, suppressed_reason=followup.suppressed_reason, updated_at=timezone.now())


# -- the SMS queue ------------------------------------------------------------------------------------------------

# Due notices → `sending` with the gate's last word and its ledger row (callbacks.services.claims). One notice of an
# order at a time: two rules at once, and the second waits until the gate, seeing the first, decides it against the
# per-order cap.
PARCEL_NOTICES = due_sms_queue(
    name="parcel_notices",
    claim=DueClaim(
        model=ShipmentNotice,
        purpose=ContactPurpose.LOGISTICS,
        source="parcel_notice",
        reason_field="suppressed_reason",
        per_order=True,
    ),
    status_url="logistics_hooks:notice-status",
)
parcel_notices_claim = PARCEL_NOTICES.claim


def register() -> None:
    sms_queue_register(PARCEL_NOTICES)


def notices_send_due(*, time_budget: float | None = None) -> DispatchReport:
    """Send the due parcel notices now (the beat sweep of callbacks.dispatch_sms sends them with every queue)."""
    return sms_dispatch_due(time_budget=time_budget, queues=[PARCEL_NOTICES.name])
