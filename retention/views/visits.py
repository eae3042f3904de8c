"""Return-visit calls for agents: the campaign call tasks of their stores, the script, and one-click outcomes."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from crm.errors import DomainError
from crm.selectors import agent_for_user, stores_for_user

from ..forms import CallOutcomeForm
from ..models import CampaignChannel, CampaignContact, ContactStatus
from ..services.campaigns import campaign_call_log


def _due(request):
    return (
        CampaignContact.objects.filter(
            store__in=stores_for_user(user=request.user),
            channel=CampaignChannel.CALL,
            status=ContactStatus.PLANNED,
            due_at__lte=timezone.now(),
        )
        .select_related("customer", "campaign", "assignee__user")
        .order_by("due_at", "id")
    )


@login_required
@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    rows = list(_due(request)[:200])
    return render(request, "retention/visits.html", {"rows": rows, "form": CallOutcomeForm()})


@login_required
@require_POST
def visit_log(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = get_object_or_404(_due(request), pk=contact_id)
    form = CallOutcomeForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            contact = campaign_call_log(
                contact=contact,
                agent=agent_for_user(user=request.user),
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            error = exc.message
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    return render(
        request,
        "retention/_visit_row.html",
        {"row": contact, "form": form, "error": error},
        status=400 if error else 200,
    )
