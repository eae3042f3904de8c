from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Stores, customers and cases")

    def ready(self) -> None:
        from crm import lockout  # noqa: F401  audits login lockouts
        from crm.api import schema  # noqa: F401  registers the token scheme with drf-spectacular
        from crm.bulk import lookups  # noqa: F401  registers `__any_of` for every app's queries
        from crm.casework import case_kind_register
        from crm.models import Agent, CasePolicy, Store
        from crm.readable import audit_action_register
        from crm.services.complaint import COMPLAINT

        # crm's own kind, through the hook every other kind uses (ADR 0023).
        case_kind_register(COMPLAINT)
        audit_action_register("case_policy_changed", model=CasePolicy)
        audit_action_register("agent_shift_changed", model=Agent)
        audit_action_register("remedy_limit_changed", model=Store)
        audit_action_register("store_timezone_changed", model=Store)
