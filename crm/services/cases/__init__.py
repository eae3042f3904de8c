"""The case core: open (or join), timeline, causes, triage, status, remedies and their approval, close, reopen.

One module per part of a case's life: `timeline` (its events, and the end of a wait on the customer), `opening`
(open or join, `case_open` / `cases_open`), `handling` (causes, escalation, another agent while it is worked),
`remedies` (proposing one and the checks on its cost and currency), `approvals` (the manager's decision) and `closing`
(close and reopen). Other code imports from here what it uses.
"""

from .approvals import case_resume_when_nothing_awaits, remedy_approve, remedy_decline
from .closing import case_close, case_reopen
from .handling import case_add_causes, case_escalate, case_reassign
from .opening import CONTACT_SOURCES, CaseRequest, case_open, cases_open
from .remedies import (
    refundable_total,
    refunded_already,
    remedy_cost_check,
    remedy_currency_check,
    remedy_propose,
    remedy_refund_check,
)
from .timeline import FIRST_RESPONSE_KINDS, Resumed, case_add_event, case_wait_end

__all__ = [
    "CONTACT_SOURCES",
    "FIRST_RESPONSE_KINDS",
    "CaseRequest",
    "Resumed",
    "case_add_causes",
    "case_add_event",
    "case_close",
    "case_escalate",
    "case_open",
    "case_reassign",
    "case_reopen",
    "case_resume_when_nothing_awaits",
    "case_wait_end",
    "cases_open",
    "refundable_total",
    "refunded_already",
    "remedy_approve",
    "remedy_cost_check",
    "remedy_currency_check",
    "remedy_decline",
    "remedy_propose",
    "remedy_refund_check",
]
