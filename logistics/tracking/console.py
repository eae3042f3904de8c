"""The embedded default when no tracking server runs: prints each subscription and remembers it."""

from .base import Subscription
from .memory import InMemoryBackend


class ConsoleBackend(InMemoryBackend):
    def subscribe(self, subscription: Subscription) -> None:
        super().subscribe(subscription)
        print(f"[TRACK] {subscription.courier} {subscription.number} → {subscription.callback_url}", flush=True)
