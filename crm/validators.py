from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.money import is_currency_code

_TIMEZONES = frozenset(available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _TIMEZONES:
        raise ValidationError(
            _("%(value)s is not an IANA timezone name."), code="invalid_timezone", params={"value": value}
        )


def currency_code_problem(value: str) -> str | None:
    """Why `value` is no currency, in the reader's language, or None when it is one: an active ISO 4217 code in
    capitals, as orders carry theirs ("CNY", "EUR"; crm.currencies). What every place a currency comes in checks (a
    store's, a remedy's, the follow-up policy's and its rates'); the order API answers the same codes in its own
    words (crm.api.rows)."""
    if is_currency_code(value):
        return None
    return _("%(value)s is not an ISO 4217 currency code: write an existing currency's code, such as CNY or EUR.") % {
        "value": value
    }


def validate_currency_code(value: str) -> None:
    """The model field validator of `currency_code_problem` (a store's currency in the admin)."""
    if problem := currency_code_problem(value):
        raise ValidationError(problem, code="invalid_currency")


def is_ascii_number(text: str) -> bool:
    """Whether `text` is ASCII digits only: what a page, a provider or an order number means by a number. (Alone,
    str.isdigit() passes "²" and "①", which int() refuses.)"""
    return text.isascii() and text.isdigit()


def is_ascii_decimal(text: str) -> bool:
    """Whether `text` is a plain decimal in ASCII: digits, then optionally a point and digits, a minus in front
    allowed (so that a negative amount is refused as negative). What an order system means by an amount; Python's
    Decimal() also reads "1_000", "١٢٣" (any script's decimal digits), "1e3" and "Infinity"."""
    whole, point, fraction = text.removeprefix("-").partition(".")
    return is_ascii_number(whole) and (not point or is_ascii_number(fraction))
