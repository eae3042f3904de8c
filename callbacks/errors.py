"""Follow-up errors: domain errors (crm.errors) that crm's one handler maps to HTTP."""

from django.utils.translation import gettext_lazy as _

from crm.errors import Conflict, DomainError, InvalidInput, InvalidTransition, NotFound


class FollowUpNotFound(NotFound):
    code = "followup_not_found"
    default_message = _("No such follow-up in your queue.")


class FollowUpClosed(InvalidTransition):
    code = "followup_closed"
    default_message = _("This follow-up is already closed.")


class FollowUpChanged(Conflict):
    code = "followup_changed"
    default_message = _(
        "This call was already logged (by another click, or by a colleague). Reload the panel to see it."
    )


class PolicyInvalid(InvalidInput):
    code = "policy_invalid"
    default_message = _("The follow-up policy is not valid.")


class CallNotAllowed(InvalidTransition):
    code = "call_not_allowed"
    default_message = _("This follow-up cannot be called now.")


class AgentPhoneMissing(InvalidInput):
    code = "agent_phone_missing"
    default_message = _("The agent has no phone number to ring.")


class TelephonyFailed(DomainError):
    """The provider refused or could not be reached. The agent is told so in their language, with the provider's
    code; the provider's own words (English) stay in the details, for whoever looks into it."""

    code = "telephony_failed"
    http_status = 502
    default_message = _("The telephony provider could not place the call.")

    def __init__(self, *, code_from_provider: str = "", provider_message: str = "") -> None:
        message = (
            _("The telephony provider could not place the call (its error code: %(code)s).")
            % {"code": code_from_provider}
            if code_from_provider
            else None
        )
        super().__init__(message, code_from_provider=code_from_provider, provider_message=provider_message)


class CaseCallNotFound(NotFound):
    code = "case_call_not_found"
    default_message = _("No such case call among yours.")


class CaseCallClosed(InvalidTransition):
    code = "case_call_closed"
    default_message = _("This case call is already closed.")


class OverrideNotAllowed(InvalidTransition):
    code = "override_not_allowed"
    default_message = _("Only a refusal about the hour can be overridden, and only on a call.")
