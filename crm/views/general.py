"""The home page and the health check."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from crm.selectors import heartbeat_latest, stores_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "crm/home.html", {"stores": stores_for_user(user=request.user), "heartbeat": heartbeat_latest()}
    )


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and the smoke test: the database answers, and when the worker last ran."""
    beat = heartbeat_latest()
    return JsonResponse(
        {
            "status": "ok",
            "worker_heartbeat": {"last_run_at": beat.last_run_at.isoformat(), "runs": beat.runs} if beat else None,
        }
    )
