"""What the provider tells us: message and call status callbacks and inbound SMS. Each is recorded as it came
(TelephonyEvent) and only ever moves a state forward."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from callbacks.models import UNDELIVERED_STATUSES, Call, CaseCall, FollowUp, NumberOptOut, SmsOutcome, TelephonyEvent
from callbacks.signals import inbound_sms_received
from callbacks.telephony import ProviderCall
from crm.errors import InvalidPhoneNumber
from crm.models import Case, Customer, Order
from crm.phones import normalise_phone
from crm.selectors.customers import customers_holding
from crm.services.cases import Resumed, case_open
from crm.services.locks import advisory_lock, customers_lock
from crm.services.waiting import cases_resume_for_customer
from crm.validators import is_ascii_number

from .calls import call_record_placed
from .carrier_opt_out import carrier_opt_outs_record, is_carrier_opt_out
from .gate import customers_opt_out_sms
from .merged import followups_cover_merged
from .numbers import number_lock_name, numbers_last_texted, numbers_lock, numbers_opt_out_sms, stores_sending_from
from .opt_out import OPT_IN_WORDS, TWILIO_OPT_OUT_WORDS, is_opt_out, reply_keyword
from .opt_out_history import opt_out_reply_record
from .policy import policy_for_store

Status = FollowUp.Status
_MESSAGE_RANK = {
    "accepted": 0, "scheduled": 0, "queued": 0, "sending": 1, "sent": 2,
    "delivered": 3, "undelivered": 3, "failed": 3, "read": 4,
}  # fmt: skip
# A reply counts as about a delivery for this long after it; older ones are not opened as cases.
RECENT_DELIVERY = timedelta(days=14)
# A reply other than an opt-out word or an opt-in word is read for the customer a store texted at the number only when
# that message went out this recently: past it, the number may well be someone else's (carriers give a lapsed number
# to someone new after holding it about three months). A STOP or START counts whatever the message's age (ADR 0049).
ANSWERS_TEXTED_WITHIN = timedelta(days=90)
MAX_DURATION = 2**31 - 1  # Call.duration_seconds, a PostgreSQL integer
_ERROR_CODE_LENGTH = FollowUp._meta.get_field("error_code").max_length  # every SMS queue's column is as wide


@transaction.atomic
def message_status_record(*, followup_id: int, payload: dict[str, str]) -> FollowUp | None:
    """A care SMS's status callback, kept as it came and applied (`sms_status_apply`). A care SMS the provider reports
    it could not deliver (`undelivered`, `failed`: the carrier's 30003 unreachable, 30005 unknown handset, 30006 a
    landline, ...) reached nobody: it is `failed`, no longer the day's contact, and what was merged into it is covered
    again (services.merged, ADR 0051: a call-tier order is called, no order is texted again at that number). Reported
    with 21610 (the number had opted out), it also opts the customer and the number out, as Twilio's refusal of the
    message when it was sent does (`carrier_opt_out`). Once: a report repeated, or a `delivered` after it, moves
    nothing (the provider's status only moves forward), and a repeat after a START the number sent since leaves it
    opted in."""
    sid, status = payload.get("MessageSid", ""), payload.get("MessageStatus", "")
    error_code = payload.get("ErrorCode", "")
    # Covering what was merged into it writes the customer's contacts: the customer first (ADR 0037; a message never
    # changes customer). Only for such a report: the others (sent, delivered) lock the message alone.
    _lock_before_the_message(FollowUp, followup_id, status=status, error_code=error_code, undelivered_too=True)
    followup = FollowUp.objects.select_for_update().filter(pk=followup_id).first()
    now = timezone.now()
    TelephonyEvent.objects.create(
        kind=TelephonyEvent.Kind.MESSAGE_STATUS,
        provider_id=sid,
        followup=followup,
        payload=payload,
        received_at=now,
    )
    if followup is None:
        return None
    withdraw = _cover_merged if followup.channel == FollowUp.Channel.SMS else None
    sms_report_record(row=followup, sid=sid, status=status, error_code=error_code, at=now, withdraw=withdraw)
    return followup


def _cover_merged(ids: list[int], now: datetime) -> None:
    followups_cover_merged(withdrawn=ids, now=now)


def sms_report_record(*, row, sid: str, status: str, error_code: str, at: datetime, withdraw=None) -> None:
    """What the provider says of a row of any SMS queue, whoever asked: its status callback (`message_status_record`,
    `queue_message_status_record`), or the reconciler finding a message whose send answer was lost
    (dispatch.reconciling). Applied (`sms_status_apply`); reported with 21610, the customer and the number opted out
    (`carrier_opt_out`); the first report that a sent message could not be delivered makes it `failed` and calls
    `withdraw(ids, at)` when given (the care SMS: what was merged into it is covered again, ADR 0051). Idempotent, in
    either order: a report that moves nothing changes nothing. The caller holds the row's lock, and before it the
    number's and the customer's where the report needs them (`_lock_before_the_message`, ADR 0037)."""
    undelivered = sms_status_apply(row=row, sid=sid, status=status, error_code=error_code)
    if _reports_an_opt_out(row, sid=sid, status=status, error_code=error_code):
        carrier_opt_outs_record(rows=[row], at=at)
    if undelivered and withdraw is not None and row.status == Status.SENT:
        row.status = Status.FAILED
        row.save(update_fields=["status", "updated_at"])
        withdraw([row.pk], at)


@transaction.atomic
def queue_message_status_record(*, queue: str, model: type, row_id: int, payload: dict[str, str]):
    """A signed status callback for a row of another app's SMS queue (a parcel notice, a campaign message), kept as
    it came like the care SMS's, with the row its URL named (`_row`: "<queue>:<id>", as no foreign key can), then
    applied (`sms_status_apply`) under the row's lock. Reported with 21610, it opts the customer and the number out as
    the care SMS's report does (`carrier_opt_out`), the number and the customer locked before the row (ADR 0037).
    Returns the row, or None for an id we do not have."""
    sid, status = payload.get("MessageSid", ""), payload.get("MessageStatus", "")
    error_code = payload.get("ErrorCode", "")
    _lock_before_the_message(model, row_id, status=status, error_code=error_code, undelivered_too=False)
    row = model.objects.select_for_update().filter(pk=row_id).first()
    now = timezone.now()
    TelephonyEvent.objects.create(
        kind=TelephonyEvent.Kind.MESSAGE_STATUS,
        provider_id=sid,
        payload={**payload, "_row": f"{queue}:{row_id}"},
        received_at=now,
    )
    if row is not None:
        sms_report_record(row=row, sid=sid, status=status, error_code=error_code, at=now)
    return row


def _lock_before_the_message(model: type, row_id: int, *, status: str, error_code: str, undelivered_too: bool) -> None:
    """What a report writes besides the message, locked before it (ADR 0037): for a 21610 the number (as a reply from
    it, and the sweeper recording Twilio's refusal, take its lock), then the customer it opts out; for any report that
    the message could not be delivered, when `undelivered_too` (a care SMS: covering what was merged writes the
    customer's contacts), the customer. Read without a lock: a claimed message's customer and number never change."""
    if status not in UNDELIVERED_STATUSES or not (undelivered_too or is_carrier_opt_out(error_code)):
        return
    head = model.objects.filter(pk=row_id).values_list("customer_id", "recipient").first()
    if head is None:
        return
    customer_id, recipient = head
    if is_carrier_opt_out(error_code):
        numbers_lock([recipient])
    customers_lock([customer_id])


def _reports_an_opt_out(row, *, sid: str, status: str, error_code: str) -> bool:
    """Whether this report says the row's message was refused on its way as opted out (21610), as the row now records
    it: a report for another message (a sid the row does not hold), or a 21610 after the message was reported
    delivered (its status moves forward only), is not."""
    return (
        status in UNDELIVERED_STATUSES
        and is_carrier_opt_out(error_code)
        and row.provider_id == sid
        and row.provider_status in UNDELIVERED_STATUSES
        and row.error_code == error_code
    )


def sms_status_apply(*, row, sid: str, status: str, error_code: str = "") -> bool:
    """A provider's status report on a row of any SMS queue (callbacks.services.dispatch.SmsQueue), saved, with the
    error code of a report that it could not be delivered (Twilio's `ErrorCode`; its outcome `opted_out` for 21610, the
    number had opted out, as a refusal at the send records it, else `undelivered`). True when this report is the first
    to say so (`UNDELIVERED_STATUSES`)."""
    if status not in _MESSAGE_RANK or not sid:
        return False
    fields, undelivered = [], False
    if row.status in (Status.PLANNED, Status.SENDING):
        # The provider accepted it: this is proof of sending, even if our own commit never happened.
        row.status, row.provider_id, row.sent_at = Status.SENT, sid, timezone.now()
        fields += ["status", "provider_id", "sent_at"]
    current = _MESSAGE_RANK.get(row.provider_status, -1)
    if row.provider_id == sid and _MESSAGE_RANK[status] > current:
        row.provider_status = status
        fields.append("provider_status")
        if status in UNDELIVERED_STATUSES:
            row.outcome, undelivered = (
                (SmsOutcome.OPTED_OUT if is_carrier_opt_out(error_code) else SmsOutcome.UNDELIVERED),
                True,
            )
            fields.append("outcome")
            if is_ascii_number(error_code) and len(error_code) <= _ERROR_CODE_LENGTH:
                row.error_code = error_code
                fields.append("error_code")
    if fields:
        row.save(update_fields=[*fields, "updated_at"])
    return undelivered


@transaction.atomic
def call_status_record(
    *, payload: dict[str, str], followup_id: int | None = None, case_call_id: int | None = None
) -> Call | None:
    """A call's status callback, for a follow-up's call or a case call's (the URL says which)."""
    sid = payload.get("CallSid", "")
    # A click records its call `placing` under the subject's lock (services.calls): a report takes its turn with it.
    if followup_id is not None:
        FollowUp.objects.select_for_update().filter(pk=followup_id).exists()
    elif case_call_id is not None:
        CaseCall.objects.select_for_update().filter(pk=case_call_id).exists()
    subject = {"followup_id": followup_id, "case_call_id": case_call_id}
    call = Call.objects.filter(provider_id=sid, **subject).first()
    if call is None and sid:
        # The provider reports a call of this subject before its id was recorded (the provider's answer is still on
        # its way, or writing it failed): it is the call being placed, which now learns its id.
        call = Call.objects.filter(status=Call.Status.PLACING, provider_id="", **subject).order_by("started_at").first()
    TelephonyEvent.objects.create(
        kind=TelephonyEvent.Kind.CALL_STATUS,
        provider_id=sid,
        followup_id=call.followup_id if call else None,
        payload=payload,
        received_at=timezone.now(),
    )
    if call is None:
        return None
    reported = ProviderCall(
        sid=sid,
        to=payload.get("To", ""),
        status=payload.get("CallStatus", ""),
        duration_seconds=_seconds(payload.get("CallDuration", "")),
    )
    return call_record_placed(call=call, placed=reported)


def _seconds(text: str) -> int | None:
    """CallDuration as Twilio sends it, ASCII digits; anything else, or more than the column holds, is unknown."""
    if not is_ascii_number(text):
        return None
    seconds = int(text)
    return seconds if seconds <= MAX_DURATION else None


def _sender_phone(sender: str) -> str:
    """The sender as customers' phones are stored (E.164): a gateway may write +86, 0086, spaces or fullwidth digits.
    A sender that is no valid number is looked up as it came (and matches no one); one longer than a stored phone is
    nobody's number at all (""): the message is kept, and a STOP from it opts no number out."""
    try:
        return normalise_phone(sender)
    except InvalidPhoneNumber:
        return sender if len(sender) <= NumberOptOut._meta.get_field("phone").max_length else ""


@transaction.atomic
def inbound_sms_receive(*, payload: dict[str, str]) -> list[Case]:
    """STOP-words, the word the store's opt-out wording names, or a sentence asking for no more messages, opt the
    sender out (START or UNSTOP back in; callbacks.services.opt_out); any other reply about a recent delivery opens a
    case.

    The sender is every customer with the sender's number and, in each store that texted the number, the customer of
    its most recent message there: the order system may have brought that customer a new phone since, and they
    answered the message they got (ADR 0049). An opt-out is kept for the number too, in each store whose customer it
    opts out, so no SMS of the store goes to it whoever holds it now; START or UNSTOP opts those customers back in and
    lifts the number's opt-out in every store. A number no store texted and no customer holds changes nothing. Any other
    reply is read for each of them too: it resumes their cases waiting on them, and opens or joins a case about the
    delivery of the last 14 days of each who has one (the customer texted there and a different holder both, when both
    have: a complaint sent to the wrong one costs an agent a look, one lost becomes a review; ADR 0049), the customer
    texted there only when that message went out in the last 90 days (`ANSWERS_TEXTED_WITHIN`: past it, the number may
    be someone else's).

    A message Twilio delivers again (the same MessageSid: it did not get our answer) is kept as it came and changes
    nothing more: a START delivered again after a later STOP must not opt the customer back in, nor a complaint join
    its case twice. Two deliveries at once wait for each other on the sid's lock, two replies from one number on the
    number's."""
    sender, body, sid = payload.get("From", ""), payload.get("Body", ""), payload.get("MessageSid", "")
    phone = _sender_phone(sender)
    advisory_lock([*([f"inbound-sms:{sid}"] if sid else []), *([number_lock_name(phone)] if phone else [])])
    again = bool(sid) and TelephonyEvent.objects.filter(kind=TelephonyEvent.Kind.INBOUND_SMS, provider_id=sid).exists()
    now = timezone.now()
    TelephonyEvent.objects.create(
        kind=TelephonyEvent.Kind.INBOUND_SMS,
        provider_id=sid,
        payload=payload,
        received_at=now,
    )
    if again or not phone:
        return []
    # One number may be several customers (a customer of several stores, and whom each store last texted there). They
    # are locked in id order, as every write about a customer's contacts locks them (ADR 0037), then read: locked in
    # the order the query returned them (the customers' default order, store code then name), a STOP and the sweeper
    # recording the carrier's opt-out for the same number took them in opposite orders and deadlocked.
    texted = numbers_last_texted(phone=phone)
    ids = {
        *customers_holding(phones=[phone]).values_list("pk", flat=True),
        *(t.customer_id for t in texted.values()),
    }
    customers_lock(sorted(ids))
    customers = [
        customer
        for customer in Customer.objects.filter(pk__in=ids).select_related("store").order_by("pk")
        if customer.phone == phone
        or (customer.store_id in texted and texted[customer.store_id].customer_id == customer.pk)
    ]
    word, cases = reply_keyword(body), []
    out, back_in = {}, {}  # store id → the customer the number's opt-out (or its lifting) is matched to there
    for customer in customers:
        last = texted.get(customer.store_id)
        matched = last.customer_id if last else customer.pk
        if is_opt_out(word, policy_for_store(store=customer.store)):
            if customers_opt_out_sms(customer_ids=[customer.pk]):
                opt_out_reply_record(customer=customer, opted_out=True, body=body, phone=phone, at=now)
            out.setdefault(customer.store_id, matched)
        elif word in OPT_IN_WORDS:
            if customers_opt_out_sms(customer_ids=[customer.pk], opted_out=False):
                opt_out_reply_record(customer=customer, opted_out=False, body=body, phone=phone, at=now)
            back_in.setdefault(customer.store_id, matched)
        elif body.strip():
            if customer.phone != phone and last.sent_at < now - ANSWERS_TEXTED_WITHIN:
                continue  # texted there long ago: the number may be someone else's now
            # The customer answered (from the number they hold, or the one the store texted them at lately): a case
            # of theirs waiting on them is worked again (crm.services.waiting).
            cases_resume_for_customer(customer=customer, resumed=Resumed.SMS, message=body)
            order = (
                Order.objects.filter(customer=customer, delivered_at__gte=now - RECENT_DELIVERY)
                .order_by("-delivered_at")
                .first()
            )
            if order is not None:
                case, _ = case_open(
                    store=customer.store, customer=customer, order=order, source=Case.Source.INBOUND_SMS, summary=body
                )
                cases.append(case)
    if word in TWILIO_OPT_OUT_WORDS:
        # Twilio's own keyword: Twilio now blocks the number for our sending number, whichever store sends to it, so it
        # is kept from every store sending from it, matched to nobody where the reply matched nobody. The stores' own
        # words (退订, TD, a store's) are ours only: they stay with the stores they matched (ADR 0049).
        out = dict.fromkeys(stores_sending_from(number=payload.get("To", ""))) | out
    numbers_opt_out_sms(phone=phone, customers=out, opted_out=True, at=now, message_sid=sid)
    if word in OPT_IN_WORDS:
        numbers_opt_out_sms(phone=phone, customers=back_in, opted_out=False, at=now, message_sid=sid)
    # The apps whose messages it may answer (retention: a campaign's reply), in this transaction.
    inbound_sms_received.send(sender=inbound_sms_receive, phone=phone, at=now, body=body)
    return cases


def inbound_sms_senders(*, since: datetime | None = None) -> list[tuple[str, datetime, str]]:
    """(sender as phones are stored, when it came, its text) of every inbound SMS recorded (from `since` on), oldest
    first, as `inbound_sms_receive` read each: a delivery Twilio repeated (the same MessageSid) once, at its first
    arrival; a sender that is no number left out. What `inbound_sms_received` told the apps, for a reader of the past
    (retention's replies recorded before it listened, or before it left opt-out words out)."""
    events = TelephonyEvent.objects.filter(kind=TelephonyEvent.Kind.INBOUND_SMS)
    if since is not None:
        earlier = events.filter(received_at__lt=since).exclude(provider_id="").values("provider_id")
        events = events.filter(received_at__gte=since).exclude(provider_id__in=earlier)
    seen, senders = set(), []
    rows = events.values_list("provider_id", "payload__From", "payload__Body", "received_at")
    for sid, sender, body, received_at in rows.order_by("received_at", "id"):
        if sid and sid in seen:
            continue
        seen.add(sid)
        if phone := _sender_phone(sender if isinstance(sender, str) else ""):
            senders.append((phone, received_at, body if isinstance(body, str) else ""))
    return senders
