"""Working one review: causes, reply, and its case's bad-review steps, evidence, remedy and close."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm import roles
from crm.errors import DomainError, NotFound, PermissionDenied
from crm.models import Remedy
from crm.selectors import agent_for_user
from crm.services.cases import remedy_approve, remedy_decline, remedy_propose
from crm.services.root_causes import root_cause_choices
from crm.services.sla import case_sla_status

from ..errors import EvidenceInvalid, ReplyHasAgentWording
from ..forms import CausesForm, CloseForm, DecisionForm, EvidenceForm, RemedyForm, ReplyForm, StepForm
from ..models import Review
from ..models.casework import STEPS, Step
from ..playbook import plays_for
from ..selectors import review_explanation, reviews_for_user
from ..services import casework
from ..services.cases import review_open_case


def _review(request: HttpRequest, pk: int) -> Review:
    return get_object_or_404(reviews_for_user(user=request.user), pk=pk)


def _back(review: Review) -> HttpResponse:
    return redirect("reviews:review", pk=review.pk)


def _attempt(request: HttpRequest, action: Callable[[], object], form=None) -> None:
    """Run a page's write; an invalid form or a domain error becomes a message on the page it returns to. Not
    being allowed is no message: it is the 403 page (crm.middleware)."""
    if form is not None and not form.is_valid():
        form_errors(request, form)
        return
    try:
        action()
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)


def form_errors(request: HttpRequest, form) -> None:
    messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))


def _agent(request: HttpRequest):
    agent = agent_for_user(user=request.user)
    if agent is None:
        raise PermissionDenied(_("Your account has no agent profile."))
    return agent


@login_required
@require_GET
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_review(request, _review(request, pk))


def _render_review(request: HttpRequest, review: Review, *, typed: str | None = None, status: int = 200):
    """The review page; with `typed`, the reply box keeps what the agent typed and asks before a redraft."""
    case = review.case
    saved_text = getattr(getattr(review, "reply", None), "text", "")
    context = {
        "review": review,
        "causes_form": CausesForm(initial={"causes": review.causes}),
        "reply": getattr(review, "reply", None),
        "reply_form": ReplyForm(initial={"text": saved_text if typed is None else typed}),
        "confirm_redraft": typed is not None,
        "plays": plays_for(store=review.store, causes=review.causes),
        "is_manager": roles.is_store_manager(request.user),
        "revisions": review.revisions.all(),
    }
    if case is not None:
        done = {s.step: s for s in case.review_steps.select_related("done_by")}
        root_causes = root_cause_choices(store=review.store, include_inactive=True)
        context |= {
            "case": case,
            "steps": [(step, Step(step).label, done.get(step)) for step in STEPS],
            "step_form": StepForm(),
            "evidence": case.review_evidence.select_related("added_by"),
            "remedies": case.remedies.select_related("proposed_by__user", "decided_by__user"),
            "remedy_form": RemedyForm(initial=_remedy_initial(context["plays"])),
            "decision_form": DecisionForm(),
            "evidence_form": EvidenceForm(),
            "close_form": CloseForm(choices=root_cause_choices(store=review.store)),
            "root_cause_label": dict(root_causes).get(case.root_cause, case.root_cause),
            "sla": case_sla_status(case=case, now=timezone.now()),
        }
    return render(request, "reviews/review.html", context, status=status)


@login_required
@require_GET
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    """On demand (HTMX): which rule or learned feature decided each cause of the review, and on which words."""
    review = _review(request, pk)
    return render(request, "reviews/_explain.html", {"review": review, "found": review_explanation(review=review)})


def _remedy_initial(plays) -> dict:
    return {"kind": plays[0].kind, "cost": plays[0].cost, "description": str(plays[0].script)} if plays else {}


@login_required
@require_POST
def correct_causes(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = CausesForm(request.POST)
    _attempt(
        request,
        lambda: casework.review_correct_causes(review=review, causes=form.cleaned_data["causes"], actor=request.user),
        form,
    )
    return _back(review)


@login_required
@require_POST
def reply_save(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = ReplyForm(request.POST)
    _attempt(
        request,
        lambda: casework.reply_edit(
            review=review, text=form.cleaned_data["text"], actor=request.user, posted=form.cleaned_data["posted"]
        ),
        form,
    )
    return _back(review)


@login_required
@require_POST
def reply_redraft(request: HttpRequest, pk: int) -> HttpResponse:
    """The button sits in the reply form, so what the agent typed comes along: it is kept (the page asks before
    replacing it) unless they confirmed."""
    review = _review(request, pk)
    typed = request.POST.get("text")
    try:
        casework.reply_redraft(review=review, typed=typed, replace_wording=request.POST.get("replace") == "1")
    except ReplyHasAgentWording:
        saved = getattr(review, "reply", None)
        return _render_review(request, review, typed=typed or (saved.text if saved else ""), status=409)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(review)


@login_required
@require_POST
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    _attempt(request, lambda: review_open_case(review=review, actor=request.user))
    return _back(review)


def _case_review(request: HttpRequest, pk: int) -> Review:
    review = _review(request, pk)
    if review.case is None:
        raise NotFound(_("This review has no case yet."))
    return review


@login_required
@require_POST
def step_mark(request: HttpRequest, pk: int) -> HttpResponse:
    review = _case_review(request, pk)
    form = StepForm(request.POST)
    _attempt(
        request,
        lambda: casework.case_step_mark(
            case=review.case,
            step=form.cleaned_data["step"],
            actor=request.user,
            note=form.cleaned_data["note"],
            asked_about_review=form.cleaned_data["asked_about_review"],
        ),
        form,
    )
    return _back(review)


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    review = _case_review(request, pk)
    form = EvidenceForm(request.POST, request.FILES)

    def add() -> None:
        if not form.is_valid():
            raise EvidenceInvalid(field="photo")  # its own message: the form's would name no file type
        casework.evidence_add(
            case=review.case, actor=request.user, photo=form.cleaned_data["photo"], caption=form.cleaned_data["caption"]
        )

    _attempt(request, add)
    return _back(review)


@login_required
@require_POST
def evidence_review_images(request: HttpRequest, pk: int) -> HttpResponse:
    review = _case_review(request, pk)
    casework.evidence_attach_review_images(review=review, actor=request.user)
    return _back(review)


@login_required
@require_POST
def remedy_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = _case_review(request, pk)
    agent = _agent(request)
    form = RemedyForm(request.POST)
    _attempt(request, lambda: remedy_propose(case=review.case, agent=agent, **form.cleaned_data), form)
    return _back(review)


@login_required
@require_POST
def remedy_decide(request: HttpRequest, pk: int, remedy_id: int, decision: str) -> HttpResponse:
    review = _case_review(request, pk)
    remedy = get_object_or_404(Remedy, pk=remedy_id, case=review.case)
    manager = _agent(request)
    form = DecisionForm(request.POST)
    form.is_valid()
    decide = remedy_approve if decision == "approve" else remedy_decline
    _attempt(request, lambda: decide(remedy=remedy, manager=manager, reason=form.cleaned_data.get("reason", "")))
    return _back(review)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    review = _case_review(request, pk)
    form = CloseForm(request.POST, choices=root_cause_choices(store=review.store))
    # An empty or unknown root cause goes to the service as "": its RootCauseRequired says what is missing.
    root_cause = form.cleaned_data["root_cause"] if form.is_valid() else ""
    _attempt(
        request,
        lambda: casework.case_close_with_root_cause(
            case=review.case, root_cause=root_cause, actor=request.user, note=form.data.get("note", "")
        ),
    )
    return _back(review)
