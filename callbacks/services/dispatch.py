"""SMS dispatch, at most once: claim (planned → sending), send, record (sent / failed), reconcile.

The machinery serves every table of outgoing SMS registered as an `SmsQueue`: the care SMS (FollowUp, here)
and other apps' messages (logistics' parcel notices, retention's campaign contacts). A queue brings its own
claim (which rows are due, what the contact gate says, the text) and ledger hook: the other apps' rows carry a
due time and their text, and they configure one claim (callbacks.services.claims); sending, recording and
reconciling are shared.

A provider's message create is not idempotent, so nothing here ever resends blindly:

- A claim commits `sending` with the exact text, the recipient's number and the claim time *before* the request
  leaves; the send and any reconciliation use that number, not the customer's phone as it is later.
- Just before a batch's requests leave, its customers' word is read again (no lock): a message of a customer who opted
  out since the claim, or a marketing message of one who withdrew consent, is withdrawn (`_withdraw_refused`).
- A worker only starts a request while its claim is young (`send_deadline`); every request ends within the
  HTTP timeout. So once a claim is older than SMS_RECONCILE_AFTER_SECONDS no request for it is in flight.
- Such a stuck row (worker killed, database or broker gone, 5xx or timeout from the provider) is looked up
  at the provider by its recorded recipient, time and exact text: found → `sent` with its id; not found → `planned`
  again, because then it was certainly never accepted.
- Only answers that prove nothing was accepted (a 4xx refusal, a 429, no connection) change a row directly.
"""

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from callbacks.models import FollowUp
from callbacks.telephony import (
    MessageRejected,
    OutcomeUnknown,
    ProviderBusy,
    TelephonyBackend,
    TelephonyError,
    get_backend,
)
from crm.models import Store
from crm.services.locks import customers_lock, customers_lock_free

from .gate import (
    ContactChannel,
    ContactRow,
    contacts_decide,
    contacts_forget,
    contacts_record,
    contacts_refused_now,
    customers_opt_out_sms,
    gate_purpose,
)
from .merged import followups_cover_merged
from .messages import public_url_by_id, sms_render
from .one_a_day import followups_hold_one_a_day
from .opt_out_history import opt_out_refusals_record
from .policy import policy_for_store
from .rows import followups_set, rows_set
from .windows import sms_window

Status, Reason = FollowUp.Status, FollowUp.SuppressedReason
SMS_MAX_ATTEMPTS = 5
# Answers are committed in groups: one statement (and one WAL flush) per group instead of per message.
_RECORD_EVERY = 50
# The provider's clock and ours may differ a little; look a bit before the claim when reconciling.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0
    retry_later: int = 0
    unknown: int = 0
    suppressed: int = 0
    rescheduled: int = 0
    reconciled_sent: int = 0
    reconciled_replanned: int = 0
    errors: list[str] = field(default_factory=list)


def send_deadline(claimed_at: datetime) -> datetime:
    """The last moment a request for a claim made at `claimed_at` may start: it then ends (HTTP timeout) before
    the claim is old enough to be reconciled. Click to call keeps it too (services.calls)."""
    margin = timedelta(seconds=2 * settings.TWILIO_HTTP_TIMEOUT)
    return claimed_at + timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS) - margin


def reconcile_cutoff() -> datetime:
    """Claims made before this have no request in flight (see `send_deadline`): the provider can be asked."""
    return timezone.now() - timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS)


# Every column of the follow-up (they are written back), and of the customer and the order only what the wishes
# check, the text and the request read: their other columns are wide, some JSON. A new use of an unlisted one
# would cost a query per row (a test counts the queries).
_FOLLOWUP_FIELDS = [f.name for f in FollowUp._meta.concrete_fields]
_SENDING_NEEDS = ["customer__name", "customer__phone", "order__items"]
_LEDGER_SOURCE = "care_sms"
# What `sms_claim_row` sets, written by every queue's claim in its one statement.
CLAIM_COLUMNS = ["status", "claimed_at", "attempts", "recipient"]
_CLAIM_FIELDS = [*CLAIM_COLUMNS, "suppressed_reason", "window_start", "window_end", "message_body"]
_RESULT_FIELDS = ["status", "claimed_at", "provider_id", "provider_status", "sent_at", "outcome", "error_code"]


# A claim reads its rows with their customers locked, skipping a row whose customer a write holds now (an opt-out
# reply, a profile change: their row waits for the next sweep, which sees what that write committed). So an opt-out
# commits either before a claim, whose gate then refuses the message, or after it, the message already on its way:
# none is claimed on the customer's word from before an opt-out that has committed. The care SMS claim takes the
# customers before the rows (`customers_lock_free`), in the lock order of ADR 0037, since it then waits on the
# customers' other contacts; the other queues' claims (services.claims), which wait on nothing after, lock both in one
# statement with this. FOR NO KEY UPDATE: the ledger's and other rows' foreign keys to the customer still go in.
CUSTOMERS_HELD = {"of": ("customer",), "no_key": True, "skip_locked": True}


def sms_claim_row(row, *, now: datetime) -> None:
    """Mark a row of any SMS queue claimed at `now` (the caller writes CLAIM_COLUMNS with its claim). The number is
    fixed here: were the send or a reconciliation to read the customer's phone later, an order batch bringing a new
    one in between would have a message that went out looked for at the new number, not found, and sent again."""
    row.status, row.claimed_at, row.attempts = Status.SENDING, now, row.attempts + 1
    row.recipient = row.customer.phone


@transaction.atomic
def _claim(*, now: datetime, limit: int, report: DispatchReport) -> list[FollowUp]:
    # The due rows' customers first, then the rows (ADR 0037), neither waited on (see CUSTOMERS_HELD): a row held to
    # the next sending hours then waits on its customer's other contacts of that day (ADR 0051), as only a holder of
    # the customer may. Then the claimed rows are read with what rendering needs. One query doing all that would
    # join every due row (thousands at 09:00) before the sort and the limit, on every claim.
    due = FollowUp.objects.filter(status=Status.PLANNED, channel=FollowUp.Channel.SMS, window_start__lte=now).order_by(
        "window_start", "id"
    )
    customers = customers_lock_free(due.values_list("customer_id", flat=True)[:limit])
    ids = list(
        due.filter(customer_id__in=customers).select_for_update(skip_locked=True).values_list("id", flat=True)[:limit]
    )
    rows = list(
        FollowUp.objects.filter(pk__in=ids)
        .select_related("customer", "order")
        .only(*_FOLLOWUP_FIELDS, *_SENDING_NEEDS)
        .order_by("window_start", "id")
    )
    # A batch usually belongs to a few stores: each store and its policy is read once, not joined per row.
    stores = Store.objects.select_related("followup_policy").in_bulk({row.store_id for row in rows})
    # The contact gate has the last word at the moment of sending (the customer's wishes, the caps and the hour may
    # have changed since planning): one `contacts_decide` per store and purpose in the batch.
    groups: dict[tuple[int, str], list[FollowUp]] = {}
    for row in rows:
        row.store = stores[row.store_id]
        groups.setdefault((row.store_id, row.purpose), []).append(row)
    decisions = {}
    for (store_id, purpose), group in groups.items():
        decided = contacts_decide(
            store=stores[store_id],
            customer_ids=[row.customer_id for row in group],
            channel=ContactChannel.SMS,
            purpose=gate_purpose(purpose),
            at=now,
            order_ids={row.customer_id: row.order_id for row in group},
        )
        decisions.update({row.pk: decided[row.customer_id] for row in group})
    claimed, policies, held = [], {}, []
    for row in rows:
        if row.store_id not in policies:
            policies[row.store_id] = policy_for_store(store=row.store)
        policy, decision = policies[row.store_id], decisions[row.pk]
        if not decision and not decision.only_the_hour:
            row.status, row.suppressed_reason = Status.SUPPRESSED, decision.reason
            report.suppressed += 1
        elif not decision or row.window_end <= now:  # quiet hours, or the hours closed while nobody swept
            row.window_start, row.window_end = sms_window(policy=policy, store=row.store, moment=now)
            report.rescheduled += 1
            held.append(row)
        else:
            sms_claim_row(row, now=now)
            row.message_body = sms_render(followup=row, policy=policy)
            claimed.append(row)
    followups_set(rows=rows, fields=_CLAIM_FIELDS)
    # Held to another day, a care SMS there joins the customer's contact of that day (ADR 0051); their customers are
    # this claim's.
    followups_hold_one_a_day(moved=held)
    # A care SMS refused now (an opt-out, do not contact) leaves no order merged into it uncovered where the customer
    # may still be contacted about it (a call-tier order by a call): services.merged.
    followups_cover_merged(withdrawn=[row.pk for row in rows if row.status == Status.SUPPRESSED], now=now)
    # In the claim's transaction: a claimed message counts against the caps whether or not it ends up sent. A retry
    # (attempt 2 and later: the provider was busy, or a reconciliation found nothing) is the same message.
    contacts_record(
        rows=[
            ContactRow(
                customer_id=row.customer_id,
                store_id=row.store_id,
                channel=ContactChannel.SMS,
                purpose=gate_purpose(row.purpose),
                order_id=row.order_id,
                at=now,
                source=_LEDGER_SOURCE,
            )
            for row in claimed
            if row.attempts == 1
        ]
    )
    return claimed


def _send(row: FollowUp, *, backend: TelephonyBackend, deadline: datetime, status_url: Callable[[int], str]):
    """Runs in a sender thread: HTTP only, no database. `deadline` is the batch's (one claim time for all)."""
    if timezone.now() >= deadline:
        return None  # too old to start safely: the reconciler will look it up
    callback = status_url(row.pk)
    try:
        return backend.send_sms(to=row.recipient, body=row.message_body, status_callback=callback)
    except TelephonyError as exc:
        return exc


def _apply(row: FollowUp, result, report: DispatchReport, now: datetime) -> bool:
    """Set the row's fields from the provider's answer. False when there is nothing to write (outcome unknown)."""
    if result is None or isinstance(result, OutcomeUnknown):
        report.unknown += 1
        if result is not None:
            report.errors.append(f"{row.pk}: {result}")
        return False
    if isinstance(result, ProviderBusy):
        row.status, row.claimed_at, row.error_code = Status.PLANNED, None, result.code
        report.retry_later += 1
    elif isinstance(result, MessageRejected):
        row.status, row.error_code = Status.FAILED, result.code
        row.outcome = "opted_out" if result.opted_out else "rejected"
        report.failed += 1
    else:
        row.status, row.provider_id, row.provider_status, row.sent_at = Status.SENT, result.sid, result.status, now
        report.sent += 1
    return True


def _record(rows_and_results: list[tuple[FollowUp, object]], report: DispatchReport, queue: "SmsQueue") -> None:
    """One statement for a batch of answers. A crash before it commits leaves the rows `sending`: reconciled.
    A refusal for an opted-out number (21610) opts out the message's customer, saying why in their history, and the
    number, in this transaction; and what was merged into a care SMS so refused is covered again by the rule of a
    withdrawn one (`cover_withdrawn`, services.merged): the gate, asked after the opt-out, decides."""
    model = queue.model
    # numbers reads the queues registered here; imported here so that the two can see each other.
    from .numbers import numbers_lock, numbers_refused_record

    now = timezone.now()
    claims = {row.pk: row.claimed_at for row, _ in rows_and_results}
    changed = [row for row, result in rows_and_results if _apply(row, result, report, now)]
    refused = [row for row in changed if row.outcome == "opted_out"]  # 21610: the number replied STOP to Twilio
    opted_out = [row.customer_id for row in refused]
    with transaction.atomic():
        # The numbers first, as a reply from one takes its lock (services.inbound), then the customers before their
        # messages (ADR 0037): their opt-out then takes back their planned calls.
        numbers_lock(row.recipient for row in refused)
        customers_lock(opted_out)
        rows_set(model=model, rows=changed, fields=_RESULT_FIELDS, sending_since=claims)
        newly = set(customers_opt_out_sms(customer_ids=opted_out))
        # Their history says why, once (the first of their messages refused): the carrier's refusal and its number.
        why: dict[int, tuple[str, str]] = {}
        for row in refused:
            if row.customer_id in newly:
                why.setdefault(row.customer_id, (row.recipient, row.error_code))
        opt_out_refusals_record(refused=why, at=now)
        numbers_refused_record(rows=refused, at=now)  # no SMS of the store to the number, whoever holds it (ADR 0049)
        if queue.cover_withdrawn is not None and refused:
            queue.cover_withdrawn([row.pk for row in refused], now)


_pool: tuple[int, ThreadPoolExecutor] | None = None


def _senders() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[0] != os.getpid():  # a forked worker needs its own threads
        _pool = (os.getpid(), ThreadPoolExecutor(max_workers=settings.SMS_SEND_THREADS, thread_name_prefix="sms"))
    return _pool[1]


def _claim_batch(report: DispatchReport, queue: "SmsQueue") -> tuple[list, datetime]:
    claimed_at = timezone.now()
    return queue.claim(now=claimed_at, limit=settings.SMS_BATCH_SIZE, report=report), claimed_at


def _unclaim(rows: list, claimed_at: datetime, queue: "SmsQueue") -> None:
    """Give back a claimed batch none of whose messages has been started: `planned` again, attempt not counted."""
    queue.model.objects.filter(pk__in=[row.pk for row in rows], status=Status.SENDING, claimed_at=claimed_at).update(
        status=Status.PLANNED, claimed_at=None, attempts=F("attempts") - 1, updated_at=timezone.now()
    )
    queue.forget(rows, claimed_at)


def _care_forget(rows: list[FollowUp], claimed_at: datetime) -> None:
    contacts_forget(order_ids=[row.order_id for row in rows], at=claimed_at, source=_LEDGER_SOURCE)


def _care_status_url() -> Callable[[int], str]:
    return public_url_by_id("twilio:message-status")


def _care_purpose(row: FollowUp) -> str:
    return gate_purpose(row.purpose)


def _care_cover_withdrawn(ids: list[int], now: datetime) -> None:
    followups_cover_merged(withdrawn=ids, now=now)


@dataclass(frozen=True)
class SmsQueue:
    """A table of SMS rows the sweeper sends at most once.

    The model has a `customer`, and the claim columns: status (planned/sending/sent/failed/suppressed, the
    values of FollowUp.Status), claimed_at, attempts, message_body, recipient, provider_id, provider_status, sent_at,
    outcome, error_code, updated_at. `claim(now=, limit=, report=)` commits due rows as `sending` (`sms_claim_row`)
    with their exact text and returns them, with their contact ledger rows (callbacks.services.gate) in the same
    transaction; `forget(rows, claimed_at)` takes those ledger rows back when a claimed batch is given back
    unsent; `status_url()` gives the provider's status callback URL for a row id; `reason_field` is the column a
    withdrawn message's reason is written to; `purpose_of(row)` is the row's purpose to the gate (ContactPurpose),
    which the last look before the send asks again (a marketing message needs consent then too);
    `cover_withdrawn(ids, now)`, when given, runs in the transaction that withdrew those rows at that last look, or
    that recorded the carrier's refusal of them as opted out (21610), their customers locked (the care SMS: what was
    merged into one is covered again, services.merged).
    """

    name: str
    model: type
    claim: Callable[..., list]
    forget: Callable[[list, datetime], None]
    status_url: Callable[[], Callable[[int], str]]
    reason_field: str
    purpose_of: Callable[[Any], str]
    cover_withdrawn: Callable[[list[int], datetime], None] | None = None


CARE_SMS = SmsQueue(
    name="care",
    model=FollowUp,
    claim=_claim,
    forget=_care_forget,
    status_url=_care_status_url,
    reason_field="suppressed_reason",
    purpose_of=_care_purpose,
    cover_withdrawn=_care_cover_withdrawn,
)
_queues: dict[str, SmsQueue] = {CARE_SMS.name: CARE_SMS}


def sms_queue_register(queue: SmsQueue) -> None:
    """Called from an app's ready(): its rows are then swept with the care SMS (beat's callbacks.dispatch_sms)."""
    _queues[queue.name] = queue


def sms_queues() -> list[SmsQueue]:
    """Every registered queue, care first: the tables that hold what the stores' SMS were, and to which number."""
    return list(_queues.values())


def sms_dispatch_due(*, time_budget: float | None = None, queues: list[str] | None = None) -> DispatchReport:
    """Reconcile stuck rows, then claim and send due SMS of each queue (care first) in batches until none is due
    or time is up. `queues` limits the sweep to the named queues."""
    report = DispatchReport()
    budget = time_budget if time_budget is not None else 4 * settings.SMS_SWEEP_INTERVAL_SECONDS
    stop_at = time.monotonic() + budget
    for name, queue in list(_queues.items()):
        if queues is None or name in queues:
            sms_reconcile_stuck(report=report, time_budget=max(0.0, stop_at - time.monotonic()), queue=queue)
            _dispatch_queue(queue, report=report, stop_at=stop_at)
    return report


def _withdraw_refused(batch: list, claimed_at: datetime, queue: "SmsQueue", report: DispatchReport) -> list:
    """The last look before a batch's requests leave: the messages the customers' word refuses now are withdrawn (an
    opt-out or do not contact since the claim; for a marketing message, consent withdrawn since; a STOP since from the
    number a message was claimed for, whoever it was matched to, ADR 0049), the rest returned.

    The claim asked the gate with the customers locked, so an opt-out committed before it refused the message (ADR
    0037); one committing after it found the message `sending`. A batch waits after its claim: it is claimed while the
    one before it is on the wire, and leaves once that one's answers are recorded, seconds later. So the customers'
    word is read again here, as last committed, for each message's own purpose (consent is about marketing only), in
    one query and a short transaction of its own that locks no customer (no lock is held over a request, ADR 0011); a
    withdrawn message is `suppressed` with the gate's reason, guarded by its claim, and its ledger row taken back (it
    was no contact). A queue that covers again what was merged into a withdrawn message (`cover_withdrawn`: the care
    SMS, services.merged) has that transaction lock the withdrawn messages' customers first (ADR 0037), those only,
    and still no lock is held over a request. What remains: a change committing after this read, while the batch's
    requests are leaving or on the wire, does not stop them."""
    refused = contacts_refused_now(
        channel=ContactChannel.SMS,
        wanted={(row.customer_id, queue.purpose_of(row)) for row in batch},
        recipients={row.customer_id: row.recipient for row in batch},
    )
    if not refused:
        return batch
    reasons = {
        row.pk: refused[key].reason for row in batch if (key := (row.customer_id, queue.purpose_of(row))) in refused
    }
    withdrawn = [row for row in batch if row.pk in reasons]
    now = timezone.now()
    with transaction.atomic():
        if queue.cover_withdrawn is not None:
            customers_lock(row.customer_id for row in withdrawn)
        for reason in sorted({reasons[row.pk] for row in withdrawn}):
            ids = [row.pk for row in withdrawn if reasons[row.pk] == reason]
            queue.model.objects.filter(pk__in=ids, status=Status.SENDING, claimed_at=claimed_at).update(
                status=Status.SUPPRESSED, **{queue.reason_field: reason}, updated_at=now
            )
        queue.forget(withdrawn, claimed_at)
        if queue.cover_withdrawn is not None:
            queue.cover_withdrawn([row.pk for row in withdrawn], now)
    report.suppressed += len(withdrawn)
    return [row for row in batch if row.pk not in reasons]


def _dispatch_queue(queue: SmsQueue, *, report: DispatchReport, stop_at: float) -> None:
    senders, backend = _senders(), get_backend()
    status_url = queue.status_url()
    batch, claimed_at = _claim_batch(report, queue)
    while batch:
        batch = _withdraw_refused(batch, claimed_at, queue, report)
        send = partial(_send, backend=backend, deadline=send_deadline(claimed_at), status_url=status_url)
        results = senders.map(send, batch)
        # The next batch is claimed (and committed `sending`) while this one is on the wire.
        upcoming, upcoming_at = _claim_batch(report, queue) if time.monotonic() < stop_at else ([], claimed_at)
        throttled = report.retry_later
        answers: list[tuple[object, object]] = []
        for row, result in zip(batch, results, strict=True):
            answers.append((row, result))
            if len(answers) >= _RECORD_EVERY:
                _record(answers, report, queue)
                answers = []
        _record(answers, report, queue)
        if report.retry_later > throttled:  # the provider asks us to slow down: the next sweep retries
            _unclaim(upcoming, upcoming_at, queue)
            break
        batch, claimed_at = upcoming, upcoming_at


def _lookup(row: FollowUp, *, backend: TelephonyBackend):
    """Runs in a sender thread: HTTP only. The provider's message for this claim, None, or the TelephonyError."""
    try:
        # A row claimed before claims recorded their number (by a worker still running the old code while the
        # migration ran) has none: the customer's phone is then the best guess there is.
        to = row.recipient or row.customer.phone
        found = backend.list_messages(to=to, sent_after=row.claimed_at - CLOCK_SKEW)
    except TelephonyError as exc:
        return exc
    return next((m for m in found if m.body == row.message_body), None)


def _reconcile_record(rows_and_answers: list[tuple[FollowUp, object]], report: DispatchReport, model: type) -> None:
    """One short transaction per batch, each row guarded by its claim (ADR 0011, step 4): a row that moved on
    while the provider was being asked (a status callback proved it sent, another sweep got there first) is left
    as it is."""
    now = timezone.now()
    with transaction.atomic():
        for row, answer in rows_and_answers:
            if isinstance(answer, TelephonyError):
                report.errors.append(f"reconcile {row.pk}: {answer}")
                continue  # the provider cannot tell us now: stay in `sending`, ask again next sweep
            if answer is not None:
                changes = {"status": Status.SENT, "provider_id": answer.sid, "provider_status": answer.status,
                           "sent_at": now}  # fmt: skip
            elif row.attempts >= SMS_MAX_ATTEMPTS:
                changes = {"status": Status.FAILED, "outcome": "gave_up"}
            else:
                changes = {"status": Status.PLANNED, "claimed_at": None}
            updated = model.objects.filter(pk=row.pk, status=Status.SENDING, claimed_at=row.claimed_at).update(
                **changes, updated_at=now
            )
            if not updated:
                continue
            if answer is not None:
                report.reconciled_sent += 1
            elif changes["status"] == Status.FAILED:
                report.failed += 1
            else:
                report.reconciled_replanned += 1


def sms_reconcile_stuck(
    *, report: DispatchReport | None = None, time_budget: float | None = None, queue: SmsQueue = CARE_SMS
) -> DispatchReport:
    """Rows in `sending` past any in-flight request: ask the provider what it accepted before a resend.

    Every stuck row is resolved in this call (until `time_budget` seconds are spent), in small batches: a batch
    is read without locks, looked up at the provider in parallel by the sender threads with no transaction open,
    then written in one short transaction, row by row guarded by its claim. So a slow provider costs wall time
    divided by the threads, and never holds rows locked or a session idle in a transaction (ADR 0011).
    """
    report = report or DispatchReport()
    cutoff = reconcile_cutoff()
    stop_at = time.monotonic() + (time_budget if time_budget is not None else 4 * settings.SMS_SWEEP_INTERVAL_SECONDS)
    backend, senders = get_backend(), _senders()
    batch_size = max(1, min(settings.SMS_BATCH_SIZE, 4 * settings.SMS_SEND_THREADS))
    asked: set[int] = set()  # a row the provider could not answer for is asked again next sweep, not in a loop
    while time.monotonic() < stop_at:
        rows = list(
            queue.model.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
            .exclude(pk__in=asked)
            .select_related("customer")
            .only("id", "claimed_at", "attempts", "message_body", "recipient", "customer__phone")
            .order_by("claimed_at", "id")[:batch_size]
        )
        if not rows:
            break
        asked.update(row.pk for row in rows)
        answers = senders.map(partial(_lookup, backend=backend), rows)
        _reconcile_record(list(zip(rows, answers, strict=True)), report, queue.model)
    return report
