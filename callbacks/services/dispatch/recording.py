"""The provider's answers written: a batch's rows in one statement, and a refusal for an opted-out number
taken as the customer's and the number's opt-out."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from callbacks.models import FollowUp, SmsOutcome
from callbacks.telephony import MessageRejected, OutcomeUnknown, ProviderBusy
from crm.services.locks import customers_lock

from ..rows import rows_set
from .queues import SmsQueue, Status
from .report import DispatchReport

_RESULT_FIELDS = ["status", "claimed_at", "provider_id", "provider_status", "sent_at", "outcome", "error_code"]


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
        row.outcome = SmsOutcome.OPTED_OUT if result.opted_out else SmsOutcome.REJECTED
        report.failed += 1
    else:
        row.status, row.provider_id, row.provider_status, row.sent_at = Status.SENT, result.sid, result.status, now
        report.sent += 1
    return True


def record_answers(rows_and_results: list[tuple[FollowUp, object]], report: DispatchReport, queue: SmsQueue) -> None:
    """One statement for a batch of answers. A crash before it commits leaves the rows `sending`: reconciled.
    A refusal for an opted-out number (21610) opts out the message's customer, saying why in their history, and the
    number, in this transaction, by the one function a status callback reporting 21610 calls too
    (`carrier_opt_out.carrier_opt_outs_record`: a START the number sent since the claim stands). What was merged into a
    care SMS refused for any reason (21610, or another: 21211 not a valid number, ...) is covered again by the rule of a
    withdrawn one (`cover_withdrawn`, services.merged, ADR 0051): no merged order is texted again at the number refused,
    and the gate, asked after the opt-out, decides the rest."""
    model = queue.model
    # numbers reads the queues registered with this package (sweep); imported here so that the two can see each other.
    from ..carrier_opt_out import carrier_opt_outs_record
    from ..numbers import numbers_lock

    now = timezone.now()
    claims = {row.pk: row.claimed_at for row, _ in rows_and_results}
    changed = [row for row, result in rows_and_results if _apply(row, result, report, now)]
    # 21610: the number replied STOP to Twilio.
    refused = [row for row in changed if row.outcome == SmsOutcome.OPTED_OUT]
    opted_out = [row.customer_id for row in refused]
    # Every refused message whose queue covers what was merged into it (the care SMS), whatever the refusal's code.
    failed = [row for row in changed if row.status == Status.FAILED] if queue.cover_withdrawn is not None else []
    with transaction.atomic():
        # The numbers first, as a reply from one takes its lock (services.inbound), then the customers before their
        # messages (ADR 0037): their opt-out then takes back their planned calls, and covering what was merged into a
        # refused care SMS writes their contacts.
        numbers_lock(row.recipient for row in refused)
        customers_lock([*opted_out, *(row.customer_id for row in failed)])
        rows_set(model=model, rows=changed, fields=_RESULT_FIELDS, sending_since=claims)
        carrier_opt_outs_record(rows=refused, at=now)
        if failed:
            queue.cover_withdrawn([row.pk for row in failed], now)
