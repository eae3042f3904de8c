"""What new store hours, a new closure or a new time zone would withdraw, asked before they are saved (ADR 0046).

New hours withdraw the messages of running campaigns they leave no time for before the campaign ends (ADR 0044); new
call hours and a closure move call tasks, and a return visit moved past its campaign's end is taken back (ADR 0035).
The policy page, the closures on it and the admin first say how many messages and calls of which campaigns, and save
only once the manager confirms that number (`crm.withdrawals`). callbacks knows no campaign: it places its planned
call tasks by the new clock without writing them (`replan.call_tasks_replanned`, the placement the change itself
makes) and asks the other apps through `signals.store_hours_would_withdraw`, which they answer as their receivers of
`store_hours_changed` would act after the change.

A new time zone (ADR 0029) is asked about by crm (`crm.signals.store_timezone_would_withdraw`), which the apps answer
as their receivers of `store_timezone_changed` would act, asking here where the call tasks would go
(`zone_call_tasks_moved`).
"""

from dataclasses import replace
from datetime import date, datetime, timedelta

from callbacks.models import FollowUpPolicy
from callbacks.signals import store_hours_would_withdraw
from crm.models import Store
from crm.withdrawals import ContactsWithdrawn, withdrawals_answered, withdrawals_check

from .replan import Clock, call_tasks_replanned, closed_days, policy_clock_changed


def _hours_withdrawals(*, store: Store, before: Clock, after: Clock, now: datetime) -> list[ContactsWithdrawn]:
    """What the apps would withdraw once the store's contacts are placed by `after` (its policy and closures)."""
    moved = call_tasks_replanned(store=store, before=before, after=after, now=now)
    answers = store_hours_would_withdraw.send(
        sender=FollowUpPolicy, store=store, policy=after.policy, now=now, call_tasks_moved=moved
    )
    return withdrawals_answered(answers)


def policy_withdrawals(
    *, store: Store, was: FollowUpPolicy, policy: FollowUpPolicy, now: datetime
) -> list[ContactsWithdrawn]:
    """What saving `policy` (`was` before it) would withdraw, as the other apps answer; nothing when it moves no hours
    (then `store_hours_changed` is not sent either)."""
    if not policy_clock_changed(was=was, policy=policy):
        return []
    closed = closed_days(store=store, now=now)
    return _hours_withdrawals(
        store=store, before=Clock(store, was, closed), after=Clock(store, policy, closed), now=now
    )


def policy_withdrawals_check(
    *, store: Store, was: FollowUpPolicy, policy: FollowUpPolicy, now: datetime, confirmed: int | None
) -> int:
    """Raise WithdrawalsNotConfirmed unless the manager confirmed at least as many contacts as saving `policy` would
    withdraw (`crm.withdrawals.withdrawals_check`). Returns how many it withdraws."""
    return withdrawals_check(
        withdrawn=policy_withdrawals(store=store, was=was, policy=policy, now=now), confirmed=confirmed
    )


def closure_withdrawals(
    sender, *, store: Store, first_day: date, last_day: date, now: datetime, **_kwargs
) -> list[ContactsWithdrawn]:
    """crm.signals.store_closure_would_withdraw: what recording a closure from `first_day` to `last_day` would withdraw,
    its days closed as recording it closes them (`replan.followups_follow_closures`)."""
    clock = Clock.now_of(store)
    days = frozenset(first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1))
    after = replace(clock, closed=closed_days(store=store, now=now) | days)
    return _hours_withdrawals(store=store, before=clock, after=after, now=now)


def zone_call_tasks_moved(*, store: Store, zone: str, now: datetime) -> dict[int, datetime]:
    """Where moving the store (in its zone as stored) to `zone` would place its planned call tasks still to come:
    {task id: its new window's start}, for those that would move, nothing written. The clocks the zone change's
    re-planning places them by (`receivers.replan_in_the_new_zone`): the policy as it is, in the new zone, with the
    closures' days. Asked by the apps that take back call tasks a zone change moves past their end (retention, on
    `crm.signals.store_timezone_would_withdraw`, ADR 0046)."""
    before = Clock.now_of(store)
    after = Clock.in_zone(store, zone)
    after = replace(after, closed=closed_days(store=after.store, now=now, unsaved=True))
    return call_tasks_replanned(store=store, before=before, after=after, now=now)
