"""The logistics board: parcels at risk in the user's stores, biggest orders (in the store's currency, ADR 0040) and
longest silences first; and the store managers' logistics settings (delay rules, notice wording, the shipping notice,
the AfterShip secret)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from callbacks.services.policy import policy_for_store
from crm.errors import DomainError
from crm.pages import form_refused, store_code, store_filter
from crm.selectors import store_by_code, stores_for_user, stores_managed_by

from .forms import LANGUAGE_LABELS, THRESHOLDS, LogisticsPolicyForm, secret_masked
from .models import DelayRule
from .selectors import shipment_for_stores, shipments_at_risk
from .services.policy import LANGUAGES, REQUIRED, logistics_policy_for_store, logistics_policy_update, placeholders_for


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    stores = list(stores_for_user(user=request.user))
    store = store_filter(stores, request.GET.get("store"))
    shipments = shipments_at_risk(stores=[store] if store else stores)
    # The settings link: for a manager of the store shown (of any of theirs, when the board shows them all).
    managed = stores_managed_by(user=request.user)
    settings_link = managed.filter(pk=store.pk).exists() if store else managed.exists()
    context = {"shipments": shipments, "stores": stores, "store": store, "settings_link": settings_link}
    return render(request, "logistics/board.html", context)


@login_required
@require_GET
def shipment(request: HttpRequest, shipment_id: int) -> HttpResponse:
    store_ids = [s.pk for s in stores_for_user(user=request.user)]
    found = shipment_for_stores(store_ids=store_ids, shipment_id=shipment_id)
    if found is None:
        raise Http404
    return render(request, "logistics/shipment.html", {"s": found, "open": True})


def _settings_page(request: HttpRequest, store, form: LogisticsPolicyForm, status: int = 200) -> HttpResponse:
    policy = logistics_policy_for_store(store=store)
    followup_policy = policy_for_store(store=store)
    rules = [
        {
            "rule": rule,
            "on": form[f"{rule.value}_on"],
            "threshold": form[THRESHOLDS[rule.value]] if rule.value in THRESHOLDS else None,
            "texts": [(LANGUAGE_LABELS[language], form.template(rule.value, language)) for language in LANGUAGES],
            "placeholders": placeholders_for(rule.value),
            "required": sorted(REQUIRED[rule.value]),
        }
        for rule in DelayRule
    ]
    context = {
        "store": store,
        "stores": stores_managed_by(user=request.user),
        "form": form,
        "rules": rules,
        "shipped_texts": [(LANGUAGE_LABELS[language], form.template("shipped", language)) for language in LANGUAGES],
        "shipped_placeholders": placeholders_for("shipped"),
        "shipped_required": sorted(REQUIRED["shipped"]),
        "secret": secret_masked(policy.aftership_secret),
        "followup_policy": followup_policy,
    }
    return render(request, "logistics/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """A manager's logistics settings for one of their stores (?store=code; 404 for another's, 403 for agents)."""
    stores = stores_managed_by(user=request.user)
    if not stores.exists():
        raise PermissionDenied
    code = store_code(request)
    store = store_by_code(stores=stores, code=code) if code else stores.first()
    if store is None:
        raise Http404
    if request.method == "GET":
        return _settings_page(request, store, LogisticsPolicyForm.for_policy(logistics_policy_for_store(store=store)))
    form = LogisticsPolicyForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            logistics_policy_update(store=store, actor=request.user, changes=form.changes())
        except DomainError as error:
            status = form_refused(form, error)
        else:
            messages.success(request, _("Saved. The next delay sweep uses it; the change is in the audit log."))
            return redirect(f"{reverse('logistics:settings')}?store={store.code}")
    return _settings_page(request, store, form, status=status)
