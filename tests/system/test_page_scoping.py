"""Every page and HTMX address that names an object, opened (GET and POST) with the ids of another store's objects,
by an agent and by a manager of a store that is not theirs: refused (404, 403, a redirect), never a write, never
a name of the other store's on the answer. Logged out, every page sends to the login page. An agent of the store
cannot reach what only its managers may do. Every page without arguments, with ?store= (and a form's store)
naming another store, shows none of it.

The demo's three stores hold something of every kind; the attackers serve a fourth store of their own. A
store-scoped address (`/retention/<store_id>/...`) is also tried with the attacker's own store and the other
store's object under it. An address added to a URL conf must be given its targets here (the first test says
which), so no page escapes the sweep."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from callbacks.models import CaseCall, FollowUp
from callbacks.services.case_calls import case_call_open
from crm.casework import case_kind_for
from crm.models import Agent, Case, CaseEvidence, Customer, Remedy, Store, StoreClosure
from crm.services.casework import evidence_add
from letters.models import Letter, LetterTemplate, ParcelInsert, PrintBatch
from logistics.models import Shipment
from reports.metrics import SECTIONS as REPORT_SECTIONS
from reports.views.policy import SECTIONS as POLICY_SECTIONS
from retention.models import Campaign, GiftTask, Segment
from reviews.models import KeywordMonitor, ReplyTemplate, Review
from tests.factories import AgentFactory, ManagerFactory, StoreFactory
from tests.images import PNG

pytestmark = pytest.mark.django_db

# Signed provider hooks (tests/callbacks/test_webhooks.py, tests/logistics, tests/retention), the token API
# (tests/crm/api), Django's own admin and auth views.
SKIPPED = ("api/", "hooks/", "twilio/", "admin/", "i18n/", "accounts/", "retention/twilio/")
# Whatever a form might read, filled in: the view must refuse before it gets as far as the form.
PAYLOAD = {
    "reason": "x",
    "note": "x",
    "text": "x",
    "phrase": "x",
    "reference": "x",
    "via": "phone",
    "kind": "refund",
    "cost": "10",
    "decision": "refund",
    "outcome": "satisfied",
    "expected_seq": "1",
    "body": "x",
    "name": "x",
    "phone": "+8613800000000",
    "posted": "on",
    "causes": "quality",
    "root_cause": "quality",
    "offered": "x",
    "override": "1",
    "replace": "1",
}
# A refusal: a redirect (to the login page, or back with a message), 403, 404, a wrong method, or 400 for a store
# named in a form or ?store= that is not the user's (its field's error, on the user's own page).
REFUSED = (302, 400, 403, 404, 405)
# Statements a refused request may still run: the session and the login lockout's own bookkeeping.
ALLOWED_WRITES = re.compile(r'^(INSERT INTO|UPDATE|DELETE FROM) "(django_session|axes_\w+)"')
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _patterns(patterns=None, prefix="", namespace=""):
    """(route, URL name, the names of its arguments) of every page address."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(SKIPPED):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, namespace + pattern.name, tuple(pattern.pattern.regex.groupindex)


def _named_patterns():
    return [p for p in _patterns() if p[2]]


@pytest.fixture
def victim(settings, tmp_path):
    """The demo's stores (the customers' photos stored under the test's own folder), plus what the demo does not make:
    a case call, an evidence photo on the case below, a reply template."""
    settings.MEDIA_ROOT = tmp_path
    for command in (
        "seed_demo",
        "seed_demo_reviews",
        "seed_demo_retention",
        "seed_demo_cases",
        "seed_demo_letters",
        "seed_demo_logistics",
        "seed_demo_callbacks",
    ):
        call_command(command, verbosity=0)
    store = Store.objects.get(code="silk-tmall")
    agent = AgentFactory(user__username="victim-agent", stores=[store])
    case = Case.objects.filter(store=store, closed_at__isnull=True).order_by("pk").first()
    case_call_open(case=case, agent=agent)
    evidence_add(case=case, actor=agent.user, photo=SimpleUploadedFile("p.png", PNG, "image/png"), caption="x")
    ReplyTemplate.objects.create(store=store, part="body", text="x")
    today = timezone.localdate()
    StoreClosure.objects.create(store=store, name="x", first_day=today, last_day=today + timedelta(days=3))
    Remedy.objects.create(
        case=case,
        kind="refund",
        cost=Decimal("5000"),
        status=Remedy.Status.AWAITING_APPROVAL,
        proposed_by=agent,
        proposed_at=timezone.now(),
    )
    return store


def _targets(victim: Store, own: Store) -> dict[str, list[dict]]:
    """For each URL name, the kwargs that name the victim's objects."""
    case = Case.objects.filter(store=victim, closed_at__isnull=True).order_by("pk").first()
    remedy = Remedy.objects.filter(case__store=victim).order_by("pk").first()
    followup = FollowUp.objects.filter(store=victim, channel__in=["call", "owner"]).first()
    case_call = CaseCall.objects.filter(store=victim).first()
    review = Review.objects.filter(store=victim, case__isnull=False).first()
    one = {
        "case_id": case.pk,
        "evidence_id": CaseEvidence.objects.get(case__store=victim, added_by__username="victim-agent").pk,
        "customer_id": Customer.objects.filter(store=victim).first().pk,
        "batch_id": PrintBatch.objects.filter(store=victim).first().pk,
        "letter_id": Letter.objects.filter(store=victim, status=Letter.Status.LETTER).first().pk,
        "shipment_id": Shipment.objects.filter(store=victim).first().pk,
        "agent_id": Agent.objects.get(user__username="victim-agent").pk,
        "insert_id": ParcelInsert.objects.filter(store=victim).first().pk,
        "closure_id": StoreClosure.objects.filter(store=victim).first().pk,
        # The demo's review made worse after its case closed: a manager of another store may not mark it seen.
        "review_id": Review.objects.filter(store=victim, revisions__isnull=False).first().pk,
    }
    steps = [{"case_id": case.pk, "step": spec.code} for spec in case_kind_for(case=case).steps]
    remedies = [{"case_id": remedy.case_id, "remedy_id": remedy.pk}, {"case_id": case.pk, "remedy_id": remedy.pk}]
    by_store = {
        "segment_id": Segment.objects.filter(store=victim).first().pk,
        "campaign_id": Campaign.objects.filter(store=victim).first().pk,
        "task_id": GiftTask.objects.filter(store=victim).first().pk,
        "monitor_id": KeywordMonitor.objects.filter(store=victim).first().pk,
        "template_id": ReplyTemplate.objects.filter(store=victim).first().pk,
    }
    targets: dict[str, list[dict]] = {}
    for _route, name, kwargs in _named_patterns():
        if name == "cases:step":
            targets[name] = steps
        elif kwargs == ("case_id", "remedy_id"):
            targets[name] = remedies
        elif name.startswith("callbacks:case-call") and kwargs == ("pk",):
            targets[name] = [{"pk": case_call.pk}]
        elif name.startswith("callbacks:") and kwargs == ("pk",):
            targets[name] = [{"pk": followup.pk}]
        elif name.startswith("reviews:") and kwargs == ("pk",):
            targets[name] = [{"pk": review.pk}]
        elif name in ("reports:remedy_approve", "reports:remedy_decline"):
            targets[name] = [{"remedy_id": remedy.pk}]
        elif name in ("reports:report_csv", "reports:policy_save"):
            # The store is named by ?store= (every request of the sweep names the victim's).
            sections = REPORT_SECTIONS if name == "reports:report_csv" else POLICY_SECTIONS
            targets[name] = [{"section": section} for section in sections]
        elif name == "letters:template":
            targets[name] = [{"template_id": LetterTemplate.objects.filter(store=victim).first().pk}]
        elif kwargs[0] == "store_id":
            # The victim's store, and the attacker's own store with the victim's object under it.
            rest = {k: by_store[k] for k in kwargs[1:]}
            targets[name] = [{"store_id": victim.pk, **rest}] + ([{"store_id": own.pk, **rest}] if rest else [])
        elif all(k in one for k in kwargs):
            targets[name] = [{k: one[k] for k in kwargs}]
    return targets


def _attackers(own: Store):
    return {
        "agent": AgentFactory(user__username="mallory-agent", stores=[own]).user,
        "manager": ManagerFactory(user__username="mallory-manager", stores=[own]).user,
    }


def _request(client, method: str, url: str, victim: Store):
    """The store named in the query string too (pages read ?store= on a POST as well); an agent of the victim's
    store named as assignee, so that a reassignment's form is valid."""
    if method == "get":
        return client.get(url, {"store": victim.code})
    assignee = Agent.objects.get(user__username="victim-agent").pk
    return client.post(f"{url}?store={victim.code}", {**PAYLOAD, "store": victim.code, "assignee": assignee})


def _writes(queries) -> list[str]:
    return [q["sql"][:120] for q in queries if WRITE.match(q["sql"]) and not ALLOWED_WRITES.match(q["sql"])]


def test_every_address_with_arguments_has_targets(victim):
    own = StoreFactory(code="mallory")
    targets = _targets(victim, own)
    missing = [name for _route, name, _kwargs in _named_patterns() if name not in targets]
    assert not missing, f"give these addresses another store's objects in _targets: {missing}"


def _leaked(response, names: list[str]) -> list[str]:
    """The victim's names a text answer shows."""
    body = response.content.decode(errors="replace") if response.get("Content-Type", "").startswith("text/") else ""
    return [n for n in names if n and n in body]


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_no_address_shows_or_changes_another_stores_objects(client, victim, role):
    own = StoreFactory(code="mallory")
    client.force_login(_attackers(own)[role])
    victim_names = [victim.name, *Customer.objects.filter(store=victim).values_list("name", flat=True)]
    failures = []
    for name, kwargs_list in sorted(_targets(victim, own).items()):
        for kwargs in kwargs_list:
            url = reverse(name, kwargs=kwargs)
            for method in ("get", "post"):
                with CaptureQueriesContext(connection) as queries:
                    response = _request(client, method, url, victim)
                leaked = _leaked(response, victim_names)
                if response.status_code not in REFUSED or _writes(queries) or leaked:
                    failures.append((method.upper(), url, response.status_code, _writes(queries), leaked))
    assert not failures, "\n".join(map(str, failures))


def test_logged_out_every_address_goes_to_the_login_page(client, victim):
    own = StoreFactory(code="mallory")
    targets = _targets(victim, own)
    failures = []
    for _route, name, kwargs in _patterns():
        if name.startswith("health"):
            continue
        url = reverse(name, kwargs=targets[name][0] if kwargs else None)
        for method in ("get", "post"):
            with CaptureQueriesContext(connection) as queries:
                response = _request(client, method, url, victim)
            to_login = response.status_code == 302 and response["Location"].startswith(reverse("login"))
            if not (to_login or response.status_code == 405) or _writes(queries):
                failures.append((method.upper(), url, response.status_code, _writes(queries)))
    assert not failures, "\n".join(map(str, failures))


# What only a store's managers may do (docs: "Who may do what"); an agent of the same store is refused.
MANAGER_ONLY = [
    "cases:approve",
    "cases:decline",
    "cases:decide",
    "cases:reassign",
    "callbacks:reassign",
    "reviews:settings_index",
    "reviews:settings",
    "reviews:monitor_add",
    "reviews:monitor_remove",
    "reviews:play_set",
    "reviews:reply_templates",
    "reviews:reply_template_remove",
    "reviews:quality",
    "reviews:quality_refresh",
    "letters:templates",
    "letters:template_new",
    "letters:template",
    "letters:template_preview",
    "letters:rule",
    "letters:inserts",
    "letters:insert",
    "logistics:settings",
]
MANAGER_ONLY_PREFIXES = ("reports:", "retention:")
# Under those prefixes, every user's own page: the gift tasks given to them (recording one as sent stays refused to an
# agent it was not given to, as the victim agent here).
EVERYONES = ("retention:my_gift_tasks",)


def _manager_only_urls(victim: Store) -> list[str]:
    """Each manager-only address, with the store's own objects in it."""
    targets = _targets(victim, victim)
    urls = set()
    for _route, name, kwargs in _patterns():
        if (name in MANAGER_ONLY or name.startswith(MANAGER_ONLY_PREFIXES)) and name not in EVERYONES:
            urls.update(reverse(name, kwargs=k) for k in (targets[name] if kwargs else [{}]))
    return sorted(urls)


def test_an_agent_cannot_reach_what_only_managers_may_do(client, victim):
    client.force_login(Agent.objects.get(user__username="victim-agent").user)
    failures = []
    for url in _manager_only_urls(victim):
        for method in ("get", "post"):
            with CaptureQueriesContext(connection) as queries:
                response = _request(client, method, url, victim)
            if response.status_code not in (403, 404, 405) or _writes(queries):
                failures.append((method.upper(), url, response.status_code, _writes(queries)))
    assert not failures, "\n".join(map(str, failures))


def test_a_manager_of_another_store_who_serves_this_one_as_an_agent_is_an_agent_here(client, victim):
    """Roles are per store (ADR 0045): a manager of their own store who helps out in the victim's as an agent reaches
    none of what only the victim's managers may do. An address naming the victim's objects is refused; a manager page
    without arguments (?store= naming the victim's) shows their own store, nothing of the victim's, and writes
    nothing."""
    mixed = ManagerFactory(user__username="mallory-mixed", stores=[StoreFactory(code="mallory")])
    mixed.stores.add(victim)
    client.force_login(mixed.user)
    victim_names = [victim.name, *Customer.objects.filter(store=victim).values_list("name", flat=True)]
    failures = []
    for url in _manager_only_urls(victim):
        for method in ("get", "post"):
            with CaptureQueriesContext(connection) as queries:
                response = _request(client, method, url, victim)
            leaked = _leaked(response, victim_names)
            refused = response.status_code in (403, 404, 405)
            if _writes(queries) or not (refused or (resolve(url.split("?")[0]).kwargs == {} and not leaked)):
                failures.append((method.upper(), url, response.status_code, _writes(queries), leaked))
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_no_page_shows_another_store_named_in_its_parameters(client, victim, role):
    own = StoreFactory(code="mallory")
    client.force_login(_attackers(own)[role])
    victim_names = [victim.name, *Customer.objects.filter(store=victim).values_list("name", flat=True)]
    failures = []
    for route, _name, kwargs in _patterns():
        if kwargs:
            continue
        url = "/" + route
        for method in ("get", "post"):
            with CaptureQueriesContext(connection) as queries:
                response = _request(client, method, url, victim)
            body = response.content.decode(errors="replace")
            leaked = [n for n in victim_names if n and n in body]
            if leaked or _writes(queries):
                failures.append((method.upper(), url, response.status_code, _writes(queries), leaked))
    assert not failures, "\n".join(map(str, failures))
