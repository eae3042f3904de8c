from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = _("Letters and parcel inserts")

    def ready(self) -> None:
        from crm.casework import customer_section_register
        from crm.readable import audit_action_register

        from .customer_section import LETTERS_SECTION
        from .models import LetterRule

        customer_section_register(LETTERS_SECTION)
        audit_action_register("letter_rule_changed", model=LetterRule)
