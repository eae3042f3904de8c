"""Step 2: the contact gate's answers for a batch of plans, asked once per store and channel."""

from collections import defaultdict

from callbacks.models import CALL_CHANNELS, FollowUpChannel

from ..gate import ContactChannel, ContactDecision, ContactPurpose, RefusalReason, contacts_decide
from .plans import Plan, PlanCustomer


def _standing_reason(decision: ContactDecision) -> str:
    return "" if decision or decision.only_the_hour else decision.reason


def ask_gate(plans: list["Plan"]) -> None:
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


def _apply_wishes(customer: PlanCustomer, tier: str) -> tuple[str, str]:
    """(channel, suppressed reason or "") after the gate: a call it refuses for `no_calls` becomes a care SMS."""
    channel = tier
    if tier in CALL_CHANNELS and customer.call_reason:
        if customer.call_reason != RefusalReason.NO_CALLS:
            return tier, customer.call_reason
        channel = FollowUpChannel.SMS
    if channel == FollowUpChannel.SMS and customer.sms_reason:
        return channel, customer.sms_reason
    return channel, ""
