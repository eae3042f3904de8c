"""Planning: each delivered order becomes at most one care contact, in the delivery's own transaction.

One code path serves the single delivery event (the `orders_delivered` receiver) and bulk planning, so the
rules below hold the same way for one order or 100,000:

1. Tier by the order's value in the policy currency (below the first tier: nothing planned).
2. The contact gate decides (callbacks.services.gate, asked once per store and channel for the whole batch): a
   call the gate refuses with `no_calls` becomes a care SMS, any other standing refusal (do_not_contact,
   sms_opt_out, no_phone) suppresses the contact with the gate's reason. Refusals about the hour are not
   refusals here: step 5 places every contact in its window. Suppressed rows are kept with their reason.
3. One care contact per customer per store-local day of delivery (`contact_day`): the highest tier of the day wins
   (a contact already under way, or a call back at the time the customer asked for, is never replaced); the others
   are kept as suppressed, `merged` into it.
4. One care contact per customer per store-local day on which it is made (ADR 0051): the evening a call is made in,
   the day whose sending hours a care SMS goes out in. Deliveries at 23:59 and at 00:00 are two delivery days but
   one evening's call (one morning's SMS): the second joins the first by step 3's rule, the contacts already planned
   included, whatever order their events came in.
5. Windows: calls in the store's call window (tonight's, or the next call day's once it has closed), never on a day of
   the store's closures (ADR 0035: the next open evening); SMS at once inside sending hours, else at the next
   opening. Both are counted from the delivery, or from the moment it is reported when that is later: a delivery
   reported after its evening is called on the next one.
6. Calls go to on-shift agents serving the store, balanced to their evening capacity; a dedicated-tier
   customer goes to their owner, chosen (least loaded) and kept on the customer the first time. What does
   not fit is flagged `overflowed` and handled by the policy's overflow rule. A contact the overflow rule moves to
   another day (the next evening, or a care SMS instead) is held to step 4 again on the day it lands on.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
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
from crm.timezones import store_local_datetime, to_store_local

from .capacity import CallCapacity, call_priority, care_call_place
from .gate import ContactChannel, ContactDecision, ContactPurpose, RefusalReason, contacts_decide
from .one_a_day import care_contacts_locked, contact_stays
from .policy import policy_for_store
from .rows import customers_set_dedicated_owner, followups_insert, followups_set_merged_into
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
    merged_into_id: int | None = None  # an existing contact that stays
    merged_with: "_Plan | None" = None  # a contact planned in this same call that wins
    replaces: list[int] = field(default_factory=list)  # existing, not yet started contacts this one supersedes
    due: tuple[datetime, datetime] | None = None  # the window its channel gives it (step 5), before capacity
    window: tuple[datetime, datetime] | None = None
    assignee_id: int | None = None
    overflowed: bool = False
    pk: int | None = None

    @property
    def rank(self) -> tuple[int, Decimal]:
        return CHANNEL_RANK[self.channel], self.amount

    def place(self, window: tuple[datetime, datetime], *, assignee_id: int | None = None, overflowed=False) -> None:
        self.window, self.assignee_id, self.overflowed = window, assignee_id, overflowed

    def merge(self, *, into: "_Plan | FollowUp") -> None:
        """Suppressed as `merged` into the contact that stays: a plan of this call, or an existing row."""
        self.reason, self.assignee_id, self.overflowed = Reason.MERGED, None, False
        if isinstance(into, _Plan):
            self.merged_with = into
        else:
            self.merged_into_id = into.pk

    def as_row(self, merged_into_id: int | None) -> dict:
        return {
            "store_id": self.store.pk, "customer_id": self.customer.id, "order_id": self.order.pk, "tier": self.tier,
            "channel": self.channel, "status": Status.SUPPRESSED if self.reason else Status.PLANNED,
            "suppressed_reason": self.reason, "contact_day": self.contact_day, "window_start": self.window[0],
            "window_end": self.window[1], "assignee_id": self.assignee_id, "overflowed": self.overflowed,
            "merged_into_id": merged_into_id,
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


def _join(groups: dict[tuple, list[_Plan]], existing: dict[tuple, FollowUp]) -> list[_Plan]:
    """One contact per group (a customer's plans that share a day) with the contact already planned on that day, if
    any: the highest tier wins, a contact that stays as it is (under way, or a call back) is never replaced; the
    others are `merged` into it. Returns the plans that stay. An existing contact one of them replaces is suppressed at
    once: the database allows one live contact per customer and delivery day, and an evening's capacity is counted
    from the rows."""
    stay, replaced = [], []
    for key, group in groups.items():
        group.sort(key=lambda p: p.rank, reverse=True)
        best, current = group[0], existing.get(key)
        if current is not None and (
            contact_stays(current) or CHANNEL_RANK[current.channel] >= CHANNEL_RANK[best.channel]
        ):
            for plan in group:
                plan.merge(into=current)
            continue
        if current is not None:
            best.replaces.append(current.pk)
            replaced.append(current.pk)
        for plan in group[1:]:
            plan.merge(into=best)
        stay.append(best)
    if replaced:
        FollowUp.objects.filter(id__any_of=replaced).update(
            status=Status.SUPPRESSED, suppressed_reason=Reason.MERGED, updated_at=timezone.now()
        )
    return stay


def _care_contacts(rows: QuerySet[FollowUp], key) -> dict[tuple, FollowUp]:
    """{key(row): row} of the care contacts among `rows` that were not suppressed (a call made, or an SMS that failed,
    is that day's contact too), locked; of two on one key (a closed call may have a live SMS fallback) the live one."""
    found: dict[tuple, FollowUp] = {}
    for row in care_contacts_locked(rows):
        k = key(row)
        if k not in found or row.status in LIVE_STATUSES:
            found[k] = row
    return found


def _by_delivery_day(plans: list[_Plan]) -> list[_Plan]:
    """Step 3: one contact per customer and delivery day (`contact_day`). Returns the plans that stay."""
    groups: dict[tuple, list[_Plan]] = defaultdict(list)
    for plan in plans:
        if not plan.reason:
            groups[(plan.customer.id, plan.contact_day)].append(plan)
    if not groups:
        return []
    rows = FollowUp.objects.filter(
        customer_id__any_of={c for c, _ in groups}, contact_day__any_of={d for _, d in groups}
    )
    return _join(groups, _care_contacts(rows, lambda row: (row.customer_id, row.contact_day)))


def _by_day_made(plans: list[_Plan], *, window_of) -> list[_Plan]:
    """Steps 4 and 6: one contact per customer and store-local day on which it is made, its window's day (a call's
    evening, a care SMS's sending day: neither window spans midnight), counting the contacts already planned on that
    day, whatever day they were delivered on. Returns the plans that stay, in their order."""
    days: dict[tuple[str, datetime], date] = {}  # a batch's windows start at a handful of instants
    bounds: dict[tuple[str, date], tuple[datetime, datetime]] = {}
    groups: dict[tuple, list[_Plan]] = defaultdict(list)
    stores: dict[int, Store] = {}
    for plan in plans:
        start, zone = window_of(plan)[0], plan.store.timezone
        day = days.get((zone, start))
        if day is None:
            day = days[(zone, start)] = to_store_local(start, plan.store).date()
            if (zone, day) not in bounds:
                bounds[(zone, day)] = (
                    store_local_datetime(plan.store, day, time(0)),
                    store_local_datetime(plan.store, day + timedelta(days=1), time(0)),
                )
        groups[(plan.customer.id, day)].append(plan)
        stores[plan.customer.id] = plan.store
    if not groups:
        return []
    rows = FollowUp.objects.filter(
        customer_id__any_of=stores.keys(),
        window_start__gte=min(b[0] for b in bounds.values()),
        window_start__lt=max(b[1] for b in bounds.values()),
    )
    existing = _care_contacts(
        rows, lambda row: (row.customer_id, to_store_local(row.window_start, stores[row.customer_id]).date())
    )
    stay = {id(plan) for plan in _join(groups, existing)}
    return [plan for plan in plans if id(plan) in stay]


def _window(plan: _Plan, channel: str) -> tuple[datetime, datetime]:
    """Step 5: the window of a contact on `channel`, counted from the delivery (or its report)."""
    if channel in CALL_CHANNELS:
        return call_window(policy=plan.policy, store=plan.store, moment=plan.since, closed=plan.closed)
    return sms_window(policy=plan.policy, store=plan.store, moment=plan.since)


def _schedule(primaries: list[_Plan]) -> dict[int, int]:
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


def _moved_to_another_day(plan: _Plan) -> bool:
    return plan.overflowed and (
        to_store_local(plan.window[0], plan.store).date() != to_store_local(plan.due[0], plan.store).date()
    )


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
    primaries = _by_delivery_day(plans)
    for plan in primaries:
        plan.due = _window(plan, plan.channel)
    primaries = _by_day_made(primaries, window_of=lambda p: p.due)
    new_owners = _schedule(primaries)
    moved = {plan.customer.id for plan in primaries if _moved_to_another_day(plan)}
    if moved:  # a full evening sent it to another day: held to step 4 there
        _by_day_made([p for p in primaries if p.customer.id in moved], window_of=lambda p: p.window)
    return FollowUp.objects.filter(id__any_of=_write(plans, new_owners)).order_by("id")


def _covered_by(plan: _Plan, replaced_by: dict[int, _Plan]) -> "_Plan | int | None":
    """The contact that covers a merged plan's delivery in the end: a plan of this call, or the id of an existing
    contact that stays (following a contact it was merged into that a later plan replaced). None for a plan that is
    its own contact, or suppressed for a reason of its own."""
    node, covering = plan, None
    while True:
        if node.merged_with is not None:
            node = covering = node.merged_with
        elif node.merged_into_id in replaced_by:
            node = covering = replaced_by[node.merged_into_id]
        elif node.merged_into_id is not None:
            return node.merged_into_id
        else:
            return covering


def _write(plans: list[_Plan], new_owners: dict[int, int]) -> list[int]:
    for plan in plans:
        if plan.window is None:  # suppressed: kept with its reason, on the window its tier would have had
            plan.place(_window(plan, plan.tier))
    replaced_by = {pk: plan for plan in plans for pk in plan.replaces}
    covering = {id(plan): _covered_by(plan, replaced_by) for plan in plans}
    # Two rounds: a row merged into a contact of this same call needs that contact's id.
    first = [p for p in plans if not isinstance(covering[id(p)], _Plan)]
    for group in (first, [p for p in plans if isinstance(covering[id(p)], _Plan)]):
        rows = [p.as_row(getattr(covering[id(p)], "pk", covering[id(p)])) for p in group]
        for plan, pk in zip(group, followups_insert(rows), strict=True):
            plan.pk = pk
    if replaced_by:  # the contacts replaced point at what covers them now
        stays = {pk: covering[id(plan)] or plan for pk, plan in replaced_by.items()}
        followups_set_merged_into({pk: getattr(s, "pk", s) for pk, s in stays.items()})
    customers_set_dedicated_owner(new_owners)
    return [plan.pk for plan in plans]
