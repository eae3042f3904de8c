"""The production configuration: Django's deployment checklist, the API schema without warnings, Flower's login,
and who may read the API docs."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.test import Client

from tests.factories import AgentFactory
from tests.system.procs import ROOT, clean_env


def _production_env(**overrides: str) -> dict[str, str]:
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL="sqlite:///:memory:",
        ALLOWED_HOSTS="crm.example.com",
        SECRET_KEY=secrets.token_urlsafe(50),
        **overrides,
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests set it in this process; production never does
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_https_redirect_and_hsts_follow_the_environment():
    env = _production_env(SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="300")
    code = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
    result = _manage("shell", "-c", code, env=env)
    assert result.stdout.split()[-2:] == ["False", "300"], result.stderr


def test_the_api_schema_has_no_warnings():
    result = _manage("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull, env=_production_env())
    assert result.returncode == 0, result.stderr


def test_env_example_lists_every_variable_the_app_reads():
    """Settings, apps, `make run`'s launcher and bin/start: every variable read is documented in .env.example."""
    read = re.compile(
        r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']|os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    sources = [
        path
        for path in ROOT.glob("*/**/*.py")
        if path.parts[len(ROOT.parts)] not in {"tests", "bench", "devtools", ".venv", "var"}
        and "migrations" not in path.parts
    ]
    names = {
        name
        for path in [*sources, ROOT / "devtools/run_embedded.py"]
        for m in read.finditer(path.read_text())
        for name in m.groups()
        if name
    }
    names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", (ROOT / "bin/start").read_text()))
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert names - {"DJANGO_ALLOW_ASYNC_UNSAFE"} <= documented, sorted(names - documented)


def test_flower_refuses_to_start_without_a_login():
    env = clean_env(PYTHON=sys.executable, FLOWER_BASIC_AUTH="")
    result = subprocess.run([str(ROOT / "bin/start"), "flower"], cwd=ROOT, env=env, capture_output=True, timeout=60)
    assert result.returncode == 2 and b"FLOWER_BASIC_AUTH is required" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs", "/api/schema"])
def test_api_docs_are_public_or_staff_only_as_set(settings, path, admin_user):
    settings.API_DOCS_PUBLIC = True
    assert Client().get(path).status_code == 200
    settings.API_DOCS_PUBLIC = False
    assert Client().get(path).status_code == 403
    agent = Client()
    agent.force_login(AgentFactory().user)
    assert agent.get(path).status_code == 403
    staff = Client()
    staff.force_login(admin_user)
    assert staff.get(path).status_code == 200


@pytest.mark.django_db
def test_swagger_ui_is_served_from_our_own_static_files(client):
    html = client.get("/api/docs").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "<script>" not in html  # the start-up script is a file too
