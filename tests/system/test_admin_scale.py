"""The admin at a real store's scale (100,000 customers, their orders, cases and contacts, and every store's staff):
no form lists a big table in a dropdown."""

import re
from datetime import date

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple, ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.db import connection
from django.forms import ModelChoiceField
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retention.models import GiftTask
from tests.factories import AgentFactory, CustomerFactory, StoreFactory
from tests.reports.factories import CaseFactory, RemedyFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"crm", "callbacks", "reviews", "logistics", "retention", "letters", "reports"}

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
