"""Agents' corrections of a review's causes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reviews.models.review import Review


class CauseCorrection(models.Model):
    """An agent's correction of a review's causes; the classifier's precision and recall are measured on these."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="corrections")
    predicted = models.JSONField(_("classifier said"), default=list)
    before = models.JSONField(_("before"), default=list)
    after = models.JSONField(_("after"), default=list)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("cause correction")
        verbose_name_plural = _("cause corrections")

    def __str__(self) -> str:
        return f"{self.review_id}: {self.before} → {self.after}"
