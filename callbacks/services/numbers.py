"""A reply's number, as the stores texted it (ADR 0049).

Carriers and Twilio keep an opt-out per sender and number, and a customer replies to the message they got, from the
number it went to. An order batch may have brought the customer a new phone since, or given that number to someone
else: the customers who hold the number now are not always whom the store texted there. So a reply is also matched
through the stores' sent messages (`numbers_last_texted`: each store's most recent message to the number, across every
SMS queue, by the number its claim fixed), and an opt-out is kept for the number itself, per store
(`numbers_opt_out_sms`), which the contact gate asks before any SMS to it (callbacks.services.gate, rule 4). Twilio's
refusal of a message to the number (21610: it replied STOP to our sending number, heard by us or not) records it as a
STOP would (`numbers_refused_record`).

Twilio keeps its opt-out per sending number, and every store sends from our one (`TWILIO_FROM_NUMBER`): Twilio's own
keywords from a number, and its refusal of a message to it, keep the number from every store (`stores_sending_from`),
not only the stores whose customer the reply or the message was matched to.

Writes about a number hold its lock (`numbers_lock`), taken before any customer's (ADR 0037).
"""

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import NamedTuple

from django.conf import settings

from callbacks.models import FollowUp, NumberOptOut
from crm.errors import InvalidPhoneNumber
from crm.models import Store
from crm.phones import normalise_phone
from crm.services.locks import advisory_lock

from .dispatch import sms_queues


def number_lock_name(phone: str) -> str:
    return f"sms-number:{phone}"


def numbers_lock(phones: Iterable[str]) -> None:
    """Hold each number's lock until the transaction ends: replies from a number and Twilio's refusals of messages to
    it queue on it (call before locking any customer)."""
    advisory_lock(number_lock_name(phone) for phone in phones if phone)


class Texted(NamedTuple):
    """A store's most recent message sent to a number: to which customer, and when."""

    customer_id: int
    sent_at: datetime


def numbers_last_texted(*, phone: str) -> dict[int, Texted]:
    """{store id: the store's most recent message sent to `phone`}, over every SMS queue (a care SMS, a parcel notice,
    a campaign message): one query per queue, each read in its (recipient, sent_at) index of sent rows. A message not
    yet known to be sent (`sending`) is not one the customer can have answered. How old a message may be to count is
    the reader's to say (a STOP reads any, a complaint recent ones: services.inbound)."""
    latest: dict[int, Texted] = {}
    for queue in sms_queues():
        rows = queue.model.objects.filter(recipient=phone, status=FollowUp.Status.SENT).values_list(
            "store_id", "sent_at", "customer_id"
        )
        for store_id, sent_at, customer_id in rows.order_by():
            if sent_at is not None and (store_id not in latest or sent_at > latest[store_id].sent_at):
                latest[store_id] = Texted(customer_id, sent_at)
    return latest


def _as_number(text: str) -> str:
    try:
        return normalise_phone(text)
    except InvalidPhoneNumber:  # a short code, or a number phonenumbers does not know: compared as written
        return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit() or ch == "+")


def stores_sending_from(*, number: str = "") -> list[int]:
    """The ids of the stores whose SMS leave from `number` (the number a reply was sent to; "" for our sending number):
    every store, as all send from the one `TWILIO_FROM_NUMBER` (callbacks.telephony.twilio), so a block Twilio keeps
    for it is about each of them. None for another number of the account: Twilio's block there is not ours. With no
    sending number configured (the console backend), a reply is taken to be to ours."""
    ours = settings.TWILIO_FROM_NUMBER
    if number and ours and _as_number(number) != _as_number(ours):
        return []
    return list(Store.objects.order_by("pk").values_list("pk", flat=True))


def number_opted_out(*, store: Store, phone: str) -> bool:
    """Whether `phone` (E.164) is kept from the store's SMS now: for a message that is no customer's (a campaign's test
    send to a manager's phone), which the contact gate, asked about customers, does not see."""
    return NumberOptOut.objects.filter(store=store, phone=phone, opted_out=True).exists()


def numbers_texted(*, store_id: int, phones: Iterable[str], since: datetime) -> dict[str, list[datetime]]:
    """{number: when the store's messages to it were sent from `since` on, in order}, over every SMS queue, for the
    numbers asked about (one query per queue, each read in its (recipient, sent_at) index of sent rows). What a reply
    from a number answers: the store's last of them before it (`numbers_last_texted`)."""
    phones = sorted(set(phones))
    texted: dict[str, list[datetime]] = {}
    if not phones:
        return texted
    for queue in sms_queues():
        rows = queue.model.objects.filter(
            store_id=store_id, recipient__in=phones, status=FollowUp.Status.SENT, sent_at__gte=since
        ).values_list("recipient", "sent_at")
        for phone, sent_at in rows.order_by():
            texted.setdefault(phone, []).append(sent_at)
    for times in texted.values():
        times.sort()
    return texted


def numbers_opt_out_sms(
    *, phone: str, customers: Mapping[int, int | None], opted_out: bool, at: datetime, message_sid: str
) -> int:
    """Record that `phone` opted out of the SMS of these stores (a STOP; `customers` maps each store id to the customer
    the reply was matched to there, None for a store only Twilio's block reaches), or back in (START, UNSTOP: every
    store it opted out of, as Twilio's opt-in words lift its opt-out for the number, whoever the reply was matched to).
    A number already in that state is left as it is (a second STOP writes nothing; a START for a number never opted out
    writes nothing). Returns rows changed. Called in the reply's transaction, which holds the number's lock
    (services.inbound)."""
    if not phone or (opted_out and not customers):
        return 0
    rows = NumberOptOut.objects.filter(phone=phone)
    if opted_out:
        rows = rows.filter(store_id__in=list(customers))
    rows = {row.store_id: row for row in rows}
    changed = [row for row in rows.values() if row.opted_out != opted_out]
    for row in changed:
        row.opted_out, row.changed_at, row.message_sid = opted_out, at, message_sid
        row.customer_id = customers.get(row.store_id, row.customer_id)
    NumberOptOut.objects.bulk_update(changed, ["opted_out", "changed_at", "message_sid", "customer"])
    new = []
    if opted_out:
        new = [
            NumberOptOut(
                store_id=store_id, phone=phone, customer_id=customer_id, opted_out=True, changed_at=at,
                message_sid=message_sid,
            )
            for store_id, customer_id in sorted(customers.items())
            if store_id not in rows
        ]  # fmt: skip
        NumberOptOut.objects.bulk_create(new)
    return len(changed) + len(new)


def numbers_refused_record(*, rows: Iterable, at: datetime) -> int:
    """Twilio refused these messages (rows of any SMS queue) with 21610: the number each was claimed for (`recipient`)
    replied STOP to our sending number, and Twilio refuses every message to it until START, whichever store sends it.
    The number is opted out of every store sending from our number (`stores_sending_from`) as Twilio's keyword from it
    would be: matched in each message's store to the message's customer (the first refused in the batch, for a store
    with several), to nobody in the others, with no reply's sid; a number already opted out there is left as it is.
    Called in the transaction that records the refusals, which holds the numbers' locks (`numbers_lock`). Returns rows
    changed."""
    stores_by_phone: dict[str, dict[int, int]] = {}
    for row in rows:
        if row.recipient:  # a claim from before claims fixed their number has none: nothing to record it for
            stores_by_phone.setdefault(row.recipient, {}).setdefault(row.store_id, row.customer_id)
    if not stores_by_phone:
        return 0
    everyone = dict.fromkeys(stores_sending_from())
    return sum(
        numbers_opt_out_sms(phone=phone, customers=everyone | customers, opted_out=True, at=at, message_sid="")
        for phone, customers in sorted(stores_by_phone.items())
    )
