"""The producer of letter figures: the orders the letter rule chose, with or without a letter, and their reviews."""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q

from crm.models import Store
from crm.timezones import to_store_local
from letters.models import Letter
from reviews.models import Review

from ..models import DailyCount
from .rows import daily_counts, key_of

# What `letter_counts` counts on the day the letter rule chose an order.
LETTER_METRICS = tuple(f"letter_{metric}" for metric in ("orders", "reviewed", "mid", "bad"))


def letter_counts(store: Store, since: datetime, until: datetime | None = None) -> list[DailyCount]:
    """Orders the letter rule chose, by the day it chose them and whether they got a letter or were held back
    (the control group), with how many of them have a review, a mid one, a bad one (letters.selection)."""
    review = Review.objects.filter(order=OuterRef("order"))
    days = Q(day__gte=to_store_local(since, store).date())
    if until is not None:  # the start of the day after the last one
        days &= Q(day__lt=to_store_local(until, store).date())
    # By the day the letter keeps, not its creation time in the store's zone now: a store that moved zone (Urumqi and
    # Beijing time) has letters whose day is not their creation's local day there, which the rebuild would otherwise
    # count again on a day it keeps, or leave out of a day it rebuilds.
    grouped = (
        Letter.objects.filter(days, store=store)
        .annotate(  # Letter.day is already the store-local day the rule chose the order
            reviewed=Exists(review),
            mid=Exists(review.filter(sentiment=Review.Sentiment.MID)),
            bad=Exists(review.filter(sentiment=Review.Sentiment.BAD)),
        )
        .values("day", "status")
        .annotate(
            orders=Count("id"),
            n_reviewed=Count("id", filter=Q(reviewed=True)),
            n_mid=Count("id", filter=Q(mid=True)),
            n_bad=Count("id", filter=Q(bad=True)),
        )
        .order_by()
    )
    grouped = list(grouped)
    return [
        row
        for metric, column in (("orders", "orders"), ("reviewed", "n_reviewed"), ("mid", "n_mid"), ("bad", "n_bad"))
        for row in daily_counts(store, f"letter_{metric}", grouped, key_of("status"), column)
    ]
