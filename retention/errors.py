"""Retention's domain errors (crm.errors.DomainError: a code, an HTTP status, a field)."""

from django.utils.translation import gettext_lazy as _

from crm.errors import Conflict, DomainError, InvalidInput, InvalidTransition


class SegmentEmpty(InvalidInput):
    code = "segment_empty"
    default_message = _("The segment has no customers.")


class CouponPoolExhausted(Conflict):
    code = "coupon_pool_exhausted"
    default_message = _("The coupon pool has fewer codes than customers to contact.")


class GiftUnsuitable(InvalidInput):
    code = "gift_unsuitable"
    default_message = _("This gift does not suit the customer.")


class GiftTaskClosed(InvalidTransition):
    """The task was recorded as sent, or cancelled, meanwhile (a colleague, a customer's "do not contact"): a conflict
    with its state, not a form to correct."""

    code = "gift_task_closed"
    default_message = _("This gift task is already closed.")

    def __init__(self) -> None:
        super().__init__(field="task")


class GiftCustomerDoNotContact(Conflict):
    """The customer asks not to be contacted (now, or since the task was opened): a conflict with the customer's state,
    like a closed task, not a form to correct."""

    code = "gift_customer_do_not_contact"
    default_message = _("The customer asked not to be contacted: no gift is sent.")

    def __init__(self) -> None:
        super().__init__(field="task")


class CampaignNotDraft(Conflict):
    code = "campaign_not_draft"
    default_message = _("Only a draft campaign can be started.")


class CampaignNotRunning(Conflict):
    code = "campaign_not_running"
    default_message = _("Only a running campaign can be stopped.")


class CampaignEnded(Conflict):
    """Started after its end, or with no sending hour left before it: nothing could be sent."""

    code = "campaign_ended"
    default_message = _(
        "The campaign ends before its next sending hour, so nothing could be sent: make a new campaign with a later "
        "end."
    )

    def __init__(self) -> None:
        super().__init__(field="ends_at")


class CampaignTestRecipientRefused(InvalidInput):
    """A test send goes to someone serving the store, never to a number typed in: it is not a way to text anyone."""

    code = "test_recipient_refused"
    default_message = _("A test message goes only to an agent or manager serving this store who has a phone on file.")

    def __init__(self) -> None:
        super().__init__(field="recipient")


class CampaignTestRecipientOptedOut(InvalidInput):
    """The recipient's phone replied STOP to the store's messages (ADR 0049): the contact gate keeps the store's SMS
    from it, and Twilio would refuse the test (21610). START from the phone lifts it."""

    code = "test_recipient_opted_out"
    default_message = _(
        "This phone replied STOP to the store's messages, so no test message goes to it. Text START from it to get "
        "the store's messages again."
    )

    def __init__(self) -> None:
        super().__init__(field="recipient")


class CampaignTestLimitReached(DomainError):
    code = "test_send_limit"
    http_status = 429
    default_message = _("Too many test messages in the last hour; try again later.")


class CampaignTestOutcomeUnknown(DomainError):
    """The provider gave no answer to a test send (a timeout, a 5xx): unlike a refusal, the text may have gone out."""

    code = "campaign_test_outcome_unknown"
    http_status = 502
    default_message = _(
        "The provider did not confirm the test message: it may have been sent. Check the phone before sending "
        "another test."
    )
