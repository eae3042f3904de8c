"""Django's own error pages say "Not Found" and "Server Error (500)" in English whatever the reader's language;
ours say it in the reader's language."""

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_a_page_that_is_not_there_says_so_in_chinese(client, store):
    client.force_login(AgentFactory(stores=[store]).user)
    client.cookies["django_language"] = "zh-hans"
    for url in ("/no-such-page/", "/letters/inserts/", "/cases/999999999/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Not Found" not in response.text
        assert "找不到这个页面" in response.text


def test_a_page_that_is_not_there_says_so_in_english_on_request(client, store):
    client.force_login(AgentFactory(stores=[store]).user)
    client.cookies["django_language"] = "en"
    assert "This page cannot be found" in client.get("/no-such-page/").text


@pytest.mark.parametrize("view, status", [(defaults.server_error, 500), (defaults.bad_request, 400)])
def test_a_server_error_and_a_bad_request_are_told_in_chinese(view, status):
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        response = view(request) if status == 500 else view(request, exception=None)
    assert response.status_code == status
    text = response.content.decode()
    assert "Server Error" not in text and "Bad Request" not in text
    assert "出错" in text or "无法处理" in text
