"""The store policy page: one form per section, each posted on its own and saved through its app's service."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from callbacks.services.policy import policy_update
from crm.errors import DomainError
from crm.models import AgentStore, Store, StoreClosure
from crm.pages import form_refused, page_message, store_code
from crm.selectors import store_by_code, stores_managed_by
from crm.services.closures import store_closure_add, store_closure_remove
from crm.services.policy import (
    agent_shift_update,
    case_policy_update,
    root_cause_save,
    sla_targets_replace,
    store_remedy_limit_update,
)
from crm.services.root_causes import root_cause_choices
from crm.timezones import store_today
from crm.withdrawals import WithdrawalsNotConfirmed
from retention.selectors import campaigns_held_by_store_hours

from ..access import manager_required
from ..policy_forms import (
    AgentShiftForm,
    CasePolicyForm,
    ClosureForm,
    FollowUpPolicyForm,
    RemedyLimitForm,
    RootCauseForm,
    SlaTargetsForm,
)


def _store(request: HttpRequest) -> Store:
    stores = stores_managed_by(user=request.user)
    code = store_code(request)
    store = store_by_code(stores=stores, code=code) if code else stores.first()
    if store is None:
        raise Http404
    return store


def _page(request: HttpRequest, store: Store, bound: dict[str, forms.Form] | None = None, status: int = 200):
    bound = bound or {}
    today = store_today(store)
    # Each agent's shift and capacity in this store: the store's own (ADR 0045).
    memberships = (
        AgentStore.objects.filter(store=store).select_related("agent__user", "store").order_by("agent__user__username")
    )
    agent_forms = [(m.agent, bound.get(f"agent-{m.agent_id}") or AgentShiftForm.for_membership(m)) for m in memberships]
    context = {
        "store": store,
        "stores": stores_managed_by(user=request.user),
        "followup_form": bound.get("followup") or FollowUpPolicyForm.for_store(store),
        "case_form": bound.get("case") or CasePolicyForm.for_store(store),
        "remedy_form": bound.get("remedy_limit") or RemedyLimitForm.for_store(store),
        "sla_form": bound.get("sla") or SlaTargetsForm.for_store(store),
        "root_cause_form": bound.get("root_cause") or RootCauseForm(),
        "root_causes": root_cause_choices(store=store, include_inactive=True),
        "active_root_causes": dict(root_cause_choices(store=store)),
        "agent_forms": agent_forms,
        "closure_form": bound.get("closure") or ClosureForm(),
        # Those still to come or under way, and one ended early until its last day (when, by whom); one already over
        # stays on record but is no longer shown (ADR 0035).
        "closures": StoreClosure.objects.filter(store=store, last_day__gte=today)
        .select_related("ended_by")
        .order_by("first_day"),
        "today": today,
        # Running campaigns whose sending hours the store's SMS hours no longer take in whole (ADR 0044).
        "campaign_hours": campaigns_held_by_store_hours(store=store),
    }
    return render(request, "reports/policy.html", context, status=status)


@require_GET
@manager_required
def policy(request: HttpRequest) -> HttpResponse:
    return _page(request, _store(request))


@dataclass(frozen=True)
class Section:
    """One form of the policy page: how to read it from a POST and which service saves it."""

    form: Callable[[HttpRequest, Store], forms.Form]
    save: Callable[[HttpRequest, Store, forms.Form], object]
    anchor: str


def _confirming(save: Callable[[HttpRequest, Store, forms.Form, int | None], object]):
    """The save of a section whose change may withdraw campaign contacts (new hours, a closure), given the number the
    manager confirmed; when it asks, the question is shown on the section's form (ADR 0046)."""

    def confirming_save(request: HttpRequest, store: Store, form: forms.Form):
        try:
            return save(request, store, form, form.cleaned_data["confirm_withdrawals"])
        except WithdrawalsNotConfirmed as asked:
            form.withdrawals_asked(asked.total)
            raise

    return confirming_save


SECTIONS: dict[str, Section] = {
    "followup": Section(
        lambda request, store: FollowUpPolicyForm(request.POST),
        _confirming(
            lambda request, store, form, confirmed: policy_update(
                store=store, actor=request.user, changes=form.changes(), withdrawals_confirmed=confirmed
            )
        ),
        "followups",
    ),
    "case": Section(
        lambda request, store: CasePolicyForm(request.POST),
        lambda request, store, form: case_policy_update(store=store, actor=request.user, **form.cleaned_data),
        "cases",
    ),
    "remedy_limit": Section(
        lambda request, store: RemedyLimitForm(request.POST),
        lambda request, store, form: store_remedy_limit_update(
            store=store,
            actor=request.user,
            limit=form.cleaned_data["agent_remedy_limit"],
            currency=form.cleaned_data["currency"],
        ),
        "remedies",
    ),
    "sla": Section(
        lambda request, store: SlaTargetsForm(request.POST),
        lambda request, store, form: sla_targets_replace(store=store, actor=request.user, targets=form.targets()),
        "sla",
    ),
    "closure": Section(
        lambda request, store: ClosureForm(request.POST),
        _confirming(
            lambda request, store, form, confirmed: store_closure_add(
                store=store,
                actor=request.user,
                name=form.cleaned_data["name"],
                first_day=form.cleaned_data["first_day"],
                last_day=form.cleaned_data["last_day"],
                withdrawals_confirmed=confirmed,
            )
        ),
        "closures",
    ),
    "root_cause": Section(
        lambda request, store: RootCauseForm(request.POST),
        lambda request, store, form: root_cause_save(store=store, actor=request.user, **form.cleaned_data),
        "root-causes",
    ),
}


def _save(request: HttpRequest, key: str, section: Section) -> HttpResponse:
    """Validate the form, call the service; on a domain error show it on the form, answer with its status (a 409 for
    withdrawals to confirm, ADR 0046) and change nothing."""
    store = _store(request)
    form = section.form(request, store)
    status = 400
    if form.is_valid():
        try:
            section.save(request, store, form)
        except DomainError as error:
            status = form_refused(form, error)
        else:
            messages.success(request, _("Saved. The change is in the audit log."))
            return redirect(f"{reverse('reports:policy')}?store={store.code}#{section.anchor}")
    return _page(request, store, {key: form}, status=status)


@require_POST
@manager_required
def policy_save(request: HttpRequest, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404
    return _save(request, section, SECTIONS[section])


@require_POST
@manager_required
def agent_shift_save(request: HttpRequest, agent_id: int) -> HttpResponse:
    section = Section(
        lambda request, store: AgentShiftForm(request.POST, store=store, prefix=f"agent-{agent_id}"),
        lambda request, store, form: agent_shift_update(store=store, actor=request.user, **form.cleaned_data),
        "agents",
    )
    return _save(request, f"agent-{agent_id}", section)


@require_POST
@manager_required
def closure_remove(request: HttpRequest, closure_id: int) -> HttpResponse:
    """Remove one of the store's closures (the store opens on those days after all): one still to come is deleted,
    one under way ended now and kept (crm.services.closures). Another store's is not found."""
    store = _store(request)
    try:
        store_closure_remove(store=store, actor=request.user, closure_id=closure_id)
    except DomainError as error:
        if error.http_status == 404:
            raise Http404 from None
        page_message(request, error)
    else:
        messages.success(request, _("Saved. The change is in the audit log."))
    return redirect(f"{reverse('reports:policy')}?store={store.code}#closures")
