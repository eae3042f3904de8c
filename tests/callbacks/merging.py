"""What the tests of merged orders (callbacks.services.merged) share: a Shanghai store's morning, one customer's
orders signed for in one batch, and their care contacts."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from callbacks.models import LIVE_STATUSES, FollowUp
from callbacks.services.dispatch import CARE_SMS, sweep
from crm.services.order_delivery import orders_mark_delivered
from tests.factories import OrderFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)  # inside the SMS hours (09:00-21:00), before the evening


def deliver(customer, *amounts: str) -> list[FollowUp]:
    """Orders of the customer signed for in the morning, in one batch; their care contacts, in the orders' order."""
    orders = [OrderFactory(customer=customer, total_amount=Decimal(amount)) for amount in amounts]
    orders_mark_delivered(deliveries=[(order, MORNING) for order in orders])
    return [FollowUp.objects.get(order=order) for order in orders]


def live(customer) -> list[FollowUp]:
    """The customer's live contacts, oldest first."""
    return list(customer.followups.filter(status__in=LIVE_STATUSES).order_by("pk"))


def fresh(*rows: FollowUp) -> list[FollowUp]:
    """The rows as the database holds them now."""
    for row in rows:
        row.refresh_from_db()
    return list(rows)


def during_the_claim(monkeypatch, meanwhile: Callable[[], None]) -> None:
    """The care SMS queue runs `meanwhile` once, right after its claim took rows: what happens while a contact is
    under way, before its request leaves (a delivery merged into it, a STOP)."""
    done = []

    def claim_then(**kwargs):
        claimed = CARE_SMS.claim(**kwargs)
        if claimed and not done:
            done.append(True)
            meanwhile()
        return claimed

    monkeypatch.setitem(sweep._queues, CARE_SMS.name, replace(CARE_SMS, claim=claim_then))
