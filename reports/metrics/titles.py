"""Each report section's title by its key: the report page heads its table with it, and the audit page names an
exported section by it (reports.apps registers these with crm.readable)."""

from django.utils.translation import gettext_lazy as _

TITLES = {
    "bad_reviews": _("Bad-review rate over time"),
    "reached_first": _("Dissatisfied customers reached before they wrote a review"),
    "coverage": _("Follow-up coverage by tier"),
    "suppressed": _("Suppressed follow-ups and their reasons"),
    "first_contact": _("Time from delivery to first contact"),
    "outcomes": _("Call outcomes"),
    "remedies": _("Remedies given and their cost"),
    "review_changes": _("Reviews appended or changed after contact"),
    "logistics_delays": _("Parcel delays found"),
    "logistics_notices": _("Delayed parcels: with and without an early notice"),
    "pareto": _("Root causes (Pareto)"),
    "agents": _("Workload and results per agent"),
    "letters": _("Thank-you letters: review rates with and without a letter"),
}
