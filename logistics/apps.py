from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self) -> None:
        from crm.readable import audited_model_register

        from . import receivers
        from .models import LogisticsPolicy

        receivers.connect()
        audited_model_register("logistics_policy_changed", LogisticsPolicy)
