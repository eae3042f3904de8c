"""Case numbers: what remedies cost, which root causes to fix first, and how each agent's work went."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from crm.models import Agent, Remedy
from crm.services.root_causes import root_cause_choices

from .base import Chart, Period, Table, amount, count, keys, percent, sums
from .titles import TITLES

# Given: agreed within the limit or approved, and what came of it (carried out, confirmed by the customer).
GIVEN = Remedy.STANDING


def remedies_given(period: Period) -> Table:
    found = sums(period, "remedy")
    labels = dict(Remedy.Kind.choices)
    rows = []
    for kind in sorted({key.split(":", 1)[0] for key in keys(found, "remedy")}):
        n = {status: count(found, "remedy", f"{kind}:{status}") for status in Remedy.Status.values}
        rows.append(
            {
                "kind": labels.get(kind, kind),
                "proposed": sum(n.values()),
                "given": sum(n[s] for s in GIVEN),
                "awaiting": n[Remedy.Status.AWAITING_APPROVAL],
                "declined": n[Remedy.Status.DECLINED],
                "cost": sum((amount(found, "remedy", f"{kind}:{s}") for s in GIVEN), Decimal("0")),
            }
        )
    rows.sort(key=lambda row: (-row["cost"], str(row["kind"])))
    return Table(
        key="remedies",
        title=TITLES["remedies"],
        columns=[
            ("kind", _("Remedy")),
            ("proposed", _("Proposed")),
            ("given", _("Given")),
            ("awaiting", _("Awaiting approval")),
            ("declined", _("Declined")),
            ("cost", _("Cost of those given")),
        ],
        rows=rows,
        chart=Chart("bar", "kind", series=("cost",)),
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
    agent_ids = {int(key) for metric in AGENT_METRICS for key in keys(found, metric)}
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
                # agent_closed carries the summed seconds from opening to close, less the waits on the customer.
                "resolution_hours": round(float(amount(found, "agent_closed", key)) / 3600 / closed, 1)
                if closed
                else None,
                "calls": count(found, "agent_calls", key),
                "calls_done": count(found, "agent_calls_done", key),
                "calls_missed": count(found, "agent_calls_missed", key),
                "calls_not_logged": count(found, "agent_calls_not_logged", key),
                "remedy_cost": amount(found, "agent_remedy", key),
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
            ("remedy_cost", _("Remedies given (cost)")),
        ],
        rows=rows,
        chart=Chart("bar", "agent", series=("assigned", "closed", "calls_done")),
        note=_(
            "Hours to close: from the case's opening to its close, less the time it waited on the customer (for "
            "photos, an address, an answer to an offer), each wait counted up to the store's longest wait."
        ),
    )
