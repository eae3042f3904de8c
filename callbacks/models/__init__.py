"""Follow-ups: one planned contact after a delivery (care SMS, call, or a dedicated owner's call).

Also the per-store follow-up policy, the outcomes an agent logs, the calls placed for a follow-up or for a crm case
(`CaseCall`, outside the evening queue), the contact gate's ledger and opted-out numbers, and the telephony events
received.

One small module per subject. Choice classes live at module level so the constraints in each Meta can name them;
each model re-exports its own (``FollowUp.Status``, ``Call.Status`` ...). Everything other code imports is imported
from here, never from a module of the package.
"""

from callbacks.models.call import Call, CallAttempt, CallScript, CallStatus, CaseCall
from callbacks.models.contact import ContactChannel, ContactLog, ContactPurpose, NumberOptOut, RefusalReason
from callbacks.models.followup import (
    CALL_CHANNELS,
    CHANNEL_RANK,
    LIVE_STATUSES,
    SENT_UNDELIVERED,
    SMS_GAVE_UP,
    UNDELIVERED_STATUSES,
    FollowUp,
    FollowUpChannel,
    FollowUpPurpose,
    FollowUpStatus,
    SuppressedReason,
)
from callbacks.models.outcome import (
    OUTCOME_LABELS,
    OUTCOMES_BY_PURPOSE,
    REACHED_OUTCOMES,
    CaseCallOutcome,
    ClosedUncalled,
    ClosedUnlogged,
    FollowUpOutcome,
    ReturnVisitOutcome,
    SmsOutcome,
    outcomes_for,
)

# The policy's callable defaults are named here by migration 0003 (`callbacks.models.default_tiers`), so they stay
# importable from this path for as long as that migration exists.
from callbacks.models.policy import (
    DEFAULT_SMS_TEMPLATE_EN,
    DEFAULT_SMS_TEMPLATE_ZH,
    FollowUpPolicy,
    OverflowRule,
    SmsLanguage,
    default_call_days,
    default_tiers,
)
from callbacks.models.telephony import TelephonyEvent, TelephonyEventKind

__all__ = [
    "CALL_CHANNELS",
    "CHANNEL_RANK",
    "DEFAULT_SMS_TEMPLATE_EN",
    "DEFAULT_SMS_TEMPLATE_ZH",
    "LIVE_STATUSES",
    "OUTCOMES_BY_PURPOSE",
    "OUTCOME_LABELS",
    "REACHED_OUTCOMES",
    "SENT_UNDELIVERED",
    "SMS_GAVE_UP",
    "UNDELIVERED_STATUSES",
    "Call",
    "CallAttempt",
    "CallScript",
    "CallStatus",
    "CaseCall",
    "CaseCallOutcome",
    "ClosedUncalled",
    "ClosedUnlogged",
    "ContactChannel",
    "ContactLog",
    "ContactPurpose",
    "FollowUp",
    "FollowUpChannel",
    "FollowUpOutcome",
    "FollowUpPolicy",
    "FollowUpPurpose",
    "FollowUpStatus",
    "NumberOptOut",
    "OverflowRule",
    "RefusalReason",
    "ReturnVisitOutcome",
    "SmsLanguage",
    "SmsOutcome",
    "SuppressedReason",
    "TelephonyEvent",
    "TelephonyEventKind",
    "default_call_days",
    "default_tiers",
    "outcomes_for",
]
