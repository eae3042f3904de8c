"""The admin works on a bounded number of rows (ADR 0033): a change page shows the latest of the rows a service wrote
under its row (a case's timeline, a parcel's checkpoints, a review's revisions grow without limit, and every one was
rendered on each view; the whole history is on the row's own page), and a delete takes a page of rows at most."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.admin_mixins import ServiceWrittenInline
from crm.models import CaseEvent, Order
from tests.factories import OrderFactory
from tests.reports.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _timeline(page):
    (formset,) = [f for f in page.context["inline_admin_formsets"] if f.opts.model is CaseEvent]
    return [form.instance.pk for form in formset.formset.forms]


def test_a_case_page_shows_the_latest_events_of_a_long_timeline(admin_client):
    case = CaseFactory()
    now = timezone.now()
    CaseEvent.objects.bulk_create(CaseEvent(case=case, kind="note", message=f"第 {n} 条", at=now)
                                  for n in range(ServiceWrittenInline.max_shown + 50))  # fmt: skip
    events = list(CaseEvent.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(f"/admin/crm/case/{case.pk}/change/")

    assert page.status_code == 200
    assert _timeline(page) == events[: ServiceWrittenInline.max_shown]
    reads = [q["sql"] for q in queries if 'FROM "crm_caseevent"' in q["sql"]]
    assert reads and all(f"LIMIT {ServiceWrittenInline.max_shown}" in sql for sql in reads)


# -- deleting ----------------------------------------------------------------------------------------------------------


def test_a_delete_takes_a_page_of_rows_at_most_not_every_row_of_a_big_table(admin_client, monkeypatch):
    orders = [OrderFactory() for _ in range(3)]
    monkeypatch.setattr(admin.site._registry[Order], "max_deleted", 2)
    chosen = {"action": "delete_selected", "_selected_action": [o.pk for o in orders[:1]]}

    # "Select all N orders": Django's confirmation would collect and list every order and every row under each.
    page = admin_client.post("/admin/crm/order/", {**chosen, "select_across": "1", "index": "0"}, follow=True)

    assert Order.objects.count() == 3
    assert "2" in " ".join(str(m) for m in page.context["messages"])
    confirm = admin_client.post("/admin/crm/order/", {**chosen, "select_across": "0", "index": "0"})
    assert confirm.status_code == 200 and [o.pk for o in confirm.context["queryset"]] == [orders[0].pk]
