"""Review numbers: is the bad-review rate falling, and did contact come before the customer wrote one?"""

from django.utils.translation import gettext_lazy as _

from crm.models import Case
from reviews.models import Review

from .base import Chart, Period, Table, count, keys, percent, sums, sums_by_bucket
from .titles import TITLES


def bad_review_rate(period: Period) -> Table:
    per_bucket: dict = {}
    for row in sums_by_bucket(period, "review"):  # a few rows per day or week, already summed
        per_bucket.setdefault(row["bucket"], {})[row["key"]] = row["count"]
    rows = []
    for bucket, by_sentiment in per_bucket.items():
        reviews = sum(by_sentiment.values())
        bad = by_sentiment.get(Review.Sentiment.BAD, 0)
        rows.append(
            {
                "period": bucket.isoformat(),
                "reviews": reviews,
                "mid": by_sentiment.get(Review.Sentiment.MID, 0),
                "bad": bad,
                "bad_rate": percent(bad, reviews),
            }
        )
    return Table(
        key="bad_reviews",
        title=TITLES["bad_reviews"],
        columns=[
            ("period", _("Period starting")),
            ("reviews", _("Reviews")),
            ("mid", _("Mid")),
            ("bad", _("Bad")),
            ("bad_rate", _("Bad rate %")),
        ],
        rows=rows,
        chart=Chart("bar", "period", series=("mid", "bad"), line_series=("bad_rate",), stacked=True),
    )


def reached_before_review(period: Period) -> Table:
    """Dissatisfied customers (each case opened in the period) whom we reached before they wrote a review.

    Reached first: the case had its first call or SMS, and the customer posted no mid or bad review between
    30 days before the case opened and that first contact (reports.rollups); a review raised to good since still
    counts as the mid or bad review it was.
    """
    found = sums(period, "case_opened", "case_reached_first")
    labels = dict(Case.Source.choices)
    rows = [
        _share(
            labels.get(source, source), count(found, "case_opened", source), count(found, "case_reached_first", source)
        )
        for source in keys(found, "case_opened")
    ]
    if rows:
        rows.append(_share(_("All sources"), sum(r["customers"] for r in rows), sum(r["reached"] for r in rows)))
    return Table(
        key="reached_first",
        title=TITLES["reached_first"],
        columns=[
            ("source", _("Case opened by")),
            ("customers", _("Dissatisfied customers")),
            ("reached", _("Reached before a review")),
            ("share", _("Share %")),
        ],
        rows=rows,
        chart=Chart("bar", "source", series=("customers", "reached")),
    )


def _share(source, customers: int, reached: int) -> dict:
    return {"source": source, "customers": customers, "reached": reached, "share": percent(reached, customers)}


def reviews_changed_after_contact(period: Period) -> Table:
    """Reviews whose customer we had contacted, how many were appended or revised after that contact, and how many of
    those the customer raised from mid or bad to good (they are good now: the "Good" row)."""
    parts = ("contacted", "appended", "changed", "raised", "either")
    found = sums(period, *(f"review_{part}" for part in parts))
    labels = dict(Review.Sentiment.choices)
    rows = []
    for sentiment in keys(found, "review_contacted"):
        numbers = {part: count(found, f"review_{part}", sentiment) for part in parts}
        rows.append(
            {
                "sentiment": labels.get(sentiment, sentiment),
                "contacted": numbers["contacted"],
                "appended": numbers["appended"],
                "revised": numbers["changed"],
                "raised": numbers["raised"],
                "share": percent(numbers["either"], numbers["contacted"]),
            }
        )
    return Table(
        key="review_changes",
        title=TITLES["review_changes"],
        columns=[
            ("sentiment", _("Sentiment now")),
            ("contacted", _("Reviews with a contacted customer")),
            ("appended", _("Appended after contact")),
            ("revised", _("Changed after contact")),
            ("raised", _("Raised to good after contact")),
            ("share", _("Appended or changed %")),
        ],
        rows=rows,
        chart=Chart("bar", "sentiment", series=("contacted", "appended", "revised", "raised")),
    )
