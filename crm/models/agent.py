"""Agents: users who work the queues and cases of the stores they serve, each store as an agent or as its manager, on
shift there or not and with an evening call capacity there (ADR 0045)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models._checks import choices_check
from crm.models.store import Store


class StoreRole(models.TextChoices):
    """What a person is in one store they serve (ADR 0045). A manager's role counts only while their account is in
    the store managers' group (crm.roles): the group grants the manager pages, the role says for which stores."""

    AGENT = "agent", _("agent")
    MANAGER = "manager", _("store manager")


class Agent(models.Model):
    """A customer-service person: an agent, or a store manager, of each store they serve (`AgentStore.role`), with a
    shift and an evening capacity in each (`AgentStore.on_shift`, `AgentStore.evening_capacity`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent")
    stores = models.ManyToManyField(Store, through="AgentStore", related_name="agents", verbose_name=_("stores served"))
    phone = models.CharField(_("phone for call bridging"), max_length=20, blank=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class AgentStore(models.Model):
    """One store an agent serves: their role there, whether they are on shift there (new cases, evening calls) and how
    many of its calls they take in one evening. Each is the store's own, set by its managers (ADR 0045): a person who
    serves two stores is on shift and has a capacity in each. `agent.stores.add(store)` makes them an agent of it, off
    shift; `through_defaults={"role": StoreRole.MANAGER, "on_shift": True}` writes the others (or the admin)."""

    Role = StoreRole

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="memberships")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("store"))
    role = models.CharField(_("role"), max_length=16, choices=StoreRole.choices, default=StoreRole.AGENT)
    on_shift = models.BooleanField(_("on shift"), default=False)
    evening_capacity = models.PositiveSmallIntegerField(_("evening call capacity"), default=20)

    class Meta:
        # The table Agent.stores had before it took a role (migration 0028): its rows and unique pair are kept.
        db_table = "crm_agent_stores"
        unique_together = [("agent", "store")]
        constraints = [choices_check("role", StoreRole, "agent_store_role_valid")]
        verbose_name = _("store served")
        verbose_name_plural = _("stores served")

    def __str__(self) -> str:
        return f"{self.store.name}: {self.get_role_display()}"

    def shift_text(self) -> str:
        """The store, the role, and the shift and capacity there: how the admin's agent list shows a membership."""
        shift = _("on shift") if self.on_shift else _("off shift")
        return _("%(store)s: %(role)s, %(shift)s, evening capacity %(capacity)s") % {
            "store": self.store.name,
            "role": self.get_role_display(),
            "shift": shift,
            "capacity": self.evening_capacity,
        }
