"""What a customer is given for a case: the total the store's agent limit is measured against (ADR 0039).

The limit is what one person may give a customer alone, so it is on the total, not on each remedy: four vouchers of
200 give what one of 800 does. A case's total counts the remedies that stand (every one but the declined and the
withdrawn: agreed, awaiting approval, approved, carried out, confirmed)

- of the case itself, whenever they were proposed;
- of every other case about its order, whenever: an order is one purchase, however many cases it had (one closed,
  another opened about it);
- of the customer's other cases proposed in the last `GIVEN_WINDOW`: the same complaint worked on another case (an
  order-less one opened by hand, another order of theirs) is the same customer being given more.

Amounts are kept per currency and never added across (ADR 0036).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q

from crm.models import Case, Remedy
from crm.money import money_text

# Remedies that give the customer something (or will, once approved): all but the declined and the withdrawn.
GIVEN_STATUSES = [s for s in Remedy.Status.values if s not in (Remedy.Status.DECLINED, Remedy.Status.WITHDRAWN)]
# How far back the customer's other cases (other orders, none) count with this one.
GIVEN_WINDOW = timedelta(days=7)


@dataclass
class Given:
    """What a case's customer is given, per currency, and which other cases it comes from."""

    amounts: dict[str, Decimal] = field(default_factory=dict)
    other_case_ids: set[int] = field(default_factory=set)

    def amount(self, currency: str) -> Decimal:
        return self.amounts.get(currency, Decimal("0"))

    def currencies_other_than(self, currency: str) -> list[str]:
        """Currencies something was given in besides `currency`: amounts that cannot be added to it."""
        return sorted(c for c, amount in self.amounts.items() if c != currency and amount > 0)

    @property
    def other_cases(self) -> list[int]:
        return sorted(self.other_case_ids)

    @property
    def texts(self) -> list[str]:
        """Each currency's total as it reads ("¥600.00"), the ones given something, by currency."""
        return [money_text(amount, c) for c, amount in sorted(self.amounts.items()) if amount > 0]


def remedies_given(*, cases: Iterable[Case], now: datetime) -> dict[int, Given]:
    """Each case's total (by case id), in one query whatever the number of cases."""
    cases = list({case.pk: case for case in cases}.values())
    given = {case.pk: Given() for case in cases}
    if not cases:
        return given
    since = now - GIVEN_WINDOW
    order_ids = {case.order_id for case in cases if case.order_id}
    scope = (
        Q(case_id__in=list(given))
        | Q(case__order_id__in=order_ids)
        | Q(case__customer_id__in={case.customer_id for case in cases}, proposed_at__gte=since)
    )
    rows = (
        Remedy.objects.filter(scope, status__in=GIVEN_STATUSES)
        .values_list("case_id", "case__order_id", "case__customer_id", "proposed_at", "currency", "cost")
        .order_by()
    )
    of_order, of_customer = defaultdict(list), defaultdict(list)
    for case in cases:
        of_customer[case.customer_id].append(case.pk)
        if case.order_id:
            of_order[case.order_id].append(case.pk)
    by_case: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for case_id, order_id, customer_id, proposed_at, currency, cost in rows:
        counted_for = {case_id} & given.keys() | set(of_order.get(order_id, ()))
        if proposed_at >= since:
            counted_for |= set(of_customer.get(customer_id, ()))
        for counted in counted_for:
            by_case[counted][currency] += cost
            if case_id != counted:
                given[counted].other_case_ids.add(case_id)
    for case_id, amounts in by_case.items():
        given[case_id].amounts = dict(amounts)
    return given
