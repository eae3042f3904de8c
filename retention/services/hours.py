"""When a campaign's messages may go out: its daily sending hours, where they meet the store's SMS hours (both in
store time). Read by the claim (services.sending), the planning and the pages; imports no selector, so the selectors
can read it too."""

from datetime import datetime, time, timedelta

from crm.timezones import store_local_datetime, to_store_local

from ..models import Campaign

# A message the store's SMS hours leave no time for, in the campaign's sending hours, before it ends (ADR 0044).
STORE_SMS_HOURS = "store_sms_hours"


def _moment_in(store, opens: time, closes: time, moment: datetime) -> datetime:
    local = to_store_local(moment, store)
    day = local.date()
    for offset in range(3):
        start = store_local_datetime(store, day + timedelta(days=offset), opens)
        end = store_local_datetime(store, day + timedelta(days=offset), closes)
        if moment < end:
            return max(moment, start)
    return moment  # unreachable: sending hours are a non-empty range of every day


def sending_moment(*, campaign: Campaign, moment: datetime) -> datetime:
    """The first moment at or after `moment` inside the campaign's daily sending hours (store time)."""
    return _moment_in(campaign.store, campaign.send_from, campaign.send_until, moment)


def hours_shared(*, campaign: Campaign, policy) -> tuple[time, time] | None:
    """The part of each day inside both the campaign's sending hours and the store's SMS hours (`policy`, callbacks'
    FollowUpPolicy; both in store time), or None when they do not meet: a store may narrow its hours after a campaign
    was made inside them."""
    opens, closes = max(campaign.send_from, policy.sms_send_from), min(campaign.send_until, policy.sms_send_until)
    return (opens, closes) if opens < closes else None


def store_hours_moment(*, campaign: Campaign, policy, moment: datetime) -> datetime | None:
    """When a message of the campaign may go out, at or after `moment`: the first moment inside both its sending hours
    and the store's SMS hours (ADR 0044).

    None when the store's hours leave no such moment before the campaign ends although the campaign's own hours would:
    the message can no longer go, and is withdrawn as `store_sms_hours` rather than put off to the end. When the
    campaign's own hours have no moment left before its end either, that moment is returned (at or past the end: the
    message ends as `campaign_ended`, as before)."""
    shared = hours_shared(campaign=campaign, policy=policy)
    if shared is not None and (both := _moment_in(campaign.store, *shared, moment)) < campaign.ends_at:
        return both
    own = sending_moment(campaign=campaign, moment=moment)
    return None if own < campaign.ends_at else own
