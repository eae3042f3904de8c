"""Service cases and their timeline."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models._checks import choices_check
from crm.models.agent import Agent
from crm.models.customer import Customer
from crm.models.order import Order
from crm.models.store import Store


class CaseSource(models.TextChoices):
    CALL = "call", _("Follow-up call")
    REVIEW = "review", _("Review")
    INBOUND_SMS = "inbound_sms", _("Inbound SMS")
    MANUAL = "manual", _("Opened by hand")
    LOGISTICS = "logistics", _("Logistics exception")
    RETURN_VISIT = "return_visit", _("Return visit")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    # We asked the customer for something (photos, an address, a yes to an offer): the resolution clock is paused
    # until they answer, the agent resumes, or the store's longest wait has passed (crm.services.waiting, ADR 0034).
    AWAITING_CUSTOMER = "awaiting_customer", _("Waiting on the customer")
    CLOSED = "closed", _("Closed")


class CaseCause(models.TextChoices):
    UNKNOWN = "", _("Not yet known")
    QUALITY = "quality", _("Product quality")
    DESCRIPTION_MISMATCH = "description_mismatch", _("Colour/description mismatch")
    SIZE = "size", _("Size/fit")
    LOGISTICS = "logistics", _("Logistics")
    PRICE = "price", _("Price/promotion")
    SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
    OTHER = "other", _("Other")


class TriageGroup(models.TextChoices):
    PRIORITY = "priority", _("Priority")
    NORMAL = "normal", _("Normal")
    DIFFICULT = "difficult", _("Difficult dispute")


class ManagerDecision(models.TextChoices):
    """What the manager decides when negotiation failed (see crm.services.escalation)."""

    NONE = "", _("Not decided yet")
    HIGHER_REMEDY = "higher_remedy", _("A higher remedy")
    REFUND = "refund", _("A refund")
    PLATFORM_DISPUTE = "platform_dispute", _("The platform's dispute process")


class Case(models.Model):
    """A service case: opened by a call, a review, an inbound SMS or by hand, and worked to a close."""

    Source = CaseSource
    Status = CaseStatus
    Cause = CaseCause
    TriageGroup = TriageGroup
    Decision = ManagerDecision
    OPEN_STATUSES = (
        CaseStatus.OPEN,
        CaseStatus.IN_PROGRESS,
        CaseStatus.AWAITING_APPROVAL,
        CaseStatus.AWAITING_CUSTOMER,
    )

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="cases")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cases")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    source = models.CharField(_("source"), max_length=12, choices=CaseSource.choices)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    # The first cause known; `causes` keeps every cause the case was opened or joined with, in order, so the
    # cause an agent chose on a call is never lost when it joins a case a review opened (and vice versa).
    cause = models.CharField(_("cause"), max_length=24, choices=CaseCause.choices, blank=True, default="")
    causes = models.JSONField(_("causes"), default=list, blank=True)
    triage_group = models.CharField(
        _("triage group"), max_length=10, choices=TriageGroup.choices, default=TriageGroup.NORMAL
    )
    # Why the group was chosen: reason codes whose labels the sources register (crm.casework.triage_reason_label).
    triage_reasons = models.JSONField(_("triage reasons"), default=list, blank=True)
    assignee = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("assignee")
    )
    summary = models.TextField(_("summary"), blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    # The first call or SMS to the customer after opening: it stops the first-response clock.
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # Waiting on the customer: since when, what was asked, and when the case resumes by itself (the store's longest
    # wait). Set only while the status says so (constraint below).
    waiting_since = models.DateTimeField(_("waiting on the customer since"), null=True, blank=True)
    waiting_for = models.CharField(_("asked of the customer"), max_length=500, blank=True)
    waiting_until = models.DateTimeField(_("resumes by itself at"), null=True, blank=True)
    # The service time the resolution clock was paused since the clocks started (each wait, counted when it ended):
    # a deadline counted again from the start (a more serious group joining, a new time zone) keeps it.
    resolution_paused = models.DurationField(_("resolution clock paused for"), default=timedelta(0))
    # The wall-clock time the case waited on the customer over its whole life (each wait up to its end, its longest
    # wait or the close), never reset on reopening: the reports take it off the time from opening to close.
    customer_waited = models.DurationField(_("waited on the customer for"), default=timedelta(0))
    # The deadline that matters now (first response until answered, then resolution; none while the resolution
    # clock is paused on the customer): the case list's order. Computed by the database, so no write can forget it.
    next_due = models.GeneratedField(
        expression=models.Case(
            models.When(first_response_at__isnull=True, then=models.F("first_response_due")),
            models.When(
                status=CaseStatus.AWAITING_CUSTOMER, then=models.Value(None, output_field=models.DateTimeField())
            ),
            default=models.F("resolution_due"),
        ),
        output_field=models.DateTimeField(null=True),
        db_persist=True,
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # When the sweep found the case past a deadline (once per clocks: a reopening clears it), whether or not it was
    # escalated by hand before: the breach is a fact of the case, the escalation an action on it (ADR 0006).
    breached_at = models.DateTimeField(_("past a deadline since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=100, blank=True)
    # Negotiation failed: the case waits on the manager's escalations until the manager decides.
    negotiation_failed_at = models.DateTimeField(_("negotiation failed at"), null=True, blank=True)
    manager_decision = models.CharField(
        _("manager's decision"), max_length=20, choices=ManagerDecision.choices, blank=True, default=""
    )
    manager_decision_note = models.TextField(_("manager's note"), blank=True)
    manager_decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    manager_decided_by = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            choices_check("source", CaseSource, "case_source_valid"),
            choices_check("status", CaseStatus, "case_status_valid"),
            choices_check("cause", CaseCause, "case_cause_valid"),
            choices_check("triage_group", TriageGroup, "case_triage_group_valid"),
            choices_check("manager_decision", ManagerDecision, "case_manager_decision_valid"),
            # A closed case always has its root cause and close time: the Pareto depends on it.
            models.CheckConstraint(
                condition=~Q(status="closed") | (~Q(root_cause="") & Q(closed_at__isnull=False)),
                name="case_closed_has_root_cause",
            ),
            # A waiting case knows since when and until when; no other case carries a wait.
            models.CheckConstraint(
                condition=Q(status="awaiting_customer", waiting_since__isnull=False, waiting_until__isnull=False)
                | (~Q(status="awaiting_customer") & Q(waiting_since__isnull=True, waiting_until__isnull=True)),
                name="case_waiting_has_since",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "status"], name="case_store_status"),
            models.Index(fields=["assignee", "status"], name="case_assignee_status"),
            models.Index(fields=["store", "opened_at"], name="case_store_opened"),
            # The case list: open cases of a store (or an agent) by their next deadline.
            models.Index(
                fields=["store", "next_due", "id"],
                condition=Q(status__in=["open", "in_progress", "awaiting_approval", "awaiting_customer"]),
                name="case_open_store_due",
            ),
            models.Index(
                fields=["assignee", "next_due", "id"],
                condition=Q(status__in=["open", "in_progress", "awaiting_approval", "awaiting_customer"]),
                name="case_open_assignee_due",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def remedy_currency(self) -> str:
        """What the case's remedies are written in: the money its order was paid in, else its store's (ADR 0036)."""
        return self.order.currency if self.order_id else self.store.currency


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    NOTE = "note", _("Note")
    CALL = "call", _("Call")
    # A call that did not reach the customer (no answer, wrong number): on the timeline, but not a first response.
    CALL_ATTEMPT = "call_attempt", _("Call attempt, not reached")
    SMS = "sms", _("SMS")
    EVIDENCE = "evidence", _("Evidence")
    REMEDY_PROPOSED = "remedy_proposed", _("Remedy proposed")
    REMEDY_APPROVED = "remedy_approved", _("Remedy approved")
    REMEDY_DECLINED = "remedy_declined", _("Remedy declined")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    REVIEW_CHANGED = "review_changed", _("Review changed")
    ESCALATED = "escalated", _("Escalated")
    # A deadline passed on a case that was escalated already (by hand, or its negotiation failed): the breach is
    # recorded without escalating twice. The sweep's own escalation carries the breach in its event.
    BREACHED = "breached", _("Past its deadline")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    STEP_DONE = "step_done", _("Step done")
    # A ticked step whose evidence the recheck of stored files removed (ADR 0047): the case no longer has its proof.
    STEP_UNDONE = "step_undone", _("Step unticked")
    CAUSE_ADDED = "cause_added", _("Cause added")
    TRIAGE_CHANGED = "triage_changed", _("Triage group changed")
    REMEDY_FULFILLED = "remedy_fulfilled", _("Remedy carried out")
    REMEDY_CONFIRMED = "remedy_confirmed", _("Customer confirmed satisfaction")
    REMEDY_WITHDRAWN = "remedy_withdrawn", _("Remedy withdrawn")
    NEGOTIATION_FAILED = "negotiation_failed", _("Negotiation failed")
    MANAGER_DECIDED = "manager_decided", _("Manager decided")
    AWAITING_CUSTOMER = "awaiting_customer", _("Waiting on the customer")
    RESUMED = "resumed", _("Resumed")


class CaseEvent(models.Model):
    """One line of a case's timeline: what happened, who did it and when."""

    Kind = CaseEventKind

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=CaseEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(_("at"))
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        constraints = [choices_check("kind", CaseEventKind, "case_event_kind_valid")]
        # The report's roll-ups (reports.rollups, ADR 0005): the frequent refresh finds the cases changed since its last
        # run through `case_event_at` (a range of the last minutes); every refresh finds the reopened cases of a range
        # of openings through `case_event_reopened`, the reopenings alone, which `case_event_at` cannot serve (without
        # it, a scan of every store's events), as does the SLA's clock start (crm.services.sla.clocks_started).
        indexes = [
            models.Index(fields=["at"], condition=models.Q(kind=CaseEventKind.REOPENED), name="case_event_reopened"),
            models.Index(fields=["at"], name="case_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"
