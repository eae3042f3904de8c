"""The last look before a batch's requests leave: the customers' word read again, what it refuses withdrawn."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from crm.services.locks import customers_lock

from ..gate import ContactChannel, contacts_refused_now
from .queues import SmsQueue, Status
from .report import DispatchReport


def withdraw_refused(batch: list, claimed_at: datetime, queue: SmsQueue, report: DispatchReport) -> list:
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
