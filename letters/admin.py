from django.contrib import admin

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
class PrintBatchAdmin(admin.ModelAdmin):
    list_display = ("store", "day", "created_at", "printed_at")
    list_filter = ("store",)
    raw_id_fields = ("printed_by",)


class LetterInsertInline(admin.TabularInline):
    model = LetterInsert
    extra = 0


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ("order", "store", "status", "day", "variant", "batch")
    list_filter = ("store", "status", "day")
    list_select_related = ("order__store", "store", "batch__store")
    raw_id_fields = ("order", "customer", "batch", "template")
    inlines = [LetterInsertInline]
