"""The producer of review figures: reviews per sentiment, and those changed after our first contact."""

from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q

from crm.models import Store
from reviews.models import Review, ReviewRevision

from ..models import DailyCount
from .cases import first_contact_at
from .rows import daily_counts, key_of, local_day, within

# What `review_counts` counts on the day a review was posted.
REVIEW_PARTS = ("contacted", "appended", "changed", "raised", "either")
REVIEW_METRICS = ("review", *(f"review_{part}" for part in REVIEW_PARTS))


def review_counts(store: Store, since: datetime, until: datetime | None = None) -> list[DailyCount]:
    reviews = Review.objects.filter(within(since, until, "posted_at"), store=store).annotate(
        day=local_day(store, "posted_at")
    )
    by_sentiment = reviews.values("day", "sentiment").annotate(n=Count("id")).order_by()
    revisions = ReviewRevision.objects.filter(review=OuterRef("pk"), after_contact=True)
    after_contact = (
        reviews.annotate(contacted_at=first_contact_at("case"))
        .filter(contacted_at__isnull=False)
        .annotate(
            revised=Exists(revisions),
            # Good now, and a change after our contact took it there from mid or bad.
            raised=Exists(revisions.filter(old_rating__lte=3, new_rating__gte=4)),
        )
        .values("day", "sentiment")
        .annotate(
            contacted=Count("id"),
            appended=Count("id", filter=Q(appended_at__gt=F("contacted_at"))),
            changed=Count("id", filter=Q(revised=True)),
            raised=Count("id", filter=Q(raised=True, sentiment=Review.Sentiment.GOOD)),
            either=Count("id", filter=Q(appended_at__gt=F("contacted_at")) | Q(revised=True)),
        )
        .order_by()
    )
    after = list(after_contact)
    rows = daily_counts(store, "review", by_sentiment, key_of("sentiment"), "n")
    for part in REVIEW_PARTS:
        rows += daily_counts(store, f"review_{part}", after, key_of("sentiment"), part)
    return rows
