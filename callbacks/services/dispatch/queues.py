"""What an SMS queue is to the sweeper, and what every queue's claim writes."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callbacks.models import FollowUp

Status = FollowUp.Status  # every SMS queue's status values
# What `sms_claim_row` sets, written by every queue's claim in its one statement.
CLAIM_COLUMNS = ["status", "claimed_at", "attempts", "recipient"]


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
    that recorded the provider's refusal of them (21610 opted out, or another code), their customers locked (the care
    SMS: what was merged into one is covered again, services.merged).
    """

    name: str
    model: type
    claim: Callable[..., list]
    forget: Callable[[list, datetime], None]
    status_url: Callable[[], Callable[[int], str]]
    reason_field: str
    purpose_of: Callable[[Any], str]
    cover_withdrawn: Callable[[list[int], datetime], None] | None = None
