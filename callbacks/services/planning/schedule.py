"""Steps 5 and 6: windows, and assignees balanced to the evening's capacity."""

from datetime import datetime

from callbacks.models import CALL_CHANNELS, FollowUpChannel
from crm.timezones import to_store_local

from ..capacity import CallCapacity, call_priority, care_call_place
from ..windows import call_window, sms_window
from .plans import Plan


def window_for(plan: Plan, channel: str) -> tuple[datetime, datetime]:
    """Step 5: the window of a contact on `channel`, counted from the delivery (or its report)."""
    if channel in CALL_CHANNELS:
        return call_window(policy=plan.policy, store=plan.store, moment=plan.since, closed=plan.closed)
    return sms_window(policy=plan.policy, store=plan.store, moment=plan.since)


def schedule(primaries: list[Plan]) -> dict[int, int]:
    """Windows and assignees for the day's contacts. Returns {customer id: owner} for owners chosen now."""
    calls = [p for p in primaries if p.channel in CALL_CHANNELS]
    for plan in primaries:
        if plan.channel not in CALL_CHANNELS:
            plan.place(plan.due)
    if not calls:
        return {}
    capacity = CallCapacity(store_ids={p.store.pk for p in calls})
    new_owners: dict[int, int] = {}
    # When the evening is full, the smaller orders wait.
    calls.sort(key=lambda p: (*call_priority(channel=p.channel, amount=p.amount), p.delivered_at))
    for plan in calls:
        dedicated = plan.channel == FollowUpChannel.DEDICATED
        placed = care_call_place(
            capacity,
            store=plan.store,
            policy=plan.policy,
            evening=plan.due,
            channel=plan.channel,
            owner_id=plan.customer.dedicated_owner_id if dedicated else None,
            sms_allowed=plan.customer.sms_allowed,
            since=plan.since,
            closed=plan.closed,
        )
        if placed.owner_id not in (None, plan.customer.dedicated_owner_id):
            plan.customer.dedicated_owner_id = new_owners[plan.customer.id] = placed.owner_id
        plan.channel = placed.channel
        plan.place(placed.window, assignee_id=placed.assignee_id, overflowed=placed.overflowed)
    return new_owners


def moved_to_another_day(plan: Plan) -> bool:
    return plan.overflowed and (
        to_store_local(plan.window[0], plan.store).date() != to_store_local(plan.due[0], plan.store).date()
    )
