"""Every page, HTMX and provider-hook address, sent PUT, PATCH or DELETE by the store's own agent and manager: 405 with
an Allow header that does not name the method; never the page with 200, never a 500, never a write. The pages take
GET and POST only (a probe's HEAD too); a browser never sends the others, so one that comes was crafted by hand. Each
view's method decorator (`require_GET`, `require_POST`, `require_http_methods`, `require_safe`) refuses it before
anything is looked up, so neither the role nor the store's scope answers first: 405 for every address, not a 403 or
404 that would hide a view without one.

Not swept: the token API (its own methods, tests/crm/api), Django's admin, and Django's own login, logout and
language views (Django decides their methods). The provider hooks take POST only (Twilio's callbacks and
Kuaidi100's and AfterShip's pushes are all sent as POST) and are swept with ids that name nothing."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm.models import Agent
from tests.factories import ManagerFactory

from .test_page_scoping import _targets, _writes, victim  # noqa: F401 -- victim is a fixture

pytestmark = pytest.mark.django_db

NOT_SWEPT = ("api/", "admin/", "accounts/", "i18n/")
METHODS = ("put", "patch", "delete")
ARGUMENT = re.compile(r"<(?:\w+:)?\w+>")


def _routes(patterns=None, prefix="", namespace=""):
    """(route, URL name or None, the names of its arguments) of every address but those not swept."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(NOT_SWEPT):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = namespace + pattern.name if pattern.name else None
            yield route, name, tuple(pattern.pattern.regex.groupindex)


def _urls(store) -> list[str]:
    """Each address, with the store's own objects in it (a provider hook's ids name nothing)."""
    targets = _targets(store, store)
    urls = set()
    for route, name, kwargs in _routes():
        if kwargs and name in targets:
            urls.update(reverse(name, kwargs=k) for k in targets[name])
        else:
            urls.add("/" + ARGUMENT.sub("1", route))
    return sorted(urls)


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_no_address_answers_put_patch_or_delete_with_its_page(client, victim, role):  # noqa: F811
    user = (
        Agent.objects.get(user__username="victim-agent").user
        if role == "agent"
        else ManagerFactory(user__username="victim-manager", stores=[victim]).user
    )
    client.force_login(user)
    failures = []
    for url in _urls(victim):
        for method in METHODS:
            with CaptureQueriesContext(connection) as queries:
                response = getattr(client, method)(f"{url}?store={victim.code}", "x=1")
            allowed = response.get("Allow", "")
            refused = response.status_code == 405 and allowed and method.upper() not in allowed
            if not refused or _writes(queries):
                failures.append((method.upper(), url, response.status_code, allowed, _writes(queries)))
    assert not failures, "\n".join(map(str, failures))
