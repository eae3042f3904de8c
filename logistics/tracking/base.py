"""The interface every tracking backend implements, and the errors it may raise."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

# A courier's clock, or Kuaidi100's Beijing wall time, may run hours ahead of ours. A checkpoint further ahead is a
# wrong date (year 9999): stored, it would stay the parcel's newest event, and every real push after it "older".
MAX_AHEAD = timedelta(days=1)


@dataclass(frozen=True)
class Subscription:
    courier: str
    number: str
    callback_url: str
    salt: str
    phone: str = ""  # some couriers (SF Express) need the recipient's phone, the last 4 digits are enough


def check_text(*values: str) -> None:
    """Raises ValueError on text PostgreSQL cannot store: NUL, and lone surrogates (UTF-8 has none), both of which
    json.loads reads from escapes. A push parser calls it on what it looks up or keeps, so such a push is malformed."""
    for value in values:
        if "\x00" in value:
            raise ValueError("NUL characters are not allowed")
        try:
            value.encode()
        except UnicodeEncodeError:
            raise ValueError("Lone surrogates are not allowed") from None


def check_times(*moments: datetime) -> None:
    """Raises ValueError on a time more than MAX_AHEAD ahead of now; a push parser calls it on its checkpoints'
    times, so such a push is malformed."""
    latest = timezone.now() + MAX_AHEAD
    for moment in moments:
        if moment > latest:
            raise ValueError(f"{moment.isoformat()} is more than {MAX_AHEAD} ahead of our clock")


class TrackingError(Exception):
    """The provider could not be reached or answered oddly: try again later."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class SubscriptionRefused(TrackingError):
    """The provider refused this number for good (bad courier code, bad number, bad key)."""


class TrackingBackend(ABC):
    @abstractmethod
    def subscribe(self, subscription: Subscription) -> None:
        """Ask the provider to push this parcel's progress to `callback_url`. A repeat is harmless."""
