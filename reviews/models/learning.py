"""What the cause classifier learns and measures in the background: each store's own model, learned from its
agents' corrections, and the quality figures, computed by Celery and kept with the time they were computed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import Store


class StoreCauseModel(models.Model):
    """A store's learned cause model (classification.model.CauseModel, serialised), trained on the causes its agents
    settled on (CauseCorrection): words of the store's own goods that the shipped data never mentions."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="cause_model")
    weights = models.JSONField(_("weights"), default=dict)
    priors = models.JSONField(_("priors"), default=list)
    reviews = models.PositiveIntegerField(_("reviews learned from"), default=0)
    trained_at = models.DateTimeField(_("trained at"))

    class Meta:
        verbose_name = _("store cause model")
        verbose_name_plural = _("store cause models")

    def __str__(self) -> str:
        return f"{self.store}: {self.reviews} reviews at {self.trained_at:%Y-%m-%d %H:%M}"


class ClassifierFigures(models.Model):
    """Quality figures too slow to compute on a page view (cross-validation trains ten models), kept by name."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    figures = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("classifier figures")
        verbose_name_plural = _("classifier figures")

    def __str__(self) -> str:
        return f"{self.name} at {self.computed_at:%Y-%m-%d %H:%M}"
