"""Cases for reviews: the sweeper that opens them after intake, and opening one by hand.

The sweeper (Celery beat, reviews.open_cases, every few seconds) opens or joins the case of every mid or bad
review that names one of our orders. Rows are claimed with SKIP LOCKED, so several workers share the work and
a lost run only delays it; a review that already has its case is never touched.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import InvalidInput
from crm.models import Case
from crm.services.cases import CaseRequest, cases_open

from ..models import PlatformStatus, Review, Sentiment


def reviews_awaiting_case():
    """Mid and bad reviews on our orders still without a case, that the platform still shows."""
    return Review.objects.filter(
        case__isnull=True,
        customer__isnull=False,
        order__isnull=False,
        sentiment__in=[Sentiment.MID, Sentiment.BAD],
        platform_status=PlatformStatus.VISIBLE,
    )


def _request(review: Review) -> CaseRequest:
    return CaseRequest(
        customer=review.customer,
        order=review.order,
        source=Case.Source.REVIEW,
        cause=review.causes[0] if review.causes else "",
        triage_group=review.triage_group or Case.TriageGroup.NORMAL,
        summary=f"★{review.rating} {review.text}"[:500],
        triage_reasons=tuple(review.triage_reasons),
    )


@transaction.atomic
def reviews_open_cases(*, limit: int = 500) -> int:
    """Open the cases of up to `limit` waiting reviews, oldest first, store by store. Returns how many reviews
    got a case."""
    pending = list(
        reviews_awaiting_case()
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("store", "customer", "order")
        .order_by("posted_at", "id")[:limit]
    )
    by_store: dict[int, list[Review]] = {}
    for review in pending:
        by_store.setdefault(review.store_id, []).append(review)
    for _store_id, reviews in sorted(by_store.items()):  # one lock order for every sweeper: no deadlock
        opened = cases_open(store=reviews[0].store, requests=[_request(review) for review in reviews])
        for review, (case, _created) in zip(reviews, opened, strict=True):
            review.case = case
    Review.objects.bulk_update(pending, ["case"])
    return len(pending)


@transaction.atomic
def review_open_case(*, review: Review, actor=None) -> Case:
    """Open (or join) the case for a review by hand, e.g. a 5-star review that hit a keyword monitor.

    The review is locked and read again first: a second click, a colleague or the sweeper may have opened its case
    since the page was shown, and joining it again would write a second opening on its timeline.
    """
    shown = review
    review = (
        Review.objects.select_for_update(of=("self",)).select_related("store", "customer", "order").get(pk=review.pk)
    )
    if review.case_id is None:
        if review.customer_id is None:
            raise InvalidInput(
                _("This review matches none of our orders, so it has no customer to call."), field="order"
            )
        review.case = cases_open(store=review.store, requests=[_request(review)], actor=actor)[0][0]
        review.flagged = True  # a review with a case is flagged (reviews.services.intake)
        review.save(update_fields=["case", "flagged", "updated_at"])
    shown.case, shown.flagged = review.case, review.flagged
    return review.case
