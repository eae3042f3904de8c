from functools import wraps

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseForbidden
from twilio.request_validator import RequestValidator

MAX_SID = 64


def _urls(request) -> list[str]:
    # Twilio signs the URL it called: ours as configured (behind a proxy) or as this request saw it.
    return [settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path(), request.build_absolute_uri()]


def _storable(params: dict[str, str]) -> bool:
    """Every parameter is kept as it came (TelephonyEvent.payload) and the sids in provider_id columns: PostgreSQL
    text holds no NUL, and the columns hold 64 characters (Twilio's sids have 34)."""
    if any("\x00" in key or "\x00" in value for key, value in params.items()):
        return False
    return all(len(params.get(name, "")) <= MAX_SID for name in ("MessageSid", "CallSid"))


def twilio_signed(view):
    """403, with no state change, unless X-Twilio-Signature is valid for this URL and these parameters; 400 for
    signed parameters that could not be stored."""

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
        if not _storable(params):
            return HttpResponseBadRequest("parameters that cannot be stored")
        return view(request, *args, **kwargs)

    return wrapper
