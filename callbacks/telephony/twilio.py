"""Production telephony through the official twilio client. TWILIO_API_BASE_URL points it at another server
(devtools.twilio_server in tests and benchmarks)."""

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from .base import (
    MessageRejected,
    ProviderBusy,
    ProviderCall,
    ProviderMessage,
    ProviderServerError,
    TelephonyBackend,
)
from .twilio_http import KeepAliveHttpClient

T = TypeVar("T")


def _classified(call: Callable[[], T]) -> T:
    """Twilio's error answers as our errors; transport failures already are (see twilio_http)."""
    try:
        return call()
    except TwilioRestException as exc:
        code = str(exc.code or exc.status)
        if exc.status == 429:
            raise ProviderBusy(exc.msg, code=code) from exc
        if exc.status >= 500:
            raise ProviderServerError(exc.msg, code=code) from exc
        raise MessageRejected(exc.msg, code=code) from exc


class TwilioBackend(TelephonyBackend):
    def __init__(self) -> None:
        self.from_number = settings.TWILIO_FROM_NUMBER
        # The official client builds and parses every request; only its transport is ours (leaner than the
        # default `requests` one, with one kept-alive connection per sender thread).
        http = KeepAliveHttpClient(timeout=settings.TWILIO_HTTP_TIMEOUT)
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http)
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")

    def send_sms(self, *, to: str, body: str, status_callback: str) -> ProviderMessage:
        message = _classified(
            lambda: self.client.messages.create(
                to=to, from_=self.from_number, body=body, status_callback=status_callback
            )
        )
        return ProviderMessage(sid=message.sid, to=message.to, body=message.body, status=message.status)

    def list_messages(self, *, to: str, sent_after: datetime) -> list[ProviderMessage]:
        found = _classified(lambda: self.client.messages.list(to=to, date_sent_after=sent_after, limit=200))
        return [
            ProviderMessage(
                sid=m.sid, to=m.to, body=m.body, status=m.status, created_at=m.date_created,
                error_code=str(m.error_code) if m.error_code is not None else "",
            )
            for m in found
        ]  # fmt: skip

    def start_call(
        self, *, agent_phone: str, customer_phone: str, twiml_url: str, status_callback: str
    ) -> ProviderCall:
        # The agent's phone is dialled first; the TwiML at twiml_url (ours) then <Dial>s the customer.
        call = _classified(
            lambda: self.client.calls.create(
                to=agent_phone,
                from_=self.from_number,
                url=twiml_url,
                status_callback=status_callback,
                status_callback_event=["initiated", "ringing", "answered", "completed"],
            )
        )
        return ProviderCall(sid=call.sid, to=call.to, status=call.status)

    def fetch_call(self, *, sid: str) -> ProviderCall:
        return _call(_classified(lambda: self.client.calls(sid).fetch()))

    def list_calls(self, *, to: str, placed_after: datetime) -> list[ProviderCall]:
        # Twilio filters calls by start time, which a call still queued has not got: filter on creation here.
        # Its list is newest first; an agent's phone is rung a few dozen times an evening at most.
        found = _classified(lambda: self.client.calls.list(to=to, limit=200))
        calls = [_call(c) for c in found if c.date_created is None or c.date_created >= placed_after]
        return sorted(calls, key=lambda c: c.created_at or placed_after)


def _call(call) -> ProviderCall:
    duration = int(call.duration) if call.duration not in (None, "") else None
    return ProviderCall(
        sid=call.sid, to=call.to, status=call.status, duration_seconds=duration, created_at=call.date_created
    )
