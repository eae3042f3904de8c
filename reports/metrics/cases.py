"""Case numbers: what remedies cost, which root causes to fix first, and how each agent's work went."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from crm.models import Agent, Remedy
from crm.services.root_causes import root_cause_choices

from .base import Chart, Period, Table, amount, count, keys, percent, sums
from .titles import TITLES

# Given: agreed within the limit or approved, and what came of it (carried out, confirmed by the customer).
GIVEN = Remedy.STANDING


def _currencies(period: Period, found_keys) -> list[str]:
    """The currencies of the remedies found, the store's first (a store's remedies are in its orders' currencies)."""
    found = {key.rsplit(":", 1)[1] for key in found_keys}
    return sorted(found, key=lambda code: (code != period.store.currency, code))


def remedies_given(period: Period) -> Table:
    """Per kind and currency: proposed, given, waiting, declined, and what those given cost. Costs in different
    currencies are never added up (ADR 0036): a store with refunds in CNY and EUR has a row for each."""
    found = sums(period, "remedy")
    labels = dict(Remedy.Kind.choices)
    # remedy keys are "kind:status:currency".
    groups = {tuple(key.split(":")[0::2]) for key in keys(found, "remedy")}
    order = {code: i for i, code in enumerate(_currencies(period, keys(found, "remedy")))}
    rows = []
    for kind, currency in groups:
        n = {status: count(found, "remedy", f"{kind}:{status}:{currency}") for status in Remedy.Status.values}
        label = labels.get(kind, kind)
        rows.append(
            {
                "kind": label,
                "currency": currency,
                "bar": f"{label} ({currency})",
                "proposed": sum(n.values()),
                "given": sum(n[s] for s in GIVEN),
                "awaiting": n[Remedy.Status.AWAITING_APPROVAL],
                "declined": n[Remedy.Status.DECLINED],
                "cost": sum((amount(found, "remedy", f"{kind}:{s}:{currency}") for s in GIVEN), Decimal("0")),
            }
        )
    rows.sort(key=lambda row: (order[row["currency"]], -row["cost"], str(row["kind"])))
    return Table(
        key="remedies",
        title=TITLES["remedies"],
        columns=[
            ("kind", _("Remedy")),
            ("currency", _("Currency")),
            ("proposed", _("Proposed")),
            ("given", _("Given")),
            ("awaiting", _("Awaiting approval")),
            ("declined", _("Declined")),
            ("cost", _("Cost of those given")),
        ],
        rows=rows,
        chart=Chart("bar", "bar", series=("cost",)),
        note=_("Each remedy's cost is in its currency (its order's, else the store's); currencies are not added up."),
    )


def root_cause_pareto(period: Period) -> Table:
    found = sums(period, "root_cause")
    labels = dict(root_cause_choices(store=period.store, include_inactive=True))
    counts = sorted(
        ((count(found, "root_cause", k), k) for k in keys(found, "root_cause")), key=lambda c: (-c[0], c[1])
    )
    total = sum(n for n, _code in counts)
    rows, running = [], 0
    for n, code in counts:
        running += n
        rows.append(
            {
                "root_cause": labels.get(code, code),
                "cases": n,
                "share": percent(n, total),
                "cumulative": percent(running, total),
            }
        )
    return Table(
        key="pareto",
        title=TITLES["pareto"],
        columns=[
            ("root_cause", _("Root cause")),
            ("cases", _("Closed cases")),
            ("share", _("Share %")),
            ("cumulative", _("Cumulative %")),
        ],
        rows=rows,
        chart=Chart("bar", "root_cause", series=("cases",), line_series=("cumulative",)),
    )


AGENT_METRICS = (
    "agent_assigned",
    "agent_closed",
    "agent_still_open",
    "agent_escalated",
    "agent_breached",
    "agent_calls",
    "agent_calls_done",
    "agent_calls_missed",
    "agent_calls_not_logged",
    "agent_remedy",
)


def agent_workload(period: Period) -> Table:
    """Per agent: cases assigned in the period and how they went, calls worked, and remedies given."""
    found = sums(period, *AGENT_METRICS)
    # agent_remedy keys are "agent id:currency", the others the agent's id.
    agent_ids = {int(key.split(":")[0]) for metric in AGENT_METRICS for key in keys(found, metric)}
    # One cost column per currency the agents' remedies were given in (never added up: ADR 0036).
    currencies = _currencies(period, keys(found, "agent_remedy")) or [period.store.currency]
    rows = []
    for agent in Agent.objects.filter(pk__in=agent_ids).select_related("user").order_by("user__username"):
        key = str(agent.pk)
        closed = count(found, "agent_closed", key)
        rows.append(
            {
                "agent": str(agent),
                "assigned": count(found, "agent_assigned", key),
                "closed": closed,
                "still_open": count(found, "agent_still_open", key),
                "escalated": count(found, "agent_escalated", key),
                "breached": count(found, "agent_breached", key),
                # agent_closed carries the summed seconds the cases were open (a reopened case's days closed not
                # counted), less the waits on the customer.
                "resolution_hours": round(float(amount(found, "agent_closed", key)) / 3600 / closed, 1)
                if closed
                else None,
                "calls": count(found, "agent_calls", key),
                "calls_done": count(found, "agent_calls_done", key),
                "calls_missed": count(found, "agent_calls_missed", key),
                "calls_not_logged": count(found, "agent_calls_not_logged", key),
                **{f"remedy_cost_{code}": amount(found, "agent_remedy", f"{key}:{code}") for code in currencies},
            }
        )
    return Table(
        key="agents",
        title=TITLES["agents"],
        columns=[
            ("agent", _("Agent")),
            ("assigned", _("Cases assigned")),
            ("closed", _("Closed")),
            ("still_open", _("Still open")),
            ("escalated", _("Escalated")),
            ("breached", _("Past a deadline")),
            ("resolution_hours", _("Hours to close, without waits on the customer (mean)")),
            ("calls", _("Calls planned")),
            ("calls_done", _("Calls done")),
            ("calls_missed", _("Calls not made in their window")),
            ("calls_not_logged", _("Calls made, outcome not logged")),
            *[
                (f"remedy_cost_{code}", _("Remedies given (cost, %(currency)s)") % {"currency": code})
                for code in currencies
            ],
        ],
        rows=rows,
        chart=Chart("bar", "agent", series=("assigned", "closed", "calls_done")),
        note=_(
            "Hours to close: the time the case was open, from its opening to its close and from each reopening to "
            "the close after it, less the time it waited on the customer (for photos, an address, an answer to an "
            "offer), each wait counted up to the store's longest wait."
        ),
    )
