"""The days whose figures counted a review or an order an operator deletes in the admin (crm.signals.records_deleting,
read before the rows go): marked (`RollupStaleDay`), so the next frequent rebuild takes those figures of those days
again however old they are (ADR 0005). A delete writes no event a rebuild would find otherwise.

- A review: the review figures of the day it was posted; the case figures of the days its customer's cases were
  opened (a case whose customer wrote a mid or bad review before our first contact was not reached first); the letter
  figures of the day the letter rule chose its order (a letter's order with a review, a mid one, a bad one).
- An order: the delivery figures of the day it was delivered; the letter figures of its letter's day. What hangs on an
  order (follow-ups, parcels, cases) keeps the admin from deleting it (PROTECT), so nothing else counted it.
"""

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet

from crm.models import Case, Order, Store
from letters.models import Letter
from reviews.models import Review

from ..models import RollupStaleDay
from .rows import local_days


def rollups_mark_deleted(*, sender, queryset: QuerySet, **_signal) -> None:
    """Receiver of crm.signals.records_deleting (connected in ReportsConfig.ready)."""
    if sender is Review:
        marks = _review_marks(queryset)
    elif sender is Order:
        marks = _order_marks(queryset)
    else:
        return
    RollupStaleDay.objects.bulk_create(
        [RollupStaleDay(store=store, figures=figures, day=day) for store, figures, day in marks],
        ignore_conflicts=True,  # a day marked already, by this delete or an earlier one
    )


def _review_marks(reviews: QuerySet) -> list[tuple[Store, str, date]]:
    marks = []
    for store in _stores(reviews):
        own = reviews.filter(store=store)
        marks += [(store, "reviews", day) for day in local_days(own, store, "posted_at")]
        cases = Case.objects.filter(store=store, customer__in=own.exclude(customer=None).values("customer"))
        marks += [(store, "cases", day) for day in local_days(cases, store, "opened_at")]
        letters = Letter.objects.filter(store=store, order__in=own.exclude(order=None).values("order"))
        marks += [(store, "letters", day) for day in _letter_days(letters)]
    return marks


def _order_marks(orders: QuerySet) -> list[tuple[Store, str, date]]:
    marks = []
    for store in _stores(orders):
        own = orders.filter(store=store)
        marks += [
            (store, "deliveries", day) for day in local_days(own.exclude(delivered_at=None), store, "delivered_at")
        ]
        marks += [(store, "letters", day) for day in _letter_days(Letter.objects.filter(order__in=own.values("pk")))]
    return marks


def _stores(rows: QuerySet) -> Iterable[Store]:
    return Store.objects.filter(pk__in=rows.values("store")).order_by("pk")


def _letter_days(letters: QuerySet) -> list[date]:
    return list(letters.values_list("day", flat=True).order_by().distinct())
