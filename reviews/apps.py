from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from django.urls import reverse

        from crm.casework import (
            case_kind_register,
            case_panel_register,
            customer_section_register,
            triage_reasons_register,
        )
        from crm.home import WaitingWork, waiting_work_register
        from crm.punctuation import itemised
        from crm.readable import audit_action_register

        from . import receivers
        from .selectors import Patrol, reviews_worse_after_close_count
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
        # A review made worse after its case closed reaches a person (ADR 0032): the manager's escalations page,
        # where it is marked seen; an agent's patrol tab.
        waiting_work_register(
            WaitingWork(
                name="reviews_after_close",
                label=_("Reviews made worse after their case was closed"),
                url=lambda: reverse("reviews:patrol") + f"?view={Patrol.AFTER_CLOSE}",
                manager_url=lambda: reverse("reports:escalations") + "#reviews-after-close",
                count=reviews_worse_after_close_count,
                order=13,
                urgent=True,
            )
        )
        audit_action_register(
            "review_after_close_seen",
            fields={
                "case": (_("Case"), lambda case_id: f"#{case_id}"),
                "review_changes": (_("Changes seen"), itemised),
            },
        )
