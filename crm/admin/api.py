"""The order systems' side of the API: their tokens (revoked here) and the log of what they sent."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.admin_mixins import CheckedAdmin, ServiceWrittenAdmin
from crm.models import ApiToken, InboundEvent
from crm.services.api_tokens import api_tokens_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(CheckedAdmin):
    """List and revoke keys. Keys are created with `manage.py create_api_token`, the one place that shows them."""

    list_display = ["name", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["stores", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["key_prefix", "created_at", "last_used_at", "revoked_at"]
    filter_horizontal = ["stores"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = api_tokens_revoke(token_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": revoked})


@admin.register(InboundEvent)
class InboundEventAdmin(ServiceWrittenAdmin):
    list_display = ["received_at", "kind", "store", "external_id", "token"]
    list_filter = ["kind", "store"]
    list_select_related = ["store", "token"]
    search_fields = ["external_id__exact"]
    # The row as the order system sent it: the customer's number, name and address masked (ADR 0033).
    payload_fields = ("payload",)
