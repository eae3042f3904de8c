"""Keeps messages and calls in memory, for tests (like Django's locmem email backend)."""

import threading
import uuid
from datetime import datetime

from django.utils import timezone

from .base import ProviderCall, ProviderMessage, TelephonyBackend

_lock = threading.Lock()


class InMemoryBackend(TelephonyBackend):
    # Class-level, shared by every instance in the process: tests read and clear these.
    messages: list[ProviderMessage] = []
    calls: list[dict] = []

    @classmethod
    def reset(cls) -> None:
        with _lock:
            cls.messages.clear()
            cls.calls.clear()

    def send_sms(self, *, to: str, body: str, status_callback: str) -> ProviderMessage:
        # Ids as unique as a provider's, across processes: `make run` sends from the seed commands and from each
        # worker process, and a counter per process named SM…001 again in each.
        with _lock:
            message = ProviderMessage(
                sid=f"SM{uuid.uuid4().hex}", to=to, body=body, status="queued", created_at=timezone.now()
            )
            self.messages.append(message)
        return message

    def list_messages(self, *, to: str, sent_after: datetime) -> list[ProviderMessage]:
        with _lock:
            return [m for m in self.messages if m.to == to and m.created_at >= sent_after]

    def start_call(
        self, *, agent_phone: str, customer_phone: str, twiml_url: str, status_callback: str
    ) -> ProviderCall:
        with _lock:
            call = ProviderCall(sid=f"CA{uuid.uuid4().hex}", to=agent_phone, status="queued", created_at=timezone.now())
            self.calls.append(
                {"call": call, "customer_phone": customer_phone, "twiml_url": twiml_url, "callback": status_callback}
            )
        return call

    def fetch_call(self, *, sid: str) -> ProviderCall:
        with _lock:
            return next(entry["call"] for entry in self.calls if entry["call"].sid == sid)

    def list_calls(self, *, to: str, placed_after: datetime) -> list[ProviderCall]:
        with _lock:
            return [e["call"] for e in self.calls if e["call"].to == to and e["call"].created_at >= placed_after]
