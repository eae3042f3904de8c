"""The reviews endpoint's body and answer, for the OpenAPI schema (the gate is reviews/api/rows.py)."""

from rest_framework import serializers

from crm.models import CaseCause, TriageGroup
from reviews.models import PlatformStatus, Sentiment


class ReviewIn(serializers.Serializer):
    external_id = serializers.CharField(max_length=100, help_text="The platform's review id.")
    store = serializers.CharField(required=False, help_text="A store code; only for keys covering several stores.")
    order = serializers.CharField(required=False, max_length=100, help_text="Our order's external_id, if known.")
    product = serializers.CharField(required=False, max_length=200)
    sku = serializers.CharField(required=False, max_length=100)
    buyer = serializers.CharField(required=False, max_length=100, help_text="The buyer's platform nickname.")
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text="A new rating on re-post is a revision.")
    text = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    images = serializers.ListField(child=serializers.URLField(max_length=500), required=False, max_length=20)
    likes = serializers.IntegerField(required=False, min_value=0)
    posted_at = serializers.DateTimeField(help_text="ISO 8601 with an offset.")
    appended_text = serializers.CharField(required=False, allow_blank=True, help_text="The follow-up review.")
    appended_at = serializers.DateTimeField(required=False, help_text="ISO 8601 with an offset.")
    updated_at = serializers.DateTimeField(
        required=False,
        help_text="When the platform last changed the review (ISO 8601 with an offset): an older version than the "
        "one stored changes nothing. Without it, the latest of posted_at and appended_at.",
    )

    status = serializers.ChoiceField(
        choices=PlatformStatus.values,
        required=False,
        help_text="visible, or hidden or deleted by the platform (the review is kept, its case told); absent keeps "
        "what is stored.",
    )


class ReviewResultOut(serializers.Serializer):
    external_id = serializers.CharField()
    store = serializers.CharField()
    id = serializers.IntegerField()
    result = serializers.ChoiceField(
        choices=["created", "updated", "stale"],
        help_text="stale: an older version than the one stored, which stands (the other fields describe it).",
    )
    sentiment = serializers.ChoiceField(choices=Sentiment.choices)
    flagged = serializers.BooleanField(help_text="Mid or bad, or a keyword monitor hit.")
    triage_group = serializers.ChoiceField(choices=[("", "none"), *TriageGroup.choices])
    causes = serializers.ListField(child=serializers.ChoiceField(choices=[c for c in CaseCause.values if c]))
    case = serializers.IntegerField(allow_null=True, help_text="The service case working this review.")


class ReviewResultsOut(serializers.Serializer):
    results = ReviewResultOut(many=True)
