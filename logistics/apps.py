from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self) -> None:
        from django.urls import reverse

        from crm.home import WaitingWork, waiting_work_register
        from crm.readable import audit_action_register

        from . import receivers
        from .models import LogisticsPolicy
        from .selectors import shipments_at_risk_count
        from .services.policy import audit_fields

        receivers.connect()
        audit_action_register("logistics_policy_changed", model=LogisticsPolicy, fields=audit_fields())
        waiting_work_register(
            WaitingWork(
                name="parcels_at_risk",
                label=_("Parcels at risk"),
                url=lambda: reverse("logistics:board"),
                count=lambda *, user, stores, now: shipments_at_risk_count(store_ids=[s.pk for s in stores]),
                order=30,
                urgent=True,
            )
        )
