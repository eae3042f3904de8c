"""Drafted public replies and the store's reply templates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Store
from reviews.models.review import CAUSE_VALUES, Review, Sentiment


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
    # Saved by an agent (reply_edit), not drafted from templates: "Another wording" asks before replacing it.
    # db_default: intake inserts drafts with raw SQL that names only the columns it sets.
    written_by_agent = models.BooleanField(_("written by an agent"), default=False, db_default=False)

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
