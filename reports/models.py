"""Daily roll-ups of the facts the report reads, so a year of a busy store is summed from a few thousand rows.

`DailyCount` holds, per store and store-local day, one number (and an amount) per metric and key, e.g.
("review", "bad") or ("followup", "call:done"), and the same summed per calendar month (`month` rows, dated the
1st), so a year is read as twelve month rows plus the odd days at its ends. `reports.rollups` writes both from
the facts by SQL aggregation; `reports.metrics` sums them over the period. `RollupRun` says how fresh they are.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import Store


class DailyCount(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    month = models.BooleanField(_("whole month"), default=False)
    metric = models.CharField(_("metric"), max_length=32)
    key = models.CharField(_("key"), max_length=80, blank=True)
    count = models.BigIntegerField(_("count"), default=0)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(fields=["store", "month", "metric", "day", "key"], name="dailycount_unique"),
        ]
        # A report reads whole months and the days at its ends: three ranges of this index.
        indexes = [models.Index(fields=["store", "month", "day"], name="dailycount_period")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.metric}/{self.key}={self.count}"


class RollupRun(models.Model):
    """When a store's roll-ups were last rebuilt, and from which day on."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField(_("refreshed at"))
    since = models.DateField(_("rebuilt from"))

    class Meta:
        verbose_name = _("roll-up run")
        verbose_name_plural = _("roll-up runs")

    def __str__(self) -> str:
        return f"{self.store_id} @ {self.refreshed_at:%Y-%m-%d %H:%M}"


class RollupStaleDay(models.Model):
    """A store-local day whose figures of one group (`figures`: a `LateFigures` name, reports.rollups.refresh) lost a
    fact the next frequent rebuild does not otherwise see as changed: a review or an order the admin deleted. That
    rebuild takes the group of that day again, and the mark with it (ADR 0005)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    figures = models.CharField(_("figures"), max_length=20)
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("day to roll up again")
        verbose_name_plural = _("days to roll up again")
        constraints = [models.UniqueConstraint(fields=["store", "figures", "day"], name="rollupstaleday_unique")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.figures}"
