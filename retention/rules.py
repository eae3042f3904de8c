"""Segment rules: conditions over customer attributes, the built-in segments, and why a customer is in one.

A rule is {"attribute": name, "op": "gte" | "lte" | "eq" | "contains", "value": ...}; a segment's rules all
hold ({"any": [rules]} holds when one of them does; only built-ins use it). Values are checked against the
attribute's kind when a segment is saved, so a stored rule always turns into a valid query.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.errors import InvalidInput
from crm.money import money_text
from crm.validators import is_ascii_decimal, is_ascii_number

from .models import CustomerAttributes

NUMBER, DECIMAL, TEXT, LIST = "number", "decimal", "text", "list"
MONTH_TOKENS = ("this_month", "next_month")
MONTH_TOKEN_LABELS = {"this_month": gettext_lazy("this month"), "next_month": gettext_lazy("next month")}


@dataclass(frozen=True)
class Attribute:
    label: object
    kind: str
    ops: tuple[str, ...]
    # The values the attribute can take (numbers and decimals): a rule's value outside them is refused, as no
    # customer could ever meet it (a segment that is always empty, with nothing to say why).
    low: int | Decimal | None = None
    high: int | Decimal | None = None


_COUNT = {"low": 0, "high": 1_000_000}
_DAYS = {"low": 0, "high": 36_500}
_SCORE = {"low": 1, "high": 5}
ATTRIBUTES: dict[str, Attribute] = {
    "orders_count": Attribute(gettext_lazy("orders"), NUMBER, ("gte", "lte", "eq"), **_COUNT),
    # CustomerAttributes.total_spent: 14 digits, 2 of them decimals.
    "total_spent": Attribute(gettext_lazy("total spent"), DECIMAL, ("gte", "lte"), 0, Decimal("999999999999.99")),
    "days_since_last": Attribute(gettext_lazy("days since the last order"), NUMBER, ("gte", "lte"), **_DAYS),
    "cycle_days": Attribute(gettext_lazy("typical days between purchases"), NUMBER, ("gte", "lte"), **_DAYS),
    "overdue_days": Attribute(gettext_lazy("days past the cycle"), NUMBER, ("gte", "lte"), **_DAYS),
    "recency_score": Attribute(gettext_lazy("recency score (1-5)"), NUMBER, ("gte", "lte", "eq"), **_SCORE),
    "frequency_score": Attribute(gettext_lazy("frequency score (1-5)"), NUMBER, ("gte", "lte", "eq"), **_SCORE),
    "monetary_score": Attribute(gettext_lazy("monetary score (1-5)"), NUMBER, ("gte", "lte", "eq"), **_SCORE),
    "products": Attribute(gettext_lazy("bought the product (SKU)"), LIST, ("contains",)),
    "categories": Attribute(gettext_lazy("bought in the category"), LIST, ("contains",)),
    "avg_rating": Attribute(gettext_lazy("average rating given"), DECIMAL, ("gte", "lte"), **_SCORE),
    "bad_reviews_30d": Attribute(
        gettext_lazy("bad reviews in the last 30 days"), NUMBER, ("gte", "lte", "eq"), **_COUNT
    ),
    "complaints_90d": Attribute(gettext_lazy("complaints in the last 90 days"), NUMBER, ("gte", "lte", "eq"), **_COUNT),
    "region": Attribute(gettext_lazy("region"), TEXT, ("eq", "contains")),
    "gender": Attribute(gettext_lazy("gender"), TEXT, ("eq",)),
    "birthday_month": Attribute(gettext_lazy("birthday month"), NUMBER, ("eq",), low=1, high=12),
    "age": Attribute(gettext_lazy("age"), NUMBER, ("gte", "lte"), low=0, high=150),
    "vip_tier": Attribute(gettext_lazy("VIP tier (0-3)"), NUMBER, ("gte", "lte", "eq"), low=0, high=3),
}
# Attributes that are amounts of money, in the store's currency (ADR 0036).
MONEY = frozenset({"total_spent"})
# A segment's rules at most (the page's form offers as many rows).
MAX_RULES = 8
OPS = {
    "gte": gettext_lazy("at least"),
    "lte": gettext_lazy("at most"),
    "eq": gettext_lazy("is"),
    "contains": gettext_lazy("contains"),
}

BUILTINS: dict[str, tuple[object, list[dict]]] = {
    "high_value_repeat": (
        gettext_lazy("High-value repeat buyers"),
        [
            {"attribute": "orders_count", "op": "gte", "value": 2},
            {"attribute": "monetary_score", "op": "gte", "value": 4},
        ],
    ),
    "first_time": (gettext_lazy("First-time buyers"), [{"attribute": "orders_count", "op": "eq", "value": 1}]),
    "lapsed": (
        gettext_lazy("Lapsed (past their cycle)"),
        [
            {"attribute": "orders_count", "op": "gte", "value": 1},
            {"attribute": "overdue_days", "op": "gte", "value": 1},
        ],
    ),
    "birthday_next_month": (
        gettext_lazy("Birthdays next month"),
        [{"attribute": "birthday_month", "op": "eq", "value": "next_month"}],
    ),
    "recently_unhappy": (
        gettext_lazy("Recently unhappy"),
        [
            {
                "any": [
                    {"attribute": "complaints_90d", "op": "gte", "value": 1},
                    {"attribute": "bad_reviews_30d", "op": "gte", "value": 1},
                ]
            }
        ],
    ),
}


def builtin_named(name: str) -> str | None:
    """The key of the built-in segment whose label, in any of the site's languages, is `name` (case and surrounding
    spaces aside); None when no built-in is called that."""
    wanted = name.strip().casefold()
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for key, (label, _rules) in BUILTINS.items():
                if str(label).casefold() == wanted:
                    return key
    return None


def rule_clean(rule: dict, *, index: int = 0) -> dict:
    """A rule as stored, or InvalidInput naming the rule and what is wrong with it."""
    field = f"rules.{index}"
    attribute = ATTRIBUTES.get(rule.get("attribute", ""))
    if attribute is None:
        raise InvalidInput(_("Choose an attribute from the list."), field=f"{field}.attribute")
    op = rule.get("op", "")
    if op not in attribute.ops:
        raise InvalidInput(
            _("“%(op)s” cannot be used with %(attribute)s.") % {"op": op, "attribute": attribute.label},
            field=f"{field}.op",
        )
    raw = rule.get("value")
    value: object = str(raw if raw is not None else "").strip()
    if value == "":
        raise InvalidInput(
            _("Give a value for %(attribute)s.") % {"attribute": attribute.label}, field=f"{field}.value"
        )
    if rule["attribute"] == "birthday_month" and value in MONTH_TOKENS:
        pass
    # Numbers in the digits 0-9 only, as every page and the API take them (crm.validators): int() and Decimal() also
    # read "５００", "١٠٠" and "1_000".
    elif attribute.kind == NUMBER:
        if not is_ascii_number(str(value).removeprefix("-")):
            raise InvalidInput(
                _("%(attribute)s needs a whole number, written with the digits 0-9.") % {"attribute": attribute.label},
                field=f"{field}.value",
            )
        value = _within(attribute, int(str(value)), field=f"{field}.value")
    elif attribute.kind == DECIMAL:
        # NaN and Infinity are Decimals, but no amount compares to them.
        if not is_ascii_decimal(str(value)):
            raise InvalidInput(
                _("%(attribute)s needs a number, written with the digits 0-9.") % {"attribute": attribute.label},
                field=f"{field}.value",
            )
        number = Decimal(str(value))
        if number.as_tuple().exponent < -2:
            raise InvalidInput(
                _("%(attribute)s has at most two decimals.") % {"attribute": attribute.label}, field=f"{field}.value"
            )
        value = str(_within(attribute, number, field=f"{field}.value"))
    return {"attribute": rule["attribute"], "op": op, "value": value}


def _within(attribute: Attribute, value: int | Decimal, *, field: str) -> int | Decimal:
    if (attribute.low is not None and value < attribute.low) or (attribute.high is not None and value > attribute.high):
        raise InvalidInput(
            _("%(attribute)s is between %(low)s and %(high)s.")
            % {"attribute": attribute.label, "low": attribute.low, "high": attribute.high},
            field=field,
        )
    return value


def rules_clean(rules: list[dict]) -> list[dict]:
    if not rules:
        raise InvalidInput(_("A segment needs at least one rule."), field="rules")
    if len(rules) > MAX_RULES:
        raise InvalidInput(_("A segment has at most %(max)d rules.") % {"max": MAX_RULES}, field="rules")
    return [rule_clean(rule, index=i) for i, rule in enumerate(rules)]


def _value(rule: dict, today: date) -> object:
    value = rule["value"]
    if value == "this_month":
        return today.month
    if value == "next_month":
        return today.month % 12 + 1
    return value


def _q(rule: dict, today: date) -> Q:
    if "any" in rule:
        combined = Q(pk__in=[])
        for sub in rule["any"]:
            combined |= _q(sub, today)
        return combined
    name, op, value = rule["attribute"], rule["op"], _value(rule, today)
    if op == "contains":
        if ATTRIBUTES[name].kind == LIST:
            return Q(**{f"{name}__contains": f"|{value}|"})
        return Q(**{f"{name}__icontains": value})
    return Q(**{name if op == "eq" else f"{name}__{op}": value})


def rules_q(rules: list[dict], *, today: date) -> Q:
    q = Q()
    for rule in rules:
        q &= _q(rule, today)
    return q


def _holds(rule: dict, attrs: CustomerAttributes, today: date) -> bool:
    if "any" in rule:
        return any(_holds(sub, attrs, today) for sub in rule["any"])
    have, op, want = getattr(attrs, rule["attribute"]), rule["op"], _value(rule, today)
    if have is None:
        return False
    if op == "contains":
        return (
            (f"|{want}|" in have) if ATTRIBUTES[rule["attribute"]].kind == LIST else str(want).lower() in have.lower()
        )
    if isinstance(have, Decimal):
        want = Decimal(str(want))
    return {"gte": have >= want, "lte": have <= want, "eq": have == want}[op]


def _sentence(rule: dict, attrs: CustomerAttributes, today: date, currency: str) -> str:
    name = rule["attribute"]
    if name in ("overdue_days", "days_since_last", "cycle_days"):
        return _("the last purchase was %(days)s days ago, typical cycle %(cycle)s") % {
            "days": attrs.days_since_last,
            "cycle": attrs.cycle_days,
        }
    if name == "orders_count":
        return _("%(count)s orders") % {"count": attrs.orders_count}
    if name == "monetary_score":
        return _("spend score %(score)s of 5 (%(spent)s spent)") % {
            "score": attrs.monetary_score,
            "spent": money_text(attrs.total_spent, currency),
        }
    if name == "complaints_90d":
        return _("%(count)s complaints in the last 90 days") % {"count": attrs.complaints_90d}
    if name == "bad_reviews_30d":
        return _("%(count)s bad reviews in the last 30 days") % {"count": attrs.bad_reviews_30d}
    if name == "birthday_month":
        return _("birthday in month %(month)s") % {"month": attrs.birthday_month}
    value, wanted = getattr(attrs, name), _value(rule, today)
    if ATTRIBUTES[name].kind == LIST:
        value = wanted
    if name in MONEY:
        value, wanted = money_text(value, currency), money_text(str(wanted), currency)
    return _("%(attribute)s %(op)s %(value)s (has %(have)s)") % {
        "attribute": ATTRIBUTES[name].label,
        "op": OPS[rule["op"]],
        "value": wanted,
        "have": value if value not in (None, "") else "—",
    }


def rules_explain(rules: list[dict], *, attrs: CustomerAttributes, today: date, currency: str) -> list[str]:
    """Why the customer is in (each rule that holds, in words), one sentence per rule; repeated ones once. Amounts
    are in `currency`, the store's."""
    sentences: list[str] = []
    for rule in rules:
        for part in rule.get("any", [rule]):
            if _holds(part, attrs, today):
                sentence = _sentence(part, attrs, today, currency)
                if sentence not in sentences:
                    sentences.append(sentence)
                if "any" in rule:
                    break
    return sentences


def rules_describe(rules: list[dict], *, currency: str) -> str:
    """The rules in words; an amount in `currency`, the store's ("total spent at least €500.00")."""
    parts = []
    for rule in rules:
        if "any" in rule:
            parts.append("(" + _(" or ").join(rules_describe([sub], currency=currency) for sub in rule["any"]) + ")")
        else:
            value = MONTH_TOKEN_LABELS[rule["value"]] if rule["value"] in MONTH_TOKENS else rule["value"]
            if rule["attribute"] in MONEY:
                value = money_text(str(value), currency)
            parts.append(f"{ATTRIBUTES[rule['attribute']].label} {OPS[rule['op']]} {value}")
    return _(" and ").join(parts)
