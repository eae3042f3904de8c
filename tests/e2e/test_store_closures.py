"""A store manager, in Chinese, closes the store on Sundays and records the Spring Festival on the policy page in a real
browser (ADR 0035): an overlapping closure is refused next to its date, an open case's deadline moves past the
closure, and a care call planned on one of its evenings moves to the first evening after it."""

from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from crm.models import Case, CasePolicy, StoreClosure
from crm.services.cases import case_open
from crm.timezones import store_local_datetime, store_today
from tests.e2e.conftest import login, screenshot
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, ManagerFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_closes_sundays_and_the_festival_and_an_open_deadline_moves_past_it(new_page):
    store = StoreFactory(name="丝韵旗舰店", code="silk", timezone="Asia/Shanghai")
    ManagerFactory(stores=[store], user__username="wang")
    case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.REVIEW)
    today = store_today(store)
    first, last = today, today + timedelta(days=6)
    evening = today + timedelta(days=1)  # inside the closure whatever the hour of the run
    call = FollowUpFactory(
        order__customer__store=store, assignee=AgentFactory(stores=[store]), contact_day=evening,
        window_start=store_local_datetime(store, evening, time(18)),
        window_end=store_local_datetime(store, evening, time(19)),
    )  # fmt: skip

    page = new_page("zh-CN")
    login(page, "wang")
    page.goto("/manager/policy/?store=silk")
    cases = page.get_by_test_id("policy-cases")
    cases.locator("input[name=days_off][value='6']").check()
    cases.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.get_by_test_id("policy-cases").locator("input[name=days_off][value='6']")).to_be_checked()
    assert CasePolicy.objects.get(store=store).days_off == [6]

    closures = page.get_by_test_id("policy-closures")
    closures.locator("input[name=name]").fill("春节")
    closures.locator("input[name=first_day]").fill(first.isoformat())
    closures.locator("input[name=last_day]").fill(last.isoformat())
    closures.locator("button.primary").click()
    expect(page.get_by_test_id("closures")).to_contain_text("春节")
    expect(page.get_by_test_id("policy-closures")).to_contain_text("休息日内也不打电话")
    call.refresh_from_db()
    assert call.window_start == store_local_datetime(store, last + timedelta(days=1), time(18))

    closures = page.get_by_test_id("policy-closures")
    closures.locator("input[name=name]").fill("元宵节")
    closures.locator("input[name=first_day]").fill(last.isoformat())
    closures.locator("input[name=last_day]").fill((last + timedelta(days=1)).isoformat())
    closures.locator("button.primary").click()
    expect(page.get_by_test_id("policy-closures").locator(".error")).to_contain_text("重叠")
    assert list(StoreClosure.objects.values_list("name", flat=True)) == ["春节"]
    screenshot(page, "policy-closures-zh")

    case.refresh_from_db()
    assert case.first_response_due >= store_local_datetime(store, last + timedelta(days=1), time(9))
