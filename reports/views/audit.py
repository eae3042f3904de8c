from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from crm.pages import store_filter
from crm.selectors import stores_managed_by

from ..access import manager_required
from ..selectors import audit_actions, audit_entries

PAGE_SIZE = 50


@require_GET
@manager_required
def audit_log(request: HttpRequest) -> HttpResponse:
    stores = stores_managed_by(user=request.user)
    store = store_filter(stores, request.GET.get("store"))
    action = request.GET.get("action", "")
    entries = audit_entries(user=request.user, store=store, action=action)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/audit.html",
        {
            "page": page,
            "stores": stores,
            "store": store,
            "actions": audit_actions(user=request.user),
            "action": action,
        },
    )
