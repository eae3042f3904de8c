"""The home page's "Waiting for you": what each app has waiting for the user, counted, with a link to work it.

crm counts its own (the user's open cases, how many of them wait on the customer, and those past their deadline);
callbacks, logistics and retention add theirs from their AppConfig.ready() (crm imports none of them). Each count is
one query over the user's scope, the same scope the page it links to lists: a line whose link is a manager's page
counts the stores the user manages, not one they serve as an agent (ADR 0045).
"""

from collections.abc import Callable
from dataclasses import dataclass

from crm import roles


@dataclass(frozen=True)
class WaitingWork:
    """One line of "Waiting for you". `count(user=..., stores=..., now=...)` gets the user's stores as read once by
    the page, kept to those its link lists (`stores_counted`); `link(user=...)` is the page (with its query) where
    the user does the work."""

    name: str
    label: str
    url: Callable[[], str]
    count: Callable[..., int]
    order: int = 100
    # A count above zero that means something is late (drawn as a warning, not as work in hand).
    urgent: bool = False
    # Where a store manager works it, when that is a manager's page (agents cannot open it): `url` is the agents'.
    manager_url: Callable[[], str] | None = None

    def _to_manager_page(self, user) -> bool:
        return self.manager_url is not None and (user.is_superuser or roles.is_store_manager(user))

    def link(self, *, user) -> str:
        return self.manager_url() if self._to_manager_page(user) else self.url()

    def stores_counted(self, *, user, stores: list) -> list:
        """Of the user's stores, those the linked page lists: a manager's page lists the stores they manage (every
        store for a superuser), so one they serve as an agent is left to its own managers (ADR 0045)."""
        if not self._to_manager_page(user) or user.is_superuser:
            return stores
        return [store for store in stores if roles.manages_store(user, store)]


_waiting: dict[str, WaitingWork] = {}


def waiting_work_register(work: WaitingWork) -> None:
    """Add (or, on a second ready(), replace) a line of the home page's "Waiting for you"."""
    _waiting[work.name] = work


def waiting_work() -> list[WaitingWork]:
    return sorted(_waiting.values(), key=lambda w: (w.order, w.name))
