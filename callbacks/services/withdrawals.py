"""What new store hours would withdraw, asked before they are saved (ADR 0046).

New SMS hours withdraw the messages of running campaigns they leave no time for before the campaign ends (ADR 0044):
the policy page and the admin's policy form first say how many messages of which campaigns, and save only once the
manager confirms that number. The other apps answer through `signals.store_hours_would_withdraw`, computed as their
receivers of `store_hours_changed` would act on the new hours; callbacks knows no campaign.
"""

from dataclasses import dataclass
from datetime import datetime

from callbacks.errors import WithdrawalsNotConfirmed
from callbacks.models import FollowUpPolicy
from callbacks.signals import store_hours_would_withdraw
from crm.models import Store

from .replan import policy_clock_changed


@dataclass(frozen=True)
class MessagesWithdrawn:
    """`count` messages of `what` (a campaign's name) that new hours would withdraw."""

    what: str
    count: int


def policy_withdrawals(
    *, store: Store, was: FollowUpPolicy, policy: FollowUpPolicy, now: datetime
) -> list[MessagesWithdrawn]:
    """What saving `policy` (`was` before it) would withdraw, as the other apps answer; nothing when it moves no hours
    (then `store_hours_changed` is not sent either)."""
    if not policy_clock_changed(was=was, policy=policy):
        return []
    answers = store_hours_would_withdraw.send(sender=FollowUpPolicy, store=store, policy=policy, now=now)
    return [found for _receiver, withdrawn in answers for found in withdrawn if found.count]


def policy_withdrawals_check(
    *, store: Store, was: FollowUpPolicy, policy: FollowUpPolicy, now: datetime, confirmed: int | None
) -> int:
    """Raise WithdrawalsNotConfirmed (naming the campaigns and their counts) unless the manager confirmed at least as
    many messages as saving `policy` would withdraw: a confirmation is for what was shown, and a campaign started since
    (more messages) asks again. Returns how many it withdraws."""
    withdrawn = policy_withdrawals(store=store, was=was, policy=policy, now=now)
    total = sum(found.count for found in withdrawn)
    if total > (confirmed or 0):
        raise WithdrawalsNotConfirmed(withdrawn=[(found.what, found.count) for found in withdrawn])
    return total
