"""Who a campaign contacts, who it holds back, and who it leaves out and why: a fixed number of queries.

Exclusions come from the contact gate (consent, opt-out, do-not-contact, the marketing cap: callbacks.services.
gate) and from retention's own rule: no marketing to a customer with an open case or a bad review in the last
30 days. A refusal the gate can lift by waiting (quiet hours, the call window) is not an exclusion: the contact
waits. The control group is a stable hash of (campaign, customer), so a preview and the start agree.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callbacks.services.gate import ContactChannel, ContactPurpose, RefusalReason, contacts_decide
from crm.models import Case

from ..models import Campaign, CampaignChannel
from ..selectors import segment_members
from .hours import STORE_SMS_HOURS, sending_moment

OPEN_CASE, BAD_REVIEW = "open_case", "bad_review_30d"
# Why a row planned to be contacted was not, after all (services.sending and services.visits).
CAMPAIGN_ENDED, NO_ORDER, CALL_WAITING, TASK_REFUSED = "campaign_ended", "no_order", "call_waiting", "task_refused"
VISITED_TODAY, CAMPAIGN_STOPPED, PAST_CAMPAIGN_END = "visited_today", "campaign_stopped", "past_campaign_end"

OWN_REASONS = {
    OPEN_CASE: _("An open service case"),
    BAD_REVIEW: _("A bad review in the last 30 days"),
    CAMPAIGN_ENDED: _("The campaign ended first"),
    NO_ORDER: _("No order to call about"),
    CALL_WAITING: _("Another campaign's return-visit call is still waiting"),
    TASK_REFUSED: _("The call task was refused"),
    VISITED_TODAY: _("Another campaign's return-visit call that day"),
    CAMPAIGN_STOPPED: _("The campaign was stopped first"),
    PAST_CAMPAIGN_END: _("Moved past the campaign's end by a closure, new call hours or a new time zone"),
    STORE_SMS_HOURS: _("Outside the store's SMS hours until the campaign ends"),
}
RECENT_BAD_REVIEW = timedelta(days=30)


def reason_label(code: str) -> str:
    if code in OWN_REASONS:
        return str(OWN_REASONS[code])
    try:
        return str(RefusalReason(code).label)
    except ValueError:
        return code


@dataclass
class Plan:
    contact: list[int] = field(default_factory=list)  # customer ids, in id order
    control: list[int] = field(default_factory=list)
    excluded: dict[int, str] = field(default_factory=dict)  # customer id -> reason code
    first_moment: datetime | None = None

    @property
    def size(self) -> int:
        return len(self.contact) + len(self.control) + len(self.excluded)


def in_control_group(*, campaign_id: int, customer_id: int, percent: int) -> bool:
    digest = hashlib.blake2b(f"{campaign_id}:{customer_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % 100 < percent


def within_hours(*, start: time, end: time, allowed_from: time, allowed_until: time) -> bool:
    return allowed_from <= start and end <= allowed_until


def _bad_reviewers(store_id: int, members, since: datetime) -> set[int]:
    if not apps.is_installed("reviews"):
        return set()
    review = apps.get_model("reviews", "Review")  # read by name: retention does not import reviews
    return set(
        review.objects.filter(store_id=store_id, customer_id__in=members, rating__lte=2, posted_at__gte=since)
        .values_list("customer_id", flat=True)
        .distinct()
    )


def campaign_plan(*, campaign: Campaign, now: datetime | None = None) -> Plan:
    now = now or timezone.now()
    first = sending_moment(campaign=campaign, moment=max(now, campaign.starts_at))
    plan = Plan(first_moment=first)
    if campaign.segment is None:
        return plan
    members = segment_members(segment=campaign.segment).values("customer_id")
    ids = sorted(members.values_list("customer_id", flat=True))
    if not ids:
        return plan
    open_cases = set(
        Case.objects.filter(store_id=campaign.store_id, customer_id__in=members, status__in=Case.OPEN_STATUSES)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    bad = _bad_reviewers(campaign.store_id, members, now - RECENT_BAD_REVIEW)
    channel = ContactChannel.SMS if campaign.channel == CampaignChannel.SMS else ContactChannel.CALL
    decisions = contacts_decide(
        store=campaign.store, customer_ids=ids, channel=channel, purpose=ContactPurpose.MARKETING, at=first
    )
    for customer_id in ids:
        decision = decisions[customer_id]
        if not decision.allowed and not decision.only_the_hour:
            plan.excluded[customer_id] = decision.reason
        elif customer_id in open_cases:
            plan.excluded[customer_id] = OPEN_CASE
        elif customer_id in bad:
            plan.excluded[customer_id] = BAD_REVIEW
        elif in_control_group(campaign_id=campaign.pk, customer_id=customer_id, percent=campaign.control_percent):
            plan.control.append(customer_id)
        else:
            plan.contact.append(customer_id)
    return plan
