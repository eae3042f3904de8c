"""Parcel notices: planned through the contact gate, sent at most once like the care SMS (ADR 0011).

Planning (in the delay sweep's or the shipment's transaction) writes one ShipmentNotice per shipment, kind, rule
and channel; the unique constraint makes a second planning of the same one a no-op. The contact gate is asked
then (a standing refusal keeps the notice as `suppressed` with the gate's reason; "not now" moves `due_at` to the
gate's `not_before`) and again at the claim, because the customer's wishes and the ledger may have changed: the
claim writes the gate's ledger row in the same transaction, so the per-order cap counts across every rule.

Sending reuses the care SMS protocol's steps (callbacks.services.sms_once): claim with SKIP LOCKED, send only
while the claim is young, record guarded by the claim, look a stuck claim up at the provider before a resend.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial
from string import Formatter

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from callbacks.models import FollowUpChannel, FollowUpPolicy, FollowUpPurpose, SmsLanguage
from callbacks.services.gate import ContactChannel, ContactPurpose, ContactRow, contacts_decide, contacts_record
from callbacks.services.policy import policy_for_store
from callbacks.services.sms_once import (
    SMS_MAX_ATTEMPTS,
    DispatchReport,
    send_deadline,
    sms_answer_apply,
    sms_lookup,
    sms_send,
    sms_senders,
)
from callbacks.services.tasks_calls import call_task_create
from callbacks.telephony import TelephonyError, get_backend
from crm.models import Store
from crm.timezones import store_today, to_store_local
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
    """The notice text for `key` (a rule, or "shipped") in the store's language and voice, with its opt-out."""
    store, order = shipment.store, shipment.order
    followup_policy = followup_policy or policy_for_store(store=store)
    language = followup_policy.sms_language
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
            ShipmentNotice(
                store=store,
                shipment=shipment,
                order_id=shipment.order_id,
                customer_id=shipment.order.customer_id,
                kind=kind,
                rule=rule,
                channel=ShipmentNotice.Channel.SMS,
                status=Status.SUPPRESSED if refused else Status.PLANNED,
                suppressed_reason=decision.reason if refused else "",
                due_at=(decision.not_before or now) if not decision and not refused else now,
                message_body=""
                if refused
                else notice_render(shipment=shipment, key=key, followup_policy=followup_policy, policy=policy),
            )
        )
    created = ShipmentNotice.objects.bulk_create(notices, ignore_conflicts=True)
    if any(n.status == Status.PLANNED for n in created):
        transaction.on_commit(_enqueue_dispatch)
    return sum(1 for n in created if n.status == Status.PLANNED)


def delay_notices_plan(*, store: Store, rule: str, shipments: list[Shipment], now: datetime) -> int:
    return _plan(store=store, kind=ShipmentNotice.Kind.DELAY, rule=rule, key=rule, shipments=shipments, now=now)


def shipping_notices_plan(*, shipments: list[Shipment]) -> int:
    """The store's shipping notice for new shipments, when the store turned it on (off by default)."""
    by_store: dict[int, list[Shipment]] = defaultdict(list)
    for shipment in shipments:
        by_store[shipment.store_id].append(shipment)
    planned = 0
    now = timezone.now()
    for store in Store.objects.select_related("logistics_policy").filter(pk__in=by_store):
        if not logistics_policy_for_store(store=store).shipping_notice:
            continue
        rows = list(
            Shipment.objects.filter(pk__in=[s.pk for s in by_store[store.pk]]).select_related(
                "store", "order__customer"
            )
        )
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
    """A call task for today (tomorrow once today's call hours are over) for call-tier and dedicated orders."""
    policy = policy_for_store(store=store)
    today = store_today(store, now=now)
    local_now = to_store_local(now, store).time()
    due_on = today if local_now < policy.call_hours_until else today + timedelta(days=1)
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


# -- sending -----------------------------------------------------------------------------------------------------

_CLAIM_FIELDS = ["status", "suppressed_reason", "due_at", "claimed_at", "attempts"]


def _enqueue_dispatch() -> None:
    from logistics.tasks import send_notices

    send_notices.delay()


@transaction.atomic
def _claim(*, now: datetime, limit: int, report: DispatchReport) -> tuple[list[ShipmentNotice], int]:
    """(the notices claimed for sending, how many due rows were read); a second notice of an order waits."""
    ids = list(
        ShipmentNotice.objects.select_for_update(skip_locked=True)
        .filter(status=Status.PLANNED, channel=ShipmentNotice.Channel.SMS, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    rows = list(ShipmentNotice.objects.filter(pk__in=ids).select_related("customer", "store").order_by("due_at", "id"))
    claimed, ledger, orders_in_claim = [], [], set()
    by_store: dict[int, list[ShipmentNotice]] = defaultdict(list)
    for row in rows:
        by_store[row.store_id].append(row)
    for store_rows in by_store.values():
        store = store_rows[0].store
        decisions = contacts_decide(
            store=store,
            customer_ids=[r.customer_id for r in store_rows],
            channel=ContactChannel.SMS,
            purpose=ContactPurpose.LOGISTICS,
            at=now,
            order_ids={r.customer_id: r.order_id for r in store_rows},
        )
        for row in store_rows:
            decision = decisions[row.customer_id]
            if row.order_id in orders_in_claim:
                continue  # the cap counts this claim's ledger rows only once committed: the next claim decides
            if decision:
                row.status, row.claimed_at, row.attempts = Status.SENDING, now, row.attempts + 1
                orders_in_claim.add(row.order_id)
                claimed.append(row)
                if row.attempts > 1:
                    continue  # a retry (the provider was busy, or a reconciliation found nothing) is the same message
                ledger.append(
                    ContactRow(
                        customer_id=row.customer_id,
                        store_id=row.store_id,
                        channel=ContactChannel.SMS,
                        purpose=ContactPurpose.LOGISTICS,
                        order_id=row.order_id,
                        at=now,
                        source=f"logistics:{row.kind}:{row.rule}" if row.rule else f"logistics:{row.kind}",
                    )
                )
            elif decision.only_the_hour:
                row.due_at = decision.not_before or now + timedelta(hours=1)
                report.rescheduled += 1
            else:
                row.status, row.suppressed_reason = Status.SUPPRESSED, decision.reason
                report.suppressed += 1
    ShipmentNotice.objects.bulk_update(rows, _CLAIM_FIELDS)
    contacts_record(rows=ledger)
    return claimed, len(rows)


def _status_url(pk: int) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("logistics_hooks:notice-status", args=[pk])


def _send(row: ShipmentNotice, *, backend, deadline: datetime):
    return sms_send(row, backend=backend, deadline=deadline, status_callback=_status_url(row.pk))


def _record(answers: list[tuple[ShipmentNotice, object]], report: DispatchReport) -> None:
    from callbacks.services.gate import customers_opt_out_sms

    now = timezone.now()
    with transaction.atomic():
        for row, result in answers:
            claimed_at = row.claimed_at
            if not sms_answer_apply(row, result, report, now):
                continue
            ShipmentNotice.objects.filter(pk=row.pk, status=Status.SENDING, claimed_at=claimed_at).update(
                status=row.status,
                claimed_at=row.claimed_at,
                provider_id=row.provider_id,
                provider_status=row.provider_status,
                sent_at=row.sent_at,
                outcome=row.outcome,
                error_code=row.error_code,
                updated_at=now,
            )
        opted_out = [row.customer_id for row, _result in answers if row.outcome == "opted_out"]
        if opted_out:
            customers_opt_out_sms(customer_ids=opted_out)


def notices_send_due(*, now: datetime | None = None, limit: int | None = None) -> DispatchReport:
    """Reconcile stuck notices, then claim and send due ones, batch after batch until none is due."""
    report = DispatchReport()
    notices_reconcile_stuck(report=report)
    backend = get_backend()
    while True:
        claimed_at = now or timezone.now()
        batch, seen = _claim(now=claimed_at, limit=limit or settings.SMS_BATCH_SIZE, report=report)
        if not seen:
            return report
        send = partial(_send, backend=backend, deadline=send_deadline(claimed_at))
        results = sms_senders().map(send, batch)
        _record(list(zip(batch, results, strict=True)), report)


def notices_reconcile_stuck(*, report: DispatchReport | None = None) -> DispatchReport:
    """Notices in `sending` past any in-flight request: ask the provider what it accepted before a resend."""
    report = report or DispatchReport()
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS)
    with transaction.atomic():
        stuck = list(
            ShipmentNotice.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Status.SENDING, claimed_at__lt=cutoff)
            .select_related("customer")
            .order_by("claimed_at")[: settings.SMS_BATCH_SIZE]
        )
        backend = get_backend()
        for row in stuck:
            match = sms_lookup(row, backend=backend)
            if isinstance(match, TelephonyError):
                report.errors.append(f"reconcile notice {row.pk}: {match}")
                continue
            rows = ShipmentNotice.objects.filter(pk=row.pk)
            if match is not None:
                rows.update(status=Status.SENT, provider_id=match.sid, provider_status=match.status, sent_at=now)
                report.reconciled_sent += 1
            elif row.attempts >= SMS_MAX_ATTEMPTS:
                rows.update(status=Status.FAILED, outcome="gave_up", updated_at=now)
                report.failed += 1
            else:
                # Planned again, as the same message: its ledger row stays, and its retry adds none.
                rows.update(status=Status.PLANNED, claimed_at=None, updated_at=now)
                report.reconciled_replanned += 1
    return report
