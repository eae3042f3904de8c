from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.telephony.memory import InMemoryBackend
from crm.services.order_delivery import orders_mark_delivered


@pytest.fixture(autouse=True)
def _empty_outbox():
    InMemoryBackend.reset()
    yield
    InMemoryBackend.reset()


def local(store, *args) -> datetime:
    """An aware datetime at a wall-clock time in the store's timezone."""
    return datetime(*args, tzinfo=ZoneInfo(store.timezone))


def deliver(order, at: datetime, *, reported: datetime | None = None):
    """The delivery event, through the crm service the order API calls, reported at `reported` (by default as it
    happens, at `at`); returns the order's follow-up or None."""
    with time_machine.travel(reported or at, tick=False):
        orders_mark_delivered(deliveries=[(order, at)])
    return order.followups.first()


def midday_store(**kwargs):
    """A store whose local time is now around noon, so care SMS are due at once whatever the hour of the run."""
    from django.utils import timezone

    from tests.factories import StoreFactory

    offset = 12 - timezone.now().hour  # in -11..12; Etc/GMT signs are reversed
    return StoreFactory(timezone=f"Etc/GMT{-offset:+d}" if offset else "UTC", **kwargs)


def plan_due_sms(store, count: int, **customer):
    """`count` delivered mid-value orders of the store, each planned as a care SMS due now."""
    from decimal import Decimal

    from django.utils import timezone

    from callbacks.models import FollowUp
    from tests.factories import CustomerFactory, OrderFactory

    orders = [
        OrderFactory(customer=CustomerFactory(store=store, **customer), total_amount=Decimal("500.00"))
        for _ in range(count)
    ]
    orders_mark_delivered(deliveries=[(order, timezone.now()) for order in orders])
    return list(FollowUp.objects.filter(order__in=orders).order_by("id"))


@pytest.fixture
def within_call_hours():
    """Now is 10:00 in Shanghai (the factories' store zone): inside the store's default call hours, so the contact
    gate lets a click to call through whatever the hour of the run."""
    import time_machine

    with time_machine.travel(datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield
