import pytest
from django.core.management import call_command

from crm.models import Agent, Customer, Order, Store, WorkerHeartbeat
from crm.tasks import heartbeat

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Store, Customer, Order, Agent)]


def test_demo_data_covers_every_tier_and_loads_only_once():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert len({s.timezone for s in Store.objects.all()}) >= 3
    assert len({s.platform for s in Store.objects.all()}) >= 3
    amounts = set(Order.objects.values_list("total_amount", flat=True))
    assert min(amounts) < 300 and any(300 <= a < 1000 for a in amounts) and max(amounts) >= 2000
    assert Order.objects.filter(status=Order.Status.DELIVERED, delivered_at__isnull=False).exists()
    assert Customer.objects.exclude(personality_type="").exists()


def test_heartbeat_task_records_each_run():
    heartbeat()
    heartbeat()
    beat = WorkerHeartbeat.objects.get(name="worker")
    assert beat.runs == 2
