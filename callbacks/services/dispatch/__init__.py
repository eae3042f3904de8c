"""SMS dispatch, at most once: claim (planned → sending), send, record (sent / failed), reconcile.

The machinery serves every table of outgoing SMS registered as an `SmsQueue`: the care SMS (FollowUp rows, in `care`)
and other apps' messages (logistics' parcel notices, retention's campaign contacts). A queue brings its own
claim (which rows are due, what the contact gate says, the text) and ledger hook: the other apps' rows carry a
due time and their text, and they configure one claim (callbacks.services.claims); sending, recording and
reconciling are shared.

A provider's message create is not idempotent, so nothing here ever resends blindly:

- A claim commits `sending` with the exact text, the recipient's number and the claim time *before* the request
  leaves; the send and any reconciliation use that number, not the customer's phone as it is later.
- Just before a batch's requests leave, its customers' word is read again (no lock): a message of a customer who opted
  out since the claim, or a marketing message of one who withdrew consent, is withdrawn (`last_look`).
- A worker only starts a request while its claim is young (`send_deadline`); every request ends within the
  HTTP timeout. So once a claim is older than SMS_RECONCILE_AFTER_SECONDS no request for it is in flight.
- Such a stuck row (worker killed, database or broker gone, 5xx or timeout from the provider) is looked up
  at the provider by its recorded recipient, time and exact text: found → `sent` with its id; not found → `planned`
  again, because then it was certainly never accepted.
- Only answers that prove nothing was accepted (a 4xx refusal, a 429, no connection) change a row directly.

One module per step: `care` (the care SMS queue and its claim), `last_look` (the customers' word read again before a
batch leaves), `sending` (a queue's batches on the wire), `recording` (the provider's answers written), `reconciling`
(stuck rows asked of the provider); with `queues` (what a queue is, and the claim columns every queue writes), `sweep`
(the registered queues and `sms_dispatch_due`), `deadlines`, `threads` (the sender threads) and `report`.
"""

from .care import CARE_SMS
from .deadlines import CLOCK_SKEW, reconcile_cutoff, send_deadline
from .queues import CLAIM_COLUMNS, CUSTOMERS_HELD, SmsQueue, sms_claim_row
from .reconciling import sms_reconcile_stuck
from .report import DispatchReport
from .sweep import sms_dispatch_due, sms_queue_register, sms_queues

__all__ = [
    "CARE_SMS",
    "CLAIM_COLUMNS",
    "CLOCK_SKEW",
    "CUSTOMERS_HELD",
    "DispatchReport",
    "SmsQueue",
    "reconcile_cutoff",
    "send_deadline",
    "sms_claim_row",
    "sms_dispatch_due",
    "sms_queue_register",
    "sms_queues",
    "sms_reconcile_stuck",
]
