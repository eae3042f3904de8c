"""A customer's age on a day, counted from their birthday as the store keeps it: a year older on the birthday itself,
which for one born on Feb 29 is Feb 28 in a year without one. Read alike by the birthday wishes and gift tasks
(retention, which plan them for Feb 28 that year), a gift's age band and a letter's (letters); the customer attribute
`age` that segments read is counted the same way in SQL (retention.attributes_sql, tested against this function)."""

import calendar
from datetime import date


def age_on(birthday: date | None, day: date) -> int | None:
    """The age on `day` of one born on `birthday` (None without a birthday)."""
    if birthday is None:
        return None
    anniversary = (birthday.month, birthday.day)
    if anniversary == (2, 29) and not calendar.isleap(day.year):
        anniversary = (2, 28)
    return day.year - birthday.year - ((day.month, day.day) < anniversary)
