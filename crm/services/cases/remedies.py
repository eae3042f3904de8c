"""Proposing a remedy, and the checks on its cost and currency (a manager's escalation decision makes them too)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import CaseClosed, InvalidInput
from crm.models import Agent, Case, CaseEvent, Order, Remedy
from crm.money import money_text
from crm.validators import currency_code_problem

from ..locks import case_lock
from ..remedy_limit import needs_approval, remedy_limit_lock
from .timeline import Resumed, case_add_event, case_wait_end

# The most a remedy's cost column holds (10 digits, 2 after the point).
REMEDY_COST_MAX = Decimal("99999999.99")
CENT = Decimal("0.01")


def remedy_cost_check(*, cost: Decimal) -> Decimal:
    """The cost as it will be stored, or InvalidInput on `cost`: a finite amount, not negative, in whole cents and
    within what the column holds. The page forms refuse the same; this keeps every other caller (a kind's step, a
    playbook option) from a database error or a cost rounded away from the one the timeline records."""
    if not cost.is_finite() or cost < 0:
        raise InvalidInput(_("A remedy cannot cost less than nothing."), field="cost")
    if cost != cost.quantize(CENT) or cost > REMEDY_COST_MAX:
        raise InvalidInput(
            _("Write the cost with at most two decimals, up to %(max)s.") % {"max": REMEDY_COST_MAX}, field="cost"
        )
    return cost


REFUNDS = (Remedy.Kind.REFUND, Remedy.Kind.PARTIAL_REFUND)


def remedy_currency_check(*, case: Case, kind: str, currency: str | None) -> str:
    """The currency the remedy is written in, or InvalidInput on `currency`: by default the case's (its order's, else
    its store's: ADR 0036), else the ISO code the caller wrote the cost in (a playbook option is in the store's). A
    refund gives back the order's money, so it is in the order's currency: a refund in another would be measured
    against the order's total blindly, with no rate to convert it (crm holds none)."""
    currency = case.remedy_currency if currency is None else currency.strip().upper()
    if problem := currency_code_problem(currency):
        raise InvalidInput(problem, field="currency")
    order = case.order
    if kind in REFUNDS and order is not None and currency != order.currency:
        raise InvalidInput(
            _("A refund gives back what the order was paid in, %(order)s; this one is written in %(currency)s.")
            % {"order": order.currency, "currency": currency},
            field="currency",
        )
    return currency


def refundable_total(*, case: Case) -> Decimal | None:
    """What the customer paid for the case's order, in the order's currency (refunds are written in it); None
    without an order, when a refund has nothing to be measured against."""
    return None if case.order is None else case.order.total_amount


def refunded_already(*, order: Order) -> Decimal:
    """What the refunds of this order that still stand (any case about it; not declined, not withdrawn) give back, in
    its currency. A standing refund written in another currency (one from before refunds followed the order's
    currency) cannot be added to it: InvalidInput on `currency`, for the manager to withdraw or correct it."""
    refunds = Remedy.objects.filter(kind__in=REFUNDS, case__order_id=order.pk).exclude(
        status__in=[Remedy.Status.DECLINED, Remedy.Status.WITHDRAWN]
    )
    totals = dict(refunds.values("currency").annotate(total=Sum("cost")).values_list("currency", "total").order_by())
    if others := sorted(set(totals) - {order.currency}):
        raise InvalidInput(
            _(
                "A refund of this order that stands is written in %(others)s, not in the order's %(currency)s: it "
                "cannot be added up with this one. Withdraw it and write it again in %(currency)s."
            )
            % {"others": ", ".join(others), "currency": order.currency},
            field="currency",
        )
    return totals.get(order.currency) or Decimal("0")


def remedy_refund_check(*, case: Case, kind: str, cost: Decimal, currency: str) -> Decimal:
    """A refund gives back money the customer paid: never nothing, never more than is left of the order's total after
    the refunds of it that stand, and a full one exactly the total, on an order nothing was refunded of yet. A full
    refund written for less would slip under the agent's limit without the manager's approval, and refunds past the
    total pay out money the store never took (a second case about the order, a partial refund and then a full one).
    Every amount is the order's currency's (remedy_currency_check refused a refund in another)."""
    if kind not in REFUNDS:
        return cost
    total = refundable_total(case=case)
    if total is not None:
        # The order's row is locked: two cases about one order cannot both refund what is left of it.
        order = Order.objects.select_for_update().get(pk=case.order_id)
        if currency != order.currency:  # callers check it first; an amount is never compared across currencies
            raise InvalidInput(_("A refund is written in the order's currency."), field="currency")
        refunded = refunded_already(order=order)
        figures = {
            "total": money_text(total, currency),
            "refunded": money_text(refunded, currency),
            "left": money_text(total - refunded, currency),
        }
        if kind == Remedy.Kind.REFUND and refunded:
            message = _(
                "%(refunded)s of this order's %(total)s is refunded already: refund the rest, %(left)s, as a partial "
                "refund."
            )
            raise InvalidInput(message % figures, field="cost")
        if kind == Remedy.Kind.REFUND and cost != total:
            message = _("A full refund is the order's total, %(total)s; for less, choose a partial refund.")
            raise InvalidInput(message % figures, field="cost")
        if cost > total - refunded:
            message = (
                _("At most %(left)s is left to refund of this order (%(total)s, %(refunded)s refunded).")
                if refunded
                else _("A refund cannot be more than the order's total, %(total)s.")
            )
            raise InvalidInput(message % figures, field="cost")
    if cost == 0:
        raise InvalidInput(_("Give the amount refunded."), field="cost")
    return cost


@transaction.atomic
def remedy_propose(
    *, case: Case, agent: Agent, kind: str, cost: Decimal, description: str = "", currency: str | None = None
) -> Remedy:
    """An agreed remedy stands at once while what the customer is given in total stays within the store's agent limit
    (crm.services.remedy_limit, ADR 0039); above it the case waits for a manager. It is written in the case's currency
    unless the caller says which it wrote the cost in (remedy_currency_check).

    The same remedy proposed again by the same agent while the first still stands (agreed or awaiting approval) is
    that first one, not a second: a form submitted twice must not promise, or ask the manager for, twice the money.
    """
    case = case_lock(case)
    if not case.is_open:
        raise CaseClosed(case_id=case.pk)
    if kind not in Remedy.Kind.values:
        raise InvalidInput(f"Unknown remedy kind {kind!r}.", field="kind")
    cost = remedy_cost_check(cost=cost)
    currency = remedy_currency_check(case=case, kind=kind, currency=currency)
    # Another proposal for this customer or order (on this case or another) waits here until this one is written.
    remedy_limit_lock(case)
    standing = case.remedies.filter(
        kind=kind,
        cost=cost,
        currency=currency,
        description=description,
        proposed_by=agent,
        status__in=[Remedy.Status.AGREED, Remedy.Status.AWAITING_APPROVAL],
    ).first()
    if standing is not None:
        return standing
    # After: a form sent twice is the first, not refused.
    remedy_refund_check(case=case, kind=kind, cost=cost, currency=currency)
    awaiting = needs_approval(case=case, cost=cost, currency=currency)
    if case.status == Case.Status.AWAITING_CUSTOMER:
        # A remedy agreed means the customer answered (they accepted the offer): the case is worked again.
        case_wait_end(case=case, resumed=Resumed.AGENT, actor=agent.user)
    remedy = Remedy.objects.create(
        case=case,
        kind=kind,
        cost=cost,
        currency=currency,
        description=description,
        status=Remedy.Status.AWAITING_APPROVAL if awaiting else Remedy.Status.AGREED,
        proposed_by=agent,
        proposed_at=timezone.now(),
    )
    case_add_event(
        case=case,
        kind=CaseEvent.Kind.REMEDY_PROPOSED,
        actor=agent.user,
        message=description,
        data={"remedy_kind": kind, "cost": str(cost), "currency": currency, "awaiting_approval": awaiting},
    )
    target_status = Case.Status.AWAITING_APPROVAL if awaiting else Case.Status.IN_PROGRESS
    if case.status != target_status:
        case.status = target_status
        case.save(update_fields=["status"])
    return remedy
