"""What every page shares: the language picker and the 403 page."""

import re
from pathlib import Path

import pytest

from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_picker_names_each_language_in_itself(client, settings, language):
    settings.LANGUAGE_CODE = language
    page = client.get("/accounts/login/").text
    picker = page[page.index('name="language"') : page.index("</select>")]
    assert re.findall(r">([^<]+)</option>", picker) == ["简体中文", "English"]


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "This page is not open to your account"), ("zh-hans", "您的账号无权打开此页面")],
)
def test_an_agent_on_a_manager_s_page_gets_the_designed_403_page(client, settings, language, heading):
    settings.LANGUAGE_CODE = language
    agent = AgentFactory()
    client.force_login(agent.user)
    response = client.get("/manager/escalations/")
    assert response.status_code == 403
    page = response.text
    assert heading in page and 'data-testid="forbidden"' in page
    assert agent.user.username in page or agent.user.get_full_name() in page
    assert 'href="/"' in page  # a way back


def test_pages_name_the_apps_icon_and_favicon_ico_leads_to_it(client):
    """Chromium asked for /favicon.ico on every first page and logged a 404 in the console (found by the demo crawl):
    the pages name the app's icon, and /favicon.ico (asked by pages that name none: the admin's) leads to it."""
    from django.contrib.staticfiles import finders

    login = client.get("/accounts/login/").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in login
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"] == "/static/favicon.svg"
    icon = finders.find("favicon.svg")
    assert icon and Path(icon).read_text(encoding="utf-8").startswith("<svg")
