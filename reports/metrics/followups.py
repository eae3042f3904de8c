"""Follow-up numbers: who was planned a contact, who got one and how soon, who was left out and why, how calls
ended."""

from django.utils.translation import gettext_lazy as _

from callbacks.models import OUTCOME_LABELS, ClosedUncalled, ClosedUnlogged, FollowUp

from ..rollups import CONTACT_BUCKETS
from .base import Chart, Period, Table, count, keys, percent, sums
from .titles import TITLES

STATES = {
    "planned": (FollowUp.Status.PLANNED, FollowUp.Status.SENDING, FollowUp.Status.IN_PROGRESS),
    "done": (FollowUp.Status.SENT, FollowUp.Status.DONE),
    "failed": (FollowUp.Status.FAILED,),
    # A care SMS sent that the provider could not deliver (the roll-ups key it apart from done): it reached nobody.
    "undelivered": ("undelivered",),
    "suppressed": (FollowUp.Status.SUPPRESSED,),
    # Closed because nobody called in the window (the roll-ups key it apart from done): neither open nor done.
    "missed": (ClosedUncalled.MISSED,),
    # Called, closed with no outcome logged (ADR 0028): neither open nor done either.
    "not_logged": (ClosedUnlogged.NOT_LOGGED,),
}
TIERS = dict(FollowUp.Channel.choices)


def coverage_by_tier(period: Period) -> Table:
    """Per value tier: planned, done, failed, not delivered, suppressed, missed and not logged follow-ups, and
    deliveries below every tier. Done is a call made with its outcome logged, or a care SMS delivered (or sent with no
    delivery report); a care SMS the provider reported undelivered is not delivered, never done. A tier counts
    follow-ups, not deliveries: a call withdrawn or not made, and the care SMS that went instead, are two follow-ups of
    one delivery."""
    found = sums(period, "followup", "uncovered_delivery")
    rows = []
    for tier, label in TIERS.items():
        states = {
            state: sum(count(found, "followup", f"{tier}:{status}") for status in statuses)
            for state, statuses in STATES.items()
        }
        total = sum(states.values())
        if total:
            rows.append({"tier": label, "total": total, **states, "done_share": percent(states["done"], total)})
    uncovered = count(found, "uncovered_delivery", "")
    if uncovered:
        rows.append({"tier": _("Deliveries with no follow-up (below the SMS tier)"), "total": uncovered})
    return Table(
        key="coverage",
        title=TITLES["coverage"],
        columns=[
            ("tier", _("Tier")),
            ("total", _("Follow-ups")),
            ("planned", _("Planned")),
            ("done", _("Done")),
            ("failed", _("Failed")),
            ("undelivered", _("Not delivered")),
            ("suppressed", _("Suppressed")),
            ("missed", _("Not called in its window")),
            ("not_logged", _("Called, outcome not logged")),
            ("done_share", _("Done %")),
        ],
        rows=rows,
        chart=Chart(
            "bar",
            "tier",
            series=("done", "planned", "failed", "undelivered", "suppressed", "missed", "not_logged"),
            stacked=True,
        ),
    )


def suppression_reasons(period: Period) -> Table:
    found = sums(period, "followup_suppressed")
    reasons = dict(FollowUp.SuppressedReason.choices)
    rows = []
    for key in keys(found, "followup_suppressed"):
        tier, reason = key.split(":", 1)
        rows.append(
            {
                "tier": TIERS.get(tier, tier),
                "reason": reasons.get(reason, reason),
                "count": count(found, "followup_suppressed", key),
            }
        )
    rows.sort(key=lambda row: -row["count"])
    return Table(
        key="suppressed",
        title=TITLES["suppressed"],
        columns=[("tier", _("Tier")), ("reason", _("Reason")), ("count", _("Follow-ups"))],
        rows=rows,
    )


def first_contact_delay(period: Period) -> Table:
    """How long after delivery each tier's first contact came: a care SMS sent and not reported undelivered, or a call
    that reached them."""
    found = sums(period, "first_contact")
    rows = []
    for tier, label in TIERS.items():
        buckets = {key: count(found, "first_contact", f"{tier}:{key}") for key, _hours in CONTACT_BUCKETS}
        contacted = sum(buckets.values())
        if contacted:
            rows.append(
                {
                    "tier": label,
                    "contacted": contacted,
                    **buckets,
                    "within_12h": percent(buckets["2h"] + buckets["12h"], contacted),
                }
            )
    return Table(
        key="first_contact",
        title=TITLES["first_contact"],
        columns=[
            ("tier", _("Tier")),
            ("contacted", _("Contacted")),
            ("2h", _("Within 2 h")),
            ("12h", _("2 to 12 h")),
            ("36h", _("12 to 36 h")),
            ("later", _("Later")),
            ("within_12h", _("Within 12 h %")),
        ],
        rows=rows,
        chart=Chart("bar", "tier", series=("2h", "12h", "36h", "later"), stacked=True),
    )


def call_outcomes(period: Period) -> Table:
    found = sums(period, "call_outcome")
    labels = OUTCOME_LABELS  # the agents' outcomes, "missed" (nobody called in the window) and "not_logged"
    counts = {key: count(found, "call_outcome", key) for key in keys(found, "call_outcome")}
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return Table(
        key="outcomes",
        title=TITLES["outcomes"],
        columns=[("outcome", _("Outcome")), ("count", _("Calls")), ("share", _("Share %"))],
        rows=[{"outcome": labels.get(k, k), "count": n, "share": percent(n, total)} for k, n in ordered],
        chart=Chart("doughnut", "outcome", series=("count",)),
    )
