"""Telephony backends, chosen by settings.TELEPHONY_BACKEND the way Django chooses EMAIL_BACKEND.

Every backend implements `TelephonyBackend` (see base.py). Services call `get_backend()`; nothing else in the
project talks to a provider directly.
"""

import os

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    MessageRejected,
    OutcomeUnknown,
    ProviderBusy,
    ProviderCall,
    ProviderMessage,
    ProviderServerError,
    TelephonyBackend,
    TelephonyError,
)

__all__ = [
    "MessageRejected",
    "OutcomeUnknown",
    "ProviderBusy",
    "ProviderCall",
    "ProviderMessage",
    "ProviderServerError",
    "TelephonyBackend",
    "TelephonyError",
    "get_backend",
]

_backends: dict[tuple, TelephonyBackend] = {}


def get_backend() -> TelephonyBackend:
    """The configured backend, one instance per process and configuration (HTTP pools must not cross a fork)."""
    key = (
        os.getpid(),
        settings.TELEPHONY_BACKEND,
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_API_BASE_URL,
        settings.TWILIO_HTTP_TIMEOUT,
    )
    backend = _backends.get(key)
    if backend is None:
        backend = _backends[key] = import_string(settings.TELEPHONY_BACKEND)()
    return backend
