"""Orders as the order systems report them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models._checks import choices_check
from crm.models.customer import Customer
from crm.models.store import Store


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


class Order(models.Model):
    Status = OrderStatus

    # No index of its own: the unique (store, external_id) index serves every lookup by store.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders", db_index=False)
    external_id = models.CharField(_("external id"), max_length=100)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    total_amount = models.DecimalField(_("total amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    # [{"sku", "name", "quantity", "unit_price"}], kept as the order system sent it.
    items = models.JSONField(_("items"), default=list, blank=True)
    placed_at = models.DateTimeField(_("placed at"))
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    courier = models.CharField(_("courier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    # A coupon code used on the order (a campaign's code counts the order as redeemed: retention).
    coupon_code = models.CharField(_("coupon code"), max_length=40, blank=True, default="", db_default="")
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="order_unique_per_store"),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_non_negative"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="order_currency_iso"),
            choices_check("status", OrderStatus, "order_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False), name="order_delivered_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "placed_at"], name="order_store_placed"),
            # Partial: orders arrive undelivered, and every query on delivered_at is a range, which implies NOT NULL.
            models.Index(
                fields=["store", "delivered_at"], condition=Q(delivered_at__isnull=False), name="order_store_delivered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store.code}/{self.external_id}"

    @property
    def product_summary(self) -> str:
        names = [str(item.get("name", "")) for item in self.items if isinstance(item, dict)]
        return "、".join(n for n in names if n)
