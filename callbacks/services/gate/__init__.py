"""The contact gate: the one place that decides whether, and when, a customer may be contacted (ADR 0017).

Every sender asks it before an SMS or a call (care SMS dispatch, follow-up planning, call outcomes, click to
call, call tasks, logistics notices, campaigns) and records what it did in the contact ledger (`ContactLog`) in
the same transaction, so the caps count every contact, whoever made it. A refusal carries a reason code
(`RefusalReason`) that agents see; a refusal that is only about the hour carries `not_before`, the earliest
moment it may happen.

The rules, in the order they are asked (the first that refuses answers):

1. `no_phone`: nothing to dial or text.
2. `do_not_contact`: the customer's contact preference.
3. `no_calls`: a call to a customer who wants no calls or SMS only.
4. `sms_opt_out`: an SMS to a customer who opted out (STOP, 退订); `marketing_opt_out`: a marketing call to them
   (the reply said "stop marketing me", and a return visit is marketing). Their care, logistics and case calls
   still go. `number_opted_out`: an SMS to a number that replied STOP to the store's messages, whoever holds it now
   (ADR 0049): the customer's phone, or the number a claimed message goes to.
5. `no_marketing_consent`: marketing needs consent recorded with when and how it was given.
6. `cap_reached`: the store's per-customer caps, counted from the ledger: logistics messages per order; marketing
   contacts per rolling period of days, messages and calls alike (a call once per order it is about, its attempts
   bounded by the store's maximum). Care and case calls are not capped: an agent sees the history.
7. `quiet_hours` (SMS outside the store's sending hours) and `outside_call_window` (a call outside the store's
   call hours), both in the store's own time zone.

Rules 1-6 stand until the customer's data or the ledger changes; rule 7 only says "not now". Automatic senders
wait for `not_before`; an agent may override rule 7 on click to call only, explicitly and audited
(`contact_override`).

One module per rule, then the answer and what is written: `facts` (what the rules read about a customer),
`standing` (1-5, and the last look before a send), `caps` (6), `hours` (7), `deciding` (`contacts_decide`,
`contact_decide`: the rules in order), `decisions` (the answer and its refusals), `purposes` (what the gate is asked),
`ledger` (`ContactLog`), `overrides` (the agent's override), `preferences` (the customer's wishes it reads, written).
"""

# The choices a sender names its question and reads the answer with, importable from where it asks.
from callbacks.models import ContactChannel, ContactPurpose, RefusalReason

from .deciding import contact_decide, contacts_decide
from .decisions import ALLOWED, ContactDecision
from .ledger import ContactRow, contact_record, contacts_forget, contacts_record
from .overrides import contact_override
from .preferences import customer_stop_calls, customers_opt_out_sms
from .purposes import gate_purpose
from .standing import contacts_refused_now

__all__ = [
    "ALLOWED",
    "ContactChannel",
    "ContactDecision",
    "ContactPurpose",
    "ContactRow",
    "RefusalReason",
    "contact_decide",
    "contact_override",
    "contact_record",
    "contacts_decide",
    "contacts_forget",
    "contacts_record",
    "contacts_refused_now",
    "customer_stop_calls",
    "customers_opt_out_sms",
    "gate_purpose",
]
