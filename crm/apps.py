from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Stores, customers and cases")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.core.signals import request_finished
        from django.db.models.signals import m2m_changed, post_save, pre_save
        from django.urls import reverse

        from crm import lockout  # noqa: F401  audits login lockouts
        from crm.api import schema  # noqa: F401  registers the token scheme with drf-spectacular
        from crm.bulk import lookups  # noqa: F401  registers `__any_of` for every app's queries
        from crm.casework import case_kind_register
        from crm.home import WaitingWork, waiting_work_register
        from crm.models import Agent, AgentStore, CaseEvidence, CasePolicy, Store, StoreClosure
        from crm.readable import audit_action_register
        from crm.readable.policy import sla_targets_text, weekdays_text
        from crm.receivers import stores_left, user_switched_off, user_was_active
        from crm.selectors.cases import open_cases_count, overdue_cases_count, waiting_cases_count
        from crm.services.complaint import COMPLAINT
        from crm.uploads import upload_field_register, uploads_discard_uncommitted

        # crm's own kind, through the hook every other kind uses (ADR 0023).
        case_kind_register(COMPLAINT)
        # The home page's "Waiting for you": crm's own lines, through the hook the other apps use.
        waiting_work_register(
            WaitingWork(
                name="cases",
                label=_("Open cases"),
                url=lambda: reverse("cases:list"),
                count=lambda *, user, stores, now: open_cases_count(user=user, stores=stores),
                order=10,
            )
        )
        # Open cases include those waiting on the customer (still the agent's); this line says how many of them wait.
        waiting_work_register(
            WaitingWork(
                name="cases_waiting",
                label=_("Of those, waiting on the customer"),
                url=lambda: reverse("cases:list") + "?status=awaiting_customer",
                count=lambda *, user, stores, now: waiting_cases_count(user=user, stores=stores),
                order=11,
            )
        )
        waiting_work_register(
            WaitingWork(
                name="cases_overdue",
                label=_("Cases past their deadline"),
                url=lambda: reverse("cases:list") + "?sla=breached",
                count=lambda *, user, stores, now: overdue_cases_count(user=user, stores=stores, now=now),
                order=12,
                urgent=True,
            )
        )
        audit_action_register(
            "case_policy_changed", model=CasePolicy, fields={"days_off": (_("days off every week"), weekdays_text)}
        )
        audit_action_register("sla_targets_changed", change=sla_targets_text)
        audit_action_register("agent_shift_changed", model=AgentStore)  # per store (ADR 0050)
        audit_action_register("remedy_limit_changed", model=Store)
        audit_action_register("store_timezone_changed", model=Store)
        audit_action_register("store_closure_added", model=StoreClosure)
        audit_action_register("store_closure_removed", model=StoreClosure)
        audit_action_register("store_closure_ended", model=StoreClosure)
        # An agent taken off stores, or switched off, hands their work there on (crm.services.agents).
        m2m_changed.connect(stores_left, sender=Agent.stores.through, dispatch_uid="crm.stores_left")
        user = get_user_model()
        pre_save.connect(user_was_active, sender=user, dispatch_uid="crm.user_was_active")
        post_save.connect(user_switched_off, sender=user, dispatch_uid="crm.user_switched_off")
        # A request's writes are over when it finishes: an upload whose write rolled back is deleted (ADR 0047).
        request_finished.connect(uploads_discard_uncommitted, dispatch_uid="crm.uploads_discard_uncommitted")
        # One that a process dying inside its write left behind is deleted by the hourly sweep (crm.uploads_sweep).
        upload_field_register(CaseEvidence, "image")
