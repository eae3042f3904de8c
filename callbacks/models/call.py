"""Calls: the calls placed for a follow-up or for a crm case (`CaseCall`, outside the evening queue), the attempts
logged on them and the store's call scripts."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callbacks.models.followup import FollowUp, FollowUpStatus
from callbacks.models.outcome import ATTEMPT_OUTCOMES, CaseCallOutcome, FollowUpOutcome
from crm.models import Agent, Case, Customer, Order, Store

# Calls and attempts belong to exactly one of a follow-up and a case call.
ONE_SUBJECT = Q(followup__isnull=False, case_call__isnull=True) | Q(followup__isnull=True, case_call__isnull=False)


class CaseCall(models.Model):
    """A call to the customer of a crm case, opened from the case page by the agent who will call.

    It shares the call panel, click-to-call and the attempt rules with evening follow-ups but is not one: it has
    no delivery, window or tier, so the evening queue, capacity, planning and follow-up reports never see it.
    Its statuses are the follow-up's open and closed ones, so the shared panel templates read both alike.
    """

    class Status(models.TextChoices):
        PLANNED = FollowUpStatus.PLANNED.value, FollowUpStatus.PLANNED.label
        IN_PROGRESS = FollowUpStatus.IN_PROGRESS.value, FollowUpStatus.IN_PROGRESS.label
        DONE = FollowUpStatus.DONE.value, FollowUpStatus.DONE.label

    Outcome = CaseCallOutcome
    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_calls", verbose_name=_("case"))
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="case_calls")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="case_calls")
    assignee = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="case_calls", verbose_name=_("assignee"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    outcome = models.CharField(_("outcome"), max_length=24, choices=CaseCallOutcome.choices, blank=True)
    created_at = models.DateTimeField(_("opened at"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case call")
        verbose_name_plural = _("case calls")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["planned", "in_progress", "done"]), name="casecall_status"),
            # Opening the panel twice (a double click, two tabs) finds the same open call.
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=["planned", "in_progress"]), name="casecall_one_open_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"case #{self.case_id} → {self.customer}"

    @property
    def order(self) -> Order | None:
        return self.case.order

    def is_on_the_phone(self) -> bool:
        """A call of it is ringing or talking right now: the agent making it keeps it (a colleague opening the case's
        call, or a handover when the agent leaves the store, waits until it is over)."""
        return self.calls.exclude(status__in=Call.FINAL).exists()


class CallAttempt(models.Model):
    """One logged outcome of a call follow-up or a case call. (followup, seq) and (case_call, seq) are unique:
    the same attempt is never logged twice, whether by a double click or by two people at once."""

    Outcome = FollowUpOutcome

    followup = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="call_attempts"
    )
    case_call = models.ForeignKey(
        CaseCall, on_delete=models.CASCADE, null=True, blank=True, related_name="call_attempts"
    )
    seq = models.PositiveSmallIntegerField(_("attempt"))
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="call_attempts", verbose_name=_("agent"))
    outcome = models.CharField(_("outcome"), max_length=24, choices=ATTEMPT_OUTCOMES)
    cause = models.CharField(_("cause"), max_length=24, blank=True)
    note = models.TextField(_("note"), blank=True)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    case = models.ForeignKey("crm.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="call_attempts")
    at = models.DateTimeField(_("logged at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        constraints = [
            models.UniqueConstraint(fields=["followup", "seq"], name="call_attempt_once_per_seq"),
            models.UniqueConstraint(fields=["case_call", "seq"], name="call_attempt_once_per_case_call_seq"),
            models.CheckConstraint(condition=ONE_SUBJECT, name="call_attempt_one_subject"),
            models.CheckConstraint(
                condition=Q(outcome__in=[value for value, _label in ATTEMPT_OUTCOMES]),
                name="call_attempt_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="call_back") | Q(callback_at__isnull=False), name="call_attempt_callback_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.followup_id or f'case call {self.case_call_id}'}#{self.seq} {self.outcome}"


class CallScript(models.Model):
    """The store's call scripts, edited by its manager: the evening follow-up call's and the call about a case
    (the apology call of a bad review; empty: the translated default). Placeholders: {customer}, {product},
    {hotline}, {store}."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="call_script")
    body = models.TextField(_("script"))
    case_body = models.TextField(_("script for calls about a case"), blank=True)
    updated_by = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")

    def __str__(self) -> str:
        return f"{self.store.code} script"


class CallStatus(models.TextChoices):
    # Ours, not the provider's: the call is recorded and its request to the provider is (or was) on the wire.
    PLACING = "placing", _("Placing the call")
    QUEUED = "queued", _("Queued")
    INITIATED = "initiated", _("Initiated")
    RINGING = "ringing", _("Ringing")
    IN_PROGRESS = "in-progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    BUSY = "busy", _("Busy")
    NO_ANSWER = "no-answer", _("No answer")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


class Call(models.Model):
    """One call placed for a follow-up or a case call: the agent's phone rings first, then the customer.

    The row is committed `placing`, without the provider's id, before the provider is asked to call; the id is
    written when it answers (callbacks.services.calls, ADR 0011). A call the provider refused is `failed` with no id.
    """

    Status = CallStatus
    FINAL = (CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED, CallStatus.CANCELED)

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="calls")
    case_call = models.ForeignKey(CaseCall, on_delete=models.CASCADE, null=True, blank=True, related_name="calls")
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="calls")
    provider_id = models.CharField(_("provider id"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CallStatus.choices, default=CallStatus.PLACING)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CallStatus.values), name="call_status_valid"),
            models.CheckConstraint(condition=ONE_SUBJECT, name="call_one_subject"),
            models.UniqueConstraint(fields=["provider_id"], condition=~Q(provider_id=""), name="call_provider_id_once"),
            # A call the provider took has its id; only one still being placed, or refused, has none.
            models.CheckConstraint(
                condition=Q(status__in=["placing", "failed"]) | ~Q(provider_id=""), name="call_placed_has_provider_id"
            ),
        ]
        indexes = [
            # The reconciler's look for calls left `placing` (callbacks.services.calls.calls_reconcile_stuck).
            models.Index(fields=["started_at"], condition=Q(status="placing"), name="call_placing"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id or '-'} ({self.status})"
