from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = _("Follow-ups and telephony")

    def ready(self) -> None:
        from django.urls import reverse

        from crm.casework import customer_section_register
        from crm.home import WaitingWork, waiting_work_register
        from crm.readable import audit_action_register, customer_change_register
        from crm.readable.policy import list_text, weekdays_text

        from . import order_api, receivers
        from .customer_section import CONTACTS_SECTION
        from .models import FollowUpPolicy, RefusalReason
        from .selectors import calls_left_tonight_count
        from .services.opt_out_history import SMS_REPLY, sms_opt_out_text
        from .services.policy import exchange_rates_text, tiers_text

        receivers.connect()
        order_api.register()
        customer_section_register(CONTACTS_SECTION)
        customer_change_register(SMS_REPLY, label=_("SMS opt-out"), show=sms_opt_out_text)
        waiting_work_register(
            WaitingWork(
                name="calls_tonight",
                label=_("Calls left tonight"),
                url=lambda: reverse("callbacks:queue"),
                count=calls_left_tonight_count,
                order=20,
            )
        )
        audit_action_register(
            "followup_policy_changed",
            model=FollowUpPolicy,
            fields={
                "call_days": (_("call days"), weekdays_text),
                "tiers": (_("tiers"), tiers_text),
                "exchange_rates": (_("exchange rates"), exchange_rates_text),
                "opt_out_words": (_("extra opt-out words"), list_text),
            },
        )
        # An override records the gate's reason as its code: the audit page says it in words.
        refusals = dict(RefusalReason.choices)
        audit_action_register(
            "contact.override", fields={"reason": (_("Rule overridden"), lambda code: str(refusals.get(code, code)))}
        )
