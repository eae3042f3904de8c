"""A store's retention settings: its assumed purchase cycle, the VIP rule, birthday wishes and gifts."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Store

DEFAULT_BIRTHDAY_TEMPLATE = "{name}您好，{store}祝您生日快乐！愿新的一岁一切顺心。"


class RetentionPolicy(models.Model):
    """A store without a saved policy uses these defaults (`policy_for_store`)."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="retention_policy")
    # A one-time buyer has no cycle of their own: they are overdue after this many days.
    default_cycle_days = models.PositiveSmallIntegerField(_("assumed purchase cycle (days)"), default=90)
    # vip_tier rule: the highest tier whose spend and order count the customer reaches. In the store's currency; the
    # defaults here are the house's yuan figures, which a store in another currency gets converted (retention.vip).
    silver_min_spent = models.DecimalField(
        _("silver: spent at least"), max_digits=12, decimal_places=2, default=Decimal("2000")
    )
    gold_min_spent = models.DecimalField(
        _("gold: spent at least"), max_digits=12, decimal_places=2, default=Decimal("5000")
    )
    platinum_min_spent = models.DecimalField(
        _("platinum: spent at least"), max_digits=12, decimal_places=2, default=Decimal("10000")
    )
    vip_min_orders = models.PositiveSmallIntegerField(_("VIP: orders at least"), default=2)
    birthday_wishes = models.BooleanField(_("send birthday wishes"), default=True)
    birthday_days_before = models.PositiveSmallIntegerField(_("birthday wishes: days before"), default=3)
    birthday_template = models.TextField(_("birthday wish"), default=DEFAULT_BIRTHDAY_TEMPLATE)
    gift_days_before = models.PositiveSmallIntegerField(_("gift tasks: days before the birthday"), default=14)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(silver_min_spent__lte=models.F("gold_min_spent"))
                & Q(gold_min_spent__lte=models.F("platinum_min_spent")),
                name="retention_vip_thresholds_ordered",
            ),
            models.CheckConstraint(condition=Q(default_cycle_days__gte=1), name="retention_cycle_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.store.code} retention policy"

    def clean(self) -> None:
        """The birthday wish is checked as a campaign's wording is (placeholders something fills, no reward for a
        review): the admin is where it is edited, and a wish that cannot be filled would stop the planning."""
        from crm.errors import InvalidInput

        from ..wording import wordings_clean  # the wording module reads the models
        from .campaign import OfferKind

        try:
            wordings_clean([self.birthday_template], offer_kind=OfferKind.NONE, field="birthday_template")
        except InvalidInput as exc:
            raise ValidationError({"birthday_template": exc.message}) from exc


def retention_policy_for(*, store: Store) -> RetentionPolicy:
    """The store's saved policy, or the defaults (unsaved) with the VIP thresholds in the store's currency: the
    house's yuan figures converted, or None (nobody is VIP by spend) when no rate converts them (ADR 0043)."""
    try:
        return store.retention_policy
    except RetentionPolicy.DoesNotExist:
        from ..vip import vip_default_thresholds  # reads callbacks' follow-up policy, which needs the apps loaded

        defaults = vip_default_thresholds(store=store)
        values = defaults.values or dict.fromkeys(("silver_min_spent", "gold_min_spent", "platinum_min_spent"))
        return RetentionPolicy(store=store, **values)
