"""Nothing merged is lost: when the care contact a customer's other orders were merged into (ADR 0051) is withdrawn
for a reason of its own, those orders get a live contact again, unless the reason rules them out too.

Planning keeps one care contact per customer per day; the other deliveries of that day are suppressed, `merged` into
it. That contact may later be withdrawn for a reason that is not a merge: a wish that rules calls out
(`wishes.calls_withdraw_refused`: do not contact, no calls, no phone), an SMS opt-out or do not contact that the SMS
claim's gate refuses (`dispatch.care`), or that the last look before a batch's requests leave finds
(`dispatch.last_look.withdraw_refused`); or a care SMS that failed: refused by Twilio when it was sent
(`dispatch.recording.record_answers`: 21610, the number sent STOP, which opts the customer out of SMS with it; 21211,
no valid number; any other code), or accepted and then reported `undelivered` or `failed` by its status callback
(`inbound.message_status_record`: 30003 unreachable, 30005 unknown handset, 30006 a landline, ...), which makes it
`failed`; or one the sweeper gave up on (`dispatch.reconciling`: `gave_up`, never found at the provider after its
attempts, so never sent). Each writer calls `followups_cover_merged` with what it withdrew, in its transaction, the
customers locked first (ADR 0037). By the rule of each reason, as a store's team would expect:

- a withdrawn call with a contact instead (the care SMS the customer still allows, `outcomes.care_sms_instead`) has
  nothing merged into it left: that SMS is the day's contact and takes the merged orders in itself (or the contact it
  joined does), as it does after a call closed without reaching the customer;
- else the gate is asked for each merged order, as planning asks it for a delivery (the hour aside): the channel its
  tier asks for, a call the customer refuses with `no_calls` as a care SMS. A reason about the customer's whole
  contact (do not contact, no phone) refuses them all, and a reason about one channel refuses the orders that would
  go by it: those stay `merged` into the withdrawn contact, whose reason covers them. A care SMS that failed is such a
  reason, about SMS to its number (`_number_failed`): whatever the code, a second care SMS to the number it failed at
  would fail as it did (or, after a 21610, the gate refuses it anyway), so no merged order is texted instead while the
  customer's phone is still that number; its outcome and error code say why. One given up on is not: it never left
  us, and says nothing about the number, so the gate alone decides whether a merged order is texted instead;
- an order whose delivery day already has a live contact of the customer is merged into it (one live care contact per
  customer and delivery day, and per order: the database's indexes);
- of the others the gate allows, the best (the highest channel, then the larger order, then the first planned) is
  planned again as that day's contact: on the withdrawn contact's day (its evening for a call, placed by planning's
  rule, `capacity.care_call_place`; its sending hours for a care SMS), never before now. The other merged orders,
  and the withdrawn contact itself (its own reason kept), are merged into it, so the call panel lists them; and it is
  held to one contact a day there (`one_a_day.followups_hold_one_a_day`).

At most once (ADR 0011): a merged row was suppressed while `planned` and never claimed since (a claim takes `planned`
rows only), so planning it again sends nothing twice; rows are locked and written only while still `merged`.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from callbacks.models import CALL_CHANNELS, CHANNEL_RANK, LIVE_STATUSES, SMS_GAVE_UP, FollowUp, FollowUpChannel
from crm.services.closures import stores_closed_days

from .capacity import CallCapacity, care_call_place
from .gate import ContactChannel, ContactPurpose, RefusalReason, contact_decide
from .one_a_day import followups_hold_one_a_day
from .policy import policy_for_store
from .rows import customers_set_dedicated_owner, followups_set_merged_into
from .windows import call_window, sms_window

Status, Reason = FollowUp.Status, FollowUp.SuppressedReason
CARE = FollowUp.Purpose.CARE


def _merged_under(withdrawn: list[FollowUp]) -> dict[int, list[FollowUp]]:
    """{withdrawn id: the suppressed rows merged into it}, locked. One level: a merged row points at the contact that
    covers it in the end, never along a chain (`rows.followups_set_merged_into`)."""
    under: dict[int, list[FollowUp]] = defaultdict(list)
    rows = (
        FollowUp.objects.select_for_update(of=("self",))
        .filter(merged_into_id__in=[row.pk for row in withdrawn], status=Status.SUPPRESSED, purpose=CARE)
        .select_related("order")
        .order_by("pk")
    )
    for row in rows:
        under[row.merged_into_id].append(row)
    return under


def _allowed(decision) -> bool:
    """The gate's standing answer: a refusal about the hour is none (the contact waits for its window)."""
    return bool(decision) or decision.only_the_hour


def _number_failed(withdrawn: FollowUp, phone: str) -> bool:
    """A care SMS that failed, refused by Twilio or reported not delivered, at the number the customer still has: a
    second care SMS there would fail the same way (the number is no valid one, unreachable, a landline), so the orders
    merged into it are not texted instead. A customer whose phone changed since may be texted at the new one. One the
    sweeper gave up on (`gave_up`: never found at the provider, so never sent) says nothing about the number."""
    return (
        withdrawn.status == Status.FAILED
        and withdrawn.channel == FollowUpChannel.SMS
        and withdrawn.outcome != SMS_GAVE_UP
        and withdrawn.recipient in ("", phone)
    )


def _channel(row: FollowUp, *, calls, sms: bool) -> str | None:
    """The channel the gate (`calls`: its answer; `sms`: whether a care SMS may go) leaves a merged order now, as
    planning's step 2 does: its tier's, a call refused with `no_calls` as a care SMS; None when refused."""
    if row.tier in CALL_CHANNELS:
        if _allowed(calls):
            return row.tier
        return FollowUpChannel.SMS if calls.reason == RefusalReason.NO_CALLS and sms else None
    return FollowUpChannel.SMS if sms else None


def _place(row: FollowUp, *, channel: str, day_of: FollowUp, sms_allowed: bool, now: datetime) -> None:
    """Plan `row` again on `channel` as the contact of the withdrawn contact's day, never before now."""
    store, customer = day_of.store, day_of.customer
    policy = policy_for_store(store=store)
    moment = max(now, day_of.window_start)
    row.channel, row.assignee_id, row.overflowed = channel, None, False
    if channel not in CALL_CHANNELS:
        row.window_start, row.window_end = sms_window(policy=policy, store=store, moment=moment)
        return
    closed = stores_closed_days(store_ids=[store.pk], now=now)[store.pk]
    evening = call_window(policy=policy, store=store, moment=moment, closed=closed)
    owner = customer.dedicated_owner_id if channel == FollowUpChannel.DEDICATED else None
    placed = care_call_place(
        CallCapacity(store_ids={store.pk}), store=store, policy=policy, evening=evening, channel=channel,
        owner_id=owner, sms_allowed=sms_allowed, since=moment, closed=closed,
    )  # fmt: skip
    if placed.owner_id not in (None, customer.dedicated_owner_id):
        customer.dedicated_owner_id = placed.owner_id
        customers_set_dedicated_owner({customer.pk: placed.owner_id})
    row.channel, (row.window_start, row.window_end) = placed.channel, placed.window
    row.assignee_id, row.overflowed = placed.assignee_id, placed.overflowed


def _rank(row: FollowUp, channel: str) -> tuple:
    order = row.order
    amount = policy_for_store(store=row.store).amount_in_policy_currency(order.total_amount, order.currency)
    return CHANNEL_RANK[channel], order.total_amount if amount is None else amount, -row.pk


def _merge(rows: Iterable[FollowUp], into: int) -> None:
    """Point the rows at the contact that covers them now; a `merged` row stays `merged`, a withdrawn one keeps its
    own reason."""
    followups_set_merged_into({row.pk: into for row in rows})


def _cover(withdrawn: FollowUp, merged: list[FollowUp], now: datetime) -> dict[int, int]:
    """The rule of the module for one withdrawn contact with no contact instead. Returns {merged id: its cover}."""
    customer = withdrawn.customer
    customer.store = withdrawn.store
    calls, texts = (
        contact_decide(customer=customer, channel=channel, purpose=ContactPurpose.CARE, at=now)
        for channel in (ContactChannel.CALL, ContactChannel.SMS)
    )
    sms = _allowed(texts) and not _number_failed(withdrawn, customer.phone)
    channels = {row.pk: _channel(row, calls=calls, sms=sms) for row in merged if row.purpose == CARE}
    allowed = [row for row in merged if channels.get(row.pk)]
    if not allowed:
        return {}  # the reason refuses every merged order too: they stay with the withdrawn contact
    live = FollowUp.objects.filter(customer_id=customer.pk, purpose=CARE, status__in=LIVE_STATUSES).filter(
        Q(contact_day__in={row.contact_day for row in allowed}) | Q(order_id__in={row.order_id for row in allowed})
    )
    days, orders = {}, {}
    for pk, day, order_id in live.values_list("pk", "contact_day", "order_id"):
        days[day], orders[order_id] = pk, pk
    covers: dict[int, int] = {}
    by_day: dict[int, list[FollowUp]] = defaultdict(list)
    for row in allowed:
        if (cover := orders.get(row.order_id) or days.get(row.contact_day)) is not None:
            by_day[cover].append(row)
            covers[row.pk] = cover
    for cover, rows in by_day.items():
        _merge(rows, cover)
    free = [row for row in allowed if row.pk not in covers]
    if not free:
        return covers
    for row in free:
        row.store = withdrawn.store
    best = max(free, key=lambda row: _rank(row, channels[row.pk]))
    _place(best, channel=channels[best.pk], day_of=withdrawn, sms_allowed=sms, now=now)
    best.status, best.suppressed_reason, best.merged_into_id = Status.PLANNED, "", None
    FollowUp.objects.filter(pk=best.pk, status=Status.SUPPRESSED, suppressed_reason=Reason.MERGED).update(
        status=Status.PLANNED, suppressed_reason="", merged_into_id=None, channel=best.channel,
        window_start=best.window_start, window_end=best.window_end, assignee_id=best.assignee_id,
        overflowed=best.overflowed, updated_at=now,
    )  # fmt: skip
    rest = [row for row in merged if row.pk not in covers and row is not best]
    _merge([*rest, withdrawn], best.pk)
    covers |= {row.pk: best.pk for row in rest} | {best.pk: best.pk}
    # On the day it lands on, it is held to one contact a day like any contact that moved (what is merged into it
    # follows it, one_a_day).
    if into := followups_hold_one_a_day(moved=[best], store=withdrawn.store).get(best.pk):
        covers = {pk: into if cover == best.pk else cover for pk, cover in covers.items()}
    return covers


def followups_cover_merged(*, withdrawn: Iterable[int], now: datetime | None = None) -> dict[int, int]:
    """After care contacts (ids `withdrawn`) were suppressed for a reason of their own in this transaction, or failed
    (a care SMS refused by Twilio, or reported not delivered), their customers locked: the orders merged into them
    covered again by the rule of the module. Safe to run again: what it planned again is no longer `merged` into a
    withdrawn contact, and what stays with one is refused again. Returns {merged id: the id of the contact that covers
    it now (its own when it was planned again)}; what stays with the withdrawn contact is left out."""
    ids = list(withdrawn)
    if not ids or not FollowUp.objects.filter(merged_into_id__in=ids).exists():
        return {}
    now = now or timezone.now()
    rows = list(
        FollowUp.objects.filter(pk__in=ids, purpose=CARE)
        .filter(Q(status=Status.SUPPRESSED) & ~Q(suppressed_reason=Reason.MERGED) | Q(status=Status.FAILED))
        .select_related("store__followup_policy", "customer")
        .order_by("pk")
    )
    # One read for every withdrawn row: what hangs below one is never touched by covering another's (a merged row is
    # neither live nor moved by another cover, and it points at one contact only).
    under = _merged_under(rows)
    covers: dict[int, int] = {}
    for row in rows:
        if merged := under.get(row.pk):
            covers |= _cover(row, merged, now)
    return covers
