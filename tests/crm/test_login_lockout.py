"""Login brute-force protection: a username and an address are locked after repeated failures, audited,
with a page that says when to try again; a locked attempt costs no password hashing."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from crm.models import AuditLog
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """The test suite's hasher, counting how often a password is checked (each check costs PBKDF2 in production)."""

    checks = 0

    def verify(self, password, encoded):
        CountingHasher.checks += 1
        return super().verify(password, encoded)


@pytest.fixture
def lin(settings):
    settings.PASSWORD_HASHERS = ["tests.crm.test_login_lockout.CountingHasher"]
    settings.AXES_FAILURE_LIMIT = 5
    agent = AgentFactory(user__username="lin")
    agent.user.set_password("right-password")
    agent.user.save()
    return agent.user


def _login(client: Client, username: str, password: str, address: str = "203.0.113.7", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def test_thirty_wrong_passwords_then_the_right_one_is_refused_with_when_to_retry(lin):
    client = Client()
    answers = [_login(client, "lin", f"wrong-{n}").status_code for n in range(30)]
    assert answers[:4] == [200] * 4  # the form again, with its error
    assert set(answers[5:]) == {429}

    response = _login(client, "lin", "right-password")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    text = response.content.decode()
    assert "Try again in 15 minutes, after" in text
    assert int(response["Retry-After"]) == 15 * 60


def test_a_locked_attempt_hashes_no_password(lin):
    client = Client()
    for n in range(5):
        _login(client, "lin", f"wrong-{n}")
    CountingHasher.checks = 0
    for n in range(20):
        _login(client, "lin", f"wrong-again-{n}")
    assert CountingHasher.checks == 0


def test_the_username_is_locked_from_every_address_and_the_address_for_every_username(lin):
    AgentFactory(user__username="zhou").user.set_password("x")
    for n in range(5):
        _login(Client(), "lin", f"wrong-{n}", address=f"198.51.100.{n}")
    assert _login(Client(), "lin", "right-password", address="192.0.2.1").status_code == 429
    for n in range(5):
        _login(Client(), f"guess-{n}", "wrong", address="203.0.113.99")
    assert _login(Client(), "zhou", "x", address="203.0.113.99").status_code == 429


def test_failures_and_lockouts_are_audited(lin):
    for n in range(6):
        _login(Client(), "lin", f"wrong-{n}")
    assert AccessFailureLog.objects.filter(username="lin").count() == 6
    assert AccessAttempt.objects.filter(username="lin").exists()
    locked = AuditLog.objects.filter(action="login_locked_out")
    assert locked.exists()
    assert locked.first().target == f"user:{lin.pk}"
    assert locked.first().data["ip_address"] == "203.0.113.7"


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(lin, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        _login(Client(), f"guess-{n}", "wrong", address="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.4, 198.51.100.{n}")
    # Each came through the proxy from another address: none of them, nor the proxy, is locked.
    response = _login(Client(), "lin", "right-password", address="10.0.0.1")
    assert response.status_code == 302, response.content.decode()[-1500:]


def test_the_api_authenticates_with_tokens_only_so_no_request_hashes_a_password(lin, client):
    from crm.services.api_tokens import api_token_create
    from tests.factories import StoreFactory

    _token, key = api_token_create(store_codes=[StoreFactory(code="s1").code], name="c")
    CountingHasher.checks = 0
    for header in ("Token wrong", f"Token {key}", "Basic bGluOndyb25n"):
        client.get("/api/v1/orders", headers={"Authorization": header})
    assert CountingHasher.checks == 0
