"""The home page's "Waiting for you": what each app has waiting for the user, counted, with a link to work it.

crm counts its own (the user's open cases, how many of them wait on the customer, and those past their deadline);
callbacks, logistics and retention add theirs from their AppConfig.ready() (crm imports none of them). Each count is
one query over the user's scope, the same scope the page it links to lists.
"""

from collections.abc import Callable
from dataclasses import dataclass

from crm import roles


@dataclass(frozen=True)
class WaitingWork:
    """One line of "Waiting for you". `count(user=..., stores=..., now=...)` gets the user's stores as read once by
    the page; `link(user=...)` is the page (with its query) where the user does the work."""

    name: str
    label: str
    url: Callable[[], str]
    count: Callable[..., int]
    order: int = 100
    # A count above zero that means something is late (drawn as a warning, not as work in hand).
    urgent: bool = False
    # Where a store manager works it, when that is a manager's page (agents cannot open it): `url` is the agents'.
    manager_url: Callable[[], str] | None = None

    def link(self, *, user) -> str:
        if self.manager_url is not None and (user.is_superuser or roles.is_store_manager(user)):
            return self.manager_url()
        return self.url()


_waiting: dict[str, WaitingWork] = {}


def waiting_work_register(work: WaitingWork) -> None:
    """Add (or, on a second ready(), replace) a line of the home page's "Waiting for you"."""
    _waiting[work.name] = work


def waiting_work() -> list[WaitingWork]:
    return sorted(_waiting.values(), key=lambda w: (w.order, w.name))
