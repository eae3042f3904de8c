"""Core data: stores, customers, orders, agents, cases, case policy, the audit trail, the case workspace (steps,
evidence, playbook) and the API's own tables.

One small module per subject. Invariants that must never break are database constraints, not just form
validation. Choice classes live at module level so the constraints in each Meta can name them; each model
re-exports its own (``Order.Status``, ``Customer.ContactPreference`` ...).
"""

from crm.models.agent import Agent, AgentStore, StoreRole
from crm.models.api import ApiToken, IdempotencyRecord, InboundEvent, InboundEventKind
from crm.models.audit import AuditLog
from crm.models.case import (
    Case,
    CaseCause,
    CaseEvent,
    CaseEventKind,
    CaseSource,
    CaseStatus,
    ManagerDecision,
    TriageGroup,
)
from crm.models.case_policy import AssignmentMode, CasePolicy, RootCause, SlaTarget, StoreClosure
from crm.models.casework import CAUSE_VALUES, CaseEvidence, CaseStep, RemedyPlay
from crm.models.customer import (
    ContactPreference,
    Customer,
    CustomerChange,
    CustomerGender,
    CustomerPersonality,
    MessageLanguage,
    VipTier,
)
from crm.models.heartbeat import WorkerHeartbeat
from crm.models.order import Order, OrderStatus
from crm.models.remedy import ConfirmationChannel, Remedy, RemedyKind, RemedyStatus
from crm.models.store import Store, StorePlatform
from crm.models.submission import FormSubmission

__all__ = [
    "CAUSE_VALUES",
    "Agent",
    "AgentStore",
    "ApiToken",
    "AssignmentMode",
    "AuditLog",
    "Case",
    "CaseCause",
    "CaseEvent",
    "CaseEventKind",
    "CaseEvidence",
    "CasePolicy",
    "CaseSource",
    "CaseStatus",
    "CaseStep",
    "ConfirmationChannel",
    "ContactPreference",
    "Customer",
    "CustomerChange",
    "CustomerGender",
    "CustomerPersonality",
    "FormSubmission",
    "IdempotencyRecord",
    "InboundEvent",
    "InboundEventKind",
    "ManagerDecision",
    "MessageLanguage",
    "Order",
    "OrderStatus",
    "Remedy",
    "RemedyKind",
    "RemedyPlay",
    "RemedyStatus",
    "RootCause",
    "SlaTarget",
    "Store",
    "StoreClosure",
    "StorePlatform",
    "StoreRole",
    "TriageGroup",
    "VipTier",
    "WorkerHeartbeat",
]
