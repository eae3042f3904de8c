from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = _("Letters and parcel inserts")

    def ready(self) -> None:
        from crm.casework import customer_section_register
        from crm.readable import audit_action_register
        from crm.services.ingestion.inputs import OrderInput
        from crm.signals import customer_profile_changed, orders_upserted

        from . import receivers
        from .customer_section import LETTERS_SECTION
        from .models import LetterRule

        customer_section_register(LETTERS_SECTION)
        audit_action_register("letter_rule_changed", model=LetterRule)
        # A customer's new language reaches their letters not yet printed (ADR 0052).
        customer_profile_changed.connect(receivers.follow_the_customers_language, dispatch_uid="letters.language")
        orders_upserted.connect(
            receivers.follow_the_languages_the_order_system_sent, sender=OrderInput, dispatch_uid="letters.api_language"
        )
