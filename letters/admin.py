from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crm.admin_mixins import ServiceWrittenAdmin, ServiceWrittenInline, StoreMoneyAdmin, money_column
from crm.platform_rules import ensure_no_review_incentive

from .composing import template_check
from .errors import LetterRuleInvalid
from .models import Letter, LetterInsert, LetterRule, LetterTemplate, ParcelInsert, PrintBatch
from .segments import segment_choices
from .selection import rule_for
from .services import agent_name


@admin.register(LetterRule)
class LetterRuleAdmin(StoreMoneyAdmin):
    list_display = (
        "store",
        "enabled",
        money_column("min_amount", _lazy("order value at least")),
        "first_purchase_only",
        "control_percent",
        "language",
    )
    money_fields = ("min_amount",)
    raw_id_fields = ("signing_agent",)

    def service_check(self, obj: LetterRule) -> None:
        # As letter_rule_update has it; the signer serving the store is checked for every admin.
        if obj.segment and obj.segment not in dict(segment_choices(store=obj.store)):
            raise LetterRuleInvalid(_("Choose one of the store's segments."), field="segment")


@admin.register(LetterTemplate)
class LetterTemplateAdmin(StoreMoneyAdmin):
    list_display = (
        "name",
        "store",
        "language",
        "gender",
        "age_band",
        "region",
        "category",
        "purchase",
        money_column("min_amount", _lazy("order value from")),
        money_column("max_amount", _lazy("order value below")),
        "active",
    )
    money_fields = ("min_amount", "max_amount")
    list_filter = ("store", "language", "active")

    def service_check(self, obj: LetterTemplate) -> None:
        # As letter_template_save has it.
        signer = agent_name(rule_for(store=obj.store).signing_agent)
        template_check(parts={part: getattr(obj, part) for part in LetterTemplate.PARTS}, store=obj.store,
                       signing_agent_name=signer)  # fmt: skip
        if obj.min_amount is not None and obj.max_amount is not None and obj.max_amount <= obj.min_amount:
            raise LetterRuleInvalid(_("The upper bound must be above the lower one."), field="max_amount")


@admin.register(ParcelInsert)
class ParcelInsertAdmin(StoreMoneyAdmin):
    list_display = (
        "title",
        "store",
        "kind",
        "category",
        money_column("min_amount", _lazy("only for order value from")),
        "active",
    )
    money_fields = ("min_amount",)
    list_filter = ("store", "kind")

    def service_check(self, obj: ParcelInsert) -> None:
        # As parcel_insert_save has it (an offer without its code is a database constraint, checked by the form).
        ensure_no_review_incentive(obj.title, field="title")
        ensure_no_review_incentive(obj.body, field="body")


@admin.register(PrintBatch)
class PrintBatchAdmin(ServiceWrittenAdmin):
    list_display = ("store", "day", "created_at", "printed_at")
    list_filter = ("store",)


class LetterInsertInline(ServiceWrittenInline):
    model = LetterInsert


@admin.register(Letter)
class LetterAdmin(ServiceWrittenAdmin):
    """Its text is fixed once printed, so a reprint is word for word the first print; until then a change of the
    customer's language writes it again (ADR 0052)."""

    list_display = ("order", "store", "status", "day", "language", "variant", "batch")
    list_filter = ("store", "status", "day", "language")
    list_select_related = ("order__store", "store", "batch__store")
    inlines = [LetterInsertInline]
