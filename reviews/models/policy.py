"""A store's review policy (its remedy playbook is crm's RemedyPlay)."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Store


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
