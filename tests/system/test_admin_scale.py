"""The admin at a real store's scale (100,000 customers, their orders, cases and contacts, and every store's staff):
no form lists a big table in a dropdown, and a list page costs the same queries for 5 rows as for 50."""

import itertools
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple, ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.db import connection
from django.forms import ModelChoiceField
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from callbacks.models import (
    Call,
    CallAttempt,
    CallScript,
    CaseCall,
    ContactLog,
    FollowUp,
    FollowUpPolicy,
    NumberOptOut,
    TelephonyEvent,
)
from crm.admin_mixins import ServiceWrittenAdmin
from crm.models import (
    Agent,
    ApiToken,
    AuditLog,
    Case,
    CaseEvidence,
    CasePolicy,
    CaseStep,
    Customer,
    CustomerChange,
    InboundEvent,
    Order,
    RemedyPlay,
    RootCause,
    SlaTarget,
    Store,
    StoreClosure,
    WorkerHeartbeat,
)
from letters.models import Letter, LetterRule, LetterTemplate, ParcelInsert, PrintBatch
from logistics.models import Checkpoint, Shipment, ShipmentDelay, ShipmentNotice
from retention.models import Campaign, CampaignContact, Gift, GiftTask, RetentionPolicy, Segment
from reviews.models import (
    CauseCorrection,
    KeywordMonitor,
    PlatformComplaint,
    ReplyTemplate,
    Review,
    ReviewPolicy,
    ReviewReply,
)
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, OrderFactory, StoreFactory, UserFactory
from tests.reports.factories import CaseFactory, RemedyFactory
from tests.reports.factories import ReviewFactory as StoreReviewFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"crm", "callbacks", "reviews", "logistics", "retention", "letters", "reports"}
LOGINS = [AccessAttempt, AccessFailureLog, AccessLog]  # django-axes' tables, which grow with every login

# Tables that grow with the stores' business (customers, their orders, cases and contacts) or with their staff
# (every store's agents and users): a dropdown of them renders every row, and an agent's label reads its user.
BIG = {
    "crm.customer", "crm.order", "crm.case", "crm.remedy", "crm.agent", "auth.user",
    "callbacks.followup", "callbacks.casecall", "callbacks.call", "reviews.review", "letters.letter",
    "letters.printbatch", "retention.campaigncontact", "retention.gifttask", "logistics.shipment",
}  # fmt: skip


def _project_admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in PROJECT_APPS]  # fmt: skip


def _request():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    return request


def _dropdowns(form_class, where: str, parent_key: str = "") -> list[str]:
    found = []
    for name, field in form_class.base_fields.items():
        if not isinstance(field, ModelChoiceField) or name == parent_key:  # an inline's key to its parent: hidden
            continue
        widget = getattr(field.widget, "widget", field.widget)  # inside the admin's related-field wrapper
        if field.queryset.model._meta.label_lower in BIG and not isinstance(
            widget, (ForeignKeyRawIdWidget, AutocompleteSelect, AutocompleteSelectMultiple)
        ):
            found.append(f"{where}.{name} lists every {field.queryset.model._meta.label}")
    return found


def test_no_admin_form_lists_a_big_table_in_a_dropdown(db):
    request = _request()
    found = []
    for model, model_admin in _project_admins():
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
            found += _dropdowns(model_admin.get_form(request), model.__name__)
        for inline in model_admin.get_inline_instances(request):
            if not (inline.has_add_permission(request, None) or inline.has_change_permission(request)):
                continue  # shown, not edited
            formset = inline.get_formset(request)
            found += _dropdowns(formset.form, f"{model.__name__}[{inline.model.__name__}]", formset.fk.name)
    assert found == [], "\n".join(found)


def test_a_case_s_change_page_costs_the_same_queries_whatever_the_number_of_agents(admin_client):
    case = CaseFactory(assignee=AgentFactory())
    RemedyFactory(case=case, fulfilled_by=AgentFactory(), status="fulfilled", fulfilment_reference="R1",
                  fulfilled_at=timezone.now())  # fmt: skip
    url = f"/admin/crm/case/{case.pk}/change/"

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(url)
        assert page.status_code == 200
        return len(queries), page.content.decode().count("<option")

    cost()  # the first request of a test also loads what Django caches
    few = cost()
    AgentFactory.create_batch(30)
    assert cost() == few


def test_a_gift_task_s_page_does_not_list_the_customers(admin_client):
    store = StoreFactory()
    task = GiftTask.objects.create(store=store, customer=CustomerFactory(store=store), occasion_date=date(2027, 3, 1))
    CustomerFactory.create_batch(40, store=store)

    page = admin_client.get(f"/admin/retention/gifttask/{task.pk}/change/").content.decode()

    assert len(re.findall(r"<option[^>]*>顾客", page)) <= 1


# -- list pages ------------------------------------------------------------------------------------------------------

_n = itertools.count()
NOW = timezone.now()


def _token() -> ApiToken:
    n = next(_n)
    return ApiToken.objects.create(name=f"t{n}", key_prefix=f"crm_{n}", key_hash=f"{n:064d}")


def _case() -> Case:
    order = OrderFactory()
    return CaseFactory(customer=order.customer, order=order, assignee=AgentFactory())


def _review() -> Review:
    order = OrderFactory()
    return StoreReviewFactory(customer=order.customer, store=order.store, order=order, case=_case())


def _campaign() -> Campaign:
    return Campaign.objects.create(
        store=StoreFactory(), name="c", purpose="return_visit", channel="sms", starts_at=NOW,
        ends_at=NOW + timedelta(days=3), created_by=AgentFactory(),
    )  # fmt: skip


def _batch() -> PrintBatch:
    return PrintBatch.objects.create(store=StoreFactory(), day=date(2026, 12, 1), created_at=NOW,
                                     printed_at=NOW, printed_by=UserFactory())  # fmt: skip


def _letter() -> Letter:
    order = OrderFactory()
    template = LetterTemplate.objects.create(store=order.store, name="t", language="zh-hans", openings="a",
                                             bodies="b", closings="c", signoffs="d")  # fmt: skip
    return Letter.objects.create(store=order.store, order=order, customer=order.customer, status="letter",
                                 day=date(2026, 12, 1), batch=_batch(), template=template, language="zh-hans",
                                 text="谢谢", created_at=NOW)  # fmt: skip


def _case_call() -> CaseCall:
    case = _case()
    return CaseCall.objects.create(case=case, store=case.store, customer=case.customer, assignee=AgentFactory(),
                                   status="done", created_at=NOW)  # fmt: skip


def _shipment() -> Shipment:
    order = OrderFactory()
    shipment = Shipment.objects.create(store=order.store, order=order, courier="shunfeng",
                                       tracking_number=f"SF{next(_n)}", shipped_at=NOW, state="in_transit",
                                       last_event_at=NOW, last_event_text="运输中")  # fmt: skip
    Checkpoint.objects.create(shipment=shipment, at=NOW, text="运输中", location="杭州")
    return shipment


def _delay() -> ShipmentDelay:
    shipment = _shipment()
    return ShipmentDelay.objects.create(store=shipment.store, shipment=shipment, rule="no_update", found_at=NOW,
                                        state=shipment.state, last_event_text="运输中")  # fmt: skip


def _notice() -> ShipmentNotice:
    shipment = _shipment()
    return ShipmentNotice.objects.create(store=shipment.store, shipment=shipment, order=shipment.order,
                                         customer=shipment.order.customer, kind="delay", rule="no_update",
                                         channel="sms", status="sent", due_at=NOW, message_body="您好",
                                         recipient=shipment.order.customer.phone, provider_id=f"SM{next(_n)}",
                                         sent_at=NOW)  # fmt: skip


def _followup() -> FollowUp:
    return FollowUpFactory(assignee=AgentFactory())


def _login(model: type, **fields):
    """A login django-axes kept: from its own address, under its own name, to one of the two login pages."""
    n = next(_n)
    return model.objects.create(
        username=f"user{n}",
        ip_address=f"198.51.100.{n % 250}",
        user_agent=f"browser {n}",
        http_accept="*/*",
        path_info=("/admin/login/", "/accounts/login/")[n % 2],
        **fields,
    )


BUILDERS: dict[type, Callable[[], object]] = {
    Store: StoreFactory,
    Agent: AgentFactory,
    Customer: lambda: CustomerFactory(dedicated_owner=AgentFactory()),
    CustomerChange: lambda: CustomerChange.objects.create(customer=CustomerFactory(), field="name", old_value="a",
                                                          new_value="b", changed_by=UserFactory(), changed_at=NOW),
    Order: OrderFactory,
    Case: _case,
    AuditLog: lambda: AuditLog.objects.create(actor=UserFactory(), store=StoreFactory(), action="x", at=NOW),
    WorkerHeartbeat: lambda: WorkerHeartbeat.objects.create(name=f"w{next(_n)}", last_run_at=NOW),
    ApiToken: _token,
    InboundEvent: lambda: InboundEvent.objects.create(kind="order", store=StoreFactory(), external_id="o",
                                                      token=_token(), received_at=NOW, payload="{}",
                                                      payload_hash=f"{next(_n)}"),
    CasePolicy: lambda: CasePolicy.objects.create(store=StoreFactory(), last_assigned=AgentFactory()),
    SlaTarget: lambda: SlaTarget.objects.create(store=StoreFactory(), triage_group="normal",
                                                first_response_minutes=60, resolution_minutes=600),
    RootCause: lambda: RootCause.objects.create(store=StoreFactory(), code="x", label="x"),
    StoreClosure: lambda: StoreClosure.objects.create(store=StoreFactory(), name="春节", first_day=date(2027, 2, 5),
                                                      last_day=date(2027, 2, 11)),
    CaseStep: lambda: CaseStep.objects.create(case=_case(), step="apology", done_at=NOW, done_by=UserFactory()),
    CaseEvidence: lambda: CaseEvidence.objects.create(case=_case(), url="https://example.com/1.jpg",
                                                      added_by=UserFactory(), added_at=NOW),
    RemedyPlay: lambda: RemedyPlay.objects.create(store=StoreFactory(), cause="quality", kind="gift",
                                                  cost=Decimal("10")),
    FollowUp: _followup,
    CaseCall: _case_call,
    CallAttempt: lambda: CallAttempt.objects.create(followup=_followup(), seq=1, agent=AgentFactory(),
                                                    outcome="dissatisfied", case=_case(), at=NOW),
    CallScript: lambda: CallScript.objects.create(store=StoreFactory(), body="您好", updated_by=AgentFactory(),
                                                  updated_at=NOW),
    FollowUpPolicy: lambda: FollowUpPolicy.objects.create(store=StoreFactory()),
    Call: lambda: Call.objects.create(followup=_followup(), agent=AgentFactory(), status="completed",
                                      provider_id=f"CA{next(_n)}", started_at=NOW),
    TelephonyEvent: lambda: TelephonyEvent.objects.create(kind="call_status", provider_id="CA1",
                                                          followup=_followup(), received_at=NOW),
    ContactLog: lambda: (lambda o: ContactLog.objects.create(store=o.store, customer=o.customer, order=o,
                                                             channel="sms", purpose="care", at=NOW))(OrderFactory()),
    NumberOptOut: lambda: (lambda c: NumberOptOut.objects.create(store=c.store, phone=c.phone, customer=c,
                                                               opted_out=True, changed_at=NOW))(CustomerFactory()),
    Review: _review,
    KeywordMonitor: lambda: KeywordMonitor.objects.create(store=StoreFactory(), phrase="差", created_by=UserFactory()),
    ReviewPolicy: lambda: ReviewPolicy.objects.create(store=StoreFactory()),
    ReplyTemplate: lambda: ReplyTemplate.objects.create(store=StoreFactory(), part="opening", text="您好"),
    ReviewReply: lambda: (lambda r: ReviewReply.objects.create(review=r, store=r.store, text="谢谢", fingerprint="f",
                                                               drafted_at=NOW, posted_by=UserFactory()))(_review()),
    CauseCorrection: lambda: CauseCorrection.objects.create(review=_review(), corrected_by=UserFactory(), at=NOW),
    PlatformComplaint: lambda: PlatformComplaint.objects.create(review=_review(), filed_by=UserFactory()),
    Segment: lambda: Segment.objects.create(store=StoreFactory(), name="s"),
    Campaign: _campaign,
    CampaignContact: lambda: (lambda c: CampaignContact.objects.create(
        campaign=c, store=c.store, customer=CustomerFactory(store=c.store), channel="call", status="planned",
        due_at=NOW, assignee=AgentFactory(), call_task=_followup()))(_campaign()),
    Gift: lambda: Gift.objects.create(store=StoreFactory(), name="g"),
    GiftTask: lambda: (lambda c: GiftTask.objects.create(
        store=c.store, customer=c, occasion_date=date(2027, 1, 1), assignee=AgentFactory(),
        gift=Gift.objects.create(store=c.store, name="g")))(CustomerFactory()),
    RetentionPolicy: lambda: RetentionPolicy.objects.create(store=StoreFactory()),
    LetterRule: lambda: LetterRule.objects.create(store=StoreFactory(), signing_agent=AgentFactory()),
    LetterTemplate: lambda: LetterTemplate.objects.create(store=StoreFactory(), name="t", language="zh-hans",
                                                          openings="a", bodies="b", closings="c", signoffs="d"),
    ParcelInsert: lambda: ParcelInsert.objects.create(store=StoreFactory(), kind="care", title="t", body="b"),
    PrintBatch: _batch,
    Letter: _letter,
    Shipment: _shipment,
    ShipmentDelay: _delay,
    ShipmentNotice: _notice,
    # django-axes' records of logins: a row for every login and every failure (ADR 0015).
    AccessAttempt: lambda: _login(AccessAttempt, get_data="", post_data="", failures_since_start=next(_n) % 9),
    AccessFailureLog: lambda: _login(AccessFailureLog, locked_out=next(_n) % 2 == 0),
    AccessLog: lambda: _login(AccessLog, logout_time=NOW, session_hash=f"{next(_n):064d}"),
}  # fmt: skip


def test_every_admin_list_page_is_measured_here():
    assert {model for model, _admin in _project_admins()} - set(BUILDERS) == set()


@pytest.mark.parametrize("model", BUILDERS, ids=lambda model: model.__name__)
def test_a_list_page_costs_the_same_queries_for_5_rows_as_for_50(admin_client, model):
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(url)
        assert page.status_code == 200
        return len(queries)

    for _ in range(5):
        BUILDERS[model]()
    five = cost()
    for _ in range(45):
        BUILDERS[model]()
    assert model.objects.count() >= 50
    assert cost() == five


# A column's values read over the table on a load of the list: Django's filter of a field without choices
# (SELECT DISTINCT col), a date hierarchy's years or days (SELECT DISTINCT DATE_TRUNC(...)), a filter's "Show counts"
# (COUNT(...) FILTER (WHERE ...) for each choice).
# The lists of rows that grow with the stores' business, and with every login.
GROWING = list(dict.fromkeys([*(model for model in BUILDERS if isinstance(admin.site._registry[model],
                                                                          ServiceWrittenAdmin)), *LOGINS]))  # fmt: skip

WHOLE_COLUMN = re.compile(r"\bSELECT DISTINCT\b|\bDATE_TRUNC\(|\bFILTER \(WHERE\b")


@pytest.mark.parametrize("model", GROWING, ids=lambda model: model.__name__)
def test_a_list_page_reads_no_column_over_the_whole_table(admin_client, model):
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    for _ in range(3):
        BUILDERS[model]()

    for query in ({}, {"_facets": "True"}):
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(url, query)
        assert page.status_code == 200

        table = f'"{model._meta.db_table}"'
        assert [q["sql"] for q in queries if table in q["sql"] and WHOLE_COLUMN.search(q["sql"])] == [], query


@pytest.mark.parametrize("model", GROWING, ids=lambda model: model.__name__)
def test_a_list_page_is_sorted_newest_first_by_its_primary_key(admin_client, model):
    # The primary key's index answers ORDER BY id DESC ... LIMIT; the models' own orderings have no index.
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    for _ in range(3):
        BUILDERS[model]()
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(url)
    assert page.status_code == 200
    table = model._meta.db_table
    (rows,) = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"] and " ORDER BY " in q["sql"]]
    order_by = rows.rsplit(" ORDER BY ", 1)[1].split(" LIMIT ")[0]  # LIMIT once the rows fill more than a page
    assert order_by == f'"{table}"."{model._meta.pk.column}" DESC', order_by


def _index_leading_columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {c["columns"][0] for c in constraints.values() if (c["index"] or c["unique"] or c["primary_key"])
            and c["columns"] and c["columns"][0]}  # fmt: skip


@pytest.mark.parametrize("model", GROWING, ids=lambda model: model.__name__)
def test_a_list_page_sorts_only_by_a_column_an_index_leads_with(admin_client, model):
    # A sort by a column no index leads with reads and sorts the whole table for each page (?o= from a header, or
    # typed into the address): such a column offers no sort, and an address asking for one gets the list as it is.
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    for _ in range(3):
        BUILDERS[model]()
    table = model._meta.db_table
    indexed = _index_leading_columns(table)
    # The positions count the list's columns as ChangeList does: after the action checkbox, when there is one.
    columns = len(admin.site._registry[model].get_list_display(RequestFactory().get(url))) + 1
    for position in range(columns):
        for sort in (str(position), f"-{position}"):
            with CaptureQueriesContext(connection) as queries:
                page = admin_client.get(url, {"o": sort})
            assert page.status_code == 200
            (rows,) = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"] and " ORDER BY " in q["sql"]]
            first = rows.rsplit(" ORDER BY ", 1)[1].split(" LIMIT ")[0].split(",")[0].strip()
            assert re.fullmatch(rf'"{table}"\."(\w+)" (ASC|DESC)', first), (sort, first)
            assert first.split(".")[1].split('"')[1] in indexed, (sort, first)
