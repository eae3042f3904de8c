from functools import wraps

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseForbidden
from twilio.request_validator import RequestValidator

MAX_SID = 64


def _urls(request) -> list[str]:
    # Twilio signs the URL it called: ours as configured (behind a proxy) or as this request saw it.
    return [settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path(), request.build_absolute_uri()]


# What the customer typed (an inbound SMS's text). A NUL there comes from the customer's phone, not from a broken or
# forged request: it is dropped, and the message kept. Every other parameter is Twilio's own.
_CUSTOMER_TEXT = ("Body",)


def _storable(params: dict[str, str]) -> dict[str, str] | None:
    """The parameters as they are kept (TelephonyEvent.payload, and the sids in provider_id columns), or None if
    they cannot be: PostgreSQL text holds no NUL, and the columns hold 64 characters (Twilio's sids have 34)."""
    params = {**params, **{name: params[name].replace("\x00", "") for name in _CUSTOMER_TEXT if name in params}}
    if any("\x00" in key or "\x00" in value for key, value in params.items()):
        return None
    if any(len(params.get(name, "")) > MAX_SID for name in ("MessageSid", "CallSid")):
        return None
    return params


def twilio_signed(view):
    """403, with no state change, unless X-Twilio-Signature is valid for this URL and these parameters; 400 for
    signed parameters that could not be stored. The view gets the parameters as they are to be kept (`params`)."""

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
        stored = _storable(params)
        if stored is None:
            return HttpResponseBadRequest("parameters that cannot be stored")
        return view(request, *args, params=stored, **kwargs)

    return wrapper
