"""Planning: each delivered order becomes at most one care contact, in the delivery's own transaction.

One code path serves the single delivery event (the `orders_delivered` receiver) and bulk planning, so the
rules below hold the same way for one order or 100,000:

1. Tier by the order's value in the policy currency (below the first tier: nothing planned).
2. The contact gate decides (callbacks.services.gate, asked once per store and channel for the whole batch): a
   call the gate refuses with `no_calls` becomes a care SMS, any other standing refusal (do_not_contact,
   sms_opt_out, no_phone) suppresses the contact with the gate's reason. Refusals about the hour are not
   refusals here: step 4 places every contact in its window. Suppressed rows are kept with their reason.
3. One care contact per customer per store-local day: the highest tier of the day wins (a contact already
   under way is never replaced); the others are kept as suppressed, `merged` into it.
4. Windows: calls in the store's call window (tonight's, or the next call day's once it has closed), never on a day of
   the store's closures (ADR 0035: the next open evening); SMS at once inside sending hours, else at the next
   opening. Both are counted from the delivery, or from the moment it is reported when that is later: a delivery
   reported after its evening is called on the next one.
5. Calls go to on-shift agents serving the store, balanced to their evening capacity; a dedicated-tier
   customer goes to their owner, chosen (least loaded) and kept on the customer the first time. What does
   not fit is flagged `overflowed` and handled by the policy's overflow rule.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from callbacks.models import (
    CALL_CHANNELS,
    CHANNEL_RANK,
    LIVE_STATUSES,
    FollowUp,
    FollowUpChannel,
    FollowUpPolicy,
)
from crm.models import Customer, Order, Store
from crm.services.closures import stores_closed_days
from crm.timezones import to_store_local

from .capacity import CallCapacity, call_priority, care_call_place
from .gate import ContactChannel, ContactDecision, ContactPurpose, RefusalReason, contacts_decide
from .policy import policy_for_store
from .rows import customers_set_dedicated_owner, followups_insert
from .windows import call_window, sms_window

Status, Reason = FollowUp.Status, FollowUp.SuppressedReason
CARE = FollowUp.Purpose.CARE


@dataclass(slots=True)
class _Customer:
    id: int
    dedicated_owner_id: int | None
    # The gate's answers for this customer's care contact (step 2); a refusal about the hour does not count.
    sms_allowed: bool = True
    sms_reason: str = ""
    call_reason: str = ""


@dataclass(slots=True)
class _Plan:
    """One delivery on its way to a FollowUp row, in plain values: planning 100,000 must stay cheap."""

    order: Order
    customer: _Customer
    store: Store
    policy: FollowUpPolicy
    closed: frozenset[date]  # the store's closures' local dates: no call is planned on them
    delivered_at: datetime
    # Windows are counted from here: the delivery, or the moment it was reported when that came later (an order
    # system that sends the day's deliveries overnight must not plan calls into an evening that is over).
    since: datetime
    amount: Decimal
    tier: str
    channel: str
    contact_day: date
    reason: str = ""
    merged_into_id: int | None = None  # an existing contact of the same day that stays
    merged_with: "_Plan | None" = None  # a contact planned in this same call that wins
    replaces_id: int | None = None  # an existing, not yet started contact this one supersedes
    window: tuple[datetime, datetime] | None = None
    assignee_id: int | None = None
    overflowed: bool = False
    pk: int | None = None

    @property
    def rank(self) -> tuple[int, Decimal]:
        return CHANNEL_RANK[self.channel], self.amount

    def place(self, window: tuple[datetime, datetime], *, assignee_id: int | None = None, overflowed=False) -> None:
        self.window, self.assignee_id, self.overflowed = window, assignee_id, overflowed

    def as_row(self) -> dict:
        return {
            "store_id": self.store.pk, "customer_id": self.customer.id, "order_id": self.order.pk, "tier": self.tier,
            "channel": self.channel, "status": Status.SUPPRESSED if self.reason else Status.PLANNED,
            "suppressed_reason": self.reason, "contact_day": self.contact_day, "window_start": self.window[0],
            "window_end": self.window[1], "assignee_id": self.assignee_id, "overflowed": self.overflowed,
            "merged_into_id": self.merged_with.pk if self.merged_with else self.merged_into_id,
        }  # fmt: skip


def _standing_reason(decision: ContactDecision) -> str:
    return "" if decision or decision.only_the_hour else decision.reason


def _ask_gate(plans: list["_Plan"]) -> None:
    """Step 2 for the whole batch: the gate's answers in one `contacts_decide` per store and channel (the call
    question only for call-tier customers), then each plan's channel and reason after them."""
    sms: dict[int, set[int]] = defaultdict(set)
    calls: dict[int, set[int]] = defaultdict(set)
    stores = {}
    for plan in plans:
        if plan.reason:
            continue
        stores[plan.store.pk] = plan.store
        sms[plan.store.pk].add(plan.customer.id)
        if plan.tier in CALL_CHANNELS:
            calls[plan.store.pk].add(plan.customer.id)
    by_customer = {plan.customer.id: plan.customer for plan in plans}
    for channel, asked in ((ContactChannel.SMS, sms), (ContactChannel.CALL, calls)):
        for store_id, ids in asked.items():
            decided = contacts_decide(
                store=stores[store_id], customer_ids=ids, channel=channel, purpose=ContactPurpose.CARE
            )
            for customer_id, decision in decided.items():
                reason, customer = _standing_reason(decision), by_customer[customer_id]
                if channel == ContactChannel.SMS:
                    customer.sms_allowed, customer.sms_reason = not reason, reason
                else:
                    customer.call_reason = reason
    for plan in plans:
        if not plan.reason:
            plan.channel, plan.reason = _apply_wishes(plan.customer, plan.tier)


def _apply_wishes(customer: _Customer, tier: str) -> tuple[str, str]:
    """(channel, suppressed reason or "") after the gate: a call it refuses for `no_calls` becomes a care SMS."""
    channel = tier
    if tier in CALL_CHANNELS and customer.call_reason:
        if customer.call_reason != RefusalReason.NO_CALLS:
            return tier, customer.call_reason
        channel = FollowUpChannel.SMS
    if channel == FollowUpChannel.SMS and customer.sms_reason:
        return channel, customer.sms_reason
    return channel, ""


def _draft(order, customer, store, policy, closed, delivered_at, now) -> _Plan | None:
    amount = policy.amount_in_policy_currency(order.total_amount, order.currency)
    day = to_store_local(delivered_at, store).date()
    since = max(delivered_at, now)
    if amount is None:
        tier = policy.channel_for(order.total_amount)  # the currency is unknown: say why nothing happens
        if tier is None:
            return None
        return _Plan(order, customer, store, policy, closed, delivered_at, since, order.total_amount, tier, tier, day,
                     reason=Reason.UNKNOWN_CURRENCY)  # fmt: skip
    tier = policy.channel_for(amount)
    if tier is None:
        return None
    return _Plan(order, customer, store, policy, closed, delivered_at, since, amount, tier, tier, day)  # the gate next


def _merge(plans: list[_Plan]) -> list[_Plan]:
    """Apply the one-contact-per-customer-day rule. Returns the plans that become the day's contact."""
    groups: dict[tuple[int, date], list[_Plan]] = defaultdict(list)
    for plan in plans:
        if not plan.reason:
            groups[(plan.customer.id, plan.contact_day)].append(plan)
    if not groups:
        return []
    existing: dict[tuple[int, date], FollowUp] = {}
    for row in (
        FollowUp.objects.select_for_update()
        .filter(customer_id__any_of={c for c, _ in groups}, contact_day__any_of={d for _, d in groups})
        .filter(purpose=CARE)
        .exclude(status=Status.SUPPRESSED)
        .only("id", "customer_id", "contact_day", "status", "channel")
    ):
        key = (row.customer_id, row.contact_day)
        if key not in existing or row.status in LIVE_STATUSES:  # a closed call may have a live SMS fallback
            existing[key] = row
    primaries = []
    for key, group in groups.items():
        group.sort(key=lambda p: p.rank, reverse=True)
        best, current = group[0], existing.get(key)
        keep_current = current is not None and (
            current.status != Status.PLANNED or CHANNEL_RANK[current.channel] >= CHANNEL_RANK[best.channel]
        )
        if keep_current:
            for plan in group:
                plan.reason, plan.merged_into_id = Reason.MERGED, current.pk
            continue
        if current is not None:
            # Freed before the new contact is inserted: the database allows one live contact per day.
            FollowUp.objects.filter(pk=current.pk).update(
                status=Status.SUPPRESSED, suppressed_reason=Reason.MERGED, updated_at=timezone.now()
            )
            best.replaces_id = current.pk
        for plan in group[1:]:
            plan.reason, plan.merged_with = Reason.MERGED, best
        primaries.append(best)
    return primaries


def _schedule(primaries: list[_Plan]) -> dict[int, int]:
    """Windows and assignees for the day's contacts. Returns {customer id: owner} for owners chosen now."""
    calls = [p for p in primaries if p.channel in CALL_CHANNELS]
    for plan in primaries:
        if plan.channel not in CALL_CHANNELS:
            plan.place(sms_window(policy=plan.policy, store=plan.store, moment=plan.since))
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
            evening=call_window(policy=plan.policy, store=plan.store, moment=plan.since, closed=plan.closed),
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


_CUSTOMER_FIELDS = ("id", "dedicated_owner_id")


@transaction.atomic
def followups_plan(*, deliveries: Sequence[tuple[Order, datetime]]) -> QuerySet[FollowUp]:
    """Plan the follow-ups of delivered orders (idempotent: an order already planned is skipped).

    Runs inside the caller's transaction (the delivery event's). Returns the rows written, suppressed ones
    included, as a lazy queryset (the delivery event never reads them back).
    """
    orders = {order.pk: (order, moment) for order, moment in deliveries}
    # Call tasks (other purposes, ADR 0017) are not a delivery's care contact: they neither count as planned nor
    # take part in the day's merge.
    planned = set(
        FollowUp.objects.filter(order_id__any_of=orders.keys(), purpose=CARE).values_list("order_id", flat=True)
    )
    todo = [(order, moment) for pk, (order, moment) in orders.items() if pk not in planned]
    if not todo:
        return FollowUp.objects.none()
    # Locked in id order: concurrent deliveries of one customer plan one after the other.
    customer_ids = {order.customer_id for order, _ in todo}
    locked = Customer.objects.select_for_update(no_key=True).filter(id__any_of=customer_ids).order_by("id")
    customers = {row[0]: _Customer(*row) for row in locked.values_list(*_CUSTOMER_FIELDS)}
    stores = Store.objects.select_related("followup_policy").in_bulk({order.store_id for order, _ in todo})
    policies = {store_id: policy_for_store(store=store) for store_id, store in stores.items()}
    plans = []
    now = timezone.now()
    closed = stores_closed_days(store_ids=stores, now=now)
    for order, moment in todo:
        store = stores[order.store_id]
        plan = _draft(order, customers[order.customer_id], store, policies[store.pk], closed[store.pk], moment, now)
        if plan is not None:
            plans.append(plan)
    _ask_gate(plans)
    primaries = _merge(plans)
    new_owners = _schedule(primaries)
    return FollowUp.objects.filter(id__any_of=_write(plans, primaries, new_owners)).order_by("id")


def _write(plans: list[_Plan], primaries: list[_Plan], new_owners: dict[int, int]) -> list[int]:
    for plan in plans:
        if plan.window is None:  # suppressed: kept with its reason, on the window its tier would have had
            if plan.tier in CALL_CHANNELS:
                plan.place(call_window(policy=plan.policy, store=plan.store, moment=plan.since, closed=plan.closed))
            else:
                plan.place(sms_window(policy=plan.policy, store=plan.store, moment=plan.since))
    # Two rounds: a row merged into a contact of this same call needs that contact's id.
    for group in ([p for p in plans if p.merged_with is None], [p for p in plans if p.merged_with is not None]):
        for plan, pk in zip(group, followups_insert([p.as_row() for p in group]), strict=True):
            plan.pk = pk
    for plan in primaries:
        if plan.replaces_id is not None:
            FollowUp.objects.filter(pk=plan.replaces_id).update(merged_into_id=plan.pk)
    customers_set_dedicated_owner(new_owners)
    return [plan.pk for plan in plans]
