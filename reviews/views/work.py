"""Working one review: causes, public reply, the platform complaint, and its case — whose steps, evidence,
remedies and close are crm's case workspace, embedded here (crm.workspace, ADR 0023)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm import roles
from crm.errors import DomainError, NotFound
from crm.pages import page_attempt, page_message
from crm.workspace import case_workspace

from ..errors import ReplyChanged, ReplyHasAgentWording, ReplyWindowClosed
from ..forms import CausesForm, PlatformComplaintForm, ReplyForm
from ..models import Review
from ..replies import reply_max_length, reply_window
from ..selectors import review_explanation, reviews_for_user
from ..services import bad_review, public_reply
from ..services.cases import review_open_case
from ..services.platform_complaint import platform_complaint_record


def _review(request: HttpRequest, pk: int) -> Review:
    return get_object_or_404(reviews_for_user(user=request.user), pk=pk)


def _back(review: Review) -> HttpResponse:
    return redirect("reviews:review", pk=review.pk)


@login_required
@require_GET
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_review(request, _review(request, pk))


def _render_review(
    request: HttpRequest,
    review: Review,
    *,
    typed: str | None = None,
    confirm_redraft: bool = False,
    reply_conflict: bool = False,
    status: int = 200,
):
    """The review page; with `typed`, the reply box keeps what the agent typed (asking before a redraft with
    `confirm_redraft`, or showing the reply a colleague saved meanwhile with `reply_conflict`)."""
    complaint = getattr(review, "platform_complaint", None)
    reply = getattr(review, "reply", None)
    saved_text = getattr(reply, "text", "")
    context = {
        "review": review,
        "causes_form": CausesForm(initial={"causes": review.causes}),
        "reply": reply,
        "reply_form": ReplyForm(
            initial={"text": saved_text if typed is None else typed, "based_on": public_reply.reply_version(reply)}
        ),
        "reply_max_length": reply_max_length(review.store),
        "reply_window": reply_window(review),
        # What the agent typed, when the page answers a refused save: shown even where no reply form is left.
        "typed": typed if typed != saved_text else None,
        "confirm_redraft": confirm_redraft,
        "reply_conflict": reply_conflict,
        "is_manager": roles.manages_store(request.user, review.store_id),
        "revisions": review.revisions.all(),
        "platform_complaint": complaint,
        "complaint_form": PlatformComplaintForm(instance=complaint),
    }
    if review.case is not None:
        context |= case_workspace(case=review.case, user=request.user)
    context["next"] = request.path  # the workspace's forms come back here
    return render(request, "reviews/review.html", context, status=status)


@login_required
@require_GET
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    """On demand (HTMX): which rule or learned feature decided each cause of the review, and on which words."""
    review = _review(request, pk)
    return render(request, "reviews/_explain.html", {"review": review, "found": review_explanation(review=review)})


@login_required
@require_POST
def correct_causes(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = CausesForm(request.POST)
    page_attempt(
        request,
        lambda: bad_review.review_correct_causes(review=review, causes=form.cleaned_data["causes"], actor=request.user),
        form=form,
    )
    return _back(review)


@login_required
@require_POST
def reply_save(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = ReplyForm(request.POST)
    changed: list[ReplyChanged] = []
    too_late: list[ReplyWindowClosed] = []

    def save() -> None:
        try:
            public_reply.reply_edit(
                review=review,
                text=form.cleaned_data["text"],
                actor=request.user,
                posted=form.cleaned_data["posted"],
                based_on=form.cleaned_data["based_on"] or None,
            )
        except ReplyChanged as exc:
            changed.append(exc)
        except ReplyWindowClosed as exc:
            too_late.append(exc)
            raise  # to page_attempt, which shows its reason

    attempt = page_attempt(request, save, form=form)
    if changed:  # the page again, as it is now, with what the agent typed kept in the reply box
        return _render_review(
            request, _review(request, pk), typed=form.cleaned_data["text"], reply_conflict=True, status=409
        )
    if too_late:
        # Answered in place with the refusal's status: a page opened before the window closed posts here after it.
        # What was typed comes from the post: the refusal, added to the form as the text's error, took it out of
        # cleaned_data.
        return _render_review(request, review, typed=form.data.get("text"), status=attempt.status)
    return _back(review)


@login_required
@require_POST
def reply_redraft(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    typed = request.POST.get("text")
    try:
        public_reply.reply_redraft(review=review, typed=typed, replace_wording=request.POST.get("replace") == "1")
    except ReplyHasAgentWording:
        saved = getattr(review, "reply", None)
        typed = typed or (saved.text if saved else "")
        return _render_review(request, review, typed=typed, confirm_redraft=True, status=409)
    except ReplyWindowClosed as exc:  # as a save past the window: answered in place, what was typed not lost
        page_message(request, exc)
        return _render_review(request, review, typed=typed, status=exc.http_status)
    except DomainError as exc:
        page_message(request, exc)
    return _back(review)


@login_required
@require_POST
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    page_attempt(request, lambda: review_open_case(review=review, actor=request.user))
    return _back(review)


@login_required
@require_POST
def evidence_review_images(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    if review.case is None:
        raise NotFound(_("This review has no case yet."))
    page_attempt(request, lambda: bad_review.evidence_attach_review_images(review=review, actor=request.user))
    return _back(review)


@login_required
@require_POST
def platform_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = PlatformComplaintForm(request.POST)
    page_attempt(
        request, lambda: platform_complaint_record(review=review, actor=request.user, **form.cleaned_data), form=form
    )
    return _back(review)
