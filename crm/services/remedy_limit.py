"""The store's agent limit, on what the customer is given in total (ADR 0039; what counts: crm.selectors.remedies).

A remedy waits for a manager when, with it, the customer would be given more than the limit, in the store's currency
(`Store.agent_remedy_limit`, ADR 0036). A remedy in another currency cannot be compared with the limit, nor added to
what was given in the store's, so it always waits; so does any remedy on a case whose customer was given something in
another currency meanwhile. A remedy that costs nothing adds nothing and never waits.

Writers of a remedy take `remedy_limit_lock` after the case's row lock: two proposals at once (on one case, on two
cases about one order or of one customer) are measured one after the other, never both against the total without
the other.
"""

from decimal import Decimal

from django.utils import timezone

from crm.models import Case
from crm.selectors.remedies import Given, remedies_given

from .locks import advisory_lock


def remedy_limit_lock(case: Case) -> None:
    """Hold, until the transaction ends, the lock on what the case's customer and order are given (call inside one,
    with the case locked first)."""
    names = [f"remedy-given:customer:{case.customer_id}"]
    if case.order_id:  # a case about an order is its customer's; the order's name covers one that is not
        names.append(f"remedy-given:order:{case.order_id}")
    advisory_lock(names)


def case_given(case: Case) -> Given:
    """What the case's customer is given for it now (crm.selectors.remedies)."""
    return remedies_given(cases=[case], now=timezone.now())[case.pk]


def needs_approval(*, case: Case, cost: Decimal, currency: str, given: Given | None = None) -> bool:
    """Whether a remedy of `cost` in `currency` on `case` takes what its customer is given above the agent's limit.
    `given` is what they are given without it (read now when not passed)."""
    store = case.store
    if not cost:
        return False
    if currency != store.currency:
        return True
    given = case_given(case) if given is None else given
    if given.currencies_other_than(store.currency):
        return True
    return given.amount(store.currency) + cost > store.agent_remedy_limit
