from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crm.admin_mixins import CheckedAdmin, ServiceWrittenAdmin, StoreMoneyAdmin, money_column
from crm.errors import InvalidInput
from crm.models import Customer

from .models import Campaign, CampaignContact, Gift, GiftTask, RetentionPolicy, Segment
from .vip import vip_default_thresholds


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

    def get_form(self, request, obj=None, change=False, **kwargs):
        """A new policy's VIP thresholds start empty: left so, they are the house defaults in the store's currency
        (`retention.vip`, ADR 0043), never the yuan figures prefilled for a store selling in euros."""
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            for name in self.money_fields:
                field = form.base_fields[name]
                field.required, field.initial = False, None
                field.help_text = _(
                    "In the currency of the store chosen above. Left empty: the house defaults (¥2,000 / ¥5,000 / "
                    "¥10,000) converted into it at its follow-up policy's exchange rate."
                )
        return form

    def service_check(self, obj: RetentionPolicy) -> None:
        missing = [name for name in self.money_fields if getattr(obj, name) is None]
        if missing:
            defaults = vip_default_thresholds(store=obj.store)
            if defaults.values is None:
                raise InvalidInput(
                    _(
                        "Give the VIP thresholds in %(currency)s: no exchange rate on the store's follow-up policy "
                        "converts the house defaults (in CNY) into it."
                    )
                    % {"currency": obj.store.currency},
                    field=missing[0],
                )
            for name in missing:
                setattr(obj, name, defaults.values[name])
        if not obj.silver_min_spent <= obj.gold_min_spent <= obj.platinum_min_spent:
            raise InvalidInput(_("Silver up to gold up to platinum: each threshold at least the one before."),
                               field="gold_min_spent")  # fmt: skip

    list_select_related = ("store",)
