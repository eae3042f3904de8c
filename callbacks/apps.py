from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = _("Follow-ups and telephony")

    def ready(self) -> None:
        from . import order_api, receivers

        receivers.connect()
        order_api.register()
