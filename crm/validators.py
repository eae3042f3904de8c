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


def validate_currency_code(value: str) -> None:
    """A three-letter ISO 4217 code in capitals, as orders carry theirs ("CNY", "EUR")."""
    if not is_currency_code(value):
        raise ValidationError(
            _("%(value)s is not a currency code: write three capital letters, such as CNY or EUR."),
            code="invalid_currency",
            params={"value": value},
        )


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
