from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.admin_mixins import (
    CheckedAdmin,
    KeyedSearchAdmin,
    ServiceWrittenAdmin,
    ServiceWrittenInline,
    StoreMoneyAdmin,
    money_column,
)
from crm.admin_mixins.dates import StoreDateRangeFilter, StoreFilter
from crm.errors import InvalidInput
from reviews.models import (
    CauseCorrection,
    KeywordMonitor,
    PlatformComplaint,
    ReplyTemplate,
    Review,
    ReviewPolicy,
    ReviewReply,
    ReviewRevision,
)


class RevisionInline(ServiceWrittenInline):
    model = ReviewRevision


@admin.register(Review)
class ReviewAdmin(KeyedSearchAdmin):
    list_display = ["external_id", "store", "rating", "sentiment", "flagged", "triage_group", "likes", "posted_at"]
    list_filter = [
        ("store", StoreFilter),
        *("sentiment", "flagged", "triage_group", "suspected_malicious", "revised_after_contact"),
        ("posted_at", StoreDateRangeFilter),
    ]
    search_fields = ["external_id"]
    customer_key, order_key = "customer", "order"
    search_help_text = gettext_lazy(
        "The review's id on the platform, an order number, or a customer's phone number or id in the order system, "
        "in full."
    )
    inlines = [RevisionInline]
    deletable = True

    def view_on_site(self, obj):
        return reverse("reviews:review", args=[obj.pk])


@admin.register(KeywordMonitor)
class KeywordMonitorAdmin(CheckedAdmin):
    list_display = ["phrase", "store", "active", "created_by", "created_at"]
    list_filter = ["store", "active"]
    list_select_related = ["store", "created_by"]
    search_fields = ["phrase"]
    raw_id_fields = ["created_by"]


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(StoreMoneyAdmin):
    list_display = [
        "store",
        money_column("high_value_amount", gettext_lazy("high-value order from")),
        "many_likes",
        "many_images",
        "repeat_complaints",
    ]
    money_fields = ("high_value_amount",)

    def service_check(self, obj: ReviewPolicy) -> None:
        # Triage reads each as a list of words (the settings page writes one per line).
        for field in ("main_skus", "competitor_markers"):
            words = getattr(obj, field)
            if not isinstance(words, list) or not all(isinstance(word, str) and word.strip() for word in words):
                raise InvalidInput(_('A list of words, such as ["别家", "加微信"].'), field=field)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(CheckedAdmin):
    list_display = ["store", "part", "sentiment", "cause", "text"]
    list_filter = ["store", "part", "sentiment", "cause"]


@admin.register(ReviewReply)
class ReviewReplyAdmin(ServiceWrittenAdmin):
    list_display = ["review", "store", "status", "drafted_at", "posted_at"]
    list_filter = ["store", "status"]


@admin.register(CauseCorrection)
class CauseCorrectionAdmin(ServiceWrittenAdmin):
    list_display = ["review", "predicted", "before", "after", "corrected_by", "at"]
    list_select_related = ["review__store", "corrected_by"]


@admin.register(PlatformComplaint)
class PlatformComplaintAdmin(ServiceWrittenAdmin):
    list_display = ["review", "filed_at", "platform_reference", "outcome"]
    list_filter = ["outcome"]
