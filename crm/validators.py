from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_TIMEZONES = frozenset(available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _TIMEZONES:
        raise ValidationError(
            _("%(value)s is not an IANA timezone name."), code="invalid_timezone", params={"value": value}
        )


def is_ascii_number(text: str) -> bool:
    """Whether `text` is ASCII digits only: what a page, a provider or an order number means by a number. (Alone,
    str.isdigit() passes "²" and "①", which int() refuses.)"""
    return text.isascii() and text.isdigit()
