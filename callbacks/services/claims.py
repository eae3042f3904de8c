"""The claim of an SMS queue whose rows are planned with their text and a due time (other apps' queues: parcel
notices, campaign messages), configured per queue; sending, recording and reconciling are the sweeper's
(callbacks.services.dispatch, ADR 0011).

A claim takes the due rows (skipping rows another sweeper holds), asks the contact gate for its last word at the
moment of sending, and commits the claimed rows as `sending` with the gate's ledger rows in the same transaction,
so a cap counts what was claimed whether or not it ends up sent. Rows sharing a cap (one customer's, or one
order's) are claimed one at a time: a sweeper claiming a row of the same customer or order waits on a lock until
this claim commits, and a second such row in one batch waits a minute, after which the gate, seeing the first in
its ledger, decides it against the cap.

The care SMS has its own claim (dispatch.care): its rows carry a sending window rather than a due time, the
store's policy moves that window, and their text is written at the claim.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction

from callbacks.models import FollowUp
from crm.services.locks import advisory_lock

from .dispatch import CLAIM_COLUMNS, CUSTOMERS_HELD, SmsQueue, sms_claim_row
from .gate import ALLOWED, ContactChannel, ContactRow, RefusalReason, contacts_decide, contacts_forget, contacts_record
from .messages import public_url_by_id
from .rows import rows_set

Status = FollowUp.Status  # every SMS queue's status values (dispatch.SmsQueue)
_SECOND_IN_BATCH = timedelta(minutes=1)
# A refusal only about the hour carries the moment it ends; without one, look again in an hour.
_RETRY_THE_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class DueClaim:
    """One queue's claim: `claim(now=, limit=, report=)` and `forget(rows, claimed_at)` (`due_sms_queue`).

    `model` has store, customer, channel ("sms" for the rows to send), status, due_at, claimed_at, attempts,
    recipient and message_body, and `reason_field`, where a refusal's reason is written. `purpose` is the gate's
    (ContactPurpose) and `source` the ledger rows'. With `per_order` the rows have an order, the gate counts the
    per-order cap and one row per order is claimed at a time; else one per customer.

    A queue with a last moment and hours of its own (a campaign's end and daily sending hours) gives
    `deadline(row)`: a row still planned once it has come is suppressed with `deadline_reason`, and a "not now"
    from the gate that lasts until then suppresses it with the gate's reason; and `own_hours(row, now)`: the first
    moment at or after `now` the row may go out, where a row waits when that is later, or None when its hours leave
    it none before its deadline: it is suppressed with `hours_reason` (retention: the store's SMS hours no longer meet
    the campaign's, ADR 0044). `related` names what those read (loaded with the rows, like the customer and the store).
    """

    model: type
    purpose: str
    source: str
    reason_field: str
    per_order: bool = False
    related: tuple[str, ...] = ()
    deadline: Callable[[Any], datetime] | None = None
    deadline_reason: str = ""
    own_hours: Callable[[Any, datetime], datetime | None] | None = None
    hours_reason: str = ""

    def purpose_of(self, row) -> str:
        """Every row of the queue has the claim's purpose (dispatch.SmsQueue.purpose_of)."""
        return self.purpose

    def _key(self, row) -> int:
        return row.order_id if self.per_order else row.customer_id

    def _suppress(self, row, reason: str, report) -> None:
        row.status = Status.SUPPRESSED
        setattr(row, self.reason_field, reason)
        report.suppressed += 1

    def _defer(self, row, until: datetime, report) -> None:
        row.due_at = until
        report.rescheduled += 1

    def _claim_fields(self) -> list[str]:
        return [*CLAIM_COLUMNS, self.reason_field, "due_at"]

    def claim(self, *, now: datetime, limit: int, report) -> list:
        """Due rows → `sending`, with the gate's last word and its ledger rows in one transaction; returns them."""
        with transaction.atomic():
            return self._claim(now, limit, report)

    def _claim(self, now: datetime, limit: int, report) -> list:
        ids = list(
            self.model.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PLANNED, channel=ContactChannel.SMS, due_at__lte=now)
            .order_by("due_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        rows = list(
            self.model.objects.filter(pk__in=ids)
            .select_related("customer", "store", *self.related)
            .select_for_update(**CUSTOMERS_HELD)  # an opt-out being written: the row waits for the next sweep
            .order_by("due_at", "id")
        )
        if not rows:
            return []
        # Another sweeper claiming a row under the same cap waits here until this claim commits its ledger rows,
        # so the gate's cap sees them (crm.services.locks).
        advisory_lock(f"{self.purpose}:{self._key(row)}" for row in rows)
        by_store: dict[int, list] = defaultdict(list)
        for row in rows:
            by_store[row.store_id].append(row)
        claimed, ledger, seen = [], [], set()
        for store_rows in by_store.values():
            decisions = contacts_decide(
                store=store_rows[0].store,
                customer_ids=sorted({row.customer_id for row in store_rows}),
                channel=ContactChannel.SMS,
                purpose=self.purpose,
                at=now,
                order_ids={row.customer_id: row.order_id for row in store_rows} if self.per_order else None,
            )
            for row in store_rows:
                decision = decisions[row.customer_id]
                if row.attempts and decision.reason == RefusalReason.CAP_REACHED:
                    decision = ALLOWED  # a retry is the message the ledger already counts
                deadline = self.deadline(row) if self.deadline else None
                # The row's own hours (a campaign's, where they meet the store's) come before the gate's hour: put off
                # from one opening to the other, a row whose hours no longer meet the store's went back and forth
                # until its deadline.
                moment = self.own_hours(row, now) if self.own_hours else now
                if deadline is not None and now >= deadline:
                    self._suppress(row, self.deadline_reason, report)
                elif self._key(row) in seen:
                    self._defer(row, now + _SECOND_IN_BATCH, report)
                elif not decision and not decision.only_the_hour:
                    self._suppress(row, decision.reason, report)
                elif moment is None:
                    self._suppress(row, self.hours_reason, report)
                elif moment > now and (decision or deadline is None or moment < deadline):
                    self._defer(row, moment, report)
                elif not decision:  # only the hour: the store's, with no hours of the row's own before the deadline
                    until = decision.not_before or now + _RETRY_THE_HOUR
                    if deadline is None or until < deadline:
                        self._defer(row, until, report)
                    else:
                        self._suppress(row, decision.reason, report)
                else:
                    seen.add(self._key(row))
                    sms_claim_row(row, now=now)
                    claimed.append(row)
                    if row.attempts == 1:  # a retry (busy provider, nothing found on reconciling) is the same message
                        ledger.append(self._ledger_row(row, now))
        contacts_record(rows=ledger)
        rows_set(model=self.model, rows=rows, fields=self._claim_fields())
        return claimed

    def _ledger_row(self, row, now: datetime) -> ContactRow:
        return ContactRow(
            customer_id=row.customer_id,
            store_id=row.store_id,
            channel=ContactChannel.SMS,
            purpose=self.purpose,
            order_id=row.order_id if self.per_order else None,
            at=now,
            source=self.source,
        )

    def forget(self, rows: list, claimed_at: datetime) -> None:
        """Take back the ledger rows of a claimed batch given back unsent."""
        if self.per_order:
            contacts_forget(order_ids=[row.order_id for row in rows], at=claimed_at, source=self.source)
        else:
            contacts_forget(customer_ids=[row.customer_id for row in rows], at=claimed_at, source=self.source)


def due_sms_queue(*, name: str, claim: DueClaim, status_url: str) -> SmsQueue:
    """The sweeper's queue (dispatch.SmsQueue) of `claim`'s rows; `status_url` names the URL of the provider's
    status callback for a row id."""
    return SmsQueue(
        name=name,
        model=claim.model,
        claim=claim.claim,
        forget=claim.forget,
        status_url=partial(public_url_by_id, status_url),
        reason_field=claim.reason_field,
        purpose_of=claim.purpose_of,
    )
