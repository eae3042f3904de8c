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

A zone change (services.zone) ends with the same check, in the store's new clock: the store's SMS hours may be over
for the campaign's last day there. It can also leave a campaign's own hours no moment before its end (a move east in
the evening, past a campaign ending tonight at the same wall time): its messages are then withdrawn as
`past_campaign_end`, as its return visits are (ADR 0029), rather than left waiting to be dropped once it has ended.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Count

from crm.models import Store

from ..models import Campaign, CampaignChannel, CampaignContact, ContactStatus
from .hours import STORE_SMS_HOURS, store_hours_moment
from .plan import PAST_CAMPAIGN_END


def _why_no_time_left(campaign: Campaign, policy, now: datetime, new_zone: bool) -> str | None:
    """Why the campaign's messages can no longer go out before it ends, or None when they still can."""
    # A manager's campaign sends from its start; the birthday campaign's wishes from when they are planned.
    since = now if campaign.system_key else max(now, campaign.starts_at)
    moment = store_hours_moment(campaign=campaign, policy=policy, moment=since)
    if moment is None:
        return STORE_SMS_HOURS
    if new_zone and moment >= campaign.ends_at:  # the campaign's own hours too: the new clock moved them past its end
        return PAST_CAMPAIGN_END
    return None


def _running_sms(campaign: Campaign, now: datetime) -> bool:
    return (
        campaign.status == Campaign.Status.RUNNING
        and campaign.channel == CampaignChannel.SMS
        and campaign.ends_at > now
    )


def _left_no_time(
    *, store: Store, policy, now: datetime, new_zone: bool = False, campaigns: list[Campaign] | None = None
) -> list[tuple[Campaign, str]]:
    """The store's running SMS campaigns its SMS hours (`policy`) leave no moment before they end, each with why.
    `campaigns`: the store's campaigns as a zone change would leave them (their schedules moved, not saved), instead
    of as they are stored."""
    if campaigns is None:
        campaigns = Campaign.objects.filter(
            store=store, status=Campaign.Status.RUNNING, channel=CampaignChannel.SMS, ends_at__gt=now
        ).order_by("pk")
    else:
        campaigns = sorted((c for c in campaigns if _running_sms(c, now)), key=lambda campaign: campaign.pk)
    left = []
    for campaign in campaigns:
        campaign.store = store
        if (reason := _why_no_time_left(campaign, policy, now, new_zone)) is not None:
            left.append((campaign, reason))
    return left


def _waiting(campaigns: list[Campaign]):
    return CampaignContact.objects.filter(
        campaign__in=campaigns, channel=CampaignChannel.SMS, status=ContactStatus.PLANNED
    )


@transaction.atomic
def campaigns_follow_store_hours(*, store: Store, policy, now: datetime, new_zone: bool = False) -> int:
    """Withdraw the messages of the store's running SMS campaigns that its SMS hours (`policy`, as saved) leave no time
    for before the campaign ends (`store_sms_hours`). After a zone change (`new_zone`), also those the campaign's own
    hours in the new zone leave none (`past_campaign_end`). Returns how many."""
    withdrawn = 0
    for campaign, reason in _left_no_time(store=store, policy=policy, now=now, new_zone=new_zone):
        # A row the SMS sweeper is claiming is locked: this waits for it, then finds it `sending` and leaves it.
        withdrawn += _waiting([campaign]).update(
            status=ContactStatus.SUPPRESSED, excluded_reason=reason, updated_at=now
        )
    return withdrawn


def campaigns_store_hours_would_withdraw(
    *, store: Store, policy, now: datetime, new_zone: bool = False, campaigns: list[Campaign] | None = None
) -> list[tuple[Campaign, int]]:
    """What `campaigns_follow_store_hours` would withdraw under `policy` (not saved yet), changing nothing: each
    campaign with messages to withdraw and how many, in one query after the campaigns' (ADR 0046). For a zone change
    (`new_zone`), `store` is in the new zone and `campaigns` are the store's campaigns with the schedules it would give
    them (services.zone)."""
    left = [
        campaign
        for campaign, _reason in _left_no_time(
            store=store, policy=policy, now=now, new_zone=new_zone, campaigns=campaigns
        )
    ]
    if not left:
        return []
    counts = dict(
        _waiting(left).values("campaign_id").annotate(n=Count("id")).values_list("campaign_id", "n").order_by()
    )
    return [(campaign, counts[campaign.pk]) for campaign in left if counts.get(campaign.pk)]
