"""The call panel: script, archive, phone (masked, reveal audited), click-to-call, outcome, profile edits.

One panel for two subjects: an evening follow-up (`/calls/<id>/`) and a case call opened from a case page
(`/calls/case-calls/<id>/`). The actions both share take a `PanelKind` from the URL conf: how to load the subject
for the user (a 404 outside their scope), how to place its call, and the URL names its partials post to.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from callbacks.errors import CallNotAllowed, TelephonyFailed
from callbacks.forms import CaseCallOutcomeForm, OutcomeForm, ProfileForm
from callbacks.models import Call, CallScript, CaseCall, FollowUp
from callbacks.scripts import default_case_script, default_parcel_script, default_script, render_script
from callbacks.selectors import (
    call_attempts_of,
    call_script_for,
    case_call_get_for_user,
    customer_history,
    followup_get_for_user,
    followup_merged_orders,
    followup_next_open,
    latest_call_of,
)
from callbacks.services.calls import call_decide, call_start, case_call_start
from callbacks.services.case_calls import case_call_log_outcome, case_call_open
from callbacks.services.outcomes import followup_log_outcome
from crm import roles
from crm.errors import InvalidInput
from crm.models import Agent
from crm.pages import form_error, fragment_status, next_url
from crm.personality import answering_strategy
from crm.selectors import cases_for_user
from crm.services.customers import customer_reveal_phone, customer_update_profile

from .common import request_agent


@dataclass(frozen=True)
class PanelUrls:
    panel: str
    call: str
    call_status: str
    outcome: str
    reveal: str
    profile: str


@dataclass(frozen=True)
class PanelKind:
    load: Callable[..., FollowUp | CaseCall]  # (user=, pk=) -> the subject, or a NotFound
    start: Callable[[FollowUp | CaseCall, Agent, bool], Call]  # (subject, agent, override outside call hours)
    # (the store's scripts, the subject) -> the script for this kind of call: the store's, or the default
    script: Callable[[CallScript | None, FollowUp | CaseCall], str]
    urls: PanelUrls


FOLLOWUP = PanelKind(
    load=lambda *, user, pk: followup_get_for_user(user=user, followup_id=pk),
    start=lambda subject, agent, override: call_start(followup=subject, agent=agent, override=override),
    # The store's script is its evening care call's; a parcel at risk has its own default (it has not arrived).
    script=lambda script, subject: (
        default_parcel_script()
        if subject.purpose == FollowUp.Purpose.LOGISTICS
        else script.body
        if script
        else default_script()
    ),
    urls=PanelUrls(
        panel="callbacks:panel",
        call="callbacks:call",
        call_status="callbacks:call-status",
        outcome="callbacks:outcome",
        reveal="callbacks:reveal",
        profile="callbacks:profile",
    ),
)
CASE_CALL = PanelKind(
    load=lambda *, user, pk: case_call_get_for_user(user=user, case_call_id=pk),
    start=lambda subject, agent, override: case_call_start(case_call=subject, agent=agent, override=override),
    script=lambda script, subject: script.case_body if script and script.case_body else default_case_script(),
    urls=PanelUrls(
        panel="callbacks:case-call",
        call="callbacks:case-call-call",
        call_status="callbacks:case-call-status",
        outcome="callbacks:case-call-outcome",
        reveal="callbacks:case-call-reveal",
        profile="callbacks:case-call-profile",
    ),
)


def _history(subject: FollowUp | CaseCall):
    """The customer's archive; a follow-up on the panel is left out of their earlier contacts."""
    return customer_history(customer=subject.customer, followup=subject if isinstance(subject, FollowUp) else None)


def _panel_context(request: HttpRequest, subject: FollowUp | CaseCall, kind: PanelKind) -> dict:
    attempts = call_attempts_of(subject=subject)
    script = call_script_for(store=subject.store)
    customer = subject.customer
    return {
        "f": subject,
        "urls": kind.urls,
        "customer": customer,
        "attempts": attempts,
        "history": _history(subject),
        # The orders merged into this call (ADR 0051): the agent talks about them in the same call.
        "merged_orders": followup_merged_orders(followup=subject) if isinstance(subject, FollowUp) else [],
        # A call task brings its own script (what happened to the parcel, why we call); else the store's.
        "script": render_script(
            getattr(subject, "script", "") or kind.script(script, subject),
            store=subject.store,
            customer=customer,
            order=subject.order,
        ),
        "strategy": answering_strategy(customer.personality_type),
        "call": latest_call_of(subject=subject),
        # What the contact gate says about calling now: the call button shows the reason, and an override
        # outside the store's call hours.
        "call_decision": call_decide(subject=subject),
        "is_manager": roles.manages_store(request.user, subject.store_id),
        "expected_seq": len(attempts) + 1,
    }


@login_required
@require_GET
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    followup = followup_get_for_user(user=request.user, followup_id=pk)
    context = _panel_context(request, followup, FOLLOWUP)
    context["outcome_form"] = OutcomeForm(
        store=followup.store, purpose=followup.purpose, initial={"expected_seq": context["expected_seq"]}
    )
    return render(request, "callbacks/panel.html", context)


@login_required
@require_POST
def log_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    followup = followup_get_for_user(user=request.user, followup_id=pk)
    form = OutcomeForm(request.POST, store=followup.store, purpose=followup.purpose)
    if form.is_valid():
        try:
            attempt = followup_log_outcome(followup=followup, agent=request_agent(request), **form.cleaned_data)
        except InvalidInput as exc:
            form_error(form, exc)
        else:
            return _outcome_logged(request, pk=pk, attempt=attempt)
    context = {"f": followup, "urls": FOLLOWUP.urls, "outcome_form": form}
    return render(request, "callbacks/_outcome_form.html", context, status=400)


def _outcome_logged(request: HttpRequest, *, pk: int, attempt) -> HttpResponse:
    """Confirm on the page what was logged, for whom and what happens next; the agent moves on by choice (the
    next call is named with its order, since customers often share a name), never by a silent jump."""
    followup = followup_get_for_user(user=request.user, followup_id=pk)
    context = {
        "f": followup,
        "attempt": attempt,
        "next_call": followup_next_open(user=request.user, after=followup),
        "sms_instead": followup.order.followups.filter(channel="sms", created_at__gte=attempt.at).first(),
    }
    if not request.htmx:
        messages.success(request, render_to_string("callbacks/_outcome_message.txt", context, request=request))
        return redirect("callbacks:panel", pk=pk)
    return render(request, "callbacks/_outcome_done.html", context)


def _back_url(request: HttpRequest, case_id: int, candidate: str | None) -> str:
    """Where the agent came from (the review page, the case page), if it is one of ours; else the case page."""
    return next_url(request, candidate) or reverse("cases:case", args=[case_id])


@login_required
@require_POST
def case_call_open_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """ "Call the customer" on a case page: open (or find) the case's call for this agent and show its panel."""
    case = get_object_or_404(cases_for_user(user=request.user), pk=case_id)
    case_call, _created = case_call_open(case=case, agent=request_agent(request))
    back = _back_url(request, case.pk, request.POST.get("next"))
    return redirect(f"{reverse('callbacks:case-call', args=[case_call.pk])}?{urlencode({'next': back})}")


@login_required
@require_GET
def case_call_panel(request: HttpRequest, pk: int) -> HttpResponse:
    case_call = case_call_get_for_user(user=request.user, case_call_id=pk)
    context = _panel_context(request, case_call, CASE_CALL)
    context["outcome_form"] = CaseCallOutcomeForm(initial={"expected_seq": context["expected_seq"]})
    context["back_url"] = _back_url(request, case_call.case_id, request.GET.get("next"))
    return render(request, "callbacks/case_panel.html", context)


@login_required
@require_POST
def case_call_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """Log the attempt on the case; then back to the case page the agent came from."""
    case_call = case_call_get_for_user(user=request.user, case_call_id=pk)
    back = _back_url(request, case_call.case_id, request.POST.get("next"))
    form = CaseCallOutcomeForm(request.POST)
    if form.is_valid():
        try:
            attempt = case_call_log_outcome(case_call=case_call, agent=request_agent(request), **form.cleaned_data)
        except InvalidInput as exc:
            form_error(form, exc)
        else:
            # Back on the case page, the message says what was logged and for whom.
            context = {"f": case_call, "attempt": attempt, "next_call": None, "sms_instead": None}
            messages.success(request, render_to_string("callbacks/_outcome_message.txt", context, request=request))
            return HttpResponseClientRedirect(back) if request.htmx else redirect(back)
    context = {"f": case_call, "urls": CASE_CALL.urls, "outcome_form": form, "back_url": back}
    return render(request, "callbacks/_case_outcome_form.html", context, status=400)


@login_required
@require_POST
def reveal_phone(request: HttpRequest, pk: int, kind: PanelKind) -> HttpResponse:
    subject = kind.load(user=request.user, pk=pk)
    phone = customer_reveal_phone(customer=subject.customer, actor=request.user)
    return render(request, "callbacks/_phone.html", {"f": subject, "urls": kind.urls, "revealed": phone})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, pk: int, kind: PanelKind) -> HttpResponse:
    """GET: the edit form; POST: save it and show the archive again (with the change in its history)."""
    subject = kind.load(user=request.user, pk=pk)
    customer = subject.customer
    if request.method == "GET":
        context = {"f": subject, "urls": kind.urls, "form": ProfileForm.for_customer(customer)}
        return render(request, "callbacks/_profile_form.html", context)
    form = ProfileForm(request.POST, store=customer.store)
    if form.is_valid():
        try:
            customer_update_profile(customer=customer, actor=request.user, changes=form.cleaned_data)
        except InvalidInput as exc:
            form_error(form, exc)
        else:
            subject = kind.load(user=request.user, pk=pk)
            context = {
                "f": subject,
                "urls": kind.urls,
                "customer": subject.customer,
                "history": _history(subject),
                "strategy": answering_strategy(subject.customer.personality_type),
            }
            return render(request, "callbacks/_profile.html", context)
    return render(request, "callbacks/_profile_form.html", {"f": subject, "urls": kind.urls, "form": form}, status=400)


@login_required
@require_POST
def place_call(request: HttpRequest, pk: int, kind: PanelKind) -> HttpResponse:
    """Click to call: the agent's phone rings first, then the customer is bridged in (no reveal needed)."""
    subject = kind.load(user=request.user, pk=pk)
    try:
        call = kind.start(subject, request_agent(request), request.POST.get("override") == "1")
    except CallNotAllowed as refused:
        context = {"f": subject, "urls": kind.urls, "refusal": refused}
        return render(request, "callbacks/_call_refused.html", context, status=refused.http_status)
    except TelephonyFailed as failed:  # the provider refused or failed: nothing was placed, the agent may call again
        if not request.htmx:
            raise  # the error page, with its 502
        context = {"f": subject, "urls": kind.urls, "failure": failed}
        return render(request, "callbacks/_call_failed.html", context, status=fragment_status(failed))
    subject = kind.load(user=request.user, pk=pk)  # as the call left it: "in progress" for the header too
    context = {"f": subject, "urls": kind.urls, "call": call, "refresh_badge": True}
    return render(request, "callbacks/_call_status.html", context)


@login_required
@require_GET
def call_status(request: HttpRequest, pk: int, kind: PanelKind) -> HttpResponse:
    """Polled by the panel while a call is under way; the provider's status callbacks move it forward."""
    subject = kind.load(user=request.user, pk=pk)
    context = {"f": subject, "urls": kind.urls, "call": latest_call_of(subject=subject)}
    return render(request, "callbacks/_call_status.html", context)
