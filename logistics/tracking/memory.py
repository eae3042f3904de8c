"""Keeps subscriptions in memory, for tests (like Django's locmem email backend)."""

import threading

from .base import Subscription, TrackingBackend

_lock = threading.Lock()


class InMemoryBackend(TrackingBackend):
    # Class-level, shared by every instance in the process: tests read and clear it.
    subscriptions: list[Subscription] = []

    @classmethod
    def reset(cls) -> None:
        with _lock:
            cls.subscriptions.clear()

    def subscribe(self, subscription: Subscription) -> None:
        with _lock:
            self.subscriptions.append(subscription)
