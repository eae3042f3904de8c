"""Cases with their remedies and timeline, their steps and evidence, shown as the services wrote them (ADR 0030)."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.admin_mixins import KeyedSearchAdmin, ServiceWrittenAdmin, ServiceWrittenInline
from crm.models import Case, CaseEvent, CaseEvidence, CaseStep, Remedy
from crm.services.evidence_recheck import MAX_LIFTED, evidence_removal_lift


class CaseEventInline(ServiceWrittenInline):
    model = CaseEvent


class RemedyInline(ServiceWrittenInline):
    model = Remedy


@admin.register(Case)
class CaseAdmin(KeyedSearchAdmin):
    list_display = ["id", "store", "customer", "source", "status", "cause", "triage_group", "assignee", "opened_at"]
    list_filter = ["store", "status", "source", "cause", "triage_group"]
    customer_key, order_key = "customer", "order"
    list_select_related = ["store", "customer", "assignee__user"]
    inlines = [RemedyInline, CaseEventInline]

    def view_on_site(self, obj):
        return reverse("cases:case", args=[obj.pk])


@admin.register(CaseStep)
class CaseStepAdmin(ServiceWrittenAdmin):
    list_display = ["case", "step", "done_by", "done_at"]
    list_select_related = ["case__customer", "done_by"]


@admin.register(CaseEvidence)
class CaseEvidenceAdmin(ServiceWrittenAdmin):
    """Shown, never written here (ADR 0030), but for one decision an operator makes about a file the recheck removed
    from its case (ADR 0047): having looked at it, they may give it back (`evidence_removal_lift`, audited)."""

    list_display = [
        "case", "caption", "url", "image", "added_by", "added_at", "quarantined_at", "quarantine_reason",
    ]  # fmt: skip
    list_select_related = ["case__customer", "added_by"]
    # The removed files (the index caseevidence_removed holds them), or the rest.
    list_filter = [("quarantined_at", admin.EmptyFieldListFilter)]
    actions = ["lift_removal"]

    def has_lift_removal_permission(self, request) -> bool:
        # The one change the admin makes to evidence: for whoever may change it (superusers may).
        return request.user.has_perm("crm.change_caseevidence")

    @admin.action(description=_("Restore to its case (lift the removal)"), permissions=["lift_removal"])
    def lift_removal(self, request, queryset):
        ids = list(queryset.exclude(quarantined_at=None).order_by().values_list("pk", flat=True)[: MAX_LIFTED + 1])
        if len(ids) > MAX_LIFTED:
            message = _("Restore at most %(count)s files at a time: choose them on a page.") % {"count": MAX_LIFTED}
            self.message_user(request, message, messages.ERROR)
            return
        lifted = evidence_removal_lift(evidence_ids=ids, actor=request.user)
        message = ngettext(
            "%(count)d file restored to its case.", "%(count)d files restored to their cases.", lifted
        ) % {"count": lifted}
        self.message_user(request, message, messages.SUCCESS if lifted else messages.WARNING)
