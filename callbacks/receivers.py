"""crm tells us about events through crm.signals; these receivers are connected in CallbacksConfig.ready()."""

from django.utils.translation import gettext as _

from crm.demo import CNY_PER_UNIT, demo_store
from crm.models import CaseEvent
from crm.services.order_delivery import OrderWarning
from crm.signals import (
    agent_leaving_stores,
    agent_left_stores,
    case_event_added,
    customer_profile_changed,
    demo_stores_seeded,
    orders_delivered,
    store_closure_would_withdraw,
    store_closures_changed,
    store_timezone_changed,
)

from .models import FollowUpPolicy, SuppressedReason
from .services.case_calls import case_calls_follow_reassigned_case
from .services.handover import case_calls_hand_over, followups_hand_over, followups_to_hand_over_customers
from .services.planning import followups_plan
from .services.policy import policy_update
from .services.replan import Clock, followups_follow_closures, followups_replan
from .services.wishes import calls_withdraw_refused
from .services.withdrawals import closure_withdrawals


def plan_delivered_orders(sender, *, deliveries, **kwargs) -> dict[int, list[OrderWarning]]:
    # Runs inside orders_deliver's transaction: the plans commit or roll back with the deliveries, and a batch
    # of deliveries is planned in one set-based pass. Answers what the order system should hear (crm.signals).
    planned = followups_plan(deliveries=deliveries)
    unconvertible = planned.filter(suppressed_reason=SuppressedReason.UNKNOWN_CURRENCY)
    return {
        order_id: [
            OrderWarning(
                code=SuppressedReason.UNKNOWN_CURRENCY.value,
                field="currency",
                message=_(
                    "The store cannot convert %(currency)s (its follow-up policy has no rate for it): no follow-up "
                    "was planned for this order."
                )
                % {"currency": currency},
            )
        ]
        for order_id, currency in unconvertible.values_list("order_id", "order__currency")
    }


def configure_demo_policies(sender, *, stores, **kwargs) -> None:
    # The demo's follow-up tiers are in CNY; a store that sells in another currency converts it (issue 18 #13). A store
    # closed on some weekdays calls on the others: the call days are the calls' weekly rule, not the case desk's days
    # off (ADR 0035). A policy a manager already saved is left as it is.
    for store in stores:
        demo = demo_store(store.code)
        changes = {}
        if demo.currency != "CNY":
            changes |= {"currency": "CNY", "exchange_rates": {demo.currency: str(CNY_PER_UNIT[demo.currency])}}
        if demo.days_off:
            changes["call_days"] = [day for day in range(7) if day not in demo.days_off]
        if changes and not FollowUpPolicy.objects.filter(store=store).exists():
            policy_update(store=store, actor=None, changes=changes)


def withdraw_calls_the_customer_refuses(sender, *, customer, **kwargs) -> None:
    # Inside the profile change's transaction: the calls go with the wish, or neither does.
    calls_withdraw_refused(customer=customer)


def replan_in_the_new_zone(sender, *, store, old_timezone, now, **kwargs) -> None:
    # Inside the zone change's transaction: the planned contacts move with the store, or neither does (ADR 0029).
    followups_replan(store=store, before=Clock.in_zone(store, old_timezone), now=now)


def replan_around_the_closures(sender, *, store, now, **kwargs) -> None:
    # Inside the closure's transaction: the calls on its days move with it, or neither is saved (ADR 0035).
    followups_follow_closures(store=store, now=now)


def hand_over_the_calls_of_who_left(sender, *, agent_id, store_ids, **kwargs) -> None:
    # Inside the transaction that took the agent off the stores: the calls change hands with it, or neither happens.
    followups_hand_over(agent_id=agent_id, store_ids=store_ids)
    case_calls_hand_over(agent_id=agent_id, store_ids=store_ids)


def customers_of_the_calls_of_who_leaves(sender, *, agent_id, store_ids, **kwargs) -> set[int]:
    # Before crm locks the cases it hands on: the customers our handover will lock, for crm to lock first (ADR 0037).
    return followups_to_hand_over_customers(agent_id=agent_id, store_ids=store_ids)


def calls_follow_their_case(sender, *, event, **kwargs) -> None:
    # Inside the reassignment's transaction: the case's open call goes with the case, or neither moves.
    if event.kind == CaseEvent.Kind.ASSIGNED:
        case_calls_follow_reassigned_case(event=event)


def connect() -> None:
    orders_delivered.connect(plan_delivered_orders, dispatch_uid="callbacks.plan_delivered_orders")
    demo_stores_seeded.connect(configure_demo_policies, dispatch_uid="callbacks.configure_demo_policies")
    customer_profile_changed.connect(
        withdraw_calls_the_customer_refuses, dispatch_uid="callbacks.withdraw_calls_the_customer_refuses"
    )
    store_timezone_changed.connect(replan_in_the_new_zone, dispatch_uid="callbacks.replan_in_the_new_zone")
    store_closures_changed.connect(replan_around_the_closures, dispatch_uid="callbacks.replan_around_the_closures")
    store_closure_would_withdraw.connect(closure_withdrawals, dispatch_uid="callbacks.closure_withdrawals")
    agent_leaving_stores.connect(
        customers_of_the_calls_of_who_leaves, dispatch_uid="callbacks.customers_of_the_calls_of_who_leaves"
    )
    agent_left_stores.connect(hand_over_the_calls_of_who_left, dispatch_uid="callbacks.hand_over_the_calls")
    case_event_added.connect(calls_follow_their_case, dispatch_uid="callbacks.calls_follow_their_case")
