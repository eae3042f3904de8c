"""The store's gift list and the gift tasks for its loyal customers."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Agent, Customer, Store

from .segment import Segment


class Gift(models.Model):
    """A gift and whom it suits: empty `genders` or no age bound or no segment means anyone on that count."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="gifts")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    genders = models.JSONField(_("suits genders"), default=list, blank=True)
    age_min = models.PositiveSmallIntegerField(_("suits ages from"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("suits ages up to"), null=True, blank=True)
    segments = models.ManyToManyField(Segment, blank=True, related_name="gifts", verbose_name=_("suits segments"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["store", "name"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min__isnull=True) | Q(age_max__isnull=True) | Q(age_max__gte=models.F("age_min")),
                name="gift_age_band_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def gender_labels(self) -> list[str]:
        """The genders it suits, in words of the reader's language (stored as codes: "male")."""
        return [str(Customer.Gender(g).label) for g in self.genders if g in Customer.Gender.values]


class GiftTaskStatus(models.TextChoices):
    OPEN = "open", _("To choose and send")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class GiftTask(models.Model):
    """A gift before a loyal customer's birthday, for their dedicated owner (or an agent of the store)."""

    Status = GiftTaskStatus

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="gift_tasks")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="gift_tasks")
    occasion_date = models.DateField(_("for the birthday on"))
    assignee = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="gift_tasks", verbose_name=_("assignee")
    )
    gift = models.ForeignKey(
        Gift, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks", verbose_name=_("gift")
    )
    status = models.CharField(_("status"), max_length=10, choices=GiftTaskStatus.choices, default=GiftTaskStatus.OPEN)
    note = models.TextField(_("note"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occasion_date", "id"]
        verbose_name = _("gift task")
        verbose_name_plural = _("gift tasks")
        constraints = [
            models.UniqueConstraint(fields=["customer", "occasion_date"], name="gift_task_once_per_birthday"),
            models.CheckConstraint(condition=Q(status__in=GiftTaskStatus.values), name="gift_task_status_valid"),
            models.CheckConstraint(condition=~Q(status="sent") | Q(gift__isnull=False), name="gift_task_sent_has_gift"),
        ]

    def __str__(self) -> str:
        return f"gift for {self.customer_id} ({self.occasion_date})"
