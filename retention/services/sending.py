"""Campaign and birthday SMS go out through the care SMS sweeper (callbacks.services.dispatch, ADR 0011).

This module configures the campaign queue's claim (callbacks.services.claims): which contact rows are due, what
the contact gate says at the moment of sending, and the ledger row the marketing cap counts, written in the claim's
own transaction. Sending, recording and reconciliation are the sweeper's, so a campaign SMS is sent at most once,
like a care SMS, and the (campaign, customer) unique constraint makes it at most one per customer and campaign.
"""

from datetime import datetime

from callbacks.services.claims import DueClaim, due_sms_queue
from callbacks.services.dispatch import sms_queue_register
from callbacks.services.gate import ContactPurpose
from callbacks.services.policy import policy_for_store

from ..models import CampaignContact, CampaignStatus
from .hours import STORE_SMS_HOURS, store_hours_moment
from .plan import CAMPAIGN_ENDED


def _ends_at(row: CampaignContact) -> datetime:
    # A campaign no longer running (stopped, or finished in the admin) has ended: nothing more of it is sent.
    if row.campaign.status != CampaignStatus.RUNNING:
        return min(row.campaign.ends_at, row.campaign.created_at)
    return row.campaign.ends_at


def _sending_hours(row: CampaignContact, now: datetime) -> datetime | None:
    # Loaded with the row: the campaign's hours are in its store's time, and meet the store's SMS hours (ADR 0044).
    row.campaign.store = row.store
    return store_hours_moment(campaign=row.campaign, policy=policy_for_store(store=row.store), moment=now)


# Due messages → `sending` with the gate's last word and the marketing ledger row (callbacks.services.claims). One
# message of a customer at a time: two overlapping campaigns, and the second waits until the gate, seeing the
# first, decides it against the marketing cap. A campaign's end and its daily sending hours hold too, where they meet
# the store's SMS hours; a message those leave no time for before the end is withdrawn (ADR 0044).
CAMPAIGN_SMS = due_sms_queue(
    name="campaigns",
    claim=DueClaim(
        model=CampaignContact,
        purpose=ContactPurpose.MARKETING,
        source="campaign_sms",
        reason_field="excluded_reason",
        related=("campaign", "store__followup_policy"),
        deadline=_ends_at,
        deadline_reason=CAMPAIGN_ENDED,
        own_hours=_sending_hours,
        hours_reason=STORE_SMS_HOURS,
    ),
    status_url="retention:message-status",
)
campaign_messages_claim = CAMPAIGN_SMS.claim


def register() -> None:
    sms_queue_register(CAMPAIGN_SMS)
