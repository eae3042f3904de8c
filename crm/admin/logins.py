"""Logins (django-axes, ADR 0015). axes' own admins read over tables that grow with every login: a date hierarchy (the
distinct days), a filter on the path (SELECT DISTINCT), its choices counted, a list sorted by an unindexed time, a
search of LIKE '%q%' over four columns; and a record of a login could be edited or deleted. Here they are the records
ServiceWrittenAdmin shows."""

import contextlib
import ipaddress

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.admin_mixins import ServiceWrittenAdmin
from crm.admin_mixins.dates import KeyRangeByTimeFilter


class _LoginRecordsAdmin(ServiceWrittenAdmin):
    date_hierarchy = None
    # The logs (failures, logins) grow with every login, and axes indexes no time: a range is read as a range of keys
    # (crm.admin_mixins.dates.KeyRangeByTimeFilter). The access attempts hold the last cool-off's failures only (axes
    # deletes older ones at each login), and their time moves with each failure: Django's own range
    # (AccessAttemptAdmin).
    list_filter = [("attempt_time", KeyRangeByTimeFilter)]
    search_fields = ["username", "ip_address"]
    search_help_text = _("A username or an IP address, in full.")

    def get_search_results(self, request, queryset, search_term):
        """A whole username or address, each in its own index (axes indexes both)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        found = Q(username=term)
        with contextlib.suppress(ValueError):  # not an address: a username only
            found |= Q(ip_address=str(ipaddress.ip_address(term)))
        return queryset.filter(found), False


class AccessAttemptAdmin(_LoginRecordsAdmin, axes_admin.AccessAttemptAdmin):
    """The running count of a username's or an address's failures: deleting it lifts the lock (ADR 0015)."""

    list_filter = [("attempt_time", admin.DateFieldListFilter), axes_admin.IsLockedOutFilter]
    deletable = True

    @admin.action(description=axes_admin.AccessAttemptAdmin.cleanup_expired_attempts.short_description,
                  permissions=["delete"])  # fmt: skip
    def cleanup_expired_attempts(self, request, queryset):
        # axes' action named no permission: whoever could look at the attempts could delete them.
        return super().cleanup_expired_attempts(request, queryset)


class AccessFailureLogAdmin(_LoginRecordsAdmin, axes_admin.AccessFailureLogAdmin):
    list_filter = [*_LoginRecordsAdmin.list_filter, "locked_out"]


class AccessLogAdmin(_LoginRecordsAdmin, axes_admin.AccessLogAdmin):
    # No range of logout times: set at logout, it grows with neither the key nor an index ("No date" read every row).
    list_filter = _LoginRecordsAdmin.list_filter


for _model, _model_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
    (AccessLog, AccessLogAdmin),
):
    if admin.site.is_registered(_model):  # as axes registered it (AXES_ENABLE_ADMIN)
        admin.site.unregister(_model)
        admin.site.register(_model, _model_admin)
