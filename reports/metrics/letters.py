"""Do thank-you letters pay off? Mid and bad review rates of lettered orders against the held-back control group."""

from django.utils.translation import gettext_lazy as _

from letters.models import Letter

from .base import Chart, Period, Table, count, percent, sums
from .titles import TITLES


def letters_effect(period: Period) -> Table:
    """Orders the letter rule chose in the period: with a letter, or held back (the store's control share).

    Rates are of the orders that have a review, mid and bad counted per order (an order with both counts in
    both). Reviews come days after the letter: the roll-ups are rebuilt nightly over the whole history.
    """
    found = sums(period, "letter_orders", "letter_reviewed", "letter_mid", "letter_bad")
    rows = []
    for status, label in ((Letter.Status.LETTER, _("With a letter")), (Letter.Status.HELD_BACK, _("Held back"))):
        orders = count(found, "letter_orders", status)
        reviewed, mid, bad = (count(found, f"letter_{part}", status) for part in ("reviewed", "mid", "bad"))
        if orders:
            rows.append(
                {
                    "group": label,
                    "orders": orders,
                    "reviewed": reviewed,
                    "mid": mid,
                    "bad": bad,
                    "mid_rate": percent(mid, reviewed),
                    "bad_rate": percent(bad, reviewed),
                }
            )
    return Table(
        key="letters",
        title=TITLES["letters"],
        columns=[
            ("group", _("Orders")),
            ("orders", _("Chosen by the letter rule")),
            ("reviewed", _("With a review")),
            ("mid", _("Mid")),
            ("bad", _("Bad")),
            ("mid_rate", _("Mid rate %")),
            ("bad_rate", _("Bad rate %")),
        ],
        rows=rows,
        chart=Chart("bar", "group", series=("mid_rate", "bad_rate")),
    )
