from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from crm.casework import (
            case_kind_register,
            case_panel_register,
            customer_section_register,
            triage_reasons_register,
        )

        from . import receivers
        from .services.bad_review import BAD_REVIEW
        from .triage import REASONS
        from .views.case_panel import REVIEW_PANEL
        from .views.customer_section import REVIEWS_SECTION

        receivers.connect()
        # A bad review's five steps and the review itself plug into crm's case workspace (ADR 0023).
        case_kind_register(BAD_REVIEW)
        case_panel_register(REVIEW_PANEL)
        triage_reasons_register(REASONS)
        customer_section_register(REVIEWS_SECTION)
