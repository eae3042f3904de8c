from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Segments, campaigns, birthdays and gifts")

    def ready(self) -> None:
        from callbacks.signals import followup_outcome_logged

        from .services import sending, visits

        sending.register()
        # A return-visit call's outcome, logged on callbacks' call panel, lands on the campaign's row.
        followup_outcome_logged.connect(visits.campaign_call_outcome_record, dispatch_uid="retention.call_outcome")
