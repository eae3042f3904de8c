from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Segments, campaigns, birthdays and gifts")

    def ready(self) -> None:
        from .services import sending

        sending.register()
