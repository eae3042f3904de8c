from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crm.admin_mixins import CheckedAdmin, ServiceWrittenAdmin, StoreMoneyAdmin, money_column
from crm.errors import InvalidInput
from crm.models import Customer

from .models import Campaign, CampaignContact, Gift, GiftTask, RetentionPolicy, Segment


@admin.register(Segment)
class SegmentAdmin(ServiceWrittenAdmin):
    """Made (rules checked) and deleted (not a built-in, nor one a campaign uses) on the store's segment pages."""

    list_display = ("name", "store", "builtin")
    list_filter = ("store",)


@admin.register(Campaign)
class CampaignAdmin(ServiceWrittenAdmin):
    """Made, started and stopped on the store's campaign pages; only its name is free."""

    list_display = ("name", "store", "purpose", "channel", "status", "starts_at")
    list_filter = ("store", "status", "purpose")
    editable_fields = ("name",)

    def view_on_site(self, obj):
        return reverse("retention:campaign", args=[obj.store_id, obj.pk])


@admin.register(CampaignContact)
class CampaignContactAdmin(ServiceWrittenAdmin):
    list_display = ("campaign", "customer", "channel", "status", "excluded_reason", "sent_at")
    list_filter = ("status", "channel")
    phone_fields = ("recipient",)


@admin.register(Gift)
class GiftAdmin(CheckedAdmin):
    list_display = ("name", "store", "active")
    list_filter = ("store", "active")

    def service_check(self, obj: Gift) -> None:
        # As gift_create (retention.services.gifts) has it; the store's own segments are checked for every admin.
        if not isinstance(obj.genders, list) or any(g not in Customer.Gender.values for g in obj.genders):
            raise InvalidInput(_("Choose genders from the list."), field="genders")


@admin.register(GiftTask)
class GiftTaskAdmin(ServiceWrittenAdmin):
    """Planned before the birthday, recorded as sent by its agent; who it is given to may change here."""

    list_display = ("occasion_date", "store", "customer", "assignee", "status", "gift", "sent_at")
    list_filter = ("store", "status")
    list_select_related = ("store", "customer", "assignee__user", "gift")
    raw_id_fields = ("assignee",)
    editable_fields = ("assignee",)


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(StoreMoneyAdmin):
    list_display = (
        "store",
        "default_cycle_days",
        money_column("silver_min_spent", _lazy("silver: spent at least")),
        money_column("gold_min_spent", _lazy("gold: spent at least")),
        money_column("platinum_min_spent", _lazy("platinum: spent at least")),
        "vip_min_orders",
        "birthday_wishes",
        "updated_at",
    )
    money_fields = ("silver_min_spent", "gold_min_spent", "platinum_min_spent")
    list_select_related = ("store",)
