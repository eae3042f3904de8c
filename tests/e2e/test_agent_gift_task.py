"""An agent finds the birthday gift task given to them in a real browser, in Chinese, chooses a gift that does not
suit the customer (refused, with the reason) and then one that does, and records it as sent."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from retention.models import GiftTask
from retention.services.gifts import gift_create
from tests.e2e.conftest import login
from tests.factories import AgentFactory, CustomerFactory
from tests.retention.helpers import open_store

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_records_the_gift_of_a_task_given_to_them(new_page):
    store = open_store(name="丝韵旗舰店")
    lin = AgentFactory(user__username="lin", user__first_name="小林", stores=[store])
    customer = CustomerFactory(store=store, name="王芳", gender="female", birthday=date(1985, 3, 9))
    gift_create(store=store, name="男士领带", genders=["male"])
    gift_create(store=store, name="真丝方巾", genders=["female"])
    task = GiftTask.objects.create(
        store=store, customer=customer, occasion_date=timezone.localdate() + timedelta(days=7), assignee=lin
    )

    page = new_page(locale="zh-CN")
    login(page, "lin")
    page.get_by_test_id("nav-gift-tasks").click()
    row = page.locator(f"#gift-task-{task.pk}")
    expect(row).to_contain_text("王芳")
    expect(row).to_contain_text("丝韵旗舰店")

    row.locator("select").select_option(label="男士领带")
    row.get_by_role("button", name="记录为已寄出").click()
    expect(page.get_by_test_id("gift-error")).to_be_visible()
    task.refresh_from_db()
    assert task.status == "open"

    page.locator(f"#gift-task-{task.pk} select").select_option(label="真丝方巾")
    page.locator(f"#gift-task-{task.pk}").get_by_role("button", name="记录为已寄出").click()
    expect(page.locator(f"#gift-task-{task.pk} .badge")).to_contain_text("真丝方巾")
    task.refresh_from_db()
    assert (task.status, task.gift.name) == ("sent", "真丝方巾")
