"""The delay sweep: each rule, per store, over open shipments in SQL; what a delay sets off.

Each rule is one range over a partial index of open parcels (logistics.models.shipment), minus the parcels
that rule already fired on. Matching rows are claimed like the SMS sweeper claims its rows (SELECT ... FOR
UPDATE SKIP LOCKED, in batches, one transaction per batch): overlapping sweeps, or a push updating a parcel,
never block each other, and a parcel skipped now is seen by the next sweep. In the batch's transaction:

1. one ShipmentDelay per (shipment, rule), kept even when nothing can be sent, for the board and the report
   (inserted with ON CONFLICT DO NOTHING: of two sweeps that claimed one parcel, the one that stored it acts);
2. the customer is told first: a delay SMS in the store's voice through the contact gate (logistics.services
   .notices), at most once per shipment and rule, the gate's per-order cap counting across rules.

Then `delays_follow_up` claims the new delays the same way and makes what is made one row at a time:
3. call-tier and dedicated orders also get a call task for today in the agent's daytime queue, with the
   courier's last event on the panel (callbacks.services.tasks_calls.call_task_create);
4. an exception (疑难, 退签, 退回, provider exception, lost) opens a logistics case with the checkpoints as evidence.
The beat task runs both; the sweep's own work stays set-based, so a million open parcels take seconds.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from callbacks.models import FollowUpPurpose
from callbacks.services.tasks_calls import call_tasks_lock
from crm import bulk
from crm.models import Store
from crm.services.locks import customers_lock
from logistics.models import DelayRule, Shipment, ShipmentDelay, ShipmentState
from logistics.models.shipment import EXCEPTION_STATES

from .policy import logistics_policy_for_store

BATCH_SIZE = 1000
MOVING_STATES = (ShipmentState.PICKED_UP, ShipmentState.IN_TRANSIT, ShipmentState.REDIRECTED)


@dataclass
class SweepReport:
    found: dict[str, int] = field(default_factory=dict)
    notices: int = 0


@dataclass
class FollowUpReport:
    delays: int = 0
    call_tasks: int = 0
    cases: int = 0


def _rule_condition(rule: str, policy, now: datetime) -> Q:
    """The open parcels `rule` fires on for one store. Each condition is served by one partial index."""
    if rule == DelayRule.NO_FIRST_SCAN:
        return Q(first_scan_at__isnull=True, shipped_at__lt=now - timedelta(hours=policy.no_first_scan_hours))
    if rule == DelayRule.NO_UPDATE:
        return Q(
            first_scan_at__isnull=False,
            last_event_at__lt=now - timedelta(hours=policy.no_update_hours),
            state__in=MOVING_STATES,
        )
    if rule == DelayRule.PAST_PROMISED:
        return Q(promised_by__isnull=False, promised_by__lt=now) & ~Q(state__in=EXCEPTION_STATES)
    if rule == DelayRule.NOT_DELIVERED_TODAY:
        return Q(deliver_by__isnull=False, deliver_by__lt=now, state=ShipmentState.OUT_FOR_DELIVERY)
    return Q(state__in=EXCEPTION_STATES)


def delayed_shipments(*, store: Store, rule: str, now: datetime) -> QuerySet[Shipment]:
    policy = logistics_policy_for_store(store=store)
    fired = ShipmentDelay.objects.filter(shipment=OuterRef("pk"), rule=rule)
    return Shipment.objects.filter(_rule_condition(rule, policy, now), store=store, is_open=True).exclude(Exists(fired))


def delays_sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepReport:
    """Find every delay due now, store by store and rule by rule, and act on each once."""
    now = now or timezone.now()
    report = SweepReport()
    for store in Store.objects.select_related("logistics_policy").order_by("pk"):
        policy = logistics_policy_for_store(store=store)
        for rule in DelayRule.values:
            if not policy.rule_on(rule):
                continue
            while _sweep_batch(store=store, rule=rule, now=now, batch_size=batch_size, report=report):
                pass
    return report


@transaction.atomic
def _sweep_batch(*, store: Store, rule: str, now: datetime, batch_size: int, report: SweepReport) -> int:
    ids = list(
        delayed_shipments(store=store, rule=rule, now=now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    if not ids:
        return 0
    shipments = list(
        Shipment.objects.filter(pk__in=ids).select_related("order__customer__store", "store").order_by("pk")
    )
    delays_act(store=store, rule=rule, shipments=shipments, now=now, report=report)
    return len(ids)


def delays_act(*, store: Store, rule: str, shipments: list[Shipment], now: datetime, report: SweepReport) -> None:
    """Record the rule's delay of each shipment and tell the customer, for the shipments no other sweep got to
    first. The claim's snapshot can predate another sweep's commit of the same delay (its parcel lock is gone by
    the time this sweep takes it): that shipment's delay is left to the sweep that stored it."""
    from .notices import delay_notices_plan

    rows = [
        {
            "store_id": store.pk,
            "shipment_id": s.pk,
            "rule": rule,
            "found_at": now,
            "state": s.state,
            "last_event_text": s.last_event_text,
        }
        for s in shipments
    ]
    new = bulk.insert_new(ShipmentDelay, rows, key=("shipment_id", "rule"))
    if not new:
        return
    delayed = [s for s in shipments if (s.pk, rule) in new]
    report.found[rule] = report.found.get(rule, 0) + len(delayed)
    report.notices += delay_notices_plan(store=store, rule=rule, shipments=delayed, now=now)
    transaction.on_commit(_enqueue_follow_up)


def _enqueue_follow_up() -> None:
    from logistics.tasks import follow_up

    follow_up.delay()


def delays_follow_up(*, now: datetime | None = None, batch_size: int = 200) -> FollowUpReport:
    """Call tasks and cases for the delays found, batch after batch (SKIP LOCKED) until none is left."""
    report = FollowUpReport()
    while _follow_up_batch(now=now or timezone.now(), batch_size=batch_size, report=report):
        pass
    return report


@transaction.atomic
def _follow_up_batch(*, now: datetime, batch_size: int, report: FollowUpReport) -> int:
    from .cases import delay_cases_open
    from .notices import delay_call_tasks_plan

    ids = list(
        ShipmentDelay.objects.select_for_update(skip_locked=True)
        .filter(followed_up_at__isnull=True)
        .order_by("found_at", "id")
        .values_list("pk", flat=True)[:batch_size]
    )
    if not ids:
        return 0
    delays = list(
        ShipmentDelay.objects.filter(pk__in=ids)
        .select_related("store", "shipment__store", "shipment__order__customer__store")
        .order_by("store_id", "rule", "id")
    )
    # Another run may hold delays of the same orders: the call tasks are asked for under their locks, all taken now.
    call_tasks_lock(keys=[(delay.shipment.order_id, FollowUpPurpose.LOGISTICS) for delay in delays])
    customers_lock(delay.shipment.order.customer_id for delay in delays)  # in id order, as call_task_create locks each
    by_store_rule: dict[tuple[int, str], list[ShipmentDelay]] = {}
    for delay in delays:
        by_store_rule.setdefault((delay.store_id, delay.rule), []).append(delay)
    for (_store_id, rule), group in by_store_rule.items():
        store = group[0].store
        report.call_tasks += delay_call_tasks_plan(
            store=store, rule=rule, shipments=[d.shipment for d in group], now=now
        )
        if rule == DelayRule.EXCEPTION:
            report.cases += delay_cases_open(store=store, delays=group)
    ShipmentDelay.objects.filter(pk__in=ids).update(followed_up_at=now)
    report.delays += len(ids)
    return len(ids)
