"""A store's review policy and its remedy playbook."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import RemedyKind, Store
from reviews.models.review import CAUSE_VALUES


def _default_competitor_markers() -> list[str]:
    return ["别家", "隔壁家", "某宝", "某东", "去旗舰店买", "加微信", "加v", "vx", "同款更便宜", "competitor"]


class ReviewPolicy(models.Model):
    """How a store triages its reviews. A store without a row gets these defaults."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="review_policy")
    main_skus = models.JSONField(_("main products (SKUs)"), default=list, blank=True)
    high_value_amount = models.DecimalField(
        _("high-value order from"), max_digits=12, decimal_places=2, default=Decimal("1000.00")
    )
    many_likes = models.PositiveIntegerField(_("many likes from"), default=20)
    many_images = models.PositiveSmallIntegerField(_("many images from"), default=3)
    repeat_complaints = models.PositiveSmallIntegerField(_("repeat complainer after earlier complaints"), default=2)
    competitor_markers = models.JSONField(_("competitor markers"), default=_default_competitor_markers, blank=True)

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policies")
        constraints = [
            models.CheckConstraint(condition=Q(high_value_amount__gte=0), name="reviewpolicy_value_non_negative"),
            models.CheckConstraint(condition=Q(many_images__gte=1), name="reviewpolicy_images_positive"),
            models.CheckConstraint(condition=Q(repeat_complaints__gte=1), name="reviewpolicy_repeat_positive"),
        ]

    def __str__(self) -> str:
        return str(self.store)


class RemedyPlay(models.Model):
    """The store's playbook: what an agent offers for a cause (the defaults live in reviews.playbook)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="remedy_plays")
    cause = models.CharField(_("cause"), max_length=24, choices=[(c, c) for c in CAUSE_VALUES])
    kind = models.CharField(_("remedy"), max_length=16, choices=RemedyKind.choices)
    cost = models.DecimalField(_("usual cost"), max_digits=10, decimal_places=2, default=Decimal("0"))
    script = models.TextField(_("what to say"), blank=True)

    class Meta:
        ordering = ["store", "cause"]
        verbose_name = _("remedy play")
        verbose_name_plural = _("remedy playbook")
        constraints = [
            models.UniqueConstraint(fields=["store", "cause"], name="remedyplay_unique_per_cause"),
            models.CheckConstraint(condition=Q(cause__in=CAUSE_VALUES), name="remedyplay_cause_valid"),
            models.CheckConstraint(condition=Q(kind__in=RemedyKind.values), name="remedyplay_kind_valid"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="remedyplay_cost_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.store.code}: {self.cause} → {self.kind}"
