"""What an agent logs after a call, for each purpose of follow-up and for a call about a case, and the outcomes the
sweep of callbacks.services.missed gives the calls nobody worked or logged."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from callbacks.models.followup import SMS_GAVE_UP, FollowUpPurpose


class FollowUpOutcome(models.TextChoices):
    """What the agent logged after a call attempt (one click on the call panel)."""

    SATISFIED = "satisfied", _("Reached, satisfied")
    DISSATISFIED = "dissatisfied", _("Reached, dissatisfied")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DO_NOT_CALL = "do_not_call", _("Asked not to be called")
    CALL_BACK = "call_back", _("Call me back later")


# The outcomes an agent logs when the customer answered: they spoke with them, whatever came of it. The first contact
# after a delivery counts from such a call (reports.rollups) and a parcel's call notice told its customer of the delay
# with it (logistics.models.notice.NOTICE_TOLD). No answer, a wrong number, a call nobody made (`ClosedUncalled`) or
# one whose outcome nobody logged (`ClosedUnlogged`) reached nobody.
REACHED_OUTCOMES = (
    FollowUpOutcome.SATISFIED,
    FollowUpOutcome.DISSATISFIED,
    FollowUpOutcome.DO_NOT_CALL,
    FollowUpOutcome.CALL_BACK,
)


class CaseCallOutcome(models.TextChoices):
    """What the agent logged after a call about a case. Only a reached call counts as contact on the case."""

    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DO_NOT_CALL = "do_not_call", _("Asked not to be called")


class ReturnVisitOutcome(models.TextChoices):
    """What the agent logged after a return-visit call (a campaign's call task). The values it shares with
    `FollowUpOutcome` mean the same; the campaign reads them back (callbacks.signals.followup_outcome_logged)."""

    INTERESTED = "interested", _("Interested")
    NOT_NOW = "not_now", _("Not now")
    DO_NOT_CALL = "do_not_call", _("Do not call again")
    COMPLAINT = "complaint", _("Complaint (opens a case)")
    NO_ANSWER = "no_answer", _("No answer")


class ClosedUncalled(models.TextChoices):
    """The outcome of a call follow-up nobody worked: closed by the sweep of callbacks.services.missed once its
    window ended with no call placed or under way. No agent logs it, so it has no `CallAttempt`."""

    MISSED = "missed", _("Not called in its window")


class ClosedUnlogged(models.TextChoices):
    """The outcome of a call follow-up whose call was placed but whose outcome its agent never logged (the tab was
    closed): closed by the same sweep once the call and its window were over (ADR 0028). No agent logged it, so it
    has no `CallAttempt`; what was said may still be logged on the panel, which replaces it."""

    NOT_LOGGED = "not_logged", _("Called, outcome not logged")


class SmsOutcome(models.TextChoices):
    """What became of a care SMS that reached nobody (the follow-up `failed`): refused by Twilio when it was sent, the
    number opted out (21610) or another refusal; reported not delivered by the carrier; or given up by the sweeper,
    never sent (ADR 0051, "A care SMS that failed")."""

    OPTED_OUT = "opted_out", _("Not sent: the number opted out of SMS")
    REJECTED = "rejected", _("Refused by the SMS provider")
    UNDELIVERED = "undelivered", _("Not delivered")
    GAVE_UP = SMS_GAVE_UP, _("Not sent: the SMS provider could not be reached")


# The outcomes the panel offers, and the outcome service accepts, for each purpose of a follow-up.
OUTCOMES_BY_PURPOSE: dict[str, type[models.TextChoices]] = {
    FollowUpPurpose.CARE: FollowUpOutcome,
    FollowUpPurpose.LOGISTICS: FollowUpOutcome,
    FollowUpPurpose.RETURN_VISIT: ReturnVisitOutcome,
}


def outcomes_for(purpose: str) -> type[models.TextChoices]:
    return OUTCOMES_BY_PURPOSE[purpose]


# Every outcome a CallAttempt may hold, for follow-ups and case calls (the values they share mean the same).
ATTEMPT_OUTCOMES = [
    *FollowUpOutcome.choices,
    (CaseCallOutcome.REACHED.value, CaseCallOutcome.REACHED.label),
    *((value, label) for value, label in ReturnVisitOutcome.choices if value not in FollowUpOutcome.values),
]
# Every label of an outcome a follow-up may hold, for the pages (the care wording first where values are shared).
OUTCOME_LABELS = {
    **dict(ReturnVisitOutcome.choices),
    **dict(FollowUpOutcome.choices),
    **dict(ClosedUncalled.choices),
    **dict(ClosedUnlogged.choices),
    **dict(SmsOutcome.choices),
}
