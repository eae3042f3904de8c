"""The manager's escalations page and approvals queue."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.models import Agent
from crm.pages import page_attempt
from crm.selectors import store_by_code, stores_managed_by
from crm.services.cases import remedy_approve, remedy_decline
from crm.services.sla import case_sla_status
from reviews.services.after_close import review_after_close_mark_seen

from ..access import manager_required
from ..forms import DecisionForm
from ..selectors import (
    escalation_board,
    remedies_awaiting_approval,
    remedies_mark_own,
    remedies_self_approved,
    remedy_for_manager,
    review_for_manager,
)


@manager_required
def escalations(request: HttpRequest) -> HttpResponse:
    stores = stores_managed_by(user=request.user)
    store = store_by_code(stores=stores, code=request.GET.get("store"))
    now = timezone.now()
    board = escalation_board(user=request.user, now=now, store=store)
    late = [(case, case_sla_status(case=case, now=now)) for case in board.late]
    return render(request, "reports/escalations.html", {"board": board, "late": late, "stores": stores, "store": store})


@require_POST
@manager_required
def review_after_close_seen(request: HttpRequest, review_id: int) -> HttpResponse:
    """A review made worse after its case closed, marked seen from the escalations page: it leaves the list (and
    the home page's count) until the customer changes it again. Another store's review is not found."""
    review = review_for_manager(user=request.user, review_id=review_id)
    if review is None:
        raise Http404
    if review_after_close_mark_seen(review=review, actor=request.user):
        messages.success(request, _("Marked seen: %(review)s.") % {"review": review.external_id})
    store = store_by_code(stores=stores_managed_by(user=request.user), code=request.POST.get("store"))
    query = f"?{urlencode({'store': store.code})}" if store else ""
    return redirect(reverse("reports:escalations") + query + "#reviews-after-close")


@manager_required
def approvals(request: HttpRequest) -> HttpResponse:
    remedies, more = remedies_awaiting_approval(user=request.user)
    remedies = remedies_mark_own(remedies=remedies, user=request.user)
    self_approved = remedies_self_approved(user=request.user, now=timezone.now())
    return render(
        request, "reports/approvals.html", {"remedies": remedies, "more": more, "self_approved": self_approved}
    )


@require_POST
@manager_required
def remedy_decide(request: HttpRequest, remedy_id: int, decision: str) -> HttpResponse:
    remedy = remedy_for_manager(user=request.user, remedy_id=remedy_id)
    if remedy is None:
        raise Http404
    manager = Agent.objects.filter(user=request.user).first()
    if manager is None:
        raise PermissionDenied
    form = DecisionForm(request.POST, decline=decision == "decline")
    decide = remedy_approve if decision == "approve" else remedy_decline
    decided = page_attempt(
        request,
        lambda: decide(remedy=remedy, manager=manager, reason=form.cleaned_data["reason"]),
        form=form,
        message=False,
    )
    remedy = remedies_mark_own(remedies=[decided.result if decided.ok else remedy], user=request.user)[0]
    if request.htmx:
        return render(request, "reports/_remedy_row.html", {"remedy": remedy, "error": decided.error, "form": form})
    if decided.error:
        messages.error(request, decided.error)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("reports:approvals")
