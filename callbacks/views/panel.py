"""The call panel for one follow-up: script, archive, phone (masked, reveal audited), outcome, profile edits."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from callbacks.forms import OutcomeForm, ProfileForm, add_domain_error
from callbacks.models import FollowUp
from callbacks.scripts import render_script
from callbacks.selectors import (
    call_script_for,
    customer_history,
    followup_attempts,
    followup_get_for_user,
    followup_latest_call,
    followup_next_open,
)
from callbacks.services.calls import call_start
from callbacks.services.outcomes import followup_log_outcome
from crm import roles
from crm.errors import InvalidInput
from crm.personality import answering_strategy
from crm.services.customers import customer_reveal_phone, customer_update_profile

from .common import request_agent


def _outcome_form(followup: FollowUp, attempts: list) -> OutcomeForm:
    return OutcomeForm(store=followup.store, initial={"expected_seq": len(attempts) + 1})


@login_required
@require_GET
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    followup = followup_get_for_user(user=request.user, followup_id=pk)
    attempts = followup_attempts(followup=followup)
    script = call_script_for(store=followup.store)
    context = {
        "f": followup,
        "customer": followup.customer,
        "attempts": attempts,
        "history": customer_history(followup=followup),
        "script": render_script(
            script.body if script else None, store=followup.store, customer=followup.customer, order=followup.order
        ),
        "strategy": answering_strategy(followup.customer.personality_type),
        "outcome_form": _outcome_form(followup, attempts),
        "call": followup_latest_call(followup=followup),
        "is_manager": roles.is_store_manager(request.user),
    }
    return render(request, "callbacks/panel.html", context)


@login_required
@require_POST
def log_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    followup = followup_get_for_user(user=request.user, followup_id=pk)
    form = OutcomeForm(request.POST, store=followup.store)
    if form.is_valid():
        try:
            followup_log_outcome(followup=followup, agent=request_agent(request), **form.cleaned_data)
        except InvalidInput as exc:
            add_domain_error(form, exc)
        else:
            following = followup_next_open(user=request.user, after=followup)
            url = reverse("callbacks:panel", args=[following.pk]) if following else reverse("callbacks:queue")
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render(request, "callbacks/_outcome_form.html", {"f": followup, "outcome_form": form}, status=400)


@login_required
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    followup = followup_get_for_user(user=request.user, followup_id=pk)
    phone = customer_reveal_phone(customer=followup.customer, actor=request.user)
    return render(request, "callbacks/_phone.html", {"f": followup, "revealed": phone})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the edit form; POST: save it and show the archive again (with the change in its history)."""
    followup = followup_get_for_user(user=request.user, followup_id=pk)
    customer = followup.customer
    if request.method == "GET":
        return render(
            request, "callbacks/_profile_form.html", {"f": followup, "form": ProfileForm.for_customer(customer)}
        )
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            customer_update_profile(customer=customer, actor=request.user, changes=form.cleaned_data)
        except InvalidInput as exc:
            add_domain_error(form, exc)
        else:
            followup = followup_get_for_user(user=request.user, followup_id=pk)
            context = {
                "f": followup,
                "customer": followup.customer,
                "history": customer_history(followup=followup),
                "strategy": answering_strategy(followup.customer.personality_type),
            }
            return render(request, "callbacks/_profile.html", context)
    return render(request, "callbacks/_profile_form.html", {"f": followup, "form": form}, status=400)


@login_required
@require_POST
def place_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Click to call: the agent's phone rings first, then the customer is bridged in (no reveal needed)."""
    followup = followup_get_for_user(user=request.user, followup_id=pk)
    call = call_start(followup=followup, agent=request_agent(request))
    return render(request, "callbacks/_call_status.html", {"f": followup, "call": call})


@login_required
@require_GET
def call_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the panel while a call is under way; the provider's status callbacks move it forward."""
    followup = followup_get_for_user(user=request.user, followup_id=pk)
    return render(
        request, "callbacks/_call_status.html", {"f": followup, "call": followup_latest_call(followup=followup)}
    )
