"""A customer's number, name and address inside what was kept as it came (an order system's row, a provider's webhook,
a courier's checkpoint), masked as the pages mask a number (ADR 0033, 0041) for whoever may not see them whole.

What is shown is listed, not what is hidden (ADR 0041): an order system passes its own columns on beside ours and a
provider adds fields, so a payload's value is shown as it came only under a key known to hold no one's data
(`SHOWN_KEYS`: ids, codes, states, times, amounts, a product's name), and read as free text under a key known to hold
text (`TEXT_KEYS`: a message's body, a checkpoint's context, a review); any other key's value (`联系人`, `mobile`,
`FromCity`, a memo) is masked whole, as a name is: its first character, the rest hidden (a number alone, as
`mask_phone` shows it).

In any text, a number is found wherever it is written and however (`phonenumbers`' matcher: '139 1234 5678',
'+86-139...', inside a sentence); an address by its street and house number ('文三路 88 号 3 单元'); a name after the
label a courier writes it under ('签收人：...'), under a key that names a person (`PERSON_KEYS`), or as `name` inside an
object describing one (`customer`, `receiver`...), and once known, wherever else it is written.
"""

import json
import re
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
# Objects describing a product: their `name` is the product's.
PRODUCT_OBJECTS = frozenset({"items", "item", "products", "product", "goods", "skus"})

# Keys whose value holds no one's data, shown as it came (a number in it still masked): our API's fields (crm.api,
# reviews.api, logistics.api; a customer's region, gender and birthday are on their page), Twilio's webhook
# parameters, Kuaidi100's push and AfterShip's webhook (shared PROVIDERS.md), and what our own code adds (`_row`).
SHOWN_KEYS = frozenset(
    {
        # the order systems' rows
        *("external_id", "store", "order", "currency", "total_amount", "placed_at", "shipped_at", "delivered_at"),
        *("courier", "tracking_number", "coupon_code", "promised_delivery_date", "status", "result", "id"),
        *("sku", "quantity", "unit_price", "category", "region", "gender", "birthday", "product", "rating"),
        *("images", "likes", "posted_at", "appended_at", "updated_at"),
        # Twilio
        *("accountsid", "messagesid", "smssid", "smsmessagesid", "messagingservicesid", "callsid", "parentcallsid"),
        *("smsstatus", "messagestatus", "callstatus", "direction", "apiversion", "nummedia", "numsegments"),
        *("callduration", "duration", "sequencenumber", "timestamp", "callbacksource", "errorcode", "answeredby"),
        *("fromcountry", "tocountry", "optouttype", "_row"),
        # Kuaidi100's push, its lastResult and each of its data[]
        *("message", "autocheck", "comold", "comnew", "lastresult", "state", "condition", "ischeck", "com", "nu"),
        *("data", "time", "ftime", "areacode", "areaname", "statuscode"),
        # AfterShip
        *("ts", "event", "event_id", "is_tracking_first_tag", "msg", "tracking_number", "slug", "tag", "subtag"),
        *("checkpoints", "checkpoint_time", "courier_estimated_delivery_date", "order_id"),
    }
)
# Keys whose value is free text: shown with its numbers, addresses and names masked.
TEXT_KEYS = frozenset(
    {"body", "text", "appended_text", "context", "subtag_message", "location", "note", "remark", "content"}
)

# A street and a house number, and what follows it (building, unit, room): '文三路 88 号 3 单元'. The address is taken
# from where the run of characters before the street starts ('放在文三路...'): more is hidden rather than less.
_DIGITS = r"[0-9０-９]+"
_STREET_NUMBER = re.compile(
    r"(?:路|街|道|巷|弄|胡同|村|里|苑|园|小区|大厦|公寓|广场|花园|镇|乡)"
    rf"\s*{_DIGITS}\s*(?:号楼|号院|号|弄|栋|幢|座)"
    rf"(?:\s*[A-Za-z]?{_DIGITS}[A-Za-z]?\s*(?:号楼|号|栋|幢|座|单元|楼|层|室))*"
)
_RUN = re.compile(r"[\u3400-\u9fffA-Za-z0-9０-９#\-]")
# A name a courier (or a customer) writes after a label: '签收人：王大锤', '签收人是：本人', '收件人: Li Lei'.
_LABELLED_NAME = re.compile(
    r"(?:签收人|收件人|收货人|联系人|取件人|代收人|寄件人|姓名)(?:是|为)?\s*[：:]\s*"
    r"([\u3400-\u9fff·]{1,8}|[A-Za-z][A-Za-z .'\-]{0,40}[A-Za-z])"
)


def mask_name(name: str) -> str:
    """'欧阳小明' -> '欧***': the first character, the rest hidden."""
    text = name.strip()
    return text[:1] + "*" * (len(text) - 1) if text else name


def _key(key: Any) -> str:
    return str(key).lower().replace("-", "_")


def _matches(text: str):
    return phonenumbers.PhoneNumberMatcher(text, DEFAULT_REGION, leniency=phonenumbers.Leniency.VALID)


def phones_in(text: str) -> list[str]:
    """The numbers written in `text`, in E.164."""
    return [phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164) for match in _matches(text)]


def labelled_names_in(text: str) -> set[str]:
    """The names `text` writes after a label ('签收人：...')."""
    return {match.group(1).strip() for match in _LABELLED_NAME.finditer(text)}


def mask_text(text: str, *, names: Iterable[str] = ()) -> str:
    """`text` with every number, address and labelled name in it masked, and each of `names` where it is written."""
    parts, end = [], 0
    for match in _matches(text):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        parts += [text[end : match.start], mask_phone(e164)]
        end = match.end
    masked = "".join([*parts, text[end:]])
    masked = _mask_addresses(masked)
    for name in sorted({n.strip() for n in [*names, *labelled_names_in(masked)] if n and n.strip()},
                       key=len, reverse=True):  # fmt: skip
        masked = masked.replace(name, mask_name(name))
    return masked


def _mask_addresses(text: str) -> str:
    parts, end = [], 0
    for match in _STREET_NUMBER.finditer(text):
        start = match.start()
        while start > end and _RUN.match(text, start - 1):
            start -= 1
        parts += [text[end:start], mask_name(text[start : match.end()])]
        end = match.end()
    return "".join([*parts, text[end:]])


def _mask_whole(value: str) -> str:
    """A value under a key not known to be safe: a number alone as `mask_phone` shows it, anything else as a name."""
    numbers = list(_matches(value))
    if len(numbers) == 1 and not (value[: numbers[0].start] + value[numbers[0].end :]).strip():
        return mask_text(value)
    return mask_name(value)


def _personal(key: str, within: str) -> bool:
    return key in PERSON_KEYS or (key == "name" and within in PERSON_OBJECTS)


def _shown(key: str, within: str) -> bool:
    return key in SHOWN_KEYS or (key in ("name", "title") and within in PRODUCT_OBJECTS)


def names_in(value: Any, *, key: str = "", within: str = "") -> set[str]:
    """The names (and addresses) a payload holds where it puts a person's, and the names its texts write after a
    label."""
    if isinstance(value, dict):
        return {name for k, v in value.items() for name in names_in(v, key=_key(k), within=key)}
    if isinstance(value, list):
        return {name for v in value for name in names_in(v, key=key, within=within)}
    if not (isinstance(value, str) and value.strip()):
        return set()
    return {value} if _personal(key, within) else labelled_names_in(value)


def mask_payload(value: Any, *, names: Iterable[str] = ()) -> Any:
    """A copy of a decoded payload (dicts, lists, strings, numbers) with its numbers, names and addresses masked, and
    every value under a key not known to be safe (ADR 0041)."""
    known = {*names, *names_in(value)}

    def walk(node: Any, key: str, within: str) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, _key(k), key) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key, within) for v in node]
        if node is None or isinstance(node, bool) or not isinstance(node, str | int | float):
            return node
        text = str(node)
        if _personal(key, within):
            return mask_name(text)
        if _shown(key, within) or key in TEXT_KEYS or not key:  # not key: a payload that is one text
            masked = mask_text(text, names=known)
            return node if masked == text else masked  # a number sent as an integer, 13912345678, as text
        return _mask_whole(text)

    return walk(value, "", "")


def mask_json_text(text: str, *, names: Iterable[str] = ()) -> str:
    """A payload kept as JSON text, masked (compact, keys in the order they came); text that is not JSON, as text."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return mask_text(text or "", names=names)
    return json.dumps(mask_payload(value, names=names), ensure_ascii=False, separators=(",", ":"))
