"""Stores: the shops an order system reports for, with their platform and timezone."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models._checks import choices_check
from crm.validators import validate_currency_code, validate_timezone


class StorePlatform(models.TextChoices):
    TMALL = "tmall", _("Tmall")
    JD = "jd", _("JD")
    TAOBAO = "taobao", _("Taobao")
    OWN = "own", _("Own site")
    OTHER = "other", _("Other")


class Store(models.Model):
    Platform = StorePlatform

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    platform = models.CharField(_("platform"), max_length=10, choices=StorePlatform.choices)
    timezone = models.CharField(_("timezone"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone])
    manager_hotline = models.CharField(_("manager hotline"), max_length=32, blank=True)
    # The currency of its agent limit, its playbook and the remedies of a case without an order (ADR 0036).
    currency = models.CharField(_("currency"), max_length=3, default="CNY", validators=[validate_currency_code])
    # The most an agent may promise on their own, in the store's currency; above it a remedy waits for the manager.
    agent_remedy_limit = models.DecimalField(
        _("agent remedy limit"), max_digits=10, decimal_places=2, default=Decimal("200.00")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        constraints = [
            choices_check("platform", StorePlatform, "store_platform_valid"),
            models.CheckConstraint(condition=~Q(timezone=""), name="store_timezone_not_empty"),
            models.CheckConstraint(condition=Q(agent_remedy_limit__gte=0), name="store_remedy_limit_non_negative"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="store_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
