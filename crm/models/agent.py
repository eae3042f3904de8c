"""Agents: users who work the queues and cases of the stores they serve."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models.store import Store


class Agent(models.Model):
    """A customer-service person: an agent, or a store manager (the role is a Django group, see crm.roles)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent")
    stores = models.ManyToManyField(Store, related_name="agents", verbose_name=_("stores served"))
    phone = models.CharField(_("phone for call bridging"), max_length=20, blank=True)
    on_shift = models.BooleanField(_("on shift"), default=False)
    evening_capacity = models.PositiveSmallIntegerField(_("evening call capacity"), default=20)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()
