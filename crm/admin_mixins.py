"""What the Django admin may write (ADR 0030). Every project admin.py builds on these.

- Rows the services write are shown, not written, here (``ServiceWrittenAdmin``, ``ServiceWrittenInline``):
  records of what happened (the audit log, telephony events, the contact ledger, profile changes, the inbound log,
  call attempts) and rows whose state the services move under their rules (a case and its remedies, a follow-up,
  a campaign and its contacts, a letter). A change there runs in the service's transaction, with its row locks,
  its audit entry and its signal; the admin's own save would have none of them. Such a row is changed on its
  page (the admin's "View on site"), never added here, and deleted here only when the admin says so
  (``deletable``: data an order system sent by mistake, which the rows that hang on it still protect).
  ``editable_fields`` names the few fields no rule guards.
"""

from django.contrib import admin


class ServiceWrittenAdmin(admin.ModelAdmin):
    editable_fields: tuple[str, ...] = ()
    deletable = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return bool(self.editable_fields) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.deletable and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        guarded = [
            field.name
            for field in self.model._meta.get_fields()
            if (field.concrete or field.many_to_many)
            and not field.auto_created
            and field.name not in self.editable_fields
        ]
        return list(dict.fromkeys([*super().get_readonly_fields(request, obj), *guarded]))


class ServiceWrittenInline(admin.TabularInline):
    """The rows a service wrote under another (a case's remedies and timeline, a letter's inserts), as they are."""

    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
