"""Amounts with their currency: how one reads on a page, and which currency a case's remedies are written in.

crm holds no exchange rates (the follow-up policy's rates are callbacks'): an amount is only ever compared with,
or added to, an amount in the same currency (ADR 0036).
"""

from decimal import Decimal, InvalidOperation

from crm.currencies import ISO_4217_ACTIVE

CURRENCY_SIGNS = {"CNY": "¥", "EUR": "€", "USD": "$"}
# How a Chinese text names an amount's currency after the number ("50欧元"); a currency not listed is named by its
# code ("50 SGD"). Texts to customers are in the store's SMS language, not the reader's: no gettext here.
CURRENCY_UNITS_ZH = {"CNY": "元", "EUR": "欧元", "USD": "美元", "GBP": "英镑", "JPY": "日元", "HKD": "港元"}


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


def offer_number(amount: Decimal) -> str:
    """An amount's number as a message to a customer writes it: whole amounts without cents ("50", "12.50")."""
    return f"{amount.normalize():f}" if amount == amount.to_integral_value() else f"{amount:.2f}"


def money_offer_text(amount: Decimal, currency: str) -> str:
    """An amount as a message to a customer writes it, with the sign or code `money_text` uses ("€50", "€12.50",
    "SGD 50")."""
    return f"{CURRENCY_SIGNS.get(currency, currency + ' ')}{offer_number(amount)}"


def money_offer_text_zh(amount: Decimal, currency: str) -> str:
    """An amount as a Chinese message writes it: the number, then its currency's name ("50元", "50欧元", "50 SGD")."""
    return f"{offer_number(amount)}{CURRENCY_UNITS_ZH.get(currency, ' ' + currency)}"


def is_currency_code(value: str) -> bool:
    """Whether `value` is an active ISO 4217 code, written as orders carry it ("CNY", "EUR"): not merely three capital
    letters ("NAN", "XYZ" name no currency). Whole strings only ("CNY\n" is none)."""
    return value in ISO_4217_ACTIVE
