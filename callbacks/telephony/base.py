"""The interface every telephony backend implements, and the errors it may raise.

Errors say what we know about the provider's side, because that decides whether a retry is safe:

- `MessageRejected`: the provider refused (a 4xx such as 21610 "unsubscribed recipient"). Nothing was sent.
- `ProviderBusy`: throttled (429) or unreachable before the request left. Nothing was sent; retry later.
- `OutcomeUnknown`: a 5xx, a read timeout, a dropped connection. The message (or call) may have been accepted, so
  it must be looked up (`list_messages`, `list_calls`) before any resend.
- `ProviderServerError`, an `OutcomeUnknown`: the provider answered with a 5xx. It may have taken the request before
  failing, but it has answered, so no request of ours is still in flight: it can be looked up at once.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ProviderMessage:
    sid: str
    to: str
    body: str
    status: str
    created_at: datetime | None = None
    # Twilio's `error_code` of a message `failed` or `undelivered` (21610: the number had opted out), as digits; "".
    error_code: str = ""


@dataclass(frozen=True)
class ProviderCall:
    sid: str
    to: str
    status: str
    duration_seconds: int | None = None
    created_at: datetime | None = None


class TelephonyError(Exception):
    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class MessageRejected(TelephonyError):
    UNSUBSCRIBED = "21610"

    @property
    def opted_out(self) -> bool:
        return self.code == self.UNSUBSCRIBED


class ProviderBusy(TelephonyError):
    pass


class OutcomeUnknown(TelephonyError):
    pass


class ProviderServerError(OutcomeUnknown):
    pass


class TelephonyBackend(ABC):
    @abstractmethod
    def send_sms(self, *, to: str, body: str, status_callback: str) -> ProviderMessage:
        """Send one SMS. `status_callback` carries our follow-up id; the provider posts status changes there."""

    @abstractmethod
    def list_messages(self, *, to: str, sent_after: datetime) -> list[ProviderMessage]:
        """Messages the provider accepted for `to` since `sent_after` (used to reconcile before a resend)."""

    @abstractmethod
    def start_call(
        self, *, agent_phone: str, customer_phone: str, twiml_url: str, status_callback: str
    ) -> ProviderCall:
        """Ring the agent's phone; when they answer, the provider fetches `twiml_url`, which bridges the customer."""

    @abstractmethod
    def fetch_call(self, *, sid: str) -> ProviderCall:
        """The provider's current view of a call."""

    @abstractmethod
    def list_calls(self, *, to: str, placed_after: datetime) -> list[ProviderCall]:
        """Calls the provider accepted to `to` since `placed_after`, oldest first (to reconcile a call whose
        answer was lost)."""
