"""The care SMS queue (FollowUp rows): its claim, which asks the contact gate at the moment of sending, and its
ledger hook."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from callbacks.models import FollowUp
from crm.models import Store
from crm.services.locks import customers_lock_free

from ..gate import ContactChannel, ContactRow, contacts_decide, contacts_forget, contacts_record, gate_purpose
from ..merged import followups_cover_merged
from ..messages import public_url_by_id, sms_render
from ..one_a_day import followups_hold_one_a_day
from ..policy import policy_for_store
from ..rows import followups_set
from ..windows import sms_window
from .queues import CLAIM_COLUMNS, SmsQueue, Status, sms_claim_row
from .report import DispatchReport

# Every column of the follow-up (they are written back), and of the customer and the order only what the wishes
# check, the text and the request read: their other columns are wide, some JSON. A new use of an unlisted one
# would cost a query per row (a test counts the queries).
_FOLLOWUP_FIELDS = [f.name for f in FollowUp._meta.concrete_fields]
_SENDING_NEEDS = ["customer__name", "customer__phone", "customer__language", "order__items"]
_LEDGER_SOURCE = "care_sms"
_CLAIM_FIELDS = [*CLAIM_COLUMNS, "suppressed_reason", "window_start", "window_end", "message_body"]


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


def _care_forget(rows: list[FollowUp], claimed_at: datetime) -> None:
    contacts_forget(order_ids=[row.order_id for row in rows], at=claimed_at, source=_LEDGER_SOURCE)


def _care_status_url() -> Callable[[int], str]:
    return public_url_by_id("twilio:message-status")


def _care_purpose(row: FollowUp) -> str:
    return gate_purpose(row.purpose)


def _care_cover_withdrawn(ids: list[int], now: datetime) -> None:
    followups_cover_merged(withdrawn=ids, now=now)


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
