"""What the system records as it runs: the audit log, the workers' heartbeats."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.admin_mixins import ServiceWrittenAdmin, choices_filter
from crm.admin_mixins.dates import DateRangeFilter
from crm.models import AuditLog, WorkerHeartbeat
from crm.readable.audit import AUDIT_ACTIONS


@admin.register(AuditLog)
class AuditLogAdmin(ServiceWrittenAdmin):
    list_display = ["at", "actor", "store", "action", "target"]
    # A range of times in the (at) index, with or without a store (crm.admin_mixins.dates).
    list_filter = [("action", choices_filter(AUDIT_ACTIONS.items())), "store", ("at", DateRangeFilter)]
    list_select_related = ["actor", "store"]
    # What the search box reads; get_search_results looks each up where an index holds it.
    search_fields = ["action", "target", "actor__username"]
    search_help_text = _("An action's code, a user's name, or a target (such as customer:12) in full or its beginning.")

    def get_search_results(self, request, queryset, search_term):
        """What operators are given: an action's code, a user's name, a target (`customer:12`, `case #7`) in full or
        its beginning, each in an index (AuditLog.Meta.indexes; the user read first, by the unique username). A part
        from the middle of a target is not searched: that reads every row."""
        term = search_term.strip()
        if not term:
            return queryset, False
        actors = list(get_user_model().objects.filter(username=term).values_list("pk", flat=True))
        return queryset.filter(Q(action=term) | Q(target__startswith=term) | Q(actor__in=actors)), False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ServiceWrittenAdmin):
    list_display = ["name", "last_run_at", "runs", "hostname"]
