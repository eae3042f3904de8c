"""Parcel delays: how many were found, whether the customer heard it from us first, and what an early notice did
to complaints and bad reviews. From the roll-ups (reports.rollups.logistics.parcel_delay_counts), like every section."""

from django.utils.translation import gettext_lazy as _

from logistics.models import DelayRule

from .base import Chart, Period, Table, count, percent, sums
from .titles import TITLES


def delays_found(period: Period) -> Table:
    """Per rule: delays found, customers told, notices the provider could not deliver (nobody told), and told before
    they contacted us."""
    found = sums(period, "parcel_delay", "parcel_delay_told", "parcel_delay_undelivered", "parcel_delay_told_first")
    rows = []
    for rule, label in DelayRule.choices:
        delays = count(found, "parcel_delay", rule)
        if not delays:
            continue
        first = count(found, "parcel_delay_told_first", rule)
        rows.append(
            {
                "rule": label,
                "found": delays,
                "told": count(found, "parcel_delay_told", rule),
                "undelivered": count(found, "parcel_delay_undelivered", rule),
                "told_first": first,
                "told_first_share": percent(first, delays),
            }
        )
    return Table(
        key="logistics_delays",
        title=TITLES["logistics_delays"],
        columns=[
            ("rule", _("Rule")),
            ("found", _("Delays found")),
            ("told", _("Customers told")),
            ("undelivered", _("Not delivered")),
            ("told_first", _("Told before they contacted us")),
            ("told_first_share", _("Told first %")),
        ],
        rows=rows,
        chart=Chart("bar", "rule", series=("found", "told_first")),
        note=_(
            "A delay is counted once per parcel and rule, on the store-local day it was found. A customer is told by "
            "a notice SMS delivered or by a call that reached them, when its outcome was logged; a call not answered "
            "or not made told nobody. A notice the provider reported it could not deliver told nobody: it is counted "
            "under Not delivered, never as a customer told."
        ),
    )


def early_notice_effect(period: Period) -> Table:
    """Delayed orders with and without an early notice: logistics complaints and bad reviews. An order whose notice
    the provider could not deliver is in a group of its own, neither told nor left untold."""
    found = sums(period, "delayed_order", "delayed_order_complaint", "delayed_order_bad_review")
    rows = []
    groups = (("told", _("Told early")), ("undelivered", _("Notice not delivered")), ("not_told", _("Not told")))
    for key, label in groups:
        orders = count(found, "delayed_order", key)
        if not orders:
            continue
        complaints = count(found, "delayed_order_complaint", key)
        bad = count(found, "delayed_order_bad_review", key)
        rows.append(
            {
                "group": label,
                "orders": orders,
                "complaints": complaints,
                "complaint_rate": percent(complaints, orders),
                "bad_reviews": bad,
                "bad_review_rate": percent(bad, orders),
            }
        )
    return Table(
        key="logistics_notices",
        title=TITLES["logistics_notices"],
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
