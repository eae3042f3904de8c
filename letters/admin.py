from django.contrib import admin

from crm.admin_mixins import ServiceWrittenAdmin, ServiceWrittenInline

from .models import Letter, LetterInsert, LetterRule, LetterTemplate, ParcelInsert, PrintBatch


@admin.register(LetterRule)
class LetterRuleAdmin(admin.ModelAdmin):
    list_display = ("store", "enabled", "min_amount", "first_purchase_only", "control_percent", "language")
    raw_id_fields = ("signing_agent",)


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "store", "language", "gender", "age_band", "region", "category", "purchase", "active")
    list_filter = ("store", "language", "active")


@admin.register(ParcelInsert)
class ParcelInsertAdmin(admin.ModelAdmin):
    list_display = ("title", "store", "kind", "category", "active")
    list_filter = ("store", "kind")


@admin.register(PrintBatch)
class PrintBatchAdmin(ServiceWrittenAdmin):
    list_display = ("store", "day", "created_at", "printed_at")
    list_filter = ("store",)


class LetterInsertInline(ServiceWrittenInline):
    model = LetterInsert


@admin.register(Letter)
class LetterAdmin(ServiceWrittenAdmin):
    """Its text is fixed when it is written, so a reprint is word for word the first print."""

    list_display = ("order", "store", "status", "day", "variant", "batch")
    list_filter = ("store", "status", "day")
    list_select_related = ("order__store", "store", "batch__store")
    inlines = [LetterInsertInline]
