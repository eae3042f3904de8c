"""A store moved to another time zone (crm.signals.store_timezone_changed): its campaigns' schedules and the
messages and calls they hold for later follow it, in the zone change's transaction (ADR 0029).

- A campaign not yet ended keeps its schedule as written, in store time: its start, if still to come, and its end
  show the same local times in the new zone (the birthday campaign of a year runs to the new zone's New Year). A
  start already past is history, as when the campaign began.
- A message or a return-visit call row waiting for later is due at the first moment of the campaign's sending hours
  in the new zone, from its start (a birthday wish: from now, as when it was planned). A row that already has its
  call task keeps no time of its own: it is shown at the task's window, which callbacks moves.
- A return visit whose task the new zone moved to a day after its campaign's end (a move east, where today's call
  hours are over and the task goes to tomorrow's, past a campaign ending tonight) is taken back as
  `past_campaign_end`, as one a closure or new call hours moved there is (ADR 0035).
- A message the store's SMS hours in the new zone leave no time for before its campaign's end is withdrawn as
  `store_sms_hours`, as narrower hours withdraw it (ADR 0044), and one the campaign's own hours there leave no time for
  (the move east again) as `past_campaign_end`, as its return visits are: `store_hours.campaigns_follow_store_hours`.

Before the zone is saved, crm asks what the change would withdraw (`crm.signals.store_timezone_would_withdraw`, ADR
0046): `retention_zone_would_withdraw` moves the schedules in memory (`_schedules_in_zone`, the function the change
itself uses), asks callbacks where the call tasks would go, and counts by the same rules, writing nothing.
"""

import copy
from datetime import datetime

from django.db import transaction

from callbacks.services.policy import policy_for_store
from callbacks.services.withdrawals import zone_call_tasks_moved
from crm.models import Store
from crm.timezones import store_same_wall_time

from ..models import Campaign, CampaignContact, ContactStatus
from .plan import sending_moment
from .store_hours import campaigns_follow_store_hours, campaigns_store_hours_would_withdraw
from .visits import campaign_calls_past_their_end, campaign_calls_would_pass_their_end


def _first_moment(campaign: Campaign, now: datetime) -> datetime:
    # A manager's campaign sends from its start; the birthday campaign's wishes from when they are planned (a wish
    # for an early January birthday is planned in December, before that year's campaign starts).
    since = now if campaign.system_key else max(now, campaign.starts_at)
    return sending_moment(campaign=campaign, moment=since)


def _not_ended(store: Store, now: datetime):
    return Campaign.objects.filter(store=store, ends_at__gt=now).exclude(status=Campaign.Status.FINISHED).order_by("pk")


def _schedules_in_zone(campaigns: list[Campaign], *, store: Store, old_timezone: str, now: datetime) -> None:
    """Give the campaigns (not ended) their schedules in the store's zone (`store`, in it), in memory: a start still
    to come and the end at the same local times they had in `old_timezone`."""
    for campaign in campaigns:
        campaign.store = store
        if campaign.starts_at > now:
            campaign.starts_at = store_same_wall_time(store, campaign.starts_at, was_in=old_timezone)
        ends_at = store_same_wall_time(store, campaign.ends_at, was_in=old_timezone)
        if ends_at > campaign.starts_at:  # not for a campaign shorter than the move east, begun: it ends as it was
            campaign.ends_at = ends_at


@transaction.atomic
def retention_follow_store_zone(*, store: Store, old_timezone: str, now: datetime) -> int:
    """Move the store's campaign schedules still to come, and the rows they hold for later, to its zone as it is
    now, and take back the return visits and messages that no longer have a moment before their campaign's end. Runs
    after callbacks moved the call tasks (callbacks' receiver comes first). Returns how many campaigns and rows
    changed."""
    campaigns = list(_not_ended(store, now).select_for_update())
    _schedules_in_zone(campaigns, store=store, old_timezone=old_timezone, now=now)
    Campaign.objects.bulk_update(campaigns, ["starts_at", "ends_at"])
    changed = len(campaigns)
    # A row the SMS sweeper is claiming is locked: the update waits for it, then finds it `sending` and leaves it.
    waiting = CampaignContact.objects.filter(status=ContactStatus.PLANNED)
    for campaign in campaigns:
        changed += waiting.filter(campaign=campaign, call_task__isnull=True, due_at__gt=now).update(
            due_at=_first_moment(campaign, now), updated_at=now
        )
    changed += campaigns_follow_store_hours(store=store, policy=policy_for_store(store=store), now=now, new_zone=True)
    return changed + campaign_calls_past_their_end(store=store, now=now)


def retention_zone_would_withdraw(
    *, store: Store, zone: str, now: datetime
) -> tuple[list[tuple[Campaign, int]], list[tuple[Campaign, int]]]:
    """What moving the store (in its zone as stored) to `zone` would withdraw, changing nothing: (each campaign with
    the messages `campaigns_follow_store_hours` would withdraw after the move, each with the return visits
    `campaign_calls_past_their_end` would take back), counted with the campaigns' schedules as the move gives them and
    the call tasks where callbacks would place them (ADR 0029, 0046)."""
    moved = copy.copy(store)
    moved.timezone = zone
    campaigns = list(_not_ended(store, now))
    _schedules_in_zone(campaigns, store=moved, old_timezone=store.timezone, now=now)
    messages = campaigns_store_hours_would_withdraw(
        store=moved, policy=policy_for_store(store=store), now=now, new_zone=True, campaigns=campaigns
    )
    calls = campaign_calls_would_pass_their_end(
        store=store,
        call_tasks_moved=zone_call_tasks_moved(store=store, zone=zone, now=now),
        ends_moved={campaign.pk: campaign.ends_at for campaign in campaigns},
    )
    return messages, calls
