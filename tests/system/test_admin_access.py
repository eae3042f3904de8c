"""Who reaches the Django admin: staff only, each model as far as their permissions go, and the admin's login is
locked after repeated failures like the site's (django-axes, ADR 0015)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from crm.models import ApiToken
from tests.factories import AgentFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def token(store, capsys):
    call_command("create_api_token", store.code)
    capsys.readouterr()
    return ApiToken.objects.get()


@pytest.mark.parametrize("make", [AgentFactory, ManagerFactory], ids=["agent", "manager"])
def test_agents_and_managers_are_sent_to_the_admin_login(store, make):
    client = _client_for(make(stores=[store]).user)

    for path in ("/admin/", "/admin/crm/customer/", "/admin/crm/auditlog/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/"), path


def test_staff_see_only_the_models_they_were_given(store, token):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    client = _client_for(user)

    assert client.get("/admin/crm/customer/").status_code == 403
    assert client.get("/admin/crm/auditlog/").status_code == 403
    assert client.get("/admin/crm/apitoken/").status_code == 200


def test_revoking_a_token_takes_the_permission_to_change_tokens(store, token):
    # The revoke action named no permission, so staff allowed only to look at the tokens could revoke them all,
    # cutting every connector off.
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_apitoken"))

    answer = _client_for(viewer).post("/admin/crm/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    token.refresh_from_db()
    assert token.revoked_at is None
    assert answer.status_code in (200, 302, 403)
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_apitoken", "change_apitoken"]))
    _client_for(editor).post("/admin/crm/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.fixture
def admin_login(settings, django_user_model):
    settings.AXES_FAILURE_LIMIT = 5
    user = django_user_model.objects.create_superuser("root", password="right-password")
    return user


def _admin_login(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_admin_login_is_locked_after_five_failures_like_the_site_s(admin_login):
    client = Client()
    answers = [_admin_login(client, "root", f"wrong-{n}").status_code for n in range(8)]
    assert answers[:4] == [200] * 4
    assert set(answers[5:]) == {429}

    locked = _admin_login(client, "root", "right-password")

    assert locked.status_code == 429 and int(locked["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session


def test_failures_on_the_site_s_login_lock_the_admin_s_too(admin_login):
    for n in range(5):
        Client().post("/accounts/login/", {"username": "root", "password": f"wrong-{n}"}, REMOTE_ADDR="198.51.100.9")

    assert _admin_login(Client(), "root", "right-password", address="192.0.2.1").status_code == 429
    assert _admin_login(Client(), "someone-else", "x", address="198.51.100.9").status_code == 429
