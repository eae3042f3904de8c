"""The home page and the health checks."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET, require_safe

from crm.health import health_report
from crm.home import waiting_work
from crm.selectors import heartbeat_latest, stores_for_user


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    stores = list(stores_for_user(user=request.user))
    # The worker serves every store: its heartbeat is shown in the time of the user's first store (UTC without one).
    zone = stores[0].timezone if stores else "UTC"
    now = timezone.now()
    waiting = [
        (
            work,
            work.link(user=request.user),
            work.count(user=request.user, stores=work.stores_counted(user=request.user, stores=stores), now=now),
        )
        for work in waiting_work()
    ]
    return render(
        request,
        "crm/home.html",
        {"stores": stores, "waiting": waiting, "heartbeat": heartbeat_latest(), "heartbeat_zone": zone},
    )


# A probe may ask with HEAD: GET and HEAD only, like every page (405 for the rest).
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Each dependency (database, Redis, broker, the worker's heartbeat age); 503 when one is down."""
    status, body = health_report()
    return JsonResponse(body, status=status)


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Read per request: the manifest (production's static storage) names the file only after collectstatic.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_safe
def health_live(request: HttpRequest) -> JsonResponse:
    """Liveness for a load balancer: this process serves and the database answers (one query), whatever the
    state of Redis, the broker or the worker, which ingestion does not need."""
    beat = heartbeat_latest()
    return JsonResponse({"status": "ok", "worker_last_run_at": beat.last_run_at.isoformat() if beat else None})
