"""The gate's answer: the rules asked in order for many customers of one store, or for one."""

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.utils import timezone

from crm.models import Customer, Order, Store

from ..policy import policy_for_store
from .caps import Cap, cap_for, cap_usage, capped
from .decisions import ALLOWED, ContactDecision
from .facts import Facts, facts_read
from .hours import hour_refusal
from .purposes import validate
from .standing import standing_refusal


def _decide(
    facts: Facts,
    *,
    channel: str,
    purpose: str,
    cap: Cap | None,
    used: tuple[int, datetime | None] | None,
    hour: ContactDecision | None,
) -> ContactDecision:
    """`hour` is rule 7's answer, the same for every customer of the store at that moment."""
    # Refusals are falsy (`__bool__`), so the first one found is returned explicitly, not through `or`.
    for refusal in (
        standing_refusal(facts, channel, purpose),
        capped(cap, used) if cap is not None else None,
        hour,
    ):
        if refusal is not None:
            return refusal
    return ALLOWED


def contacts_decide(
    *,
    store: Store,
    customer_ids: Iterable[int],
    channel: str,
    purpose: str,
    at: datetime | None = None,
    order_ids: Mapping[int, int] | None = None,
) -> dict[int, ContactDecision]:
    """The gate's answer for many customers of one store, in a fixed number of queries (customers; the ledger
    when the purpose has a cap; the store's policy unless `store` came with it). `order_ids` maps a customer id
    to the order the contact is about (the logistics cap counts per order). Unknown ids are left out."""
    validate(channel, purpose)
    at = at or timezone.now()
    ids = list(set(customer_ids))
    if not ids:
        return {}
    policy = policy_for_store(store=store)
    facts = facts_read(Customer.objects.filter(store=store, id__any_of=ids))
    cap = cap_for(policy, channel, purpose)
    usage = cap_usage(cap, channel, purpose, [f.id for f in facts], order_ids or {}, at) if cap is not None else {}
    hour = hour_refusal(policy, store, channel, at)
    return {f.id: _decide(f, channel=channel, purpose=purpose, cap=cap, used=usage.get(f.id), hour=hour) for f in facts}


def contact_decide(
    *, customer: Customer, channel: str, purpose: str, at: datetime | None = None, order: Order | None = None
) -> ContactDecision:
    """The gate's answer for one customer: may they be contacted on `channel` for `purpose` at `at` (now)?"""
    store = customer.store
    order_ids = {customer.pk: order.pk} if order is not None else None
    return contacts_decide(
        store=store, customer_ids=[customer.pk], channel=channel, purpose=purpose, at=at, order_ids=order_ids
    )[customer.pk]
