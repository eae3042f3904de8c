"""Per-store case policy: how cases are assigned, when the store serves (service hours, days off, closures), its
SLA targets and the root causes a close may name.

Re-exported by crm.models.
"""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crm.models.agent import Agent
from crm.models.case import CaseSource, TriageGroup
from crm.models.store import Store


class AssignmentMode(models.TextChoices):
    LEAST_LOADED = "least_loaded", _("Least loaded")
    ROUND_ROBIN = "round_robin", _("Round robin")


class CasePolicy(models.Model):
    """One per store. A store without a row gets the defaults below (see crm.services.sla)."""

    Assignment = AssignmentMode
    DEFAULT_SERVICE_START = time(9, 0)
    DEFAULT_SERVICE_END = time(21, 0)
    DEFAULT_MAX_WAIT_DAYS = 3
    MAX_WAIT_DAYS = 30

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="case_policy")
    assignment = models.CharField(
        _("assignment"), max_length=16, choices=AssignmentMode.choices, default=AssignmentMode.LEAST_LOADED
    )
    # SLA clocks run only inside the store's daily service hours, in the store's timezone.
    service_start = models.TimeField(_("service hours start"), default=DEFAULT_SERVICE_START)
    service_end = models.TimeField(_("service hours end"), default=DEFAULT_SERVICE_END)
    # Weekdays (Monday = 0, as date.weekday()) the store is closed every week: no SLA clock runs on them (ADR 0035).
    days_off = models.JSONField(_("days off every week"), default=list, blank=True)
    # The service hours and days off the store kept before these, oldest first, each until the moment it changed
    # them: {"until": ISO instant, "service_start": "HH:MM:SS", "service_end": ..., "days_off": [...]}. SLA clocks
    # count each moment by the calendar in force then (ADR 0035). Empty: these hours and days off always applied.
    # Written by crm.services.policy (the policy page and the admin), with the change.
    earlier_calendars = models.JSONField(_("earlier service hours and days off"), default=list, editable=False)
    # A case waiting on the customer resumes by itself after this many days, so none hides for ever (ADR 0034).
    max_wait_days = models.PositiveSmallIntegerField(
        _("longest wait on the customer (days)"), default=DEFAULT_MAX_WAIT_DAYS
    )
    # Round robin remembers whom it gave the last case, so the next one goes to the following agent.
    last_assigned = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("case policy")
        verbose_name_plural = _("case policies")
        constraints = [
            models.CheckConstraint(condition=Q(assignment__in=AssignmentMode.values), name="casepolicy_mode_valid"),
            models.CheckConstraint(
                condition=Q(service_end__gt=F("service_start")), name="casepolicy_service_hours_ordered"
            ),
            models.CheckConstraint(
                condition=Q(max_wait_days__gte=1, max_wait_days__lte=30), name="casepolicy_max_wait_days_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.store)


class StoreClosure(models.Model):
    """Days a store is closed besides its weekly days off (a public holiday, the Spring Festival week): whole local days
    in its timezone, from the first to the last, both closed. No SLA clock runs on them (ADR 0035), except before the
    moment the closure was recorded: one recorded on or after its first day closes the store from then on (the hours
    worked that day were worked), and after the moment it was ended: one removed while under way (the store opened
    again early) is kept, ended then (`ended_at`, `ended_by`), since the days it closed were closed. Written by
    crm.services.closures, which refuses overlaps and counts open cases' deadlines again."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="closures")
    name = models.CharField(_("name"), max_length=100)
    first_day = models.DateField(_("first day closed"))
    last_day = models.DateField(_("last day closed"))
    # When it was recorded; empty for a closure recorded before this was kept (its days count whole, as they did).
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True, editable=False)
    # When it was removed while under way, and by whom: the store was open again from then on (ADR 0035).
    ended_at = models.DateTimeField(_("ended early at"), null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended early by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["store", "first_day"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="storeclosure_days_ordered",
                violation_error_message=_("A closure ends on or after its first day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.first_day}–{self.last_day})"


class SlaTarget(models.Model):
    """Working minutes to a first response and to resolution, per triage group and (optionally) source.

    An empty source is the group's target for every source without a target of its own.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="sla_targets")
    triage_group = models.CharField(_("triage group"), max_length=10, choices=TriageGroup.choices)
    source = models.CharField(_("source"), max_length=12, choices=CaseSource.choices, blank=True, default="")
    first_response_minutes = models.PositiveIntegerField(_("first response within (working minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (working minutes)"))

    class Meta:
        ordering = ["store", "triage_group", "source"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["store", "triage_group", "source"], name="slatarget_unique"),
            models.CheckConstraint(condition=Q(triage_group__in=TriageGroup.values), name="slatarget_group_valid"),
            models.CheckConstraint(
                condition=Q(source="") | Q(source__in=CaseSource.values), name="slatarget_source_valid"
            ),
            models.CheckConstraint(condition=Q(first_response_minutes__gt=0), name="slatarget_response_positive"),
            models.CheckConstraint(
                condition=Q(resolution_minutes__gte=F("first_response_minutes")),
                name="slatarget_resolution_after_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store.code} {self.triage_group}/{self.source or '*'}"


class RootCause(models.Model):
    """An entry of the store's list of root causes; a case is closed with one of its codes."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="root_causes")
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("label"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["store", "label"]
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")
        constraints = [models.UniqueConstraint(fields=["store", "code"], name="rootcause_unique_per_store")]

    def __str__(self) -> str:
        return self.label
