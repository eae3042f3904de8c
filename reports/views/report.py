"""The report page (charts and tables) and its CSV export, both drawn from the same tables."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from crm.downloads import SpreadsheetCsvWriter
from crm.errors import InvalidInput
from crm.pages import form_errors_text, store_code, store_filter
from crm.selectors import stores_managed_by
from crm.services.audit import audit_record

from ..access import manager_required
from ..forms import ReportFilterForm
from ..metrics import SECTIONS, report_tables
from ..rollups import rollups_refresh
from ..selectors import rollup_state


def _filter_form(request: HttpRequest) -> ReportFilterForm:
    """The filter as asked (a POST's form, else the query string). A store named that is not one of the manager's,
    an unknown code included, is a 404, as on every page that takes a store, before anything is read or exported."""
    store_filter(stores_managed_by(user=request.user), store_code(request))
    return ReportFilterForm(request.POST if request.method == "POST" else request.GET, user=request.user)


def _valid_filter(request: HttpRequest) -> ReportFilterForm:
    """The filter of an export or a recalculation, which has no form of its own to show again: a refused one (the
    dates of a link edited by hand) is the error page, with its 400 and the form's errors escaped as any page's."""
    form = _filter_form(request)
    if not form.is_valid():
        raise InvalidInput(form_errors_text(form))
    return form


@require_GET
@manager_required
def report(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    context = {"form": form, "tables": [], "query": "", "rollup": None}
    if form.is_valid():
        period = form.period()
        context.update(tables=report_tables(period), query=form.query(), rollup=rollup_state(store=period.store))
    return render(request, "reports/report.html", context)


@require_POST
@manager_required
def report_recalculate(request: HttpRequest) -> HttpResponse:
    """Rebuild the period's roll-ups now instead of waiting for the next scheduled run."""
    form = _valid_filter(request)
    rollups_refresh(store=form.period().store, since_day=form.period().start)
    return redirect(f"{reverse('reports:report')}?{form.query()}")


@require_GET
@manager_required
def report_csv(request: HttpRequest, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404
    form = _valid_filter(request)
    period = form.period()
    table = SECTIONS[section](period)
    audit_record(
        actor=request.user,
        action="report_exported",
        store=period.store,
        target=section,
        data={"start": period.start.isoformat(), "end": period.end.isoformat(), "rows": len(table.rows)},
    )
    filename = f"{period.store.code}-{section}-{period.start}-{period.end}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a BOM, so spreadsheet programs read the Chinese text as UTF-8
    writer = SpreadsheetCsvWriter(response)
    writer.writerow([str(heading) for _, heading in table.columns])
    writer.writerows(table.cells())
    return response
