"""A manager's case policy changes: assignment and service hours, SLA targets, root causes, agents' shifts and
capacities, the agents' remedy limit. Each is validated whole (nothing half-written) and audited."""

from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import InvalidInput, NotFound
from crm.models import Agent, AgentStore, Case, CasePolicy, RootCause, SlaTarget, Store
from crm.validators import currency_code_problem

from .audit import audit_record
from .root_causes import DEFAULT_ROOT_CAUSES
from .service_time import WEEK
from .sla import cases_deadlines_recount

# A target longer than this (30 days of working minutes) is a typo, not a policy.
MAX_TARGET_MINUTES = 30 * 24 * 60
MAX_EVENING_CAPACITY = 200
MAX_REMEDY_LIMIT = Decimal("1000000")


@transaction.atomic
def case_policy_update(
    *,
    store: Store,
    actor,
    assignment: str,
    service_start: time,
    service_end: time,
    max_wait_days: int | None = None,
    days_off: list[int] | None = None,
) -> CasePolicy:
    """The store's assignment, service hours, weekly days off and longest wait on the customer (None: as it is).

    New service hours or days off take effect now: the ones they replace are kept on the policy, in force until now,
    and the open cases' deadlines still to come are counted again, in this transaction, each moment by the hours and
    days off in force then (the old ones before now, the new ones after); a deadline already passed stays as it was
    (ADR 0029, 0035). Audited."""
    if assignment not in CasePolicy.Assignment.values:
        raise InvalidInput(_("Choose round robin or least loaded."), field="assignment")
    if service_end <= service_start:
        raise InvalidInput(_("Service hours must end after they start."), field="service_end")
    if max_wait_days is not None and not 1 <= max_wait_days <= CasePolicy.MAX_WAIT_DAYS:
        raise InvalidInput(
            _("A case waits on the customer between 1 and %(max)s days.") % {"max": CasePolicy.MAX_WAIT_DAYS},
            field="max_wait_days",
        )
    if days_off is not None:
        days_off = days_off_check(days_off)
    policy = CasePolicy.objects.select_for_update().filter(store=store).first() or CasePolicy(store=store)
    before = _case_policy_text(policy)
    kept = calendar_of(policy)
    policy.assignment, policy.service_start, policy.service_end = assignment, service_start, service_end
    # Cases already waiting keep the end they were given; the next wait has the new one.
    if max_wait_days is not None:
        policy.max_wait_days = max_wait_days
    if days_off is not None:
        policy.days_off = days_off
    case_policy_save(policy=policy, kept=kept)
    after = _case_policy_text(policy)
    audit_record(
        actor=actor,
        action="case_policy_changed",
        store=store,
        target=store.code,
        data={"before": before, "after": after},
    )
    return policy


def calendar_of(policy: CasePolicy) -> dict[str, Any]:
    """The policy's service hours and days off, as `earlier_calendars` keeps them."""
    return {
        "service_start": policy.service_start.isoformat(),
        "service_end": policy.service_end.isoformat(),
        "days_off": sorted(policy.days_off),
    }


def case_policy_save(*, policy: CasePolicy, kept: dict[str, Any]) -> None:
    """Save the policy (its row locked by the caller). Where its service hours or days off differ from `kept`, the
    ones it had, `kept` joins its earlier calendars, in force until now, so the time before the change is counted as
    it was, and the open cases' deadlines still to come are counted again (ADR 0029, 0035). The policy page and the
    admin both save through here."""
    now = timezone.now()
    changed = calendar_of(policy) != kept
    if changed:
        policy.earlier_calendars = [*policy.earlier_calendars, {**kept, "until": now.isoformat()}]
    policy.save()
    if changed:
        cases_deadlines_recount(store=policy.store, now=now)


def days_off_check(days_off: list[int]) -> list[int]:
    """Weekdays (Monday = 0), sorted, once each; a store is open on at least one, or no SLA clock could ever run."""
    if not isinstance(days_off, list | tuple) or any(
        isinstance(day, bool) or not isinstance(day, int) or not 0 <= day < WEEK for day in days_off
    ):
        raise InvalidInput(_("Days off are days of the week, Monday to Sunday."), field="days_off")
    days = sorted(set(days_off))
    if len(days) == WEEK:
        raise InvalidInput(
            _("Keep the store open at least one day a week: SLA clocks count only open days."), field="days_off"
        )
    return days


def _case_policy_text(policy: CasePolicy) -> dict[str, Any]:
    return {
        "assignment": policy.assignment,
        "service_start": str(policy.service_start),
        "service_end": str(policy.service_end),
        "days_off": list(policy.days_off),
        "max_wait_days": policy.max_wait_days,
    }


@dataclass(frozen=True)
class SlaTargetIn:
    triage_group: str
    source: str  # "" for every source without its own target
    first_response_minutes: int
    resolution_minutes: int


def _check_target(index: int, target: SlaTargetIn) -> None:
    field = f"targets.{index}"
    if target.triage_group not in Case.TriageGroup.values:
        raise InvalidInput(_("Unknown triage group."), field=f"{field}.triage_group")
    if target.source and target.source not in Case.Source.values:
        raise InvalidInput(_("Unknown case source."), field=f"{field}.source")
    if not 0 < target.first_response_minutes <= MAX_TARGET_MINUTES:
        raise InvalidInput(
            _("A first-response target is between 1 and %(max)s minutes.") % {"max": MAX_TARGET_MINUTES},
            field=f"{field}.first_response_minutes",
        )
    if not target.first_response_minutes <= target.resolution_minutes <= MAX_TARGET_MINUTES:
        raise InvalidInput(
            _("Resolution cannot be due before the first response, nor after %(max)s minutes.")
            % {"max": MAX_TARGET_MINUTES},
            field=f"{field}.resolution_minutes",
        )


@transaction.atomic
def sla_targets_replace(*, store: Store, actor, targets: list[SlaTargetIn]) -> list[SlaTarget]:
    """The store's SLA targets become exactly these. Open cases keep their deadlines; new cases use these."""
    seen: set[tuple[str, str]] = set()
    for index, target in enumerate(targets):
        _check_target(index, target)
        key = (target.triage_group, target.source)
        if key in seen:
            raise InvalidInput(_("Two targets for the same group and source."), field=f"targets.{index}")
        seen.add(key)
    existing = SlaTarget.objects.select_for_update().filter(store=store)
    before = [_target_text(t) for t in existing]
    existing.delete()
    saved = SlaTarget.objects.bulk_create(SlaTarget(store=store, **target.__dict__) for target in targets)
    audit_record(
        actor=actor,
        action="sla_targets_changed",
        store=store,
        target=store.code,
        data={"before": before, "after": [_target_text(t) for t in saved]},
    )
    return saved


def _target_text(target: SlaTarget | SlaTargetIn) -> str:
    return f"{target.triage_group}/{target.source or '*'}: {target.first_response_minutes}/{target.resolution_minutes}"


@transaction.atomic
def root_cause_save(*, store: Store, actor, code: str, label: str, active: bool = True) -> RootCause:
    """Add or rename a root cause, or retire it (inactive: kept for old cases, not offered at close).

    The first change copies the default list into the store's own, so adding one cause does not drop the rest.
    """
    code, label = code.strip(), " ".join(label.split())
    if not code or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
        raise InvalidInput(_("A code is letters, digits, hyphens and underscores."), field="code")
    if not label:
        raise InvalidInput(_("A root cause needs a label."), field="label")
    if len(code) > 50 or len(label) > 100:
        raise InvalidInput(_("The code or label is too long."), field="label")
    if not RootCause.objects.select_for_update().filter(store=store).exists():
        RootCause.objects.bulk_create(
            RootCause(store=store, code=default_code, label=str(default_label))
            for default_code, default_label in DEFAULT_ROOT_CAUSES
        )
    cause, created = RootCause.objects.update_or_create(
        store=store, code=code, defaults={"label": label, "active": active}
    )
    if not RootCause.objects.filter(store=store, active=True).exists():
        raise InvalidInput(_("Keep at least one active root cause: a case cannot close without one."), field="active")
    audit_record(
        actor=actor,
        action="root_cause_added" if created else "root_cause_changed",
        store=store,
        target=code,
        data={"label": label, "active": active},
    )
    return cause


@transaction.atomic
def agent_shift_update(*, store: Store, actor, agent: Agent, on_shift: bool, evening_capacity: int) -> AgentStore:
    """Whether the agent is on shift in the store, and how many of its calls they take in an evening: the store's own
    (ADR 0045), so a manager changes it for the store they manage and the other stores the agent serves keep theirs.
    Audited."""
    membership = AgentStore.objects.select_for_update().filter(agent=agent, store=store).first()
    if membership is None:
        raise NotFound(_("This agent does not serve the store."), field="agent")
    if not 0 <= evening_capacity <= MAX_EVENING_CAPACITY:
        raise InvalidInput(
            _("An evening capacity is between 0 and %(max)s calls.") % {"max": MAX_EVENING_CAPACITY},
            field="evening_capacity",
        )
    before = {"on_shift": membership.on_shift, "evening_capacity": membership.evening_capacity}
    membership.on_shift, membership.evening_capacity = on_shift, evening_capacity
    membership.save(update_fields=["on_shift", "evening_capacity"])
    audit_record(
        actor=actor,
        action="agent_shift_changed",
        store=store,
        target=str(agent),
        data={"before": before, "after": {"on_shift": on_shift, "evening_capacity": evening_capacity}},
    )
    return membership


@transaction.atomic
def store_remedy_limit_update(*, store: Store, actor, limit: Decimal, currency: str | None = None) -> Store:
    """The most an agent may promise alone, in the store's currency (also its playbook's, and the remedies' of a case
    without an order: ADR 0036); remedies proposed afterwards above it wait for a manager. `currency` None keeps the
    store's. Audited."""
    if not Decimal("0") <= limit <= MAX_REMEDY_LIMIT:
        raise InvalidInput(
            _("The limit is between 0 and %(max)s.") % {"max": MAX_REMEDY_LIMIT}, field="agent_remedy_limit"
        )
    if currency is not None and (problem := currency_code_problem(currency)):
        raise InvalidInput(problem, field="currency")
    limit = limit.quantize(Decimal("0.01"))
    store = Store.objects.select_for_update().get(pk=store.pk)
    before: dict[str, Any] = {"agent_remedy_limit": str(store.agent_remedy_limit), "currency": store.currency}
    store.agent_remedy_limit, store.currency = limit, currency or store.currency
    store.save(update_fields=["agent_remedy_limit", "currency"])
    after = {"agent_remedy_limit": str(limit), "currency": store.currency}
    audit_record(
        actor=actor,
        action="remedy_limit_changed",
        store=store,
        target=store.code,
        data={"before": before, "after": after},
    )
    return store
