"""Review domain errors; crm.api.errors and crm.middleware turn them into HTTP answers."""

from django.utils.translation import gettext_lazy as _

from crm.errors import Conflict, EvidenceInvalid, InvalidInput, StepNotReady

# The case workspace's errors are crm's now; named here too for the review code that raised them.
__all__ = [
    "DuplicateReply",
    "EvidenceInvalid",
    "ReplyChanged",
    "ReplyHasAgentWording",
    "ReplyPosted",
    "ReplyVariantsExhausted",
    "ReplyWindowClosed",
    "StepNotReady",
    "UnknownCause",
]


class DuplicateReply(Conflict):
    code = "duplicate_reply"
    default_message = _("The same reply was used recently for this store: write it differently.")


class ReplyVariantsExhausted(Conflict):
    code = "reply_variants_exhausted"
    default_message = _("Every reply the templates can make was used recently: add templates or write one by hand.")


class ReplyHasAgentWording(Conflict):
    code = "reply_has_agent_wording"
    default_message = _("This reply has the agent's own wording: confirm to replace it with another draft.")


class UnknownCause(InvalidInput):
    code = "unknown_cause"
    default_message = _("Unknown cause.")


class ReplyChanged(Conflict):
    """The reply was saved or posted by someone else since the page the agent saves from was shown."""

    code = "reply_changed"
    default_message = _("Someone else changed this reply since you opened the page.")


class ReplyPosted(Conflict):
    code = "reply_posted"
    default_message = _("This reply is already posted on the platform.")


class ReplyWindowClosed(Conflict):
    """The platform no longer takes a reply to the review (reviews.replies.REPLY_WINDOW)."""

    code = "reply_window_closed"
    default_message = _("The platform no longer takes a reply to this review.")
