"""Parcel tracking backends, chosen by settings.TRACKING_BACKEND the way telephony backends are.

Every backend implements `TrackingBackend` (base.py): subscribe a tracking number so the provider pushes its
progress to our hook. Services call `get_backend()`; nothing else talks to a tracking provider.
"""

import os

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Subscription, SubscriptionRefused, TrackingBackend, TrackingError

__all__ = ["Subscription", "SubscriptionRefused", "TrackingBackend", "TrackingError", "get_backend"]

_backends: dict[tuple, TrackingBackend] = {}


def get_backend() -> TrackingBackend:
    """The configured backend, one instance per process and configuration (HTTP pools must not cross a fork)."""
    key = (os.getpid(), settings.TRACKING_BACKEND, settings.KUAIDI100_POLL_URL, settings.KUAIDI100_KEY)
    backend = _backends.get(key)
    if backend is None:
        backend = _backends[key] = import_string(settings.TRACKING_BACKEND)()
    return backend
