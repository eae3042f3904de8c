"""The follow-ups section of crm's order detail (GET /api/v1/orders/{external_id}), registered in ready()."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.api.sections import OrderSection, order_section_register

from .models import FollowUp


class FollowUpOut(serializers.ModelSerializer):
    assignee = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "purpose",
            "channel",
            "status",
            "window_start",
            "window_end",
            "assignee",
            "attempts",
            "outcome",
            "suppressed_reason",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The agent's name; null if unassigned."))
    def get_assignee(self, followup: FollowUp) -> str | None:
        return str(followup.assignee) if followup.assignee else None


def register() -> None:
    order_section_register(
        OrderSection(
            name="followups",
            field=lambda: FollowUpOut(many=True, read_only=True, help_text="Planned and past follow-ups, in order."),
            prefetch=Prefetch(
                "followups", queryset=FollowUp.objects.select_related("assignee__user").order_by("window_start", "id")
            ),
        )
    )
