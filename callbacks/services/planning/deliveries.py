"""`followups_plan`: the steps of the package, in order, for one delivery or a batch."""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from callbacks.models import FollowUp
from crm.models import Customer, Order, Store
from crm.services.closures import stores_closed_days
from crm.timezones import to_store_local

from ..merged import followups_cover_merged
from ..policy import policy_for_store
from .gate_answers import ask_gate
from .merges import by_day_made, by_delivery_day
from .plans import Plan, PlanCustomer, Reason
from .schedule import moved_to_another_day, schedule, window_for
from .writing import plans_write

CARE = FollowUp.Purpose.CARE


def _draft(order, customer, store, policy, closed, delivered_at, now) -> Plan | None:
    amount = policy.amount_in_policy_currency(order.total_amount, order.currency)
    day = to_store_local(delivered_at, store).date()
    since = max(delivered_at, now)
    if amount is None:
        tier = policy.channel_for(order.total_amount)  # the currency is unknown: say why nothing happens
        if tier is None:
            return None
        return Plan(order, customer, store, policy, closed, delivered_at, since, order.total_amount, tier, tier, day,
                    reason=Reason.UNKNOWN_CURRENCY)  # fmt: skip
    tier = policy.channel_for(amount)
    if tier is None:
        return None
    return Plan(order, customer, store, policy, closed, delivered_at, since, amount, tier, tier, day)  # the gate next


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
    customers = {row[0]: PlanCustomer(*row) for row in locked.values_list(*_CUSTOMER_FIELDS)}
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
    ask_gate(plans)
    primaries = by_delivery_day(plans)
    for plan in primaries:
        plan.due = window_for(plan, plan.channel)
    primaries = by_day_made(primaries, window_of=lambda p: p.due)
    new_owners = schedule(primaries)
    moved = {plan.customer.id for plan in primaries if moved_to_another_day(plan)}
    if moved:  # a full evening sent it to another day: held to step 4 there
        by_day_made([p for p in primaries if p.customer.id in moved], window_of=lambda p: p.window)
    written = plans_write(plans, new_owners)
    _cover_failed_sms(plans, now)
    return FollowUp.objects.filter(id__any_of=written).order_by("id")


def _cover_failed_sms(plans: list[Plan], now: datetime) -> None:
    """A delivery merged into a care SMS of that day that failed (refused when sent, or reported undelivered: a contact
    made, which steps 3 and 4 never replace) is covered by the rule of a failed SMS, as the orders merged into it while
    it was under way are (services.merged, ADR 0051): a call-tier order is called, none is texted again at that number.
    One more query, only when a plan joined a contact planned before."""
    into = {plan.merged_into_id for plan in plans if plan.merged_into_id is not None}
    if not into:
        return
    failed = FollowUp.objects.filter(
        id__any_of=into, purpose=CARE, status=FollowUp.Status.FAILED, channel=FollowUp.Channel.SMS
    ).values_list("id", flat=True)
    followups_cover_merged(withdrawn=list(failed), now=now)
