"""When a request for a claim may still start, and from when a claim may be asked of the provider."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

# The provider's clock and ours may differ a little; look a bit before the claim when reconciling.
CLOCK_SKEW = timedelta(minutes=5)


def send_deadline(claimed_at: datetime) -> datetime:
    """The last moment a request for a claim made at `claimed_at` may start: it then ends (HTTP timeout) before
    the claim is old enough to be reconciled. Click to call keeps it too (services.calls)."""
    margin = timedelta(seconds=2 * settings.TWILIO_HTTP_TIMEOUT)
    return claimed_at + timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS) - margin


def reconcile_cutoff() -> datetime:
    """Claims made before this have no request in flight (see `send_deadline`): the provider can be asked."""
    return timezone.now() - timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS)
