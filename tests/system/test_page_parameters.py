"""Every page a signed-in user can open without arguments, with garbage in every query parameter the pages read:
never a 500. PostgreSQL refuses a NUL character in any text it is handed, so a parameter passed on to a query
unchecked answers a 500; so does a number int() or the database cannot take."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db

# The query parameters the pages read (a page ignores the ones it does not know).
PARAMETERS = ["q", "store", "page", "status", "sla", "cause", "action", "start", "end", "sort", "channel", "kind",
              "tier", "segment", "group", "state", "outcome", "rule", "agent", "day", "date", "period", "language",
              "rating", "triage", "flag", "source", "batch", "template", "campaign", "order", "customer", "view",
              "tab", "severity", "filter", "o", "next"]  # fmt: skip
GARBAGE = ["\x00", "²", "9" * 30, "-1", "9999-12-31", "0001-01-01", "'\"<>", "%", "NaN"]


def _argument_free_paths(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.pattern.regex.groups == 0:
                yield from _argument_free_paths(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.pattern.regex.groups == 0:
            path = prefix + str(pattern.pattern)
            if not any(c in path for c in "^$<("):
                yield "/" + path


def _pages():
    # Not the API (its own tests), the providers' hooks (signed), the admin (Django's), nor /healthz (503 while no
    # worker beats, as here).
    skipped = ("/api/", "/hooks/", "/admin/", "/twilio/", "/healthz")
    return sorted(p for p in set(_argument_free_paths()) if not p.startswith(skipped))


@pytest.mark.parametrize("value", GARBAGE)
def test_no_page_answers_a_500_to_garbage_in_its_query_parameters(client, store, value):
    client.force_login(ManagerFactory(stores=[store]).user)
    failures = []
    # With the user's store named, a page reads the other parameters; with garbage for the store too, it must not
    # get as far as a query with it.
    for params in ({**dict.fromkeys(PARAMETERS, value), "store": store.code}, dict.fromkeys(PARAMETERS, value)):
        for path in _pages():
            response = client.get(path, params)
            if response.status_code >= 500:
                failures.append((path, params["store"]))
    assert not failures, failures
