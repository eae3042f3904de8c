"""How retention hears about crm's events, connected in AppConfig.ready() (crm imports none of this)."""

from collections import defaultdict

from crm.models import Store
from crm.withdrawals import ContactsWithdrawn

from .services.coupons import coupons_redeem
from .services.gifts import gift_tasks_cancel_unwanted, gift_tasks_hand_over
from .services.replies import Inbound, campaign_replies_record
from .services.segments import segments_ensure_builtin
from .services.store_hours import campaigns_follow_store_hours, campaigns_store_hours_would_withdraw
from .services.visits import campaign_calls_past_their_end, campaign_calls_would_pass_their_end
from .services.zone import retention_follow_store_zone, retention_zone_would_withdraw


def redeem_coupons(sender, *, orders, **_kwargs) -> None:
    """crm.signals.orders_upserted: an order that comes in carrying a code redeems the campaign coupon with it.

    An order re-sent as stored brings nothing new (its code was seen when it was stored); the batch's customers
    are not read."""
    codes: dict[int, set[str]] = defaultdict(set)
    for order, result in orders:
        if order.coupon_code and result.changed:
            codes[order.store_id].add(order.coupon_code)
    for store_id, store_codes in sorted(codes.items()):
        coupons_redeem(store_id=store_id, codes=store_codes)


def store_builtin_segments(sender, *, instance: Store, created: bool, raw: bool = False, **_kwargs) -> None:
    """post_save of crm.Store: a new store has the built-in segments from the start, so the retention pages, which
    list them, only read. crm has no store-creating service to send a signal from (stores are made in the admin
    and by the demo seed), so this listens to the model; stores older than it got them by migration 0004.
    A fixture being loaded (raw) brings its own rows."""
    if created and not raw:
        segments_ensure_builtin(store=instance)


def follow_the_stores_new_zone(sender, *, store: Store, old_timezone: str, now, **_kwargs) -> None:
    """crm.signals.store_timezone_changed: the store's campaign schedules still to come and the rows they hold for
    later follow it into its new zone (ADR 0029), in the zone change's transaction. Connected after callbacks'
    receiver (callbacks is installed first), which moves the call tasks whose windows the call rows show."""
    retention_follow_store_zone(store=store, old_timezone=old_timezone, now=now)


def hand_over_the_gift_tasks_of_who_left(sender, *, agent_id: int, store_ids: list[int], **_kwargs) -> None:
    """crm.signals.agent_left_stores: the agent's open gift tasks in those stores go to someone still serving them,
    in the transaction that took the agent off them. Connected after callbacks' receiver (callbacks is installed
    first), which gives a dedicated customer whose owner left a new owner, whom the gift then goes to."""
    gift_tasks_hand_over(agent_id=agent_id, store_ids=store_ids)


def calls_past_their_campaigns_end(sender, *, store: Store, now, **_kwargs) -> None:
    """callbacks.signals.store_hours_changed (a closure recorded, new call hours): callbacks has moved the store's call
    tasks; a return visit now after its campaign's end is taken back with the reason, in the same transaction."""
    campaign_calls_past_their_end(store=store, now=now)


def follow_the_stores_new_hours(sender, *, store: Store, policy, now, **_kwargs) -> None:
    """callbacks.signals.store_hours_changed: messages of the store's running SMS campaigns that its new SMS hours leave
    no time for before the campaign ends are withdrawn, in the policy change's transaction (ADR 0044)."""
    campaigns_follow_store_hours(store=store, policy=policy, now=now)


def contacts_the_new_hours_would_withdraw(sender, *, store: Store, policy, now, call_tasks_moved, **_kwargs) -> list:
    """callbacks.signals.store_hours_would_withdraw: per campaign, the messages `follow_the_stores_new_hours` would
    withdraw under these hours and the return visits `calls_past_their_campaigns_end` would take back once the call
    tasks moved, for the manager to confirm before new hours or a closure are saved (ADR 0046)."""
    messages = campaigns_store_hours_would_withdraw(store=store, policy=policy, now=now)
    calls = campaign_calls_would_pass_their_end(store=store, call_tasks_moved=call_tasks_moved)
    return _withdrawn(messages, calls)


def contacts_the_new_zone_would_withdraw(sender, *, store: Store, zone: str, now, **_kwargs) -> list:
    """crm.signals.store_timezone_would_withdraw: per campaign, the messages and return visits
    `follow_the_stores_new_zone` would withdraw once the store is in `zone`, for the operator to confirm before the
    zone is saved (ADR 0046)."""
    return _withdrawn(*retention_zone_would_withdraw(store=store, zone=zone, now=now))


def _withdrawn(messages, calls) -> list[ContactsWithdrawn]:
    return [ContactsWithdrawn(what=campaign.name, messages=count) for campaign, count in messages] + [
        ContactsWithdrawn(what=campaign.name, calls=count) for campaign, count in calls
    ]


def cancel_the_gifts_of_who_wants_no_contact(sender, *, customer, **_kwargs) -> None:
    """crm.signals.customer_profile_changed: a customer who now asks not to be contacted gets no gift; their open gift
    tasks are cancelled in the profile change's transaction."""
    gift_tasks_cancel_unwanted(customer=customer)


def record_campaign_replies(sender, *, phone: str, at, body: str, **_kwargs) -> None:
    """callbacks.signals.inbound_sms_received: an SMS from a number answers the campaign message the store last sent it,
    when no other message of the store went to it since and it is no opt-out or opt-in word; the contact's first reply
    is recorded in the reply's transaction (retention.services.replies)."""
    campaign_replies_record(replies={phone: [Inbound(at, body)]})
