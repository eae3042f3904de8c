from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from crm.errors import DomainError
from crm.forms import CaseReopenForm
from crm.health import health_report
from crm.selectors import case_timeline_events, cases_for_user, heartbeat_latest, stores_for_user
from crm.services.cases import case_reopen
from crm.services.sla import case_sla_status


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "crm/home.html", {"stores": stores_for_user(user=request.user), "heartbeat": heartbeat_latest()}
    )


def health(request: HttpRequest) -> JsonResponse:
    """Each dependency (database, Redis, broker, the worker's heartbeat age); 503 when one is down."""
    status, body = health_report()
    return JsonResponse(body, status=status)


def health_live(request: HttpRequest) -> JsonResponse:
    """Liveness for a load balancer: this process serves and the database answers (one query), whatever the
    state of Redis, the broker or the worker, which ingestion does not need."""
    beat = heartbeat_latest()
    return JsonResponse({"status": "ok", "worker_last_run_at": beat.last_run_at.isoformat() if beat else None})


@login_required
def case_timeline(request: HttpRequest, case_id: int, reopen_form: CaseReopenForm | None = None) -> HttpResponse:
    case = get_object_or_404(cases_for_user(user=request.user), pk=case_id)
    return render(
        request,
        "crm/case_timeline.html",
        {
            "case": case,
            "events": case_timeline_events(case=case),
            "remedies": case.remedies.select_related("proposed_by__user", "decided_by__user"),
            "sla": case_sla_status(case=case, now=timezone.now()),
            "reopen_form": reopen_form or CaseReopenForm(),
        },
    )


@require_POST
@login_required
def case_reopen_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(cases_for_user(user=request.user), pk=case_id)
    form = CaseReopenForm(request.POST)
    if form.is_valid():
        try:
            case_reopen(case=case, reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("case_timeline", case_id=case.pk)
    return case_timeline(request, case_id, reopen_form=form)
