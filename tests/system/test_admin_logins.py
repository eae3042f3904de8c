"""django-axes' records of logins in the admin (ADR 0015, 0033): found by a whole username or address, never with
LIKE '%q%' over tables that grow with every login; shown, not written; an attempt is still deleted to lift a lock."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import UserFactory
from tests.system.test_admin_scale import BUILDERS, LOGINS
from tests.system.test_admin_search import LIKE_ANYWHERE, _search

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", LOGINS, ids=lambda model: model.__name__)
def test_a_login_is_found_by_its_whole_username_or_address(admin_client, model):
    row, other = BUILDERS[model](), BUILDERS[model]()
    model.objects.filter(pk=other.pk).update(ip_address="2001:db8::7", user_agent=row.username)

    expected = {
        row.username: {row.pk},
        f" {row.ip_address} ": {row.pk},
        "2001:DB8::7": {other.pk},  # an address as written
        row.username[:-1]: set(),  # a part of a name: that reads every row
        "browser": set(),  # a user agent or a path is not searched
        "/admin/login/": set(),
        "not-an-address:": set(),  # neither a name nor an address: nothing found, not a 500
    }
    for term, rows in expected.items():
        found, queries = _search(admin_client, model, term)

        assert found == rows, term
        assert [sql for sql in queries if LIKE_ANYWHERE.search(sql)] == [], term


@pytest.mark.parametrize("model", LOGINS, ids=lambda model: model.__name__)
def test_a_login_s_record_is_shown_not_written(admin_client, model):
    row = BUILDERS[model]()
    url = f"/admin/axes/{model._meta.model_name}/"

    assert admin_client.get(f"{url}{row.pk}/change/").status_code == 200
    assert admin_client.post(f"{url}{row.pk}/change/", {"username": "someone-else"}).status_code == 403
    assert admin_client.get(f"{url}add/").status_code == 403
    row.refresh_from_db()
    assert row.username != "someone-else"
    if model is AccessAttempt:
        return  # deleted to lift a lock: below
    assert admin_client.post(f"{url}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(url, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert model.objects.filter(pk=row.pk).exists()


def test_deleting_a_locked_out_attempt_lets_the_user_sign_in_again(admin_client, settings, django_user_model):
    settings.AXES_FAILURE_LIMIT = 3
    django_user_model.objects.create_user("wang", password="right-password")
    for n in range(3):
        Client().post("/accounts/login/", {"username": "wang", "password": f"wrong-{n}"}, REMOTE_ADDR="203.0.113.9")
    assert AccessFailureLog.objects.filter(username="wang").count() == 3
    client = Client()
    login = {"username": "wang", "password": "right-password"}
    assert client.post("/accounts/login/", login, REMOTE_ADDR="203.0.113.9").status_code == 429
    failures = AccessFailureLog.objects.filter(username="wang").count()

    for attempt in AccessAttempt.objects.filter(username="wang"):
        answer = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
        assert answer.status_code == 302

    assert client.post("/accounts/login/", login, REMOTE_ADDR="203.0.113.9").status_code == 302
    assert "_auth_user_id" in client.session
    assert AccessFailureLog.objects.filter(username="wang").count() == failures  # the failures are kept
    assert AccessLog.objects.filter(username="wang").exists()


def test_staff_who_may_only_look_at_the_attempts_cannot_clean_them_up():
    # axes' action named no permission: whoever could see the list could delete what it calls expired.
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_accessattempt"))
    client = Client()
    client.force_login(viewer)  # a login cleans expired attempts up itself: the attempt is older afterwards
    attempt = BUILDERS[AccessAttempt]()
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - timedelta(days=1))

    client.post("/admin/axes/accessattempt/", {"action": "cleanup_expired_attempts", "_selected_action": [attempt.pk]})

    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


# -- a range of times on the logs that grow with every login (ADR 0033) ---------------------------------------------


def _since(days_ago: int, days: int) -> dict[str, str]:
    """As Django's date filter writes a range: from a midnight, aware, for so many days."""
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    return {"attempt_time__gte": str(since), "attempt_time__lt": str(since + timedelta(days=days))}


@pytest.mark.parametrize("model", [AccessFailureLog, AccessLog], ids=lambda model: model.__name__)
def test_a_range_of_times_on_a_login_log_is_read_as_a_range_of_its_keys(admin_client, model):
    # axes indexes no time: a range read over attempt_time was a sequential scan of every login ever kept (the
    # paginator's bounded count read the oldest rows first). A row's time is when it was written, so the keys grow
    # with it, and the range is a range of keys, found in the primary key's index.
    now = timezone.now()
    rows = [BUILDERS[model]() for _ in range(12)]
    for n, row in enumerate(rows):  # written a day apart, the oldest first
        model.objects.filter(pk=row.pk).update(attempt_time=now - timedelta(days=11 - n))
    model.objects.exclude(pk__in=[row.pk for row in rows]).delete()  # the admin's own login (AccessLog)
    url = f"/admin/axes/{model._meta.model_name}/"

    for days_ago, days, expected in ((0, 1, rows[-1:]), (6, 7, rows[-7:]), (9, 3, rows[2:5]), (30, 7, [])):
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(url, _since(days_ago, days))

        assert page.status_code == 200
        assert [row.pk for row in page.context["cl"].result_list] == [row.pk for row in reversed(expected)], days_ago
        by_time = re.compile(rf'"{model._meta.db_table}"\."attempt_time" [<>]')
        assert [q["sql"] for q in queries if by_time.search(q["sql"])] == [], days_ago
