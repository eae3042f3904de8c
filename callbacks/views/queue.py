"""Tonight's queue (agents: their own; managers: every agent of their stores) and the managers' actions on it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from callbacks.forms import CallScriptForm, QueueFilterForm, ReassignForm
from callbacks.scripts import default_case_script, default_script
from callbacks.selectors import (
    QueueFilters,
    agent_of,
    agents_for_stores,
    call_script_for,
    followup_get_for_user,
    queue_tonight,
)
from callbacks.services.queue import call_script_update, followup_reassign
from crm import roles
from crm.errors import InvalidInput, PermissionDenied
from crm.models import Store
from crm.pages import form_error, page_attempt, store_filter
from crm.selectors import stores_for_user

from .common import request_agent


def _calls_url() -> str:
    """The queue's URL; a row's panel and reassign URLs are `<id>/` and `<id>/reassign` under it (callbacks.urls)."""
    return reverse("callbacks:queue")


def _filters(form: QueueFilterForm, store: Store | None, agents) -> QueueFilters:
    """The store as `?store=` named it (store_filter: a store that is not the user's was a 404 already); the other
    filters as the form reads them, their defaults when it is not valid."""
    if not form.is_valid():
        return QueueFilters(store=store)
    data = form.cleaned_data
    return QueueFilters(
        store=store,
        status=data.get("status") or "open",
        agent=next((a for a in agents or [] if a.pk == data.get("agent")), None),
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    stores = list(stores_for_user(user=request.user))
    store = store_filter(stores, request.GET.get("store"))
    # A manager steers the calls of the stores they manage; in a store they serve as an agent, their own (ADR 0045).
    managed = roles.managed_store_ids(request.user)
    agents = agents_for_stores(stores=[s for s in stores if s.pk in managed]) if managed else None
    form = QueueFilterForm(request.GET or None, stores=stores, agents=agents)
    filters = _filters(form, store, agents)
    # The queue of a store they serve as an agent is an agent's: their own calls, against their capacity, without the
    # loads of the agents of the stores they manage.
    is_manager = any(store.pk in managed for store in ([filters.store] if filters.store else stores))
    result = queue_tonight(
        user=request.user,
        stores=stores,
        filters=filters,
        is_manager=is_manager,
        agent=agent_of(user=request.user),
        agents=agents if is_manager else None,
    )
    context = {
        "queue": result,
        "form": form,
        "agents": agents,
        "is_manager": is_manager,
        "managed_store_ids": managed,
        # The scripts they edit: a store they serve as an agent shows its script on the panel, as to any agent.
        "script_stores": [store for store in stores if store.pk in managed],
    }
    template = "callbacks/_queue.html" if request.htmx else "callbacks/queue.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the reassign form for one row (loaded on demand); POST: reassign and answer with the row."""
    if not roles.is_store_manager(request.user):
        raise PermissionDenied(_("Only a manager of this store can do this."))
    followup = followup_get_for_user(user=request.user, followup_id=pk)
    if not roles.manages_store(request.user, followup.store_id):  # their own call in a store they serve as an agent
        raise PermissionDenied(_("Only a manager of this store can do this."))
    agents = agents_for_stores(stores=[followup.store])
    if request.method == "GET":
        return render(request, "callbacks/_reassign_form.html", {"f": followup, "agents": agents})
    form = ReassignForm(request.POST, agents=agents)
    reassigned = page_attempt(
        request,
        lambda: followup_reassign(
            followup=followup, manager=request_agent(request), assignee=form.cleaned_data["assignee"]
        ),
        form=form,
        message=False,
    )
    if not reassigned.ok:
        # The row again, as it is now (closed meanwhile, say), with the form and why it was refused.
        context = {
            "f": followup_get_for_user(user=request.user, followup_id=pk),
            "agents": agents,
            "is_manager": True,
            "managed_store_ids": {followup.store_id},
            "reassign_form": form,
            "calls_url": _calls_url(),
        }
        return render(request, "callbacks/_queue_row.html", context, status=reassigned.status)
    if not request.htmx:
        return redirect("callbacks:queue")
    followup = followup_get_for_user(user=request.user, followup_id=pk)
    return render(
        request,
        "callbacks/_queue_row.html",
        {"f": followup, "is_manager": True, "managed_store_ids": {followup.store_id}, "calls_url": _calls_url()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_script(request: HttpRequest, store_id: int) -> HttpResponse:
    store = get_object_or_404(stores_for_user(user=request.user), pk=store_id)
    script = call_script_for(store=store)
    if request.method == "POST":
        form = CallScriptForm(request.POST)
        if form.is_valid():
            try:
                call_script_update(store=store, manager=request_agent(request), **form.cleaned_data)
            except InvalidInput as exc:
                form_error(form, exc)
            else:
                return redirect("callbacks:script", store_id=store.pk)
    else:
        form = CallScriptForm(
            initial={
                "body": script.body if script else default_script(),
                "case_body": script.case_body if script else "",
            }
        )
    can_edit = roles.manages_store(request.user, store)
    return render(
        request,
        "callbacks/script.html",
        {
            "store": store,
            "script": script,
            "form": form,
            "can_edit": can_edit,
            "default_case_script": default_case_script(),
        },
        status=400 if form.errors else 200,
    )
