"""Managers' review pages: keyword monitors, triage policy, playbook and reply templates per store; quality."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import DomainError
from crm.selectors import stores_managed_by
from crm.services.playbook import playbook_for, remedy_play_set

from ..evaluation import score, shipped_cross_validation
from ..forms import MonitorForm, PlayForm, PolicyForm, ReplyTemplateForm
from ..models import KeywordMonitor, ReplyTemplate
from ..selectors import latest_corrections, monitors_for, reply_templates_for, review_policy_for
from ..services import settings as review_settings
from .work import form_errors


def _managed_store(request: HttpRequest, store_id: int):
    return get_object_or_404(stores_managed_by(user=request.user), pk=store_id)


@login_required
@require_GET
def settings_index(request: HttpRequest) -> HttpResponse:
    store = stores_managed_by(user=request.user).first()
    if store is None:
        raise PermissionDenied
    return redirect("reviews:settings", store_id=store.pk)


@login_required
@require_http_methods(["GET", "POST"])
def store_settings(request: HttpRequest, store_id: int) -> HttpResponse:
    store = _managed_store(request, store_id)
    policy_form = PolicyForm.for_policy(review_policy_for(store=store))
    if request.method == "POST":
        policy_form = PolicyForm(request.POST)
        if policy_form.is_valid():
            try:
                review_settings.review_policy_update(store=store, actor=request.user, **policy_form.cleaned_data)
            except DomainError as exc:
                policy_form.add_error(exc.field if exc.field in policy_form.fields else None, exc.message)
            else:
                return redirect("reviews:settings", store_id=store.pk)
    plays = [
        (play, PlayForm(initial={"cause": play.cause, "kind": play.kind, "cost": play.cost, "script": play.script}))
        for play in playbook_for(store=store)
    ]
    context = {
        "store": store,
        "stores": stores_managed_by(user=request.user),
        "monitors": monitors_for(store=store),
        "monitor_form": MonitorForm(),
        "policy_form": policy_form,
        "plays": plays,
    }
    return render(request, "reviews/settings.html", context, status=400 if policy_form.errors else 200)


@login_required
@require_POST
def monitor_add(request: HttpRequest, store_id: int) -> HttpResponse:
    store = _managed_store(request, store_id)
    form = MonitorForm(request.POST)
    try:
        if form.is_valid():
            review_settings.monitor_add(store=store, phrase=form.cleaned_data["phrase"], actor=request.user)
        else:
            messages.error(request, "; ".join(form.errors["phrase"]))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reviews:settings", store_id=store.pk)


@login_required
@require_POST
def monitor_remove(request: HttpRequest, store_id: int, monitor_id: int) -> HttpResponse:
    store = _managed_store(request, store_id)
    review_settings.monitor_remove(
        monitor=get_object_or_404(KeywordMonitor, pk=monitor_id, store=store), actor=request.user
    )
    return redirect("reviews:settings", store_id=store.pk)


@login_required
@require_POST
def play_set(request: HttpRequest, store_id: int) -> HttpResponse:
    store = _managed_store(request, store_id)
    form = PlayForm(request.POST)
    if form.is_valid():
        remedy_play_set(store=store, actor=request.user, **form.cleaned_data)
    else:
        form_errors(request, form)
    return redirect("reviews:settings", store_id=store.pk)


def _store_template(store, template_id: str | None) -> ReplyTemplate | None:
    """The store's template named by the form, None for a new one; another store's is a 404."""
    if not template_id:
        return None
    if not template_id.isdigit():
        raise Http404
    return get_object_or_404(ReplyTemplate, pk=int(template_id), store=store)


@login_required
@require_http_methods(["GET", "POST"])
def reply_templates(request: HttpRequest, store_id: int) -> HttpResponse:
    """The store's reply templates: each row is its own form (prefix t<id>), plus one to add (prefix new)."""
    store = _managed_store(request, store_id)
    bound_template, bound_form = None, None
    if request.method == "POST":
        bound_template = _store_template(store, request.POST.get("template"))
        bound_form = ReplyTemplateForm(request.POST, prefix=f"t{bound_template.pk}" if bound_template else "new")
        if bound_form.is_valid():
            try:
                review_settings.reply_template_save(
                    store=store, actor=request.user, template=bound_template, **bound_form.cleaned_data
                )
            except DomainError as exc:
                bound_form.add_error(exc.field if exc.field in bound_form.fields else None, exc.message)
            else:
                messages.success(request, _("Reply template saved."))
                return redirect("reviews:reply_templates", store_id=store.pk)
    rows = [
        (
            template,
            bound_form if bound_form and template == bound_template else ReplyTemplateForm.for_template(template),
        )
        for template in reply_templates_for(store=store)
    ]
    context = {
        "store": store,
        "stores": stores_managed_by(user=request.user),
        "rows": rows,
        "new_form": bound_form if bound_form and bound_template is None else ReplyTemplateForm(prefix="new"),
    }
    return render(request, "reviews/reply_templates.html", context, status=400 if bound_form else 200)


@login_required
@require_POST
def reply_template_remove(request: HttpRequest, store_id: int, template_id: int) -> HttpResponse:
    store = _managed_store(request, store_id)
    review_settings.reply_template_remove(
        template=get_object_or_404(ReplyTemplate, pk=template_id, store=store), actor=request.user
    )
    return redirect("reviews:reply_templates", store_id=store.pk)


@login_required
@require_GET
def quality(request: HttpRequest) -> HttpResponse:
    """The classifier's precision and recall against agents' verdicts, and cross-validated on the shipped labelled
    reviews (its model is trained on them: scored in-sample it would look better than it is)."""
    stores = stores_managed_by(user=request.user)
    if not stores.exists():
        raise PermissionDenied
    store = stores.filter(code=request.GET.get("store", "")).first()
    corrections = latest_corrections(user=request.user, store=store)
    context = {
        "stores": stores,
        "store": store,
        "live": score((c.predicted, c.after) for c in corrections),
        "changed": sum(set(c.predicted) != set(c.after) for c in corrections),
        "recent": corrections[:20],
        "offline": shipped_cross_validation().classifier,
    }
    return render(request, "reviews/quality.html", context)
