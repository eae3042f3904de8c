"""A customer's number and name inside what was kept as it came (an order system's row, a provider's webhook, a
courier's checkpoint), masked as the pages mask a number (ADR 0033) for whoever may not see them whole.

A number is found wherever it is written and however (`phonenumbers`' matcher: '139 1234 5678', '+86-139...', inside
a sentence) and shown as `mask_phone` shows it. A name (or an address) is found by where a payload puts it: a key
that names a person (`PERSON_KEYS`), or `name` inside an object that describes one (`customer`, `receiver`...; an
item's `name` is a product's); and, once known, wherever else it is written (a message's body, a checkpoint's text).
"""

import json
from collections.abc import Iterable
from typing import Any

import phonenumbers

from crm.phones import DEFAULT_REGION, mask_phone

# Keys (lower case, `-` read as `_`) whose value names a person or where they live.
PERSON_KEYS = frozenset(
    {
        *("customer_name", "buyer", "buyer_name", "buyer_nick", "nick", "nickname", "callername", "caller_name"),
        *("receiver", "receiver_name", "recipient_name", "consignee", "contact_name", "signed_by", "signer"),
        *("address", "receiver_address", "shipping_address", "delivery_address", "street", "detail_address"),
    }
)
# Objects describing a person: their `name` is the person's.
PERSON_OBJECTS = frozenset({"customer", "buyer", "receiver", "recipient", "consignee", "contact"})


def mask_name(name: str) -> str:
    """'欧阳小明' -> '欧***': the first character, the rest hidden."""
    text = name.strip()
    return text[:1] + "*" * (len(text) - 1) if text else name


def _key(key: Any) -> str:
    return str(key).lower().replace("-", "_")


def phones_in(text: str) -> list[str]:
    """The numbers written in `text`, in E.164."""
    return [
        phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        for match in phonenumbers.PhoneNumberMatcher(text, DEFAULT_REGION, leniency=phonenumbers.Leniency.VALID)
    ]


def mask_text(text: str, *, names: Iterable[str] = ()) -> str:
    """`text` with every number in it masked, and each of `names` where it is written."""
    parts, end = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, DEFAULT_REGION, leniency=phonenumbers.Leniency.VALID):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        parts += [text[end : match.start], mask_phone(e164)]
        end = match.end
    masked = "".join([*parts, text[end:]])
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        masked = masked.replace(name, mask_name(name))
    return masked


def _personal(key: str, within: str) -> bool:
    return key in PERSON_KEYS or (key == "name" and within in PERSON_OBJECTS)


def names_in(value: Any, *, key: str = "", within: str = "") -> set[str]:
    """The names (and addresses) a payload holds where it puts a person's."""
    if isinstance(value, dict):
        return {name for k, v in value.items() for name in names_in(v, key=_key(k), within=key)}
    if isinstance(value, list):
        return {name for v in value for name in names_in(v, key=key, within=within)}
    return {value} if isinstance(value, str) and value.strip() and _personal(key, within) else set()


def mask_payload(value: Any, *, names: Iterable[str] = ()) -> Any:
    """A copy of a decoded payload (dicts, lists, strings, numbers) with its numbers, names and addresses masked."""
    known = {*names, *names_in(value)}

    def walk(node: Any, key: str, within: str) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, _key(k), key) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key, within) for v in node]
        if isinstance(node, str):
            return mask_name(node) if _personal(key, within) else mask_text(node, names=known)
        if isinstance(node, int) and not isinstance(node, bool):  # a number sent as an integer: 13912345678
            masked = mask_text(str(node))
            return node if masked == str(node) else masked
        return node

    return walk(value, "", "")


def mask_json_text(text: str, *, names: Iterable[str] = ()) -> str:
    """A payload kept as JSON text, masked (compact, keys in the order they came); text that is not JSON, as text."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return mask_text(text or "", names=names)
    return json.dumps(mask_payload(value, names=names), ensure_ascii=False, separators=(",", ":"))
