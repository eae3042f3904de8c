import pytest

pytestmark = pytest.mark.django_db


def test_login_page_speaks_chinese_by_default_and_english_on_request(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert "登录" in client.get("/accounts/login/").text
    assert "Log in" in client.get("/accounts/login/", headers={"accept-language": "en"}).text
    assert "登录" in client.get("/accounts/login/", headers={"accept-language": "zh-CN,zh;q=0.9"}).text


def test_home_shows_each_store_in_its_own_local_time(client):
    from datetime import UTC, datetime

    import time_machine

    from tests.factories import AgentFactory, StoreFactory

    berlin = StoreFactory(timezone="Europe/Berlin", name="Berlin shop")
    agent = AgentFactory(stores=[berlin, StoreFactory(timezone="Asia/Shanghai")])
    client.force_login(agent.user)
    with time_machine.travel(datetime(2026, 11, 23, 12, 0, tzinfo=UTC), tick=False):
        page = client.get("/").text
    assert "2026-11-23 13:00 (Europe/Berlin)" in page
    assert "2026-11-23 20:00 (Asia/Shanghai)" in page


def test_health_reports_the_last_worker_heartbeat(client):
    from crm.tasks import heartbeat

    assert client.get("/healthz").json()["worker_heartbeat"] is None
    heartbeat()
    assert client.get("/healthz").json()["worker_heartbeat"]["runs"] == 1


def test_the_chinese_catalog_translates_each_message_once():
    # Catalogs merge by union (.gitattributes), so two branches adding one message leave it twice, possibly with
    # two translations; compile_messages keeps the first, and this keeps the file honest.
    from collections import Counter
    from pathlib import Path

    import polib

    catalog = polib.pofile(str(Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"))
    repeated = [key for key, n in Counter((e.msgctxt, e.msgid) for e in catalog).items() if n > 1]
    assert repeated == []
    assert not [e.msgid for e in catalog if not e.msgstr and not e.msgstr_plural and not e.obsolete]
