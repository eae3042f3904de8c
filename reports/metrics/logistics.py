"""Parcel delays: how many were found, whether the customer heard it from us first, and what it did to complaints
and bad reviews.

Read from the logistics tables over the period, not from the roll-ups (ADR 0005): delays are a few per hundred
parcels, and each query is a range over the delays' (store, found_at) index.
"""

from django.db.models import Exists, F, Min, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from crm.models import Case
from crm.timezones import store_day_bounds
from logistics.models import DelayRule, ShipmentDelay, ShipmentNotice
from reviews.models import Review

from .base import Chart, Period, Table, percent


def _delays(period: Period):
    start, _end = store_day_bounds(period.store, period.start)
    _start, end = store_day_bounds(period.store, period.end)
    return ShipmentDelay.objects.filter(store=period.store, found_at__gte=start, found_at__lt=end)


def _first_contact_from_customer():
    """When the customer first came to us about the order: a case they opened (call, review, inbound SMS)."""
    return (
        Case.objects.filter(order_id=OuterRef("shipment__order_id"))
        .exclude(source=Case.Source.LOGISTICS)
        .order_by("opened_at")
        .values("opened_at")[:1]
    )


def delays_found(period: Period) -> Table:
    """Per rule: delays found, customers told, and told before they contacted us."""
    delays = _delays(period).annotate(
        told_at=Min(
            "shipment__notices__sent_at",
            filter=Q(shipment__notices__rule=F("rule"), shipment__notices__status=ShipmentNotice.Status.SENT),
        )
    )
    rows = []
    labels = dict(DelayRule.choices)
    for rule, label in labels.items():
        of_rule = [d for d in delays.filter(rule=rule).annotate(contacted_at=_first_contact_from_customer())]
        if not of_rule:
            continue
        told = [d for d in of_rule if d.told_at is not None]
        first = [d for d in told if d.contacted_at is None or d.told_at < d.contacted_at]
        rows.append(
            {
                "rule": label,
                "found": len(of_rule),
                "told": len(told),
                "told_first": len(first),
                "told_first_share": percent(len(first), len(of_rule)),
            }
        )
    return Table(
        key="logistics_delays",
        title=_("Parcel delays found"),
        columns=[
            ("rule", _("Rule")),
            ("found", _("Delays found")),
            ("told", _("Customers told")),
            ("told_first", _("Told before they contacted us")),
            ("told_first_share", _("Told first %")),
        ],
        rows=rows,
        chart=Chart("bar", "rule", series=("found", "told_first")),
        note=_("A delay is counted once per parcel and rule, on the store-local day it was found."),
    )


def early_notice_effect(period: Period) -> Table:
    """Delayed orders with and without an early notice: logistics complaints and bad reviews after the delay."""
    delayed = (
        _delays(period)
        .values("shipment__order_id")
        .annotate(
            found_at=Min("found_at"),
            told_at=Min("shipment__notices__sent_at", filter=Q(shipment__notices__status=ShipmentNotice.Status.SENT)),
        )
    )
    orders = {row["shipment__order_id"]: row for row in delayed}
    complaints = set(
        Case.objects.filter(order_id__in=orders, cause=Case.Cause.LOGISTICS)
        .exclude(source=Case.Source.LOGISTICS)
        .values_list("order_id", flat=True)
    )
    bad = set(
        Review.objects.filter(order_id__in=orders, rating__lte=2)
        .filter(Exists(ShipmentDelay.objects.filter(shipment__order_id=OuterRef("order_id"))))
        .values_list("order_id", flat=True)
    )
    rows = []
    for label, early in ((_("Told early"), True), (_("Not told"), False)):
        ids = [pk for pk, row in orders.items() if (row["told_at"] is not None) == early]
        if not ids:
            continue
        complained = sum(1 for pk in ids if pk in complaints)
        reviewed_badly = sum(1 for pk in ids if pk in bad)
        rows.append(
            {
                "group": label,
                "orders": len(ids),
                "complaints": complained,
                "complaint_rate": percent(complained, len(ids)),
                "bad_reviews": reviewed_badly,
                "bad_review_rate": percent(reviewed_badly, len(ids)),
            }
        )
    return Table(
        key="logistics_notices",
        title=_("Delayed parcels: with and without an early notice"),
        columns=[
            ("group", _("Delayed orders")),
            ("orders", _("Orders")),
            ("complaints", _("Logistics complaints")),
            ("complaint_rate", _("Complaint %")),
            ("bad_reviews", _("Bad reviews")),
            ("bad_review_rate", _("Bad review %")),
        ],
        rows=rows,
        chart=Chart("bar", "group", series=("complaint_rate", "bad_review_rate")),
    )
