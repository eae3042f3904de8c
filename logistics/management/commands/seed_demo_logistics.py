"""Demo parcels: every demo order still on its way is tracked; in each store one parcel has stalled for days.

Run after seed_demo. Idempotent. Writes var/demo_tracking_plan.json, which devtools/run_embedded.py hands to the
local Kuaidi100-speaking server: the stalled parcels get no push, one parcel of the first store runs into 疑难,
the others are on their way (picked up, at a hub a few hours ago) and are signed for as the server moves them (and then
followed up like any delivery).
"""

import json
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from crm.models import Order
from crm.timezones import store_today
from logistics.models import Shipment
from logistics.services.delays import delays_sweep
from logistics.services.shipments import ShipmentInput, shipments_record
from logistics.services.updates import TrackedCheckpoint, TrackingUpdate, shipment_apply_update

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
        # The sweep the worker runs in its first minute, run now: the stalled parcels' delays are found (and their
        # notices planned) before `make run`'s refresh_rollups, so the report's parcel sections show them at once.
        delays_sweep()
        path = settings.VAR_DIR / "demo_tracking_plan.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(plan, ensure_ascii=False, indent=1))
        self.stdout.write(self.style.SUCCESS(f"Demo parcels tracked: {len(inputs)}; the plan is in {path}."))

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
