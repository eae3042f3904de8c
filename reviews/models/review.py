"""Reviews as posted on the platform, matched to our orders, and their revisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Case, CaseCause, Customer, Order, Store, TriageGroup

CAUSE_VALUES = [c for c in CaseCause.values if c]


class Sentiment(models.TextChoices):
    GOOD = "good", _("Good")
    MID = "mid", _("Mid")
    BAD = "bad", _("Bad")


class PlatformStatus(models.TextChoices):
    """Whether the platform still shows the review. A hidden or deleted review is kept as it was (evidence)."""

    VISIBLE = "visible", _("Shown on the platform")
    HIDDEN = "hidden", _("Hidden by the platform")
    DELETED = "deleted", _("Deleted on the platform")


class Review(models.Model):
    Sentiment = Sentiment
    PlatformStatus = PlatformStatus
    TriageGroup = TriageGroup

    # No index of its own: every index below and the unique constraint lead with the store. A bare store index
    # cost each insert one more index entry, and planners without fresh statistics chose it over the unique
    # (store, external_id) one, then filtered all of a store's reviews.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="reviews", db_index=False)
    external_id = models.CharField(_("external id"), max_length=100)
    # The order number as the platform sent it, kept even when it matches none of our orders.
    order_ref = models.CharField(_("order number"), max_length=100, blank=True)
    # Indexed only where set (Meta.indexes): lookups are by a given order or case, never for the empty ones, and a
    # new review has no case, so intake skips those index entries (docs/performance.md).
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews", db_index=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews")
    buyer = models.CharField(_("buyer (platform nickname)"), max_length=100, blank=True)
    product = models.CharField(_("product"), max_length=200, blank=True)
    sku = models.CharField(_("SKU"), max_length=100, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"))
    # The first rating we saw: a later, higher one is a revision.
    original_rating = models.PositiveSmallIntegerField(_("original rating"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    images = models.JSONField(_("images"), default=list, blank=True)
    likes = models.PositiveIntegerField(_("likes"), default=0)
    posted_at = models.DateTimeField(_("posted at"))
    appended_text = models.TextField(_("appended review"), blank=True)
    appended_at = models.DateTimeField(_("appended at"), null=True, blank=True)
    # The platform's time of the version stored (its `updated_at`, else the latest of posted_at and appended_at):
    # a push of an older version changes nothing (reviews.services.intake). Null on reviews stored before it was
    # kept: their posted and appended times stand in.
    platform_changed_at = models.DateTimeField(_("changed on the platform at"), null=True, blank=True)
    platform_status = models.CharField(
        _("on the platform"), max_length=8, choices=PlatformStatus.choices, default=PlatformStatus.VISIBLE
    )
    sentiment = models.CharField(_("sentiment"), max_length=4, choices=Sentiment.choices)
    # Causes as they stand (the classifier's, or an agent's correction), and what the classifier said.
    causes = models.JSONField(_("causes"), default=list, blank=True)
    predicted_causes = models.JSONField(_("predicted causes"), default=list, blank=True)
    cause_evidence = models.JSONField(_("evidence words"), default=dict, blank=True)
    causes_corrected = models.BooleanField(_("causes corrected by an agent"), default=False)
    monitor_hits = models.JSONField(_("keyword monitor hits"), default=list, blank=True)
    flagged = models.BooleanField(_("flagged"), default=False)
    triage_group = models.CharField(_("triage group"), max_length=10, choices=TriageGroup.choices, blank=True)
    triage_reasons = models.JSONField(_("triage reasons"), default=list, blank=True)
    suspected_malicious = models.BooleanField(_("suspected malicious"), default=False)
    revised_after_contact = models.BooleanField(_("revised after contact"), default=False)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="review_unique_per_store"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
            models.CheckConstraint(condition=Q(sentiment__in=Sentiment.values), name="review_sentiment_valid"),
            models.CheckConstraint(
                condition=(
                    Q(rating__gte=4, sentiment="good")
                    | Q(rating=3, sentiment="mid")
                    | Q(rating__lte=2, sentiment="bad")
                ),
                name="review_sentiment_matches_rating",
            ),
            models.CheckConstraint(
                condition=Q(triage_group="") | Q(triage_group__in=TriageGroup.values), name="review_triage_valid"
            ),
            models.CheckConstraint(
                condition=Q(platform_status__in=PlatformStatus.values), name="review_platform_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "posted_at"], name="review_store_posted"),
            # The patrol list's flagged view; about a quarter of reviews are flagged, so only they are indexed.
            models.Index(fields=["store", "posted_at"], name="review_store_flagged_posted", condition=Q(flagged=True)),
            models.Index(fields=["order"], name="review_order", condition=Q(order__isnull=False)),
            models.Index(fields=["case"], name="review_case", condition=Q(case__isnull=False)),
            models.Index(fields=["store", "sku", "posted_at"], name="review_store_sku"),
            # Reviews naming an order we did not have when they came, found by its number when it comes
            # (reviews.services.order_link); the rest of the reviews stay out of it.
            models.Index(
                fields=["store", "order_ref"],
                name="review_waiting_for_order",
                condition=Q(order__isnull=True) & ~Q(order_ref=""),
            ),
            # The case sweeper's queue: mid and bad reviews on our orders still without a case.
            models.Index(
                fields=["posted_at"],
                name="review_awaiting_case",
                condition=Q(case__isnull=True, order__isnull=False, sentiment__in=["mid", "bad"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store.code}/{self.external_id} ★{self.rating}"

    @staticmethod
    def sentiment_for(rating: int) -> str:
        if rating >= 4:
            return Review.Sentiment.GOOD
        return Review.Sentiment.MID if rating == 3 else Review.Sentiment.BAD

    @property
    def version_at(self):
        """The platform's time of the version stored."""
        return self.platform_changed_at or max(self.posted_at, self.appended_at or self.posted_at)

    @property
    def raised_to_good(self) -> bool:
        """The customer raised a mid or bad review to good (the rating we first saw was 3 or less)."""
        return self.sentiment == Sentiment.GOOD and self.original_rating is not None and self.original_rating <= 3

    @property
    def is_removed(self) -> bool:
        return self.platform_status != PlatformStatus.VISIBLE

    @property
    def needs_case(self) -> bool:
        return self.sentiment != Sentiment.GOOD


class ReviewRevision(models.Model):
    """The platform's follow-up to a review: a new rating or an appended text, and whether we had called."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="revisions")
    at = models.DateTimeField(_("at"))
    old_rating = models.PositiveSmallIntegerField(_("old rating"))
    new_rating = models.PositiveSmallIntegerField(_("new rating"))
    appended_text = models.TextField(_("appended review"), blank=True)
    after_contact = models.BooleanField(_("after contact"), default=False)
    # A change that made the review worse after its case closed is on the manager's escalations page until a manager
    # marks it seen (reviews.services.after_close); a later change is listed again.
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("seen by"),
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("review revision")
        verbose_name_plural = _("review revisions")
        indexes = [
            # The report's frequent rebuild reads the revisions of the last minutes (a review with no case has no case
            # event to tell it of a new rating: reports.rollups.refresh, ADR 0005).
            models.Index(fields=["at"], name="review_revision_at"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}: ★{self.old_rating}→★{self.new_rating}"
