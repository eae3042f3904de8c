"""A delivery on its way to a FollowUp row, in plain values (planning 100,000 must stay cheap)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from callbacks.models import CHANNEL_RANK, FollowUp, FollowUpPolicy
from crm.models import Order, Store

Status, Reason = FollowUp.Status, FollowUp.SuppressedReason


@dataclass(slots=True)
class PlanCustomer:
    id: int
    dedicated_owner_id: int | None
    # The gate's answers for this customer's care contact (step 2); a refusal about the hour does not count.
    sms_allowed: bool = True
    sms_reason: str = ""
    call_reason: str = ""


@dataclass(slots=True)
class Plan:
    """One delivery on its way to a FollowUp row, in plain values: planning 100,000 must stay cheap."""

    order: Order
    customer: PlanCustomer
    store: Store
    policy: FollowUpPolicy
    closed: frozenset[date]  # the store's closures' local dates: no call is planned on them
    delivered_at: datetime
    # Windows are counted from here: the delivery, or the moment it was reported when that came later (an order
    # system that sends the day's deliveries overnight must not plan calls into an evening that is over).
    since: datetime
    amount: Decimal
    tier: str
    channel: str
    contact_day: date
    reason: str = ""
    merged_into_id: int | None = None  # an existing contact that stays
    merged_with: "Plan | None" = None  # a contact planned in this same call that wins
    replaces: list[int] = field(default_factory=list)  # existing, not yet started contacts this one supersedes
    due: tuple[datetime, datetime] | None = None  # the window its channel gives it (step 5), before capacity
    window: tuple[datetime, datetime] | None = None
    assignee_id: int | None = None
    overflowed: bool = False
    pk: int | None = None

    @property
    def rank(self) -> tuple[int, Decimal]:
        return CHANNEL_RANK[self.channel], self.amount

    def place(self, window: tuple[datetime, datetime], *, assignee_id: int | None = None, overflowed=False) -> None:
        self.window, self.assignee_id, self.overflowed = window, assignee_id, overflowed

    def merge(self, *, into: "Plan | FollowUp") -> None:
        """Suppressed as `merged` into the contact that stays: a plan of this call, or an existing row."""
        self.reason, self.assignee_id, self.overflowed = Reason.MERGED, None, False
        if isinstance(into, Plan):
            self.merged_with = into
        else:
            self.merged_into_id = into.pk

    def as_row(self, merged_into_id: int | None) -> dict:
        return {
            "store_id": self.store.pk, "customer_id": self.customer.id, "order_id": self.order.pk, "tier": self.tier,
            "channel": self.channel, "status": Status.SUPPRESSED if self.reason else Status.PLANNED,
            "suppressed_reason": self.reason, "contact_day": self.contact_day, "window_start": self.window[0],
            "window_end": self.window[1], "assignee_id": self.assignee_id, "overflowed": self.overflowed,
            "merged_into_id": merged_into_id,
        }  # fmt: skip
