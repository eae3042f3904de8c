from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self) -> None:
        from crm.readable import audit_action_register

        from . import receivers
        from .models import LogisticsPolicy

        receivers.connect()
        audit_action_register("logistics_policy_changed", model=LogisticsPolicy)
