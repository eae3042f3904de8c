"""A campaign contact's reply: when the customer first answered the campaign's message (`CampaignContact.replied_at`).

A reply is an inbound SMS from the number the message went to (a call's: the customer's phone), after the message was
sent and before the store's next message to that number, of any SMS queue (a care SMS, a parcel notice, another
campaign's). That is how the inbound SMS reads a reply, as an answer to the store's last message to the number
(callbacks.services.numbers, ADR 0049): a text sent before the campaign's message reached the customer, or in answer
to a message the store sent them since, is no reply to the campaign.

Written as the reply comes, in its transaction (callbacks' `inbound_sms_received`, retention.receivers), and read by
the campaign's results (Replied is the count of contacts with a reply), its page and the customer's page: one rule,
here. A reply to a message of a campaign still running also puts the customer's return visits waiting in the agents'
queue first, marked with its time (`campaign_replies_latest`, callbacks' `call_tasks_note_replies`, ADR 0024): they
wrote to the store, and are waiting for it.
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from django.db.models import Max, Min

from callbacks.models import FollowUpPolicy, FollowUpPurpose
from callbacks.services.inbound import inbound_sms_senders
from callbacks.services.numbers import numbers_texted
from callbacks.services.opt_out import is_opt_word
from callbacks.services.policy import policy_for_store
from callbacks.services.tasks_calls import call_tasks_note_replies
from crm.models import Store
from crm.selectors.customers import customers_holding

from ..models import CampaignContact, CampaignStatus, ContactStatus

# A contact whose message reached the customer: an SMS sent, a call made (its `sent_at` the call's start).
REACHED = (ContactStatus.SENT, ContactStatus.DONE)
_CHUNK = 1000


class Inbound(NamedTuple):
    """An SMS from a number: when it came, and its text as it came."""

    at: datetime
    body: str


def campaign_replies_record(*, replies: Mapping[str, Sequence[Inbound]]) -> int:
    """Record the first reply of each contact not yet replied whose number sent one of `replies` ({number as phones are
    stored: its SMS}) in answer to their message (the rule above). Returns the contacts that replied."""
    phones = sorted(phone for phone, sms in replies.items() if phone and sms)
    if not phones:
        return 0
    latest = max(sms.at for phone in phones for sms in replies[phone])
    waiting = CampaignContact.objects.filter(replied_at__isnull=True, sent_at__lt=latest).select_related(
        "customer", "campaign"
    )
    fields = ("pk", "store_id", "customer_id", "recipient", "sent_at", "customer__phone", "campaign__status")
    # Messages by the number their claim fixed (the index of sent rows by recipient); calls, which have none, by the
    # customers holding the number.
    rows = [
        *waiting.filter(status=ContactStatus.SENT, recipient__in=phones).only(*fields),
        *waiting.filter(status__in=REACHED, recipient="", customer__in=customers_holding(phones=phones)).only(*fields),
    ]
    by_store: dict[int, list[CampaignContact]] = defaultdict(list)
    for row in rows:
        by_store[row.store_id].append(row)
    replied = []
    policies = _policies(by_store)
    for store_id, contacts in by_store.items():
        since = min(row.sent_at for row in contacts)
        texted = numbers_texted(store_id=store_id, phones={_number(row) for row in contacts}, since=since)
        for row in contacts:
            later = texted.get(_number(row), [])
            after = bisect_right(later, row.sent_at)  # the store's next message to the number, if any
            until = later[after] if after < len(later) else None
            answers = [
                sms.at
                for sms in replies.get(_number(row), ())
                if row.sent_at < sms.at and (until is None or sms.at < until)
                and not is_opt_word(sms.body, policies[store_id])
            ]  # fmt: skip
            if answers:
                row.replied_at = min(answers)
                replied.append(row)
    CampaignContact.objects.bulk_update(replied, ["replied_at"], batch_size=_CHUNK)
    latest_replies: dict[tuple[int, int], datetime] = {}
    for row in replied:
        if row.campaign.status == CampaignStatus.RUNNING:
            key = (row.store_id, row.customer_id)
            latest_replies[key] = max(row.replied_at, latest_replies.get(key, row.replied_at))
    call_tasks_note_replies(purpose=FollowUpPurpose.RETURN_VISIT, replies=latest_replies)
    return len(replied)


def campaign_replies_latest(*, customer_ids) -> dict[tuple[int, int], datetime]:
    """{(store id, customer id): the customer's latest reply to a message of one of the store's running campaigns}, for
    these customers (one query): what their return visit, made now, shows and is listed first for (ADR 0024)."""
    rows = (
        CampaignContact.objects.filter(
            customer_id__in=list(customer_ids), replied_at__isnull=False, campaign__status=CampaignStatus.RUNNING
        )
        .values("store_id", "customer_id")
        .annotate(latest=Max("replied_at"))
        .order_by()
    )
    return {(row["store_id"], row["customer_id"]): row["latest"] for row in rows}


def _number(row: CampaignContact) -> str:
    """The number the contact's message went to (the number its claim fixed); a call's: the customer's phone."""
    return row.recipient or row.customer.phone


def _policies(store_ids) -> dict[int, FollowUpPolicy]:
    """{store id: its policy}, whose words say which replies opt out there (one query)."""
    stores = Store.objects.select_related("followup_policy").in_bulk(list(store_ids))
    return {pk: policy_for_store(store=store) for pk, store in stores.items()}


def campaign_replies_backfill() -> int:
    """The replies that came before retention recorded them as they come (retention 0010): every inbound SMS since
    the first message of a contact not yet replied, read as `inbound_sms_received` tells them, through the same rule.
    Idempotent: run again, it finds no reply not recorded."""
    since = CampaignContact.objects.filter(status__in=REACHED, replied_at__isnull=True).aggregate(first=Min("sent_at"))[
        "first"
    ]
    if since is None:
        return 0
    replies: dict[str, list[Inbound]] = defaultdict(list)
    for phone, at, body in inbound_sms_senders(since=since):
        replies[phone].append(Inbound(at, body))
    phones = sorted(replies)
    return sum(
        campaign_replies_record(replies={phone: replies[phone] for phone in phones[i : i + _CHUNK]})
        for i in range(0, len(phones), _CHUNK)
    )


def campaign_replies_forget_opt_words() -> int:
    """The contacts whose recorded reply was an opt-out or an opt-in word (recorded as replies until they were left out:
    by retention 0010 and as they came) have it taken back; a later answer of theirs that the rule counts is recorded
    instead (`campaign_replies_backfill`). Returns the replies taken back. Idempotent: run again, it finds none."""
    rows = list(
        CampaignContact.objects.filter(replied_at__isnull=False)
        .select_related("customer")
        .only("pk", "store_id", "recipient", "replied_at", "customer__phone")
    )
    if not rows:
        return 0
    # A reply was recorded at its SMS's arrival, which names it: its number and that moment.
    bodies = {(phone, at): body for phone, at, body in inbound_sms_senders(since=min(row.replied_at for row in rows))}
    policies = _policies({row.store_id for row in rows})
    forgotten = []
    for row in rows:
        body = bodies.get((_number(row), row.replied_at))
        if body is not None and is_opt_word(body, policies[row.store_id]):
            row.replied_at = None
            forgotten.append(row)
    CampaignContact.objects.bulk_update(forgotten, ["replied_at"], batch_size=_CHUNK)
    if forgotten:
        campaign_replies_backfill()
    return len(forgotten)
