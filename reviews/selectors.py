"""Read queries for the reviews pages and API, always scoped to the stores the user serves."""

import re
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from crm.models import Case, Store
from crm.selectors import stores_for_user

from .classification import Classification, classify, compile_monitor
from .classification.model import CauseModel
from .models import (
    CauseCorrection,
    ClassifierFigures,
    KeywordMonitor,
    ReplyTemplate,
    Review,
    ReviewPolicy,
    ReviewRevision,
    Sentiment,
    StoreCauseModel,
)


def review_policy_for(*, store: Store) -> ReviewPolicy:
    """The store's policy, or the defaults (unsaved) when it has not set one."""
    return ReviewPolicy.objects.filter(store=store).first() or ReviewPolicy(store=store)


def monitor_matcher_for(*, store: Store) -> re.Pattern | None:
    phrases = KeywordMonitor.objects.filter(store=store, active=True).values_list("phrase", flat=True)
    return compile_monitor(list(phrases))


# A process keeps each store's learned model as last loaded, with the time it was trained: a batch asks only for
# that time, and loads the weights again only after a retraining.
_store_models: dict[int, tuple[object, CauseModel]] = {}


def store_cause_model(*, store: Store) -> CauseModel | None:
    """The store's model learned from its agents' corrections (services.learning), or None if it has none yet."""
    trained_at = StoreCauseModel.objects.filter(store=store).values_list("trained_at", flat=True).first()
    if trained_at is None:
        _store_models.pop(store.pk, None)
        return None
    kept = _store_models.get(store.pk)
    if kept is None or kept[0] != trained_at:
        row = StoreCauseModel.objects.get(store=store)
        kept = (row.trained_at, CauseModel.from_json({"weights": row.weights, "priors": row.priors}))
        _store_models[store.pk] = kept
    return kept[1]


def review_explanation(*, review: Review) -> Classification:
    """The review classified again as intake did, with what each rule did per cause (classify(explain=True))."""
    text = f"{review.text}\n{review.appended_text}".strip()
    return classify(text=text, rating=review.rating, store_model=store_cause_model(store=review.store), explain=True)


def classifier_figures(*, name: str = "shipped") -> ClassifierFigures | None:
    return ClassifierFigures.objects.filter(name=name).first()


def monitors_for(*, store: Store) -> QuerySet[KeywordMonitor]:
    return KeywordMonitor.objects.filter(store=store).select_related("created_by")


def reply_templates_for(*, store: Store) -> QuerySet[ReplyTemplate]:
    return ReplyTemplate.objects.filter(store=store)


def reviews_for_user(*, user) -> QuerySet[Review]:
    return Review.objects.filter(store__in=stores_for_user(user=user)).select_related(
        "store", "order", "customer", "case", "reply"
    )


class Patrol:
    LATEST = "latest"
    MAIN = "main"
    FLAGGED = "flagged"
    # Mid and bad reviews the customer made worse after their case was closed, not yet seen by a manager.
    AFTER_CLOSE = "after_close"
    VIEWS = (LATEST, MAIN, FLAGGED, AFTER_CLOSE)


def _patrol_rows(*, user, store: Store | None, stores: list[Store] | None) -> QuerySet[Review]:
    """The reviews of `store`, or of every store the user serves (`stores`, when the caller has them). The stores as
    values, not a subquery: the planner then reads the latest of each through its (store, posted_at) index instead
    of sorting every store's reviews."""
    if store is not None:
        store_ids = [store.pk]
    elif stores is not None:
        store_ids = [s.pk for s in stores]
    else:
        store_ids = list(stores_for_user(user=user).values_list("id", flat=True))
    return Review.objects.filter(store_id__in=store_ids)


def patrol_reviews(
    *, user, view: str, store: Store | None = None, stores: list[Store] | None = None, limit: int = 100
) -> QuerySet[Review]:
    """The patrol list: the latest reviews, the main products' reviews, every flagged one, or those made worse after
    their case was closed (worse_after_close_unseen).
    `stores`: the stores the user serves, if the caller already read them (`stores_for_user`)."""
    rows = _patrol_rows(user=user, store=store, stores=stores)
    rows = rows.select_related("store", "order", "customer", "case", "reply")
    if view == Patrol.MAIN:
        main = Q()
        for policy in ReviewPolicy.objects.filter(store__in=stores_for_user(user=user)):
            main |= Q(store_id=policy.store_id, sku__in=policy.main_skus)
        rows = rows.filter(main) if main else rows.none()
    elif view == Patrol.FLAGGED:
        rows = rows.filter(flagged=True)
    elif view == Patrol.AFTER_CLOSE:
        worse = worse_after_close_unseen(stores=None, now=timezone.now())
        rows = rows.filter(Exists(worse.filter(review_id=OuterRef("pk"))))
    return rows.order_by("-posted_at", "-id")[:limit]


def patrol_counts(*, user, store: Store | None = None, stores: list[Store] | None = None) -> dict[str, int]:
    rows = _patrol_rows(user=user, store=store, stores=stores)
    since = timezone.now() - timedelta(days=1)
    return rows.aggregate(
        last_day=Count("id", filter=Q(posted_at__gte=since)),
        flagged=Count("id", filter=Q(flagged=True)),
        bad=Count("id", filter=Q(sentiment=Sentiment.BAD, posted_at__gte=since)),
        open_cases=Count("case", filter=Q(case__status__in=Case.OPEN_STATUSES), distinct=True),
    )


def review_for_user(*, user, pk: int) -> Review:
    return reviews_for_user(user=user).get(pk=pk)


def corrections_of_stores(*, stores: QuerySet[Store], store: Store | None = None) -> QuerySet[CauseCorrection]:
    """The agents' verdicts on the reviews of `stores` (the manager's: the quality page), of `store` when chosen."""
    rows = CauseCorrection.objects.filter(review__store__in=stores)
    if store is not None:
        rows = rows.filter(review__store=store)
    return rows.select_related("review", "corrected_by")


def latest_corrections(*, stores: QuerySet[Store], store: Store | None = None) -> list[CauseCorrection]:
    """One correction per review, the latest: what the agent settled on, against what the classifier said."""
    seen: set[int] = set()
    latest = []
    for correction in corrections_of_stores(stores=stores, store=store).order_by("review_id", "-at", "-id"):
        if correction.review_id not in seen:
            seen.add(correction.review_id)
            latest.append(correction)
    return latest


# How long a review made worse after its case closed stays on the manager's escalations page: long enough to be seen
# on a weekly look, after that the closed case's timeline and the review page still show it.
WORSE_AFTER_CLOSE_DAYS = 30


def worse_after_close_unseen(*, stores, now) -> QuerySet[ReviewRevision]:
    """The changes that made a mid or bad review worse after its case was closed (a lower rating, or an appended
    text: the customer complaining again), in the last WORSE_AFTER_CLOSE_DAYS days, that no manager has marked seen.
    `stores`: a queryset or list of stores; None when the caller has already kept to the user's stores.

    ADR 0032 keeps such a change from reopening the case (a platform's retry would reopen it for nothing); this is
    how it reaches a person: the manager's escalations page lists it until the case is reopened (then it is an
    open case like any other), the review is good again, or a manager marks it seen (a later change is listed
    again). Driven by the revisions of the window, which are few.
    """
    revisions = ReviewRevision.objects.filter(
        Q(new_rating__lt=F("old_rating")) | ~Q(appended_text=""),
        at__gte=now - timedelta(days=WORSE_AFTER_CLOSE_DAYS),
        at__gt=F("review__case__closed_at"),
        seen_at__isnull=True,
        review__case__status=Case.Status.CLOSED,
        review__sentiment__in=[Sentiment.MID, Sentiment.BAD],
        review__platform_status=Review.PlatformStatus.VISIBLE,
    )
    return revisions if stores is None else revisions.filter(review__store__in=stores)


def reviews_worse_after_close(*, stores, now, limit: int) -> tuple[list[ReviewRevision], bool]:
    """The latest unseen change per review of worse_after_close_unseen, latest first: at most `limit`, and whether
    there were more. Each revision carries its review, store, customer and case."""
    revisions = (
        worse_after_close_unseen(stores=stores, now=now)
        .select_related("review__store", "review__customer", "review__case")
        .order_by("-at", "-id")
    )
    latest: dict[int, ReviewRevision] = {}
    for revision in revisions[: 10 * (limit + 1)]:  # a review changed many times in the window counts once
        latest.setdefault(revision.review_id, revision)
        if len(latest) > limit:
            break
    rows = list(latest.values())
    return rows[:limit], len(rows) > limit


def reviews_worse_after_close_count(*, user, stores, now) -> int:
    """The home page's count: the reviews with such a change among the user's stores (`stores`, as the page read
    them), the same the patrol's "worse after close" tab and a manager's escalations page list."""
    return worse_after_close_unseen(stores=stores, now=now).values("review_id").distinct().count()
