"""Keyword monitors: words a store watches for in reviews."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Store


class KeywordMonitor(models.Model):
    """A word or phrase (zh or en) whose presence flags a review, whatever its rating."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="keyword_monitors")
    phrase = models.CharField(_("word or phrase"), max_length=50)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["store", "phrase"]
        verbose_name = _("keyword monitor")
        verbose_name_plural = _("keyword monitors")
        constraints = [
            models.UniqueConstraint(fields=["store", "phrase"], name="monitor_unique_per_store"),
            models.CheckConstraint(condition=~Q(phrase=""), name="monitor_phrase_not_empty"),
        ]

    def __str__(self) -> str:
        return self.phrase
