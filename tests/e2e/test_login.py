import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import AgentFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_logs_in_in_chinese_and_logs_out(new_page):
    AgentFactory(user__username="lin", stores=[StoreFactory(name="丝韵旗舰店")])
    page = new_page(locale="zh-CN")
    login(page, "lin")
    expect(page.locator("body")).to_contain_text("丝韵旗舰店")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()


def test_wrong_password_gets_a_clear_message(new_page):
    AgentFactory(user__username="lin")
    page = new_page(locale="en")
    page.goto("/accounts/login/")
    page.fill("#id_username", "lin")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    # The click posts the form: read the answer page once it has loaded (page.content() read mid-navigation is '').
    expect(page.locator(".login .error")).to_contain_text("didn't match")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
