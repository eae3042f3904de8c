"""Twilio's word that a number opted out (21610: it replied STOP to our sending number, heard by us or not), taken as
the customer's and the number's opt-out, whichever way it reaches us: Twilio refusing the message when it is created
(`dispatch.recording.record_answers`), or accepting it and then reporting it `failed` or `undelivered` with ErrorCode
21610 by its status callback (`inbound.message_status_record`, `inbound.queue_message_status_record`), for a message of
any SMS queue (a care SMS, a parcel notice, a campaign message). One fact, one consequence: one function (ADR 0049).

The carrier's fact is about the moment Twilio handled the message, after its claim. A START (or UNSTOP) the number sent
after the claim is newer: Twilio lifted its block then (had it come before Twilio handled the message, there would have
been no 21610), so the customer's and the number's word stand as that START left them. A report repeated, late, or
first answered after that START changes nothing (and one after any other later word changes nothing either: the state
is already what it says).

The caller holds the numbers' locks (`numbers.numbers_lock`), then the customers' (`customers_lock`), in that order
(ADR 0037), in the transaction that records the refusal or the report.
"""

from collections.abc import Iterable
from datetime import datetime

from callbacks.telephony import MessageRejected

from .gate import customers_opt_out_sms
from .numbers import numbers_refused_record
from .opt_out import OPT_IN_WORDS, reply_keyword
from .opt_out_history import opt_out_refusals_record

OPTED_OUT = MessageRejected.UNSUBSCRIBED  # "21610"


def is_carrier_opt_out(error_code: str) -> bool:
    """Whether a refusal's or a report's error code says the number opted out (21610)."""
    return error_code == OPTED_OUT


def carrier_opt_outs_record(*, rows: Iterable, at: datetime) -> list[int]:
    """Messages (rows of any SMS queue) Twilio refused, or reported not delivered, as opted out: each one's customer is
    opted out of SMS, their history saying why once (the number refused and the code), and the number the message was
    claimed for is kept from every store sending from our number (`numbers.numbers_refused_record`), unless the number
    sent START or UNSTOP after the message was claimed (see the module). Idempotent: a customer or a number already
    opted out is left as they are. Returns the ids of the customers this opted out."""
    rows = list(rows)
    opted_in = _opted_in_since(rows)
    rows = [row for row in rows if row.pk not in opted_in]
    newly = set(customers_opt_out_sms(customer_ids=[row.customer_id for row in rows]))
    why: dict[int, tuple[str, str]] = {}
    for row in rows:
        if row.customer_id in newly:  # the first of their messages refused
            why.setdefault(row.customer_id, (row.recipient, row.error_code or OPTED_OUT))
    opt_out_refusals_record(refused=why, at=at)
    numbers_refused_record(rows=rows, at=at)  # no SMS of the store to the number, whoever holds it (ADR 0049)
    return sorted(newly)


def _opted_in_since(rows: list) -> set[int]:
    """The ids of the rows whose number sent START or UNSTOP after the row was claimed (before which no request for it
    reached Twilio), as the inbound webhook recorded its messages (a delivery Twilio repeated counts at its first): one
    read of the replies since the earliest claim."""
    # services.inbound records the replies and calls this module; imported here so that the two can see each other.
    from .inbound import inbound_sms_senders

    claimed = {row.pk: (row.recipient, row.claimed_at or row.sent_at) for row in rows}
    claimed = {pk: (phone, since) for pk, (phone, since) in claimed.items() if phone and since is not None}
    if not claimed:
        return set()
    starts: dict[str, datetime] = {}  # number → its latest START or UNSTOP
    for phone, when, body in inbound_sms_senders(since=min(since for _phone, since in claimed.values())):
        if reply_keyword(body) in OPT_IN_WORDS:
            starts[phone] = max(when, starts.get(phone, when))
    return {pk for pk, (phone, since) in claimed.items() if phone in starts and starts[phone] > since}
