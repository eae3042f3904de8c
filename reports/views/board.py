"""The manager's escalations page and approvals queue."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.errors import DomainError
from crm.models import Agent
from crm.pages import page_attempt, store_filter
from crm.selectors import stores_managed_by
from crm.selectors.remedies import GIVEN_WINDOW
from crm.services.cases import remedy_approve, remedy_decline
from crm.services.sla import case_sla_status
from reviews.services.after_close import review_after_close_mark_seen

from ..access import manager_required
from ..forms import DecisionForm
from ..selectors import (
    escalation_board,
    remedies_awaiting_approval,
    remedies_mark_given,
    remedies_mark_own,
    remedies_self_approved,
    remedy_for_manager,
    review_for_manager,
)


@require_GET
@manager_required
def escalations(request: HttpRequest) -> HttpResponse:
    stores = stores_managed_by(user=request.user)
    store = store_filter(stores, request.GET.get("store"))
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
    # The page's store filter, to return to: read (a store not served is a 404) before anything is marked.
    store = store_filter(stores_managed_by(user=request.user), request.POST.get("store"))
    if review_after_close_mark_seen(review=review, actor=request.user):
        messages.success(request, _("Marked seen: %(review)s.") % {"review": review.external_id})
    query = f"?{urlencode({'store': store.code})}" if store else ""
    return redirect(reverse("reports:escalations") + query + "#reviews-after-close")


@require_GET
@manager_required
def approvals(request: HttpRequest) -> HttpResponse:
    stores = list(stores_managed_by(user=request.user))
    store = store_filter(stores, request.GET.get("store"))
    now = timezone.now()
    remedies, more = remedies_awaiting_approval(user=request.user, store=store)
    remedies = remedies_mark_given(remedies=remedies_mark_own(remedies=remedies, user=request.user), now=now)
    self_approved = remedies_self_approved(user=request.user, now=now, store=store)
    context = {
        "remedies": remedies,
        "more": more,
        "self_approved": self_approved,
        "given_days": GIVEN_WINDOW.days,
        "stores": stores,
        "store": store,
    }
    return render(request, "reports/approvals.html", context)


@require_POST
@manager_required
def remedy_decide(request: HttpRequest, remedy_id: int, decision: str) -> HttpResponse:
    remedy = remedy_for_manager(user=request.user, remedy_id=remedy_id)
    if remedy is None:
        raise Http404
    manager = Agent.objects.filter(user=request.user).first()
    if manager is None:
        raise PermissionDenied
    # The page's `?store=` filter, posted back by the row's form: the page without JavaScript comes back to it. A store
    # the manager does not serve is not found (before anything is decided), as on the page itself.
    store = store_filter(stores_managed_by(user=request.user), request.POST.get("store"))
    form = DecisionForm(request.POST, decline=decision == "decline")
    decide = remedy_approve if decision == "approve" else remedy_decline
    try:
        decided = page_attempt(
            request,
            lambda: decide(remedy=remedy, manager=manager, reason=form.cleaned_data["reason"]),
            form=form,
            message=False,
        )
    except DomainError as refusal:  # a refusal (403): page_attempt leaves it to the 403 page
        if not request.htmx:
            raise
        # A click on a stale row (another manager joined the store since it was shown, ADR 0038): the row says why, in
        # place, with its 403, and offers what the rule allows now; the 403 page's fragment would replace the row.
        context = {
            "remedy": _row(remedy, request), "error": refusal.message, "error_code": refusal.code, "form": form,
            "store": store,
        }  # fmt: skip
        return render(request, "reports/_remedy_row.html", context, status=refusal.http_status)
    remedy = _row(decided.result if decided.ok else remedy, request)
    if request.htmx:
        context = {"remedy": remedy, "error": decided.error, "form": form, "store": store}
        return render(request, "reports/_remedy_row.html", context)
    if decided.error:
        messages.error(request, decided.error)
    else:
        messages.success(request, _("Decision recorded."))
    query = f"?{urlencode({'store': store.code})}" if store else ""
    return redirect(reverse("reports:approvals") + query)


def _row(remedy, request: HttpRequest):
    """The remedy as the approvals page's row shows it to the user now."""
    remedies_mark_own(remedies=[remedy], user=request.user)
    return remedies_mark_given(remedies=[remedy], now=timezone.now())[0]
