"""The logistics board: parcels at risk in the user's stores, biggest orders and longest silences first."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from crm.selectors import stores_for_user

from .selectors import shipment_for_stores, shipments_at_risk


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    stores = list(stores_for_user(user=request.user))
    store = None
    if code := request.GET.get("store"):
        store = next((s for s in stores if s.code == code), None)
        if store is None:
            raise Http404
    shipments = shipments_at_risk(store_ids=[store.pk] if store else [s.pk for s in stores])
    return render(request, "logistics/board.html", {"shipments": shipments, "stores": stores, "store": store})


@login_required
@require_GET
def shipment(request: HttpRequest, shipment_id: int) -> HttpResponse:
    store_ids = [s.pk for s in stores_for_user(user=request.user)]
    found = shipment_for_stores(store_ids=store_ids, shipment_id=shipment_id)
    if found is None:
        raise Http404
    return render(request, "logistics/shipment.html", {"s": found, "open": True})
