"""An admin change page shows a bounded number of the rows a service wrote under its row (ADR 0033): a case's
timeline, a parcel's checkpoints, a review's revisions grow without limit, and every one was rendered, read-only, on
each view. The latest are shown; the whole history is on the row's own page ("View on site")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.admin_mixins import ServiceWrittenInline
from crm.models import CaseEvent
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
