from functools import wraps

from django.conf import settings
from django.http import HttpResponseForbidden
from twilio.request_validator import RequestValidator


def _urls(request) -> list[str]:
    # Twilio signs the URL it called: ours as configured (behind a proxy) or as this request saw it.
    return [settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path(), request.build_absolute_uri()]


def twilio_signed(view):
    """403, with no state change, unless X-Twilio-Signature is valid for this URL and these parameters."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        signature = request.headers.get("X-Twilio-Signature", "")
        token = settings.TWILIO_AUTH_TOKEN
        params = request.POST.dict()
        if not token or not signature:
            return HttpResponseForbidden("invalid signature")
        validator = RequestValidator(token)
        if not any(validator.validate(url, params, signature) for url in _urls(request)):
            return HttpResponseForbidden("invalid signature")
        return view(request, *args, **kwargs)

    return wrapper
