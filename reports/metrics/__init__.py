"""The manager's report: each section sums one store's daily roll-ups over a period into a Table."""

from collections.abc import Callable

from .base import Period, Table
from .cases import agent_workload, remedies_given, root_cause_pareto
from .followups import call_outcomes, coverage_by_tier, first_contact_delay, suppression_reasons
from .letters import letters_effect
from .logistics import delays_found, early_notice_effect
from .reviews import bad_review_rate, reached_before_review, reviews_changed_after_contact

# In the order the report page shows them.
SECTIONS: dict[str, Callable[[Period], Table]] = {
    "bad_reviews": bad_review_rate,
    "reached_first": reached_before_review,
    "coverage": coverage_by_tier,
    "suppressed": suppression_reasons,
    "first_contact": first_contact_delay,
    "outcomes": call_outcomes,
    "remedies": remedies_given,
    "review_changes": reviews_changed_after_contact,
    "logistics_delays": delays_found,
    "logistics_notices": early_notice_effect,
    "pareto": root_cause_pareto,
    "agents": agent_workload,
    "letters": letters_effect,
}


def report_tables(period: Period) -> list[Table]:
    return [section(period) for section in SECTIONS.values()]


__all__ = ["SECTIONS", "Period", "Table", "report_tables"]
