"""Production telephony through the official twilio client. TWILIO_API_BASE_URL points it at another server
(devtools.twilio_server in tests and benchmarks)."""

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

from .base import MessageRejected, OutcomeUnknown, ProviderBusy, ProviderCall, ProviderMessage, TelephonyBackend

T = TypeVar("T")


def _not_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached the provider (so a retry cannot double)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(getattr(reason, "reason", None), NewConnectionError)


def _classified(call: Callable[[], T]) -> T:
    try:
        return call()
    except TwilioRestException as exc:
        code = str(exc.code or exc.status)
        if exc.status == 429:
            raise ProviderBusy(exc.msg, code=code) from exc
        if exc.status >= 500:
            raise OutcomeUnknown(exc.msg, code=code) from exc
        raise MessageRejected(exc.msg, code=code) from exc
    except requests.RequestException as exc:
        if _not_sent(exc):
            raise ProviderBusy(str(exc), code="unreachable") from exc
        raise OutcomeUnknown(str(exc), code="no_answer") from exc


class TwilioBackend(TelephonyBackend):
    def __init__(self) -> None:
        self.from_number = settings.TWILIO_FROM_NUMBER
        base_url = settings.TWILIO_API_BASE_URL or "https://api.twilio.com"
        # Proxies from the environment are read once here: requests would otherwise walk os.environ (and look
        # for .netrc) on every single request, a large share of the client's cost per message.
        http = TwilioHttpClient(
            pool_connections=True,
            timeout=settings.TWILIO_HTTP_TIMEOUT,
            proxy=requests.utils.get_environ_proxies(base_url) or None,
        )
        http.session.trust_env = False
        # One kept-alive connection per sender thread: the client's default pool (cores + 4) is smaller than
        # SMS_SEND_THREADS, and every request beyond it would open (and TLS-handshake) a new connection.
        for prefix in ("https://", "http://"):
            http.session.mount(prefix, HTTPAdapter(pool_maxsize=max(10, 2 * settings.SMS_SEND_THREADS)))
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
            ProviderMessage(sid=m.sid, to=m.to, body=m.body, status=m.status, created_at=m.date_created) for m in found
        ]

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
        call = _classified(lambda: self.client.calls(sid).fetch())
        duration = int(call.duration) if call.duration not in (None, "") else None
        return ProviderCall(sid=call.sid, to=call.to, status=call.status, duration_seconds=duration)
