"""Reviews posted on the store's platform, matched to our orders, classified, triaged and worked as cases.

The review data lives here; what the reviews team adds to a case (its bad-review checklist and evidence
photos) lives in reviews/casework.py, so crm's Case stays free of review concerns.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Case, CaseCause, Customer, Order, RemedyKind, Store, TriageGroup

CAUSE_VALUES = [c for c in CaseCause.values if c]


class Sentiment(models.TextChoices):
    GOOD = "good", _("Good")
    MID = "mid", _("Mid")
    BAD = "bad", _("Bad")


class Review(models.Model):
    Sentiment = Sentiment
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
        ]
        indexes = [
            models.Index(fields=["store", "posted_at"], name="review_store_posted"),
            # The patrol list's flagged view; about a quarter of reviews are flagged, so only they are indexed.
            models.Index(fields=["store", "posted_at"], name="review_store_flagged_posted", condition=Q(flagged=True)),
            models.Index(fields=["order"], name="review_order", condition=Q(order__isnull=False)),
            models.Index(fields=["case"], name="review_case", condition=Q(case__isnull=False)),
            models.Index(fields=["store", "sku", "posted_at"], name="review_store_sku"),
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

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("review revision")
        verbose_name_plural = _("review revisions")

    def __str__(self) -> str:
        return f"{self.review_id}: ★{self.old_rating}→★{self.new_rating}"


class KeywordMonitor(models.Model):
    """A word or phrase (zh or en) whose presence flags a review, whatever its rating."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="keyword_monitors")
    phrase = models.CharField(_("word or phrase"), max_length=50)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["store", "phrase"]
        verbose_name = _("keyword monitor")
        verbose_name_plural = _("keyword monitors")
        constraints = [
            models.UniqueConstraint(fields=["store", "phrase"], name="monitor_unique_per_store"),
            models.CheckConstraint(condition=~Q(phrase=""), name="monitor_phrase_not_empty"),
        ]

    def __str__(self) -> str:
        return self.phrase


def _default_competitor_markers() -> list[str]:
    return ["别家", "隔壁家", "某宝", "某东", "去旗舰店买", "加微信", "加v", "vx", "同款更便宜", "competitor"]


class ReviewPolicy(models.Model):
    """How a store triages its reviews. A store without a row gets these defaults."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="review_policy")
    main_skus = models.JSONField(_("main products (SKUs)"), default=list, blank=True)
    high_value_amount = models.DecimalField(
        _("high-value order from"), max_digits=12, decimal_places=2, default=Decimal("1000.00")
    )
    many_likes = models.PositiveIntegerField(_("many likes from"), default=20)
    many_images = models.PositiveSmallIntegerField(_("many images from"), default=3)
    repeat_complaints = models.PositiveSmallIntegerField(_("repeat complainer after earlier complaints"), default=2)
    competitor_markers = models.JSONField(_("competitor markers"), default=_default_competitor_markers, blank=True)

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policies")
        constraints = [
            models.CheckConstraint(condition=Q(high_value_amount__gte=0), name="reviewpolicy_value_non_negative"),
            models.CheckConstraint(condition=Q(many_images__gte=1), name="reviewpolicy_images_positive"),
            models.CheckConstraint(condition=Q(repeat_complaints__gte=1), name="reviewpolicy_repeat_positive"),
        ]

    def __str__(self) -> str:
        return str(self.store)


class RemedyPlay(models.Model):
    """The store's playbook: what an agent offers for a cause (the defaults live in reviews.playbook)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="remedy_plays")
    cause = models.CharField(_("cause"), max_length=24, choices=[(c, c) for c in CAUSE_VALUES])
    kind = models.CharField(_("remedy"), max_length=16, choices=RemedyKind.choices)
    cost = models.DecimalField(_("usual cost"), max_digits=10, decimal_places=2, default=Decimal("0"))
    script = models.TextField(_("what to say"), blank=True)

    class Meta:
        ordering = ["store", "cause"]
        verbose_name = _("remedy play")
        verbose_name_plural = _("remedy playbook")
        constraints = [
            models.UniqueConstraint(fields=["store", "cause"], name="remedyplay_unique_per_cause"),
            models.CheckConstraint(condition=Q(cause__in=CAUSE_VALUES), name="remedyplay_cause_valid"),
            models.CheckConstraint(condition=Q(kind__in=RemedyKind.values), name="remedyplay_kind_valid"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="remedyplay_cost_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.store.code}: {self.cause} → {self.kind}"


class CauseCorrection(models.Model):
    """An agent's correction of a review's causes; the classifier's precision and recall are measured on these."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="corrections")
    predicted = models.JSONField(_("classifier said"), default=list)
    before = models.JSONField(_("before"), default=list)
    after = models.JSONField(_("after"), default=list)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("cause correction")
        verbose_name_plural = _("cause corrections")

    def __str__(self) -> str:
        return f"{self.review_id}: {self.before} → {self.after}"


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")


class ReviewReply(models.Model):
    """The store's public answer to a review: drafted from templates, edited by an agent, marked posted."""

    Status = ReplyStatus

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="reply")
    # No index of its own: reply_store_recent_order leads with the store.
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="review_replies", db_index=False)
    text = models.TextField(_("reply"))
    # Normalised text's hash: no two replies in the store's recent history may share one.
    fingerprint = models.CharField(max_length=40)
    status = models.CharField(_("status"), max_length=8, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    drafted_at = models.DateTimeField(_("drafted at"))
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, db_index=False
    )

    class Meta:
        ordering = ["-drafted_at", "-id"]
        verbose_name = _("review reply")
        verbose_name_plural = _("review replies")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReplyStatus.values), name="reply_status_valid"),
            models.CheckConstraint(condition=~Q(text=""), name="reply_text_not_empty"),
            models.CheckConstraint(
                condition=~Q(status="posted") | Q(posted_at__isnull=False), name="reply_posted_has_time"
            ),
        ]
        indexes = [
            # The recent-replies read orders by both (drafts of one batch share drafted_at): an index scan stops
            # after RECENT_LIMIT rows instead of sorting the store's whole history.
            models.Index(fields=["store", "-drafted_at", "-id"], name="reply_store_recent_order"),
            # Drafts (most replies) have no poster: only posted replies are indexed.
            models.Index(fields=["posted_by"], name="reply_posted_by", condition=Q(posted_by__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class ReplyPart(models.TextChoices):
    OPENING = "opening", _("Opening")
    BODY = "body", _("Body")
    CLOSING = "closing", _("Closing")


class ReplyTemplate(models.Model):
    """A piece of the store's voice. Replies are composed opening + body + closing, picked to vary."""

    Part = ReplyPart

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="reply_templates")
    part = models.CharField(_("part"), max_length=8, choices=ReplyPart.choices)
    sentiment = models.CharField(_("sentiment"), max_length=4, choices=Sentiment.choices, blank=True)
    cause = models.CharField(_("cause"), max_length=24, choices=[(c, c) for c in CAUSE_VALUES], blank=True)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["store", "part", "sentiment", "cause", "id"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        constraints = [
            models.CheckConstraint(condition=Q(part__in=ReplyPart.values), name="replytemplate_part_valid"),
            models.CheckConstraint(condition=~Q(text=""), name="replytemplate_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.part}/{self.sentiment or '*'}/{self.cause or '*'}"


from reviews.casework import CaseEvidence, CaseStep  # noqa: E402, F401  (registered with this app)
