"""One colour per meaning on every chart of the report: green is work done, grey is left out on purpose, red is
what went wrong, wherever it appears. A chart's series carry their colour (Table.chart_data); static/js/reports.js
draws with it."""

GREEN, BLUE, RED, AMBER, GREY, PURPLE, TEAL, SLATE = (
    "#15803d", "#2563eb", "#b91c1c", "#d97706", "#64748b", "#7c3aed", "#0891b2", "#334155",
)  # fmt: skip

SERIES_COLOURS = {
    # Done, reached, closed: the good end.
    "done": GREEN, "closed": GREEN, "calls_done": "#4d7c0f", "reached": GREEN, "revised": GREEN,
    "raised": "#166534",  # a review raised to good: the darker green beside the changed ones
    # Waiting or counted: neutral blue.
    "planned": BLUE, "assigned": BLUE, "customers": BLUE, "contacted": BLUE, "cases": BLUE, "count": BLUE,
    # Went wrong.
    "failed": RED, "bad": RED, "bad_rate": "#7f1d1d",  # the share of bad reviews: a darker red line over the bars
    "bad_review_rate": "#7f1d1d", "complaint_rate": "#9a3412",
    "missed": "#be123c",  # a call nobody made in its window
    "not_logged": "#9d174d",  # a call made whose outcome nobody logged
    "undelivered": "#ea580c",  # a care SMS sent that the provider could not deliver
    # Parcels: a delay found is a warning; telling the customer first is work done.
    "found": AMBER, "told_first": GREEN,
    # Left out on purpose (the contact gate, a customer's wish): never a warning colour.
    "suppressed": GREY,
    # In between.
    "mid": AMBER, "mid_rate": "#b45309", "appended": TEAL, "cost": PURPLE, "cumulative": SLATE,
    # How fast: the slower, the warmer.
    "2h": GREEN, "12h": "#65a30d", "36h": AMBER, "later": RED,
}  # fmt: skip

# Categories of one doughnut, in order, when its slices have no meaning of their own.
FALLBACK = (BLUE, GREEN, AMBER, RED, PURPLE, TEAL, GREY, SLATE, "#be185d")


def series_colour(key: str) -> str:
    return SERIES_COLOURS.get(key, GREY)
