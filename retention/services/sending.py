"""Campaign and birthday SMS go out through the care SMS sweeper (callbacks.services.dispatch, ADR 0011).

This module is the campaign queue's claim: which contact rows are due, what the contact gate says at the moment
of sending, and the ledger row the marketing cap counts, written in the claim's own transaction. Sending,
recording and reconciliation are the sweeper's, so a campaign SMS is sent at most once, like a care SMS, and the
(campaign, customer) unique constraint makes it at most one per customer and campaign.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction

from callbacks.services.dispatch import DispatchReport, SmsQueue, sms_queue_register
from callbacks.services.gate import (
    ALLOWED,
    ContactChannel,
    ContactPurpose,
    ContactRow,
    RefusalReason,
    contacts_decide,
    contacts_forget,
    contacts_record,
)
from callbacks.services.messages import public_url_by_id
from callbacks.services.rows import rows_set
from crm.models import Store
from crm.services.locks import advisory_lock

from ..models import Campaign, CampaignChannel, CampaignContact, ContactStatus
from .plan import CAMPAIGN_ENDED, sending_moment

LEDGER_SOURCE = "campaign_sms"
_CLAIM_FIELDS = ["status", "excluded_reason", "due_at", "claimed_at", "attempts"]
# Two due messages of one customer in one claim (overlapping campaigns): the second waits this long, and the
# gate, which then sees the first in its ledger, decides it against the cap.
_SECOND_IN_BATCH = timedelta(minutes=1)


@transaction.atomic
def campaign_messages_claim(*, now: datetime, limit: int, report: DispatchReport) -> list[CampaignContact]:
    ids = list(
        CampaignContact.objects.select_for_update(skip_locked=True)
        .filter(status=ContactStatus.PLANNED, channel=CampaignChannel.SMS, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return []
    rows = list(
        CampaignContact.objects.filter(pk__in=ids).select_related("customer", "campaign").order_by("due_at", "id")
    )
    # Another sweeper claiming a message of the same customer (another campaign) waits here until this claim
    # commits its ledger rows, so the gate's cap sees them (crm.services.locks).
    advisory_lock(f"marketing:{row.customer_id}" for row in rows)
    stores = Store.objects.in_bulk({row.store_id for row in rows})
    by_store: dict[int, list[CampaignContact]] = defaultdict(list)
    for row in rows:
        row.store = stores[row.store_id]
        by_store[row.store_id].append(row)
    claimed, ledger, seen = [], [], set()
    for store_id, store_rows in by_store.items():
        decisions = contacts_decide(
            store=stores[store_id],
            customer_ids=sorted({r.customer_id for r in store_rows}),
            channel=ContactChannel.SMS,
            purpose=ContactPurpose.MARKETING,
            at=now,
        )
        for row in store_rows:
            campaign: Campaign = row.campaign
            campaign.store = row.store
            decision = decisions[row.customer_id]
            if row.attempts and decision.reason == RefusalReason.CAP_REACHED:
                # A retry (busy provider, nothing found on reconciling) is the message the ledger already counts.
                decision = ALLOWED
            if now >= campaign.ends_at:
                row.status, row.excluded_reason = ContactStatus.SUPPRESSED, CAMPAIGN_ENDED
                report.suppressed += 1
            elif row.customer_id in seen:
                row.due_at = now + _SECOND_IN_BATCH
                report.rescheduled += 1
            elif not decision.allowed:
                if (
                    decision.only_the_hour
                    and decision.not_before is not None
                    and decision.not_before < campaign.ends_at
                ):
                    row.due_at = decision.not_before
                    report.rescheduled += 1
                else:
                    row.status, row.excluded_reason = ContactStatus.SUPPRESSED, decision.reason
                    report.suppressed += 1
            elif (moment := sending_moment(campaign=campaign, moment=now)) > now:
                row.due_at = moment  # outside the campaign's sending hours
                report.rescheduled += 1
            else:
                seen.add(row.customer_id)
                row.status, row.claimed_at, row.attempts = ContactStatus.SENDING, now, row.attempts + 1
                claimed.append(row)
                if row.attempts == 1:  # a retry (busy provider, nothing found on reconciling) is the same message
                    ledger.append(
                        ContactRow(
                            customer_id=row.customer_id,
                            store_id=row.store_id,
                            channel=ContactChannel.SMS,
                            purpose=ContactPurpose.MARKETING,
                            at=now,
                            source=LEDGER_SOURCE,
                        )
                    )
    contacts_record(rows=ledger)
    rows_set(model=CampaignContact, rows=rows, fields=_CLAIM_FIELDS)
    return claimed


def _forget(rows: list[CampaignContact], claimed_at: datetime) -> None:
    contacts_forget(customer_ids=[row.customer_id for row in rows], at=claimed_at, source=LEDGER_SOURCE)


def _status_url():
    return public_url_by_id("retention:message-status")


CAMPAIGN_SMS = SmsQueue(
    name="campaigns", model=CampaignContact, claim=campaign_messages_claim, forget=_forget, status_url=_status_url
)


def register() -> None:
    sms_queue_register(CAMPAIGN_SMS)
