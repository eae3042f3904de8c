"""New SMS hours of a store (callbacks.signals.store_hours_changed: the policy page, the admin's policy form) and its
running SMS campaigns, in the policy change's transaction (ADR 0044).

A campaign's messages go out where its daily sending hours meet the store's SMS hours. Where the store's new hours
leave a campaign no moment before it ends (its hours begin after the store's end, or the part they share comes only
after the campaign's end), its messages not yet claimed can no longer go: they are withdrawn as `store_sms_hours`, as a
stopped campaign's are, and the campaign page and the results say so. Narrowing the hours back does not bring them
back. Messages that still have such a moment wait for it (the sweeper puts them off to it, services.sending); a message
already claimed goes out. The policy page and the campaign page read `selectors.campaigns_held_by_store_hours`. Before
new hours are saved, the policy forms ask `campaigns_store_hours_would_withdraw` (through callbacks'
`store_hours_would_withdraw`) and the manager confirms that number (ADR 0046).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Count

from crm.models import Store

from ..models import Campaign, CampaignChannel, CampaignContact, ContactStatus
from .hours import STORE_SMS_HOURS, store_hours_moment


def _left_no_time(*, store: Store, policy, now: datetime) -> list[Campaign]:
    """The store's running SMS campaigns that its SMS hours (`policy`) leave no moment before they end."""
    campaigns = Campaign.objects.filter(
        store=store, status=Campaign.Status.RUNNING, channel=CampaignChannel.SMS, ends_at__gt=now
    ).order_by("pk")
    left = []
    for campaign in campaigns:
        campaign.store = store
        # A manager's campaign sends from its start; the birthday campaign's wishes from when they are planned.
        since = now if campaign.system_key else max(now, campaign.starts_at)
        if store_hours_moment(campaign=campaign, policy=policy, moment=since) is None:
            left.append(campaign)
    return left


def _waiting(campaigns: list[Campaign]):
    return CampaignContact.objects.filter(
        campaign__in=campaigns, channel=CampaignChannel.SMS, status=ContactStatus.PLANNED
    )


@transaction.atomic
def campaigns_follow_store_hours(*, store: Store, policy, now: datetime) -> int:
    """Withdraw the messages of the store's running SMS campaigns that its SMS hours (`policy`, as saved) leave no time
    for before the campaign ends. Returns how many."""
    left = _left_no_time(store=store, policy=policy, now=now)
    if not left:
        return 0
    # A row the SMS sweeper is claiming is locked: this waits for it, then finds it `sending` and leaves it.
    return _waiting(left).update(status=ContactStatus.SUPPRESSED, excluded_reason=STORE_SMS_HOURS, updated_at=now)


def campaigns_store_hours_would_withdraw(*, store: Store, policy, now: datetime) -> list[tuple[Campaign, int]]:
    """What `campaigns_follow_store_hours` would withdraw under `policy` (not saved yet), changing nothing: each
    campaign with messages to withdraw and how many, in one query after the campaigns' (ADR 0046)."""
    left = _left_no_time(store=store, policy=policy, now=now)
    if not left:
        return []
    counts = dict(
        _waiting(left).values("campaign_id").annotate(n=Count("id")).values_list("campaign_id", "n").order_by()
    )
    return [(campaign, counts[campaign.pk]) for campaign in left if counts.get(campaign.pk)]
