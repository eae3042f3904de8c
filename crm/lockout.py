"""What a locked-out login sees, and the client address the lockout counts (django-axes' two hooks).

docs/decisions/0015-login-lockout.md: after AXES_FAILURE_LIMIT failures the username and the address are each
locked for AXES_COOLOFF_TIME, and the page says when to try again. The lockout is written to the audit log.
"""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from crm.services.audit import audit_record


def client_ip(request: HttpRequest) -> str | None:
    """The address the outermost trusted proxy saw (TRUSTED_PROXY_COUNT from the right of X-Forwarded-For),
    or the peer's address when no proxy is trusted. Addresses further left are the client's own claim."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count > 0 and forwarded:
        return forwarded[-min(count, len(forwarded))]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """429 with the time to try again (every failure while locked moves it; see AXES_COOLOFF_TIME)."""
    cooloff = settings.AXES_COOLOFF_TIME
    retry_at = timezone.now() + cooloff
    minutes = max(1, round(cooloff.total_seconds() / 60))
    response = render(
        request,
        "registration/locked_out.html",
        {"retry_at": retry_at, "minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response


@receiver(user_locked_out)
def _audit_lockout(sender, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs) -> None:
    user = get_user_model().objects.filter(username=username).first() if username else None
    audit_record(
        actor=None,
        action="login_locked_out",
        target=f"user:{user.pk}" if user else f"username:{(username or '')[:100]}",
        data={"username": username or "", "ip_address": ip_address or ""},
    )
