"""The patrol list: the latest reviews, the main products' reviews and every flagged one."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from crm.pages import store_filter
from crm.selectors import stores_for_user

from ..selectors import Patrol, patrol_counts, patrol_reviews


@login_required
@require_GET
def patrol(request: HttpRequest) -> HttpResponse:
    stores = list(stores_for_user(user=request.user))
    store = store_filter(stores, request.GET.get("store"))
    view = request.GET.get("view") if request.GET.get("view") in Patrol.VIEWS else Patrol.FLAGGED
    context = {
        "reviews": patrol_reviews(user=request.user, view=view, store=store, stores=stores),
        "counts": patrol_counts(user=request.user, store=store, stores=stores),
        "stores": stores,
        "store": store,
        "view": view,
        "views": [
            (Patrol.FLAGGED, "flagged"),
            (Patrol.LATEST, "latest"),
            (Patrol.MAIN, "main"),
            (Patrol.AFTER_CLOSE, "after_close"),
        ],
    }
    template = (
        "reviews/_patrol_rows.html" if request.htmx and request.htmx.target == "patrol-rows" else "reviews/patrol.html"
    )
    return render(request, template, context)
