"""The embedded default: prints what would be sent or dialled, and remembers it like the in-memory backend."""

import sys

from .base import ProviderCall, ProviderMessage
from .memory import InMemoryBackend


class ConsoleBackend(InMemoryBackend):
    def send_sms(self, *, to: str, body: str, status_callback: str) -> ProviderMessage:
        message = super().send_sms(to=to, body=body, status_callback=status_callback)
        print(f"[SMS {message.sid}] to {to}: {body}", file=sys.stdout, flush=True)
        return message

    def start_call(
        self, *, agent_phone: str, customer_phone: str, twiml_url: str, status_callback: str
    ) -> ProviderCall:
        call = super().start_call(
            agent_phone=agent_phone, customer_phone=customer_phone, twiml_url=twiml_url, status_callback=status_callback
        )
        print(
            f"[CALL {call.sid}] ringing the agent at {agent_phone}; on answer, bridging the customer {customer_phone}",
            file=sys.stdout,
            flush=True,
        )
        return call
