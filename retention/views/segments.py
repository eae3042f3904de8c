"""Segment pages: the store's segments with their sizes, one segment's members and why, CSV, a new segment."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.downloads import SpreadsheetCsvWriter
from crm.errors import DomainError
from crm.pages import form_refused
from crm.punctuation import itemised
from crm.services.audit import audit_record
from crm.services.submissions import submission_once

from ..forms import RuleFormSet, SegmentForm, rules_from
from ..models import Segment
from ..rules import rules_describe
from ..selectors import segment_explain, segment_members, segment_sample, segments_with_sizes, stores_for_retention
from ..services.segments import attributes_refresh, segment_create, segment_rules
from ..vip import HOUSE_THRESHOLDS, vip_thresholds
from .common import managed_store


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    store = stores_for_retention(user=request.user).first()
    if store is None:
        raise PermissionDenied
    return redirect("retention:segments", store_id=store.pk)


def _list_context(request, store, form=None, rules=None):
    return {
        "store": store,
        "stores": stores_for_retention(user=request.user),
        "segments": [
            (s, size, rules_describe(segment_rules(s), currency=store.currency))
            for s, size in segments_with_sizes(store=store)
        ],
        "vip": vip_thresholds(store=store),
        "house_vip": HOUSE_THRESHOLDS,
        "form": form or SegmentForm(),
        "rules": rules or RuleFormSet(prefix="rules"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def segments(request: HttpRequest, store_id: int) -> HttpResponse:
    store = managed_store(request, store_id)
    if request.method == "POST":
        form, rules = SegmentForm(request.POST), RuleFormSet(request.POST, prefix="rules")
        status = 400
        if form.is_valid() and rules.is_valid():
            try:
                # A double click sends the form twice: the second is shown the segment the first made, not refused
                # because a segment of that name now exists.
                submitted = submission_once(
                    token=form.cleaned_data["submission"],
                    user=request.user,
                    form="retention.segment",
                    store=store,
                    create=partial(
                        segment_create, store=store, name=form.cleaned_data["name"], rules=rules_from(rules)
                    ),
                )
            except DomainError as exc:
                status = form_refused(form, exc)  # a token sent to another store's address: 409
            else:
                return redirect("retention:segment", store_id=store.pk, segment_id=submitted.object_id)
        return render(request, "retention/segments.html", _list_context(request, store, form, rules), status=status)
    return render(request, "retention/segments.html", _list_context(request, store))


@login_required
@require_POST
def refresh(request: HttpRequest, store_id: int) -> HttpResponse:
    store = managed_store(request, store_id)
    attributes_refresh(store=store)
    if request.htmx:
        return render(request, "retention/_segment_table.html", _list_context(request, store))
    return redirect("retention:segments", store_id=store.pk)


@login_required
@require_GET
def segment(request: HttpRequest, store_id: int, segment_id: int) -> HttpResponse:
    store = managed_store(request, store_id)
    seg = get_object_or_404(Segment, store=store, pk=segment_id)
    context = {
        "store": store,
        "segment": seg,
        "description": rules_describe(segment_rules(seg), currency=store.currency),
        "size": segment_members(segment=seg).count(),
        "sample": segment_sample(segment=seg),
    }
    return render(request, "retention/segment.html", context)


_CSV_HEADINGS = [
    _("Customer's external id"),
    _("Name"),
    _("Orders"),
    None,  # the spend, headed with the store's currency
    _("Days since the last purchase"),
    _("Purchase cycle (days)"),
    "RFM",
    _("VIP tier"),
    _("Why in this segment"),
]


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def segment_csv(request: HttpRequest, store_id: int, segment_id: int) -> StreamingHttpResponse:
    store = managed_store(request, store_id)
    seg = get_object_or_404(Segment, store=store, pk=segment_id)
    writer = SpreadsheetCsvWriter(_Echo())
    members = segment_members(segment=seg).select_related("customer").order_by("customer_id")
    # Customers' names and spend leave the system: audited like the report's export.
    audit_record(
        actor=request.user,
        action="segment_exported",
        store=store,
        target=seg.name,
        data={"segment": seg.pk, "rows": members.count()},
    )

    def rows():
        # Headed in the manager's language, with a BOM so a spreadsheet reads the Chinese as UTF-8 (like the report's).
        spent = _("Spent (%(currency)s)") % {"currency": store.currency}
        yield "\ufeff" + writer.writerow([str(heading or spent) for heading in _CSV_HEADINGS])
        for a in members.iterator(chunk_size=2000):
            why = itemised(segment_explain(segment=seg, attrs=a))
            rfm = f"{a.recency_score}{a.frequency_score}{a.monetary_score}"
            yield writer.writerow(
                [
                    a.customer.external_id,
                    a.customer.name,
                    a.orders_count,
                    a.total_spent,
                    a.days_since_last,
                    a.cycle_days,
                    rfm,
                    a.vip_tier,
                    why,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segment-{seg.pk}.csv"'
    return response
