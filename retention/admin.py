from django.contrib import admin

from .models import Campaign, CampaignContact, Gift, GiftTask, RetentionPolicy, Segment


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("name", "store", "builtin")
    list_filter = ("store",)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "store", "purpose", "channel", "status", "starts_at")
    list_filter = ("store", "status", "purpose")
    raw_id_fields = ("created_by",)


@admin.register(CampaignContact)
class CampaignContactAdmin(admin.ModelAdmin):
    list_display = ("campaign", "customer", "channel", "status", "excluded_reason", "sent_at")
    list_filter = ("status", "channel")
    raw_id_fields = ("customer", "campaign", "assignee", "call_task")


admin.site.register(Gift)


@admin.register(GiftTask)
class GiftTaskAdmin(admin.ModelAdmin):
    list_display = ("occasion_date", "store", "customer", "assignee", "status", "gift", "sent_at")
    list_filter = ("store", "status")
    list_select_related = ("store", "customer", "assignee__user", "gift")
    raw_id_fields = ("customer", "assignee")


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ("store", "default_cycle_days", "vip_min_orders", "birthday_wishes", "updated_at")
    list_select_related = ("store",)
