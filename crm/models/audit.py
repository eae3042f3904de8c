"""The audit log of sensitive actions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models.store import Store


class AuditLog(models.Model):
    """Sensitive actions: phone reveals, policy changes, approvals, exports, profile edits."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    store = models.ForeignKey(Store, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(_("action"), max_length=50)
    target = models.CharField(_("target"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [
            # The admin's search (crm.admin.records.AuditLogAdmin): an action's entries newest first; a target in full
            # or by its beginning (LIKE 'q%', which a pattern_ops index answers whatever the database's collation).
            models.Index(fields=["action", "at"], name="audit_action_at"),
            models.Index(fields=["target"], name="audit_target_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"
