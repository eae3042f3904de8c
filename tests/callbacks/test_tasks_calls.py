"""Call tasks: a daytime call another app asks for, kept beside the care contact, refused through the gate."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from callbacks.models import CallScript, FollowUp
from callbacks.services.tasks_calls import call_task_create
from crm.errors import InvalidInput
from tests.callbacks.conftest import deliver, local
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(timezone="Europe/Berlin")


@pytest.fixture(autouse=True)
def _morning(store):
    with time_machine.travel(local(store, 2026, 12, 4, 8, 0), tick=False):
        yield


def test_a_task_is_due_in_the_store_daytime_call_hours_with_its_note(store):
    agent = AgentFactory(stores=[store], on_shift=True)
    order = OrderFactory(customer=CustomerFactory(store=store))
    task = call_task_create(
        order=order, customer=order.customer, purpose="logistics", due_on=date(2026, 12, 4), note="Stalled 48 h"
    )
    assert (task.purpose, task.channel, task.status) == ("logistics", "call", "planned")
    assert task.window_start == local(store, 2026, 12, 4, 9, 0)
    assert task.window_end == local(store, 2026, 12, 4, 21, 0)
    assert task.assignee_id == agent.pk
    assert task.note == "Stalled 48 h"


def test_a_task_lives_beside_the_care_call_of_the_same_order_and_is_created_once(store):
    AgentFactory(stores=[store], on_shift=True)
    order = OrderFactory(customer=CustomerFactory(store=store), total_amount="1500.00")
    care = deliver(order, local(store, 2026, 12, 4, 8, 0))
    assert care.status == "planned"
    first = call_task_create(
        order=order, customer=order.customer, purpose="logistics", due_on=date(2026, 12, 4), note="a"
    )
    again = call_task_create(
        order=order, customer=order.customer, purpose="logistics", due_on=date(2026, 12, 5), note="b"
    )
    assert first.pk == again.pk
    assert FollowUp.objects.filter(order=order).count() == 2


def test_a_customer_who_may_not_be_called_gets_the_task_kept_suppressed_with_the_reason(store):
    order = OrderFactory(customer=CustomerFactory(store=store, contact_preference="no_calls"))
    task = call_task_create(
        order=order, customer=order.customer, purpose="logistics", due_on=date(2026, 12, 4), note=""
    )
    assert (task.status, task.suppressed_reason, task.assignee_id) == ("suppressed", "no_calls", None)


def test_a_return_visit_needs_marketing_consent(store):
    AgentFactory(stores=[store], on_shift=True)
    without = OrderFactory(customer=CustomerFactory(store=store))
    consented = OrderFactory(
        customer=CustomerFactory(
            store=store, marketing_consent_at=datetime(2026, 1, 1, tzinfo=UTC), marketing_consent_source="checkout"
        )
    )
    refused = call_task_create(
        order=without, customer=without.customer, purpose="return_visit", due_on=date(2026, 12, 4), note=""
    )
    planned = call_task_create(
        order=consented, customer=consented.customer, purpose="return_visit", due_on=date(2026, 12, 4), note=""
    )
    assert refused.suppressed_reason == "no_marketing_consent"
    assert planned.status == "planned"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": "care"}, "purpose"),
        ({"due_on": date(2026, 12, 3)}, "due_on"),
        ({"note": "x" * 2001}, "note"),
        ({"order": "other"}, "order"),
    ],
)
def test_bad_input_names_the_field(store, change, field):
    order = OrderFactory(customer=CustomerFactory(store=store))
    args = {"order": order, "customer": order.customer, "purpose": "logistics", "due_on": date(2026, 12, 4), "note": ""}
    if change.get("order") == "other":
        change = {"order": OrderFactory(customer=CustomerFactory(store=store))}
    with pytest.raises(InvalidInput) as error:
        call_task_create(**{**args, **change})
    assert error.value.field == field
    assert not FollowUp.objects.exists()


def test_due_today_is_the_store_local_today(store):
    # 23:30 UTC on the 3rd is already the 4th in Berlin: "today" is the store's.
    with time_machine.travel(datetime(2026, 12, 3, 23, 30, tzinfo=UTC) + timedelta(hours=0), tick=False):
        order = OrderFactory(customer=CustomerFactory(store=store))
        task = call_task_create(
            order=order, customer=order.customer, purpose="logistics", due_on=date(2026, 12, 4), note=""
        )
    assert task.contact_day == date(2026, 12, 4)


def test_a_call_task_before_delivery_does_not_stop_the_care_contact_being_planned(store):
    """A parcel at risk gets a call task in transit; its delivery still plans the care call (and merges nothing)."""
    AgentFactory(stores=[store], on_shift=True)
    order = OrderFactory(customer=CustomerFactory(store=store), total_amount="1500.00")
    task = call_task_create(
        order=order, customer=order.customer, purpose="logistics", due_on=date(2026, 12, 4), note=""
    )
    deliver(order, local(store, 2026, 12, 4, 8, 0))
    care = order.followups.get(purpose="care")
    assert care.purpose == "care" and care.status == "planned" and care.channel == "call"
    task.refresh_from_db()
    assert task.status == "planned" and task.merged_into_id is None


@pytest.mark.parametrize("store_script", [None, "{customer}您好，您的{product}今天已签收，一切都好吗？"])
def test_a_parcel_at_risk_without_its_own_script_is_not_read_the_care_script(client, store, store_script):
    """The care script (the store's or the default) says the goods were signed for: a parcel at risk has not arrived."""
    if store_script:
        CallScript.objects.create(store=store, body=store_script, updated_at=datetime.now(UTC))
    agent = AgentFactory(stores=[store], on_shift=True)
    tea = [{"sku": "T-1", "name": "普洱茶饼", "quantity": 1, "unit_price": "528.00"}]
    order = OrderFactory(customer=CustomerFactory(store=store, name="赵敏"), items=tea)
    task = call_task_create(
        order=order, customer=order.customer, purpose="logistics", due_on=date(2026, 12, 4), note="", assignee=agent
    )
    client.force_login(agent.user)
    script = _script_of(client.get(f"/calls/{task.pk}/", HTTP_ACCEPT_LANGUAGE="en").text)
    assert "taking longer with the courier" in script and "普洱茶饼" in script
    assert "signed for" not in script and "已签收" not in script
    zh = _script_of(client.get(f"/calls/{task.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").text)
    assert "赵敏" in zh and "快递" in zh and "签收" not in zh


def _script_of(page: str) -> str:
    return page.split('data-testid="script"', 1)[1].split("</div>", 1)[0]


def test_the_panel_of_a_call_task_shows_its_note_and_its_own_script(client, store):
    agent = AgentFactory(stores=[store], on_shift=True)
    order = OrderFactory(customer=CustomerFactory(store=store, name="赵敏"))
    task = call_task_create(
        order=order,
        customer=order.customer,
        purpose="logistics",
        due_on=date(2026, 12, 4),
        note="48 小时没有新的物流记录",
        script="{customer}您好，您的包裹在路上耽搁了，我们已经在跟进。",
        assignee=agent,
    )
    client.force_login(agent.user)
    panel = client.get(f"/calls/{task.pk}/").text
    assert "48 小时没有新的物流记录" in panel and "赵敏您好，您的包裹在路上耽搁了" in panel
