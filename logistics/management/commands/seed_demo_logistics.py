"""Demo parcels: every demo order still on its way is tracked; in each store one parcel has stalled for days, and its
customer is told first (a delay SMS in the store's SMS hours; a call task for a call-tier order). The jade
store's stalled parcel's customer asked to be called back tomorrow evening, when the store is closed: its manager
recorded the closure afterwards (crm.demo.DemoClosure), and the call moved to the next day it is open.

Run after seed_demo. Idempotent. Writes var/demo_tracking_plan.json, which devtools/run_embedded.py hands to the
local Kuaidi100-speaking server: the stalled parcels get no push, one parcel of the first store runs into 疑难,
the others are on their way (picked up, at a hub a few hours ago) and are signed for as the server moves them (and then
followed up like any delivery).
"""

import json
from datetime import date, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from callbacks.models import FollowUp, FollowUpOutcome
from callbacks.services.outcomes import followup_log_outcome
from crm.demo import STORES, DemoClosure
from crm.management.commands.seed_demo import demo_closure_days, demo_closure_record
from crm.models import Order, Store
from crm.timezones import store_local_datetime, store_today
from logistics.models import Shipment
from logistics.services.delays import delays_follow_up, delays_sweep
from logistics.services.notices import notices_send_due
from logistics.services.shipments import ShipmentInput, shipments_record
from logistics.services.updates import TrackedCheckpoint, TrackingUpdate, shipment_apply_update

# When the customer of a stalled parcel asked to be called back (crm.demo.DemoClosure.call_back_note), store time.
CALL_BACK_AT = time(19, 30)
# The demo's courier names (seed_demo) as Kuaidi100 codes.
COURIER_CODES = {"顺丰速运": "shunfeng", "京东物流": "jd", "中通快递": "zhongtong"}


class Command(BaseCommand):
    help = "Track the demo orders still on their way; one parcel per store stalls, one runs into trouble (疑难)."

    @transaction.atomic
    def handle(self, *args, **options):
        plan: dict[str, str] = {"*": "arriving"}
        orders = list(
            Order.objects.filter(delivered_at__isnull=True, shipped_at__isnull=False)
            .exclude(tracking_number="")
            .select_related("store")
            .order_by("store_id", "external_id")
        )
        now = timezone.now()
        inputs = [
            ShipmentInput(
                store_id=order.store_id,
                order_id=order.pk,
                courier=COURIER_CODES.get(order.courier, "shunfeng"),
                tracking_number=order.tracking_number,
                shipped_at=min(order.shipped_at, now),
                promised_date=store_today(order.store, now=now) + timedelta(days=2),
                order_external_id=order.external_id,
            )
            for order in orders
        ]
        shipments_record(shipments=inputs)
        by_store: dict[int, list[Shipment]] = {}
        for shipment in Shipment.objects.filter(order__in=orders).select_related("order").order_by("pk"):
            by_store.setdefault(shipment.store_id, []).append(shipment)
        for index, shipments in enumerate(by_store.values()):
            stalled, *rest = shipments
            plan[stalled.tracking_number] = "hold"
            if rest and index == 0:
                plan[rest[0].tracking_number] = "exception"
            for shipment in shipments:
                if not shipment.checkpoints.exists():
                    hub_at = now - timedelta(hours=5)
                    if shipment is stalled:
                        hub_at = shipment.shipped_at + timedelta(hours=9)
                    self._history(shipment, hub_at)
        # The sweep the worker runs in its first minute, the follow-up it enqueues and the SMS sweep, run now: the
        # stalled parcels' delays are found, their customers told first (the delay SMS sent now where the store's SMS
        # hours are open, else when they open) and the call-tier ones' call tasks made, before `make run`'s
        # refresh_rollups, so the board and the report's parcel sections show them at once.
        delays_sweep()
        delays_follow_up()
        notices_send_due(time_budget=10)
        for demo in STORES:
            store = Store.objects.filter(code=demo.code).first()
            for closure in demo.closures if store else ():
                if not closure.ended_early and (days := demo_closure_days(store, closure)) is not None:
                    self._call_back_moved_by(store, closure, days)
        path = settings.VAR_DIR / "demo_tracking_plan.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(plan, ensure_ascii=False, indent=1))
        self.stdout.write(self.style.SUCCESS(f"Demo parcels tracked: {len(inputs)}; the plan is in {path}."))

    def _call_back_moved_by(self, store: Store, closure: DemoClosure, days: tuple[date, date]) -> None:
        """The customer of the store's stalled parcel asked to be called back on the closure's first evening; then
        its manager recorded the closure (ADR 0035), which moved the call to the next day the store is open."""
        task = (
            FollowUp.objects.filter(
                store=store, purpose=FollowUp.Purpose.LOGISTICS, status=FollowUp.Status.PLANNED, assignee__isnull=False
            )
            .order_by("pk")
            .first()
        )
        if task is not None:
            followup_log_outcome(
                followup=task,
                agent=task.assignee,
                outcome=FollowUpOutcome.CALL_BACK,
                expected_seq=task.call_attempts.count() + 1,
                note=closure.call_back_note,
                callback_at=store_local_datetime(store, days[0], CALL_BACK_AT),
            )
        demo_closure_record(store, closure, days)

    def _history(self, shipment: Shipment, hub_at) -> None:
        """Picked up after shipping, then at a hub: hours ago for a parcel on time, days ago for the stalled one
        (the seed's delay sweep finds it)."""
        shipped = shipment.shipped_at
        shipment_apply_update(
            shipment_id=shipment.pk,
            update=TrackingUpdate(
                number=shipment.tracking_number,
                couriers=(shipment.courier,),
                state="in_transit",
                checkpoints=[
                    TrackedCheckpoint(at=shipped + timedelta(hours=2), text="已收取快件", location="浙江,杭州市"),
                    TrackedCheckpoint(at=hub_at, text="快件到达【杭州萧山集散中心】", location="浙江,杭州市"),
                ],
            ),
        )
