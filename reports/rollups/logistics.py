"""The producer of parcel figures: delays found per rule, customers told of them, and the delayed orders' outcome."""

from datetime import date, datetime

from django.db.models import Exists, OuterRef, Subquery

from crm.models import Case, Store
from crm.timezones import to_store_local
from logistics.models import NOTICE_TOLD, ShipmentDelay, ShipmentNotice
from reviews.models import Review

from ..models import DailyCount
from .followups import UNDELIVERED


def parcel_delay_counts(store: Store, since: datetime) -> list[DailyCount]:
    """Per rule: delays found, customers told (a notice for that rule that told them, `NOTICE_TOLD`: an SMS sent and not
    reported undelivered, or a call that reached them), told before they first came to us (a case not opened by the
    delay itself), and those whose only notice the provider reported it could not deliver (`UNDELIVERED`: nobody was
    told). Per delayed order, told early, notice not delivered, or not told: the orders, their logistics complaints and
    bad reviews. By the store-local day the (first) delay was found: an order first delayed before `since` is counted
    on that earlier day, which this rebuild leaves as it is."""
    customer_case = (
        Case.objects.filter(order_id=OuterRef("shipment__order_id"))
        .exclude(source=Case.Source.LOGISTICS)
        .order_by("opened_at")
        .values("opened_at")[:1]
    )
    notices = ShipmentNotice.objects.filter(shipment_id=OuterRef("shipment_id"), rule=OuterRef("rule"))
    told = notices.filter(NOTICE_TOLD).order_by("sent_at")
    delays = list(
        ShipmentDelay.objects.filter(store=store, found_at__gte=since)
        .annotate(
            told_at=Subquery(told.values("sent_at")[:1]),
            undelivered=Exists(notices.filter(UNDELIVERED)),
            contacted_at=Subquery(customer_case),
        )
        .values("shipment__order_id", "rule", "found_at", "told_at", "undelivered", "contacted_at")
    )
    order_ids = {d["shipment__order_id"] for d in delays}
    counted_before = set(
        ShipmentDelay.objects.filter(store=store, shipment__order_id__in=order_ids, found_at__lt=since).values_list(
            "shipment__order_id", flat=True
        )
    )
    complaints = set(
        Case.objects.filter(order_id__in=order_ids, cause=Case.Cause.LOGISTICS)
        .exclude(source=Case.Source.LOGISTICS)
        .values_list("order_id", flat=True)
    )
    bad = set(Review.objects.filter(order_id__in=order_ids, rating__lte=2).values_list("order_id", flat=True))
    counts: dict[tuple[date, str, str], int] = {}

    def add(day: date, metric: str, key: str) -> None:
        counts[day, metric, key] = counts.get((day, metric, key), 0) + 1

    # An order's group: told (any of its delays), else notice not delivered (any), else not told.
    rank = {"not_told": 0, "undelivered": 1, "told": 2}
    orders: dict[int, tuple[date, str]] = {}
    for d in delays:
        day = to_store_local(d["found_at"], store).date()
        add(day, "parcel_delay", d["rule"])
        if d["told_at"] is not None:
            group = "told"
            add(day, "parcel_delay_told", d["rule"])
            if d["contacted_at"] is None or d["told_at"] < d["contacted_at"]:
                add(day, "parcel_delay_told_first", d["rule"])
        elif d["undelivered"]:
            group = "undelivered"
            add(day, "parcel_delay_undelivered", d["rule"])
        else:
            group = "not_told"
        first_day, was = orders.get(d["shipment__order_id"], (day, "not_told"))
        orders[d["shipment__order_id"]] = (min(first_day, day), max(was, group, key=rank.__getitem__))
    for order_id, (day, key) in orders.items():
        if order_id in counted_before:
            continue
        add(day, "delayed_order", key)
        if order_id in complaints:
            add(day, "delayed_order_complaint", key)
        if order_id in bad:
            add(day, "delayed_order_bad_review", key)
    return [
        DailyCount(store=store, day=day, metric=metric, key=key, count=n, amount=0)
        for (day, metric, key), n in counts.items()
    ]
