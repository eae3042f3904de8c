"""The case list and the case page, and every action of the case workspace. Thin: parse, scope, call a
service, redirect back (to the page the form came from when it says so: the review page embeds the workspace)."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.casework import case_kind_for
from crm.downloads import file_response
from crm.errors import NotFound, PermissionDenied
from crm.evidence_removal import evidence_removed_error
from crm.forms import (
    CaseCloseForm,
    CaseFilterForm,
    CaseReopenForm,
    CaseResumeForm,
    CaseWaitForm,
    DecisionForm,
    EvidenceForm,
    ManagerDecisionForm,
    NegotiationFailedForm,
    ReassignForm,
    RemedyConfirmForm,
    RemedyForm,
    RemedyFulfilForm,
    RemedyWithdrawForm,
)
from crm.models import Agent, Case, CaseEvidence, Remedy
from crm.pages import next_url, page_attempt, page_number, store_filter
from crm.personality import answering_strategy
from crm.selectors import agent_for_user, agents_serving, cases_for_user, stores_for_user
from crm.selectors.cases import CaseFilters, case_list, case_list_choices, case_rows
from crm.selectors.customers import customer_cases, purchase_habits
from crm.services import casework, escalation, waiting
from crm.services.cases import case_close, case_reassign, case_reopen, remedy_approve, remedy_decline, remedy_propose
from crm.services.playbook import plays_for
from crm.services.root_causes import root_cause_choices
from crm.services.submissions import submission_once
from crm.uploads import upload_kind_of
from crm.workspace import case_workspace, step_form


def _case(request: HttpRequest, case_id: int) -> Case:
    """The case, if the user serves its store; another store's case is a 404, not a 403."""
    return get_object_or_404(cases_for_user(user=request.user), pk=case_id)


def _agent(request: HttpRequest) -> Agent:
    agent = agent_for_user(user=request.user)
    if agent is None:
        raise PermissionDenied(_("Your account has no agent profile."))
    return agent


def _back(request: HttpRequest, case: Case) -> HttpResponse:
    return redirect(next_url(request, request.POST.get("next")) or reverse("cases:case", args=[case.pk]))


@login_required
@require_GET
def case_list_page(request: HttpRequest) -> HttpResponse:
    stores, agents = case_list_choices(user=request.user)
    store = store_filter(stores, request.GET.get("store"))
    form = CaseFilterForm(request.GET or None, stores=stores, agents=agents)
    data = form.cleaned_data if form.is_valid() else {}
    data = {k: v for k, v in data.items() if v not in (None, "") and k != "store"}
    filters = CaseFilters(**data, store=store.pk if store else None)
    page = page_number(request.GET.get("page"))
    now = timezone.now()
    result = case_list(user=request.user, filters=filters, now=now, page=page)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "result": result,
        "rows": case_rows(cases=result.rows, now=now),
        "form": form,
        "query": query.urlencode(),
    }
    template = "crm/cases/_list.html" if request.htmx else "crm/cases/list.html"
    return render(request, template, context)


def _render_case(request: HttpRequest, case: Case, *, status: int = 200, **forms) -> HttpResponse:
    """The case page; `forms` bound ones shown in place of the workspace's fresh forms (a refused one, kept)."""
    customer = case.customer
    context = (
        case_workspace(case=case, user=request.user)
        | forms
        | {
            "customer": customer,
            "strategy": answering_strategy(customer.personality_type),
            "habits": purchase_habits(customer=customer, with_products=False),
            "other_cases": customer_cases(customer=customer, exclude=case, limit=10),
            "next": "",
        }
    )
    return render(request, "crm/cases/page.html", context, status=status)


@login_required
@require_GET
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_case(request, _case(request, case_id))


@login_required
@require_GET
def case_timeline_redirect(request: HttpRequest, case_id: int) -> HttpResponse:
    """The old timeline address: the timeline is part of the case page now."""
    return redirect("cases:case", case_id=_case(request, case_id).pk)


@login_required
@require_POST
def step_mark(request: HttpRequest, case_id: int, step: str) -> HttpResponse:
    case = _case(request, case_id)
    spec = case_kind_for(case=case).step(step)
    if spec is None or spec.perform is None:
        raise NotFound(_("This case has no such step."))
    form = step_form(spec, case, request.POST)
    agent = agent_for_user(user=request.user)
    page_attempt(
        request, lambda: spec.perform(case=case, actor=request.user, agent=agent, **form.cleaned_data), form=form
    )
    return _back(request, case)


@login_required
@require_POST
def evidence_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = EvidenceForm(request.POST, request.FILES)
    attempt = page_attempt(
        request,
        # A second send of the same form (a double click) stores nothing again (crm.services.submissions).
        lambda: submission_once(
            token=form.cleaned_data["submission"],
            user=request.user,
            form="crm.evidence",
            store=case.store,
            subject=case,  # the token of one case's form adds nothing to another's
            create=partial(
                casework.evidence_add,
                case=case,
                actor=request.user,
                photo=form.cleaned_data["photo"],
                caption=form.cleaned_data["caption"],
            ),
        ),
        form=form,
    )
    if not attempt.ok:
        # A refused upload is answered with its status (400: the field and the reason, on the case page, whichever
        # page embedded the form), not a redirect a client reads as stored; nothing of it was kept (ADR 0047).
        return _render_case(request, case, status=attempt.status, evidence_form=form)
    return _back(request, case)


@login_required
@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = get_object_or_404(
        CaseEvidence.objects.exclude(image=""), pk=evidence_id, case__store__in=stores_for_user(user=request.user)
    )
    if evidence.quarantined_at is not None:  # refused by the upload check of today: kept for audit, never served
        raise evidence_removed_error(evidence.quarantine_reason, field=_("Photo"), case_id=evidence.case_id)
    try:
        photo = evidence.image.open("rb")
    except FileNotFoundError:  # the row outlived its file (a restore without the media folder): nothing to send
        raise Http404 from None
    # The type comes from the bytes, again: files stored before uploads were checked are served as a download.
    kind = upload_kind_of(photo)
    return file_response(
        photo,
        filename=f"evidence-{evidence.pk}.{kind.extension if kind else 'bin'}",
        content_type=kind.content_type if kind else "application/octet-stream",
        as_attachment=not (kind and kind.inline),
    )


@login_required
@require_POST
def remedy_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    agent = _agent(request)
    form = RemedyForm(request.POST, currency=case.remedy_currency)
    page_attempt(request, lambda: remedy_propose(case=case, agent=agent, **form.cleaned_data), form=form)
    return _back(request, case)


def _remedy(request: HttpRequest, case: Case, remedy_id: int) -> Remedy:
    return get_object_or_404(Remedy, pk=remedy_id, case=case)


@login_required
@require_POST
def remedy_decide(request: HttpRequest, case_id: int, remedy_id: int, decision: str) -> HttpResponse:
    case = _case(request, case_id)
    remedy = _remedy(request, case, remedy_id)
    manager = _agent(request)
    form = DecisionForm(request.POST)
    decide = remedy_approve if decision == "approve" else remedy_decline
    page_attempt(request, lambda: decide(remedy=remedy, manager=manager, reason=form.cleaned_data["reason"]), form=form)
    return _back(request, case)


@login_required
@require_POST
def remedy_fulfil(request: HttpRequest, case_id: int, remedy_id: int) -> HttpResponse:
    case = _case(request, case_id)
    remedy = _remedy(request, case, remedy_id)
    agent = _agent(request)
    form = RemedyFulfilForm(request.POST)
    page_attempt(
        request,
        lambda: casework.remedy_fulfil(remedy=remedy, agent=agent, reference=form.cleaned_data["reference"]),
        form=form,
    )
    return _back(request, case)


@login_required
@require_POST
def remedy_withdraw(request: HttpRequest, case_id: int, remedy_id: int) -> HttpResponse:
    case = _case(request, case_id)
    remedy = _remedy(request, case, remedy_id)
    form = RemedyWithdrawForm(request.POST)
    page_attempt(
        request,
        lambda: casework.remedy_withdraw(remedy=remedy, actor=request.user, reason=form.cleaned_data["reason"]),
        form=form,
    )
    return _back(request, case)


@login_required
@require_POST
def remedy_confirm(request: HttpRequest, case_id: int, remedy_id: int) -> HttpResponse:
    case = _case(request, case_id)
    remedy = _remedy(request, case, remedy_id)
    form = RemedyConfirmForm(request.POST)
    page_attempt(
        request,
        lambda: casework.remedy_confirm(remedy=remedy, actor=request.user, via=form.cleaned_data["via"]),
        form=form,
    )
    return _back(request, case)


@login_required
@require_POST
def negotiation_failed(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = NegotiationFailedForm(
        request.POST,
        plays=plays_for(store=case.store, causes=case.causes or [case.cause]),
        currency=case.store.currency,
    )
    page_attempt(
        request,
        lambda: escalation.case_negotiation_fail(
            case=case, actor=request.user, offered=form.cleaned_data["offered"], note=form.cleaned_data["note"]
        ),
        form=form,
    )
    return _back(request, case)


@login_required
@require_POST
def manager_decide(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    manager = _agent(request)
    form = ManagerDecisionForm(request.POST, currency=case.remedy_currency)
    page_attempt(
        request, lambda: escalation.case_manager_decide(case=case, manager=manager, **form.cleaned_data), form=form
    )
    return _back(request, case)


@login_required
@require_POST
def reassign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    manager = _agent(request)
    agents = list(agents_serving(store=case.store))
    form = ReassignForm(request.POST, agents=agents)

    def act() -> None:
        assignee = next(a for a in agents if a.pk == int(form.cleaned_data["assignee"]))
        case_reassign(case=case, assignee=assignee, manager=manager)

    page_attempt(request, act, form=form)
    return _back(request, case)


@login_required
@require_POST
def close(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = CaseCloseForm(request.POST, choices=root_cause_choices(store=case.store))
    form.is_valid()
    # An empty or unknown root cause goes to the service as "": its RootCauseRequired says what is missing. A note
    # the form refuses (too long, a NUL character) is the form's to name.
    root_cause = form.cleaned_data.get("root_cause", "")
    page_attempt(
        request,
        lambda: case_close(case=case, root_cause=root_cause, actor=request.user, note=form.cleaned_data["note"]),
        form=form if "note" in form.errors else None,
    )
    return _back(request, case)


@login_required
@require_POST
def reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = CaseReopenForm(request.POST)
    page_attempt(
        request, lambda: case_reopen(case=case, reason=form.cleaned_data["reason"], actor=request.user), form=form
    )
    return _back(request, case)


@login_required
@require_POST
def wait(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = CaseWaitForm(request.POST)
    page_attempt(
        request, lambda: waiting.case_wait(case=case, actor=request.user, asked=form.cleaned_data["asked"]), form=form
    )
    return _back(request, case)


@login_required
@require_POST
def resume(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = CaseResumeForm(request.POST)
    page_attempt(
        request, lambda: waiting.case_resume(case=case, actor=request.user, note=form.cleaned_data["note"]), form=form
    )
    return _back(request, case)
