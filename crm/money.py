"""Amounts with their currency: how one reads on a page, and which currency a case's remedies are written in.

crm holds no exchange rates (the follow-up policy's rates are callbacks'): an amount is only ever compared with,
or added to, an amount in the same currency (ADR 0036).
"""

import re
from decimal import Decimal, InvalidOperation

# A three-letter ISO 4217 code, as orders carry it (crm.models.Order.currency).
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
CURRENCY_SIGNS = {"CNY": "¥", "EUR": "€", "USD": "$"}


def money_text(amount: Decimal | str | None, currency: str) -> str:
    """An amount with its currency's sign ("¥1,299.00", "€40.00"); a currency without a known sign by its code
    ("GBP 12.00")."""
    if amount is None or amount == "":
        return ""
    try:
        number = Decimal(amount)
    except InvalidOperation:  # a timeline entry's stored text that is no number: shown as it is
        return f"{amount} {currency}"
    return f"{CURRENCY_SIGNS.get(currency, currency + ' ')}{number:,.2f}"


def is_currency_code(value: str) -> bool:
    return bool(CURRENCY_CODE.match(value or ""))
