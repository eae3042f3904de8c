"""An agent works the birthday gift tasks given to them: their own page lists them (every store they serve), and
they record the gift as sent. The store's gift list and everyone else's tasks stay the manager's."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import CustomerChange
from retention.models import GiftTask
from retention.services.gifts import gift_create
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory

from .helpers import open_store

pytestmark = pytest.mark.django_db


def _task(store, agent, *, name: str = "王芳", days: int = 7) -> GiftTask:
    customer = CustomerFactory(store=store, name=name)
    return GiftTask.objects.create(
        store=store, customer=customer, occasion_date=timezone.localdate() + timedelta(days=days), assignee=agent
    )


def _client(agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def _send(client, task, gift):
    return client.post(
        f"/retention/{task.store_id}/gifts/tasks/{task.pk}/send/", {f"t{task.pk}-gift": gift.pk, f"t{task.pk}-note": ""}
    )


def test_an_agent_sees_the_gift_tasks_given_to_them_and_records_one_as_sent():
    silk, jade = open_store(name="丝韵旗舰店"), open_store(name="玉石之家")
    lin = AgentFactory(stores=[silk, jade])
    scarf = gift_create(store=silk, name="真丝方巾")
    gift_create(store=jade, name="玉坠")
    mine, also_mine = _task(silk, lin, name="王芳"), _task(jade, lin, name="李娜")
    someone_elses = _task(silk, AgentFactory(stores=[silk]), name="赵敏")
    client = _client(lin)

    page = client.get("/retention/gift-tasks/").content.decode()
    assert "王芳" in page and "李娜" in page and "赵敏" not in page
    assert "丝韵旗舰店" in page and "玉石之家" in page
    # Each task offers its own store's gifts only.
    row = page[page.index(f'id="gift-task-{mine.pk}"') : page.index(f'id="gift-task-{also_mine.pk}"')]
    assert "真丝方巾" in row and "玉坠" not in row

    answer = _send(client, mine, scarf)
    assert answer.status_code == 200
    mine.refresh_from_db()
    assert (mine.status, mine.gift) == ("sent", scarf)
    assert CustomerChange.objects.get(customer=mine.customer, field="gift_sent").changed_by == lin.user
    assert GiftTask.objects.get(pk=someone_elses.pk).status == "open"


def test_another_agents_task_or_another_stores_is_not_found_and_stays_open():
    silk, jade = open_store(), open_store()
    lin, wu = AgentFactory(stores=[silk]), AgentFactory(stores=[silk])
    scarf = gift_create(store=silk, name="真丝方巾")
    wus_task = _task(silk, wu)
    outsider = AgentFactory(stores=[jade])
    outsiders_old_task = _task(silk, outsider)  # given before they left the store

    assert _send(_client(lin), wus_task, scarf).status_code == 404
    assert _send(_client(outsider), outsiders_old_task, scarf).status_code == 404
    assert "gift-task-" not in _client(outsider).get("/retention/gift-tasks/").content.decode()
    assert set(GiftTask.objects.values_list("status", flat=True)) == {"open"}
    # The store's gift list is still the manager's page.
    assert _client(lin).get(f"/retention/{silk.pk}/gifts/").status_code == 404


def test_the_manager_still_records_any_task_of_their_store():
    silk = open_store()
    scarf = gift_create(store=silk, name="真丝方巾")
    task = _task(silk, AgentFactory(stores=[silk]))
    assert _send(_client(ManagerFactory(stores=[silk])), task, scarf).status_code == 200
    task.refresh_from_db()
    assert task.status == "sent"


def test_the_agents_gift_page_costs_the_same_queries_however_many_tasks_and_stores():
    silk, jade = open_store(), open_store()
    lin = AgentFactory(stores=[silk, jade])
    for store in (silk, jade):
        gift_create(store=store, name=f"礼品{store.pk}")
    _task(silk, lin)
    client = _client(lin)
    with CaptureQueriesContext(connection) as few:
        client.get("/retention/gift-tasks/")
    for i in range(15):
        _task(silk, lin, days=3 + i % 5)
        _task(jade, lin, days=4 + i % 5)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/retention/gift-tasks/").content.decode()
    assert page.count('id="gift-task-') == 31
    # The second store's gift choices (a count and the rows, read once), whatever the number of tasks.
    assert len(many) == len(few) + 2


def test_a_gift_sent_refused_with_a_conflict_answers_409_not_400(monkeypatch):
    # The gift task's form answered every refusal of its service with 400, whatever the refusal's own status.
    from crm.errors import Conflict
    from retention.views import gifts as gift_views

    store = open_store()
    lin = AgentFactory(stores=[store])
    task = _task(store, lin)

    def changed(**_kwargs):
        raise Conflict(field="task")

    monkeypatch.setattr(gift_views, "gift_task_send", changed)
    answer = _send(_client(lin), task, gift_create(store=store, name="真丝方巾"))

    assert answer.status_code == 409
    assert f'id="gift-task-{task.pk}"' in answer.content.decode()


def test_recording_a_gift_task_already_closed_is_a_409_conflict_with_its_own_code():
    # "This gift task is already closed." was raised as invalid input (400): the form was right, the task's state
    # had moved on (a colleague recorded it, or the customer's wish cancelled it) meanwhile.
    from retention.services.gifts import gift_task_send

    store = open_store()
    lin = AgentFactory(stores=[store])
    task = _task(store, lin)
    scarf = gift_create(store=store, name="真丝方巾")
    client = _client(lin)
    assert _send(client, task, scarf).status_code == 200

    answer = _send(client, task, gift_create(store=store, name="茶具"))

    assert answer.status_code == 409
    page = answer.content.decode()
    assert f'id="gift-task-{task.pk}"' in page and "This gift task is already closed." in page
    task.refresh_from_db()
    assert (task.status, task.gift) == ("sent", scarf)
    from retention.errors import GiftTaskClosed

    with pytest.raises(GiftTaskClosed) as refused:
        gift_task_send(task=task, gift=scarf, actor=lin.user)
    assert (refused.value.code, refused.value.http_status, refused.value.field) == ("gift_task_closed", 409, "task")


def test_recording_a_gift_for_a_customer_who_asked_not_to_be_contacted_is_a_409_on_the_form():
    # "The customer asked not to be contacted" was answered as invalid input (400): the form was right, the customer's
    # wish had changed meanwhile, a conflict with their state like a closed task.
    from crm.models import Customer

    store = open_store()
    lin = AgentFactory(stores=[store])
    task = _task(store, lin)
    Customer.objects.filter(pk=task.customer_id).update(contact_preference="do_not_contact")

    answer = _send(_client(lin), task, gift_create(store=store, name="真丝方巾"))

    assert answer.status_code == 409
    page = answer.content.decode()
    assert f'id="gift-task-{task.pk}"' in page and "The customer asked not to be contacted: no gift is sent." in page
    task.refresh_from_db()
    assert (task.status, task.gift) == ("open", None)
