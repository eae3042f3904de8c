"""Managers' review pages: keyword monitors, triage policy, playbook and reply templates per store; quality."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import DomainError
from crm.pages import form_refused, page_attempt, store_code, store_filter
from crm.selectors import stores_managed_by
from crm.services.playbook import playbook_for, remedy_play_set
from crm.validators import is_ascii_number

from .. import tasks
from ..evaluation import score, scores_from_json
from ..forms import MonitorForm, PlayForm, PolicyForm, ReplyTemplateForm
from ..models import ClassifierFigures, KeywordMonitor, ReplyTemplate, StoreCauseModel
from ..selectors import (
    classifier_figures,
    latest_corrections,
    monitors_for,
    reply_templates_for,
    review_policy_for,
)
from ..services import settings as review_settings


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
    policy_form = PolicyForm.for_policy(review_policy_for(store=store), currency=store.currency)
    status = 200
    if request.method == "POST":
        policy_form, status = PolicyForm(request.POST, currency=store.currency), 400
        if policy_form.is_valid():
            try:
                review_settings.review_policy_update(store=store, actor=request.user, **policy_form.cleaned_data)
            except DomainError as exc:
                status = form_refused(policy_form, exc)
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
    return render(request, "reviews/settings.html", context, status=status)


@login_required
@require_POST
def monitor_add(request: HttpRequest, store_id: int) -> HttpResponse:
    store = _managed_store(request, store_id)
    form = MonitorForm(request.POST)
    page_attempt(
        request,
        lambda: review_settings.monitor_add(store=store, phrase=form.cleaned_data["phrase"], actor=request.user),
        form=form,
    )
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
    page_attempt(request, lambda: remedy_play_set(store=store, actor=request.user, **form.cleaned_data), form=form)
    return redirect("reviews:settings", store_id=store.pk)


def _store_template(store, template_id: str | None) -> ReplyTemplate | None:
    """The store's template named by the form, None for a new one; another store's is a 404."""
    if not template_id:
        return None
    if not is_ascii_number(template_id):
        raise Http404
    return get_object_or_404(ReplyTemplate, pk=int(template_id), store=store)


@login_required
@require_http_methods(["GET", "POST"])
def reply_templates(request: HttpRequest, store_id: int) -> HttpResponse:
    """The store's reply templates: each row is its own form (prefix t<id>), plus one to add (prefix new)."""
    store = _managed_store(request, store_id)
    bound_template, bound_form, status = None, None, 200
    if request.method == "POST":
        status = 400
        bound_template = _store_template(store, request.POST.get("template"))
        bound_form = ReplyTemplateForm(request.POST, prefix=f"t{bound_template.pk}" if bound_template else "new")
        if bound_form.is_valid():
            try:
                review_settings.reply_template_save(
                    store=store, actor=request.user, template=bound_template, **bound_form.cleaned_data
                )
            except DomainError as exc:
                status = form_refused(bound_form, exc)  # a twin of a template the store has: 409
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
    return render(request, "reviews/reply_templates.html", context, status=status)


@login_required
@require_POST
def reply_template_remove(request: HttpRequest, store_id: int, template_id: int) -> HttpResponse:
    store = _managed_store(request, store_id)
    review_settings.reply_template_remove(
        template=get_object_or_404(ReplyTemplate, pk=template_id, store=store), actor=request.user
    )
    return redirect("reviews:reply_templates", store_id=store.pk)


# The kept figures, in the order the quality page shows them, with what each measures.
KEPT_FIGURES = {
    "real_heldout": gettext_lazy("Real customers' reviews, first held-out part (never tuned on)"),
    "real_heldout2": gettext_lazy("Real customers' reviews, second held-out part (never tuned on)"),
    "real_heldout3": gettext_lazy("Real customers' reviews, third held-out part (never tuned on)"),
    "real_heldout4": gettext_lazy("Real customers' reviews, fourth held-out part (never tuned on)"),
    "real_heldout5": gettext_lazy("Real customers' reviews, fifth held-out part (never tuned on)"),
    "real_dev": gettext_lazy("Real customers' reviews, development part (cross-validated)"),
    "blind_rounds": gettext_lazy("Synthetic blind rounds"),
    "cross_validation": gettext_lazy("Cross-validated on the shipped synthetic reviews"),
}


def kept_scores(kept: ClassifierFigures | None) -> list[tuple[str, object]]:
    if kept is None:
        return []
    return [
        (title, scores_from_json(kept.figures[name])) for name, title in KEPT_FIGURES.items() if name in kept.figures
    ]


def _quality_stores(request: HttpRequest):
    stores = stores_managed_by(user=request.user)
    if not stores.exists():
        raise PermissionDenied
    return stores


@login_required
@require_GET
def quality(request: HttpRequest) -> HttpResponse:
    """The classifier's precision and recall against agents' verdicts (computed here: one query), and its offline
    figures, computed in the background by Celery and shown as kept, with the time they were computed (ADR 0007)."""
    stores = _quality_stores(request)
    store = store_filter(stores, request.GET.get("store"))
    # The stores the user manages, "All my stores" too: not one they serve as an agent (ADR 0045).
    corrections = latest_corrections(stores=stores, store=store)
    kept = classifier_figures()
    if kept is None:
        tasks.classifier_figures_request()
    context = {
        "stores": stores,
        "store": store,
        "live": score((c.predicted, c.after) for c in corrections),
        "changed": sum(set(c.predicted) != set(c.after) for c in corrections),
        "recent": corrections[:20],
        "kept": kept,
        "offline": kept_scores(kept),
        "store_model": StoreCauseModel.objects.filter(store=store).first() if store else None,
    }
    return render(request, "reviews/quality.html", context)


@login_required
@require_POST
def quality_refresh(request: HttpRequest) -> HttpResponse:
    """On demand: recompute the kept figures, and retrain the chosen store's model from its agents' corrections."""
    stores = _quality_stores(request)
    store = store_filter(stores, store_code(request))
    transaction.on_commit(tasks.compute_classifier_figures.delay)
    if store is not None:
        transaction.on_commit(lambda: tasks.train_store_model.delay(store.pk))
    messages.info(request, _("The figures are being computed; this page shows them when they are ready."))
    return redirect(f"{reverse('reviews:quality')}?store={store.code if store else ''}")
