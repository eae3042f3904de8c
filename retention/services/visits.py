"""Return-visit calls (ADR 0024): a call campaign's contacts become call tasks in the agents' daytime queue, and
take back what came of them. There is no queue of retention's own: agents work these calls on the call panel.

- `campaign_call_tasks_create` (beat, every minute) claims due call rows that have no task yet (SKIP LOCKED) and
  creates each one's task through callbacks' `call_task_create`: purpose return visit, about the customer's
  latest order, due in the store's call hours today (tomorrow once today's are over; past the store's closures,
  `call_task_due_on`), the campaign's wording for
  the customer as the task's script, the row's assignee. `call_task_create` asks the contact gate (a return visit
  is marketing: consent, do not contact, no calls); a task the gate refuses leaves the row excluded with the
  gate's reason. A row holds its task (one to one), so a second sweep finds nothing left to do.
- `campaign_calls_withdrawn` receives callbacks' `call_tasks_withdrawn`: a return visit callbacks took back because the
  customer's wishes now refuse it (an opt-out reply, consent withdrawn, no calls) excludes its row with the gate's
  reason, as a stopped campaign's does, so the campaign page lists the call with why it was not made.
- `campaign_calls_past_their_end` receives callbacks' `store_hours_changed`, and ends a zone change
  (services.zone): a return visit that a closure (or new call hours, or a new time zone) moved to a day after its
  campaign's end is taken back (`past_campaign_end`), its row excluded with that reason: the offer and coupon it calls
  about run to the campaign's end (ADR 0035). Before new call hours or a closure are saved,
  `campaign_calls_would_pass_their_end` says how many it would take back, for the manager to confirm (ADR 0046).
- `campaign_call_outcome_record` receives callbacks' `followup_outcome_logged`: the outcome logged on the panel
  (or "missed", when nobody called in the task's window) lands on the row (its outcome, and its status once the
  task is closed), in the same transaction, where the campaign's results count it. What the outcome does to the
  customer (do not call again stops calls; a complaint opens a case) is done by callbacks' outcome service.
"""

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.models import (
    LIVE_STATUSES,
    ClosedUncalled,
    ClosedUnlogged,
    FollowUp,
    FollowUpPolicy,
    FollowUpPurpose,
    ReturnVisitOutcome,
)
from callbacks.services.policy import policy_for_store
from callbacks.services.tasks_calls import call_task_create, call_task_due_on, call_tasks_lock, call_tasks_withdraw
from crm.errors import InvalidInput
from crm.models import Agent, Customer, Order, Store
from crm.services.locks import customers_lock
from crm.timezones import store_local_datetime

from ..models import Campaign, CampaignChannel, CampaignContact, CampaignStatus, ContactStatus
from ..wording import campaign_offer_text, campaign_wording
from .plan import (
    CALL_WAITING,
    CAMPAIGN_ENDED,
    CAMPAIGN_STOPPED,
    NO_ORDER,
    PAST_CAMPAIGN_END,
    TASK_REFUSED,
    VISITED_TODAY,
)
from .replies import campaign_replies_latest

BATCH_SIZE = 200
# A closed return visit with one of these outcomes did not reach the customer: its campaign row failed.
NOT_REACHED = (ReturnVisitOutcome.NO_ANSWER, ClosedUncalled.MISSED)
# How long one sweep may keep claiming batches (beat runs it every minute).
TIME_BUDGET_SECONDS = 30.0


@dataclass
class CallTaskReport:
    created: int = 0
    excluded: int = 0

    def add(self, other: "CallTaskReport") -> None:
        self.created += other.created
        self.excluded += other.excluded


def _latest_orders(rows: list[CampaignContact]) -> dict[int, Order]:
    """{customer id: the customer's latest order} in two queries."""
    latest = Order.objects.filter(customer_id=OuterRef("pk")).order_by("-placed_at", "-pk").values("pk")[:1]
    ids = dict(
        Customer.objects.filter(pk__in={row.customer_id for row in rows})
        .annotate(latest=Subquery(latest))
        .filter(latest__isnull=False)
        .values_list("pk", "latest")
    )
    orders = Order.objects.in_bulk(set(ids.values()))
    return {customer_id: orders[order_id] for customer_id, order_id in ids.items()}


def _serving(rows: list[CampaignContact]) -> set[tuple[int, int]]:
    """(agent id, store id) pairs of the rows' assignees that still serve the row's store (and have not left: an
    agent who left keeps their stores, with their login switched off)."""
    agent_ids = {row.assignee_id for row in rows if row.assignee_id}
    if not agent_ids:
        return set()
    return set(
        Agent.stores.through.objects.filter(
            agent_id__in=agent_ids, store_id__in={row.store_id for row in rows}, agent__user__is_active=True
        ).values_list("agent_id", "store_id")
    )


def _note(campaign: Campaign, policy: FollowUpPolicy, coupon: str) -> str:
    parts = [_("Campaign “%(campaign)s”") % {"campaign": campaign.name}]
    offer = campaign_offer_text(campaign=campaign, policy=policy)
    if offer:
        parts.append(_("offer: %(offer)s") % {"offer": offer})
    if coupon:
        parts.append(_("coupon code %(code)s") % {"code": coupon})
    return " · ".join(parts)


def _visited_that_day(customer_id: int, *, order: Order, day) -> bool:
    """Whether the customer has a return-visit call that store-local day already (called, or to be called), other
    than the one still waiting about the same order (call_task_create hands that one back: `call_waiting`). Calls
    have no cap at the gate (ADR 0017); two campaigns are still one return visit a day at most."""
    same_day = FollowUp.objects.filter(
        customer_id=customer_id, purpose=FollowUpPurpose.RETURN_VISIT, contact_day=day
    ).exclude(status=FollowUp.Status.SUPPRESSED)
    return same_day.exclude(status__in=LIVE_STATUSES, order=order).exists()


def _exclude(row: CampaignContact, reason: str, report: CallTaskReport) -> None:
    row.status, row.excluded_reason = ContactStatus.SUPPRESSED, reason
    report.excluded += 1


def _task_for(
    row: CampaignContact,
    *,
    order: Order | None,
    policy: FollowUpPolicy,
    serving: set[tuple[int, int]],
    replies: dict[tuple[int, int], datetime],
    now: datetime,
    report: CallTaskReport,
) -> None:
    campaign, store = row.campaign, row.store
    due_on = call_task_due_on(store=store, now=now)
    if (
        campaign.status != CampaignStatus.RUNNING
        or now >= campaign.ends_at
        or store_local_datetime(store, due_on, policy.call_hours_from) >= campaign.ends_at
    ):
        return _exclude(row, CAMPAIGN_ENDED, report)
    if order is None:
        return _exclude(row, NO_ORDER, report)
    if _visited_that_day(row.customer_id, order=order, day=due_on):
        return _exclude(row, VISITED_TODAY, report)
    customer = row.customer
    customer.store = store
    try:
        task = call_task_create(
            order=order,
            customer=customer,
            purpose=FollowUpPurpose.RETURN_VISIT,
            due_on=due_on,
            note=_note(campaign, policy, row.coupon_code),
            script=campaign_wording(
                campaign=campaign, policy=policy, customer_id=customer.pk, name=customer.name, coupon=row.coupon_code
            ),
            assignee=row.assignee if (row.assignee_id, store.pk) in serving else None,
            replied_at=replies.get((store.pk, customer.pk)),
        )
    except InvalidInput:
        # Nothing was written (call_task_create validates first); a wording too long for a script, say.
        return _exclude(row, TASK_REFUSED, report)
    if CampaignContact.objects.filter(call_task=task).exists():
        # Another campaign's return visit about the same order is still waiting to be called: one call at a time.
        return _exclude(row, CALL_WAITING, report)
    # The call's time is its task's window, moved with the store's hours and zone (ADR 0029); not copied here.
    row.call_task = task
    if task.status == FollowUp.Status.SUPPRESSED:
        return _exclude(row, task.suppressed_reason, report)
    row.assignee_id = task.assignee_id
    report.created += 1
    return None


@transaction.atomic
def _sweep_batch(*, now: datetime, limit: int) -> tuple[CallTaskReport, int]:
    report = CallTaskReport()
    rows = list(
        CampaignContact.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=ContactStatus.PLANNED, channel=CampaignChannel.CALL, call_task__isnull=True, due_at__lte=now)
        .select_related("campaign", "store", "customer", "assignee")
        .order_by("due_at", "id")[:limit]
    )
    if not rows:
        return report, 0
    orders, serving = _latest_orders(rows), _serving(rows)
    replies = campaign_replies_latest(customer_ids={row.customer_id for row in rows})
    # Another sweep's rows (another campaign's, for the same customer) may ask for the same order's return visit:
    # the call tasks are asked for under their locks, all taken now.
    call_tasks_lock(keys=[(order.pk, FollowUpPurpose.RETURN_VISIT) for order in orders.values()])
    customers_lock(row.customer_id for row in rows)  # all at once, in id order, as call_task_create locks each
    policies: dict[int, FollowUpPolicy] = {}
    for row in rows:
        row.campaign.store = row.store
        policy = policies.get(row.store_id) or policies.setdefault(row.store_id, policy_for_store(store=row.store))
        order = orders.get(row.customer_id)
        _task_for(row, order=order, policy=policy, serving=serving, replies=replies, now=now, report=report)
        # One row at a time: a later row of the batch must see this row's task (two campaigns, one customer).
        row.save(update_fields=["status", "excluded_reason", "call_task", "assignee", "updated_at"])
    return report, len(rows)


def campaign_call_tasks_create(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, time_budget: float = TIME_BUDGET_SECONDS
) -> CallTaskReport:
    """Give every due call row of a running campaign its call task (or its reason for none), batch by batch, each
    batch in its own transaction, until none is due or the time budget is spent. Safe to run twice, and beside
    another sweep: a claimed row is skipped by the other, a row with a task is never claimed again."""
    report = CallTaskReport()
    stop_at = time.monotonic() + time_budget
    while True:
        batch, claimed = _sweep_batch(now=now or timezone.now(), limit=batch_size)
        report.add(batch)
        if claimed < batch_size or time.monotonic() >= stop_at:
            return report


def campaign_calls_withdrawn(sender, *, followups: list[FollowUp], **kwargs) -> None:
    """callbacks.signals.call_tasks_withdrawn: the rows still waiting on return visits callbacks took back are
    excluded with the task's reason, in its transaction (after the tasks, as the outcome service locks them)."""
    now = timezone.now()
    for followup in followups:
        if followup.purpose == FollowUpPurpose.RETURN_VISIT:
            CampaignContact.objects.filter(call_task=followup, status=ContactStatus.PLANNED).update(
                status=ContactStatus.SUPPRESSED, excluded_reason=followup.suppressed_reason, updated_at=now
            )


def _waiting_on_a_planned_call(store: Store):
    """The store's return-visit rows still waiting on a planned call task (one under way is left to finish)."""
    return CampaignContact.objects.filter(
        store=store, status=ContactStatus.PLANNED, call_task__status=FollowUp.Status.PLANNED
    )


def campaign_calls_past_their_end(*, store: Store, now: datetime) -> int:
    """The store's return visits waiting in the queue whose call now falls after their campaign's end (a closure, new
    call hours or a new time zone moved their task past it: ADR 0035, ADR 0029) are taken back, as a stopped
    campaign's are: the task suppressed as `past_campaign_end` (the call panel says so), its row excluded with that
    reason (the campaign page lists it). The campaign's offer and coupon run to its end; a call after it would offer
    what has ended, and the closure (or the zone's lost hours) leaves no open day before it to call on. Called in the
    transaction that moved the tasks; returns how many rows. A call under way is left to finish."""
    late = _waiting_on_a_planned_call(store).filter(call_task__window_start__gte=F("campaign__ends_at"))
    # The tasks before their rows, as the outcome service and campaign_stop lock them.
    withdrawn = call_tasks_withdraw(followup_ids=late.values_list("call_task_id", flat=True), reason=PAST_CAMPAIGN_END)
    return CampaignContact.objects.filter(call_task_id__in=withdrawn, status=ContactStatus.PLANNED).update(
        status=ContactStatus.SUPPRESSED, excluded_reason=PAST_CAMPAIGN_END, updated_at=now
    )


def campaign_calls_would_pass_their_end(
    *, store: Store, call_tasks_moved: dict[int, datetime], ends_moved: dict[int, datetime] | None = None
) -> list[tuple[Campaign, int]]:
    """What `campaign_calls_past_their_end` would take back once callbacks has moved the store's call tasks as
    `call_tasks_moved` says ({task id: its new window's start}; the others stay where they are), changing nothing: each
    campaign with return visits that would start at or after its end, and how many (ADR 0046). `ends_moved`: {campaign
    id: its end as a zone change would move it} (services.zone); the others end as stored."""
    ends_moved = ends_moved or {}
    rows = _waiting_on_a_planned_call(store).values_list(
        "campaign_id", "call_task_id", "call_task__window_start", "campaign__ends_at"
    )
    late = Counter(
        campaign_id
        for campaign_id, task_id, start, ends_at in rows.iterator()
        if call_tasks_moved.get(task_id, start) >= ends_moved.get(campaign_id, ends_at)
    )
    campaigns = Campaign.objects.in_bulk(list(late))
    return [(campaigns[pk], late[pk]) for pk in sorted(late)]


def campaign_call_outcome_record(sender, *, followup: FollowUp, attempt, **kwargs) -> None:
    """callbacks.signals.followup_outcome_logged: a return-visit task's outcome onto its campaign row.

    The row takes every outcome logged; it is done (reached: its time starts the attribution window) once the task
    is closed with an answer, failed once it is closed unanswered (no attempt left) or missed (nobody called in its
    window: no attempt at all, `attempt` is None), and waits while the task is planned again after no answer, unless
    its campaign was stopped meanwhile: that retry is withdrawn, and the row excluded as `campaign_stopped`. A task
    closed as not logged (called, but its agent logged nothing: no attempt either, ADR 0028) is done, called at its
    last call's start, as a campaign SMS sent is: the customer was contacted, the outcome is unknown; an outcome
    logged late then replaces it."""
    if followup.purpose != FollowUpPurpose.RETURN_VISIT:
        return
    row = CampaignContact.objects.select_for_update().filter(call_task=followup).first()
    if row is None:
        return  # a return-visit task another way than a campaign (none today), or a row since deleted
    row.outcome = followup.outcome  # the attempt's outcome, or "missed"
    fields = ["outcome", "updated_at"]
    # The campaign is read once the row is locked, not with it: a stop that committed meanwhile is seen
    # (campaign_stop's order).
    if (
        followup.status == FollowUp.Status.PLANNED
        and not Campaign.objects.filter(pk=row.campaign_id, status=CampaignStatus.RUNNING).exists()
    ):
        # A call under way when the campaign was stopped, unanswered: not tried again (campaign_stop).
        call_tasks_withdraw(followup_ids=[followup.pk], reason=CAMPAIGN_STOPPED)
        followup.status, followup.suppressed_reason = FollowUp.Status.SUPPRESSED, CAMPAIGN_STOPPED
        row.status, row.excluded_reason = ContactStatus.SUPPRESSED, CAMPAIGN_STOPPED
        fields += ["status", "excluded_reason"]
    if followup.status == FollowUp.Status.DONE:
        if followup.outcome == ClosedUnlogged.NOT_LOGGED:
            reached_at = followup.calls.exclude(provider_id="").order_by("-started_at").values("started_at")[:1]
            row.status, row.sent_at = ContactStatus.DONE, reached_at.get()["started_at"]
        else:
            reached = attempt is not None and followup.outcome not in NOT_REACHED
            row.status = ContactStatus.DONE if reached else ContactStatus.FAILED
            row.sent_at = attempt.at if reached else None
        fields += ["status", "sent_at"]
    row.save(update_fields=fields)
