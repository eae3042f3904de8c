"""The derived attributes segments are rules over: one row per customer, refreshed set-based (ADR 0018)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import Customer, Store


class CustomerAttributes(models.Model):
    """What the store knows of a customer from orders, reviews and cases, as of `refreshed_at`.

    Written only by `retention.services.refresh` (one INSERT ... SELECT ... ON CONFLICT per store); never edited.
    """

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="retention_attributes"
    )
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    refreshed_at = models.DateTimeField(_("refreshed at"))
    orders_count = models.PositiveIntegerField(_("orders"), default=0)
    total_spent = models.DecimalField(_("total spent"), max_digits=14, decimal_places=2, default=0)
    first_order_at = models.DateTimeField(_("first order"), null=True)
    last_order_at = models.DateTimeField(_("last order"), null=True)
    days_since_last = models.IntegerField(_("days since the last order"), null=True)
    # Mean days between purchases (needs two orders); otherwise the store's assumed cycle.
    cycle_days = models.IntegerField(_("typical days between purchases"), null=True)
    overdue_days = models.IntegerField(_("days past the cycle"), default=0)
    recency_score = models.PositiveSmallIntegerField(_("recency score"), default=0)
    frequency_score = models.PositiveSmallIntegerField(_("frequency score"), default=0)
    monetary_score = models.PositiveSmallIntegerField(_("monetary score"), default=0)
    # Distinct SKUs and categories bought, as "|sku1|sku2|" so a rule "bought X" is one LIKE.
    products = models.TextField(_("products bought"), blank=True)
    categories = models.TextField(_("categories bought"), blank=True)
    avg_rating = models.DecimalField(_("average rating given"), max_digits=3, decimal_places=2, null=True)
    bad_reviews_30d = models.PositiveIntegerField(_("bad reviews in the last 30 days"), default=0)
    complaints_90d = models.PositiveIntegerField(_("complaints in the last 90 days"), default=0)
    open_cases = models.PositiveIntegerField(_("open cases"), default=0)
    region = models.CharField(_("region"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=10, blank=True)
    birthday_month = models.PositiveSmallIntegerField(_("birthday month"), null=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True)
    vip_tier = models.PositiveSmallIntegerField(_("VIP tier"), default=0)

    class Meta:
        verbose_name = _("customer attributes")
        verbose_name_plural = _("customer attributes")
        indexes = [models.Index(fields=["store", "customer"], name="attributes_store")]

    def __str__(self) -> str:
        return f"attributes of {self.customer_id}"
