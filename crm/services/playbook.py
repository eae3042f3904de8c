"""The remedy playbook: the pre-approved options an agent offers for each cause, per store.

A store's own plays for a cause replace the house defaults for that cause. When negotiating, an agent offers two
or three of them (the complaint's negotiate step); the one the customer chose becomes the case's remedy.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy

from crm.errors import InvalidInput
from crm.models import CAUSE_VALUES, CaseCause, Remedy, RemedyPlay, Store

from .audit import audit_record
from .cases import remedy_cost_check


@dataclass(frozen=True)
class Play:
    cause: str
    kind: str
    cost: Decimal
    script: str

    @property
    def key(self) -> str:
        """How a page names one option in a form: cause and kind (one play per kind of a cause)."""
        return f"{self.cause}:{self.kind}"


def _plays(cause: str, *options: tuple[str, str, str]) -> tuple[Play, ...]:
    return tuple(Play(cause, kind, Decimal(cost), script) for kind, cost, script in options)


# The house rules from the after-sales handbook, cheapest first; a store replaces a cause's list in its playbook.
DEFAULT_PLAYS: dict[str, tuple[Play, ...]] = {
    CaseCause.QUALITY: _plays(
        CaseCause.QUALITY,
        (Remedy.Kind.EXCHANGE, "0", gettext_lazy("Offer an exchange; the store pays the postage both ways.")),
        (Remedy.Kind.COUPON, "50", gettext_lazy("Keep the item with a coupon for the next order.")),
        (Remedy.Kind.PARTIAL_REFUND, "100", gettext_lazy("Keep the item with a partial refund.")),
    ),
    CaseCause.DESCRIPTION_MISMATCH: _plays(
        CaseCause.DESCRIPTION_MISMATCH,
        (Remedy.Kind.GIFT, "30", gettext_lazy("Apologise for the colour difference and send a small gift.")),
        (Remedy.Kind.EXCHANGE, "0", gettext_lazy("Exchange for the colour they expected, postage paid by us.")),
    ),
    CaseCause.SIZE: _plays(
        CaseCause.SIZE,
        (Remedy.Kind.EXCHANGE, "0", gettext_lazy("Exchange for the right size, postage paid by us.")),
        (Remedy.Kind.COUPON, "30", gettext_lazy("Keep it with a coupon, if they like it anyway.")),
    ),
    CaseCause.PRICE: _plays(
        CaseCause.PRICE,
        (Remedy.Kind.COUPON, "50", gettext_lazy("Explain the promotion plainly; offer a coupon.")),
        (Remedy.Kind.PARTIAL_REFUND, "80", gettext_lazy("Refund the price difference.")),
    ),
    CaseCause.LOGISTICS: _plays(
        CaseCause.LOGISTICS,
        (Remedy.Kind.APOLOGY, "0", gettext_lazy("Apologise for the wait; never blame the courier.")),
        (Remedy.Kind.COUPON, "30", gettext_lazy("A coupon for the trouble of the late or damaged parcel.")),
        (Remedy.Kind.EXCHANGE, "0", gettext_lazy("A damaged item is exchanged at once, postage paid by us.")),
    ),
    CaseCause.SERVICE_ATTITUDE: _plays(
        CaseCause.SERVICE_ATTITUDE,
        (Remedy.Kind.APOLOGY, "0", gettext_lazy("A sincere apology, in the manager's name if needed.")),
        (Remedy.Kind.GIFT, "30", gettext_lazy("A small gift with a handwritten apology.")),
    ),
    CaseCause.OTHER: _plays(
        CaseCause.OTHER,
        (Remedy.Kind.OTHER, "0", gettext_lazy("Listen first; agree what would put it right.")),
        (Remedy.Kind.APOLOGY, "0", gettext_lazy("A sincere apology.")),
    ),
}


def plays_for(*, store: Store, causes: list[str]) -> list[Play]:
    """The options for these causes in order: the store's own for a cause where it has any, else the defaults."""
    own: dict[str, list[Play]] = {}
    for p in RemedyPlay.objects.filter(store=store, cause__in=causes or [CaseCause.OTHER]).order_by("cost", "id"):
        own.setdefault(p.cause, []).append(Play(p.cause, p.kind, p.cost, p.script))
    wanted = [c for c in dict.fromkeys(causes or [CaseCause.OTHER]) if c in DEFAULT_PLAYS]
    return [play for cause in wanted for play in (own.get(cause) or DEFAULT_PLAYS[cause])]


def playbook_for(*, store: Store) -> list[Play]:
    return plays_for(store=store, causes=list(DEFAULT_PLAYS))


@transaction.atomic
def remedy_play_set(*, store: Store, cause: str, kind: str, cost: Decimal, script: str, actor) -> RemedyPlay:
    """Add or change the store's option of this kind for a cause. Audited."""
    if cause not in CAUSE_VALUES:
        raise InvalidInput(f"Unknown cause {cause!r}.", field="cause")
    if kind not in Remedy.Kind.values:
        raise InvalidInput(f"Unknown remedy {kind!r}.", field="kind")
    cost = remedy_cost_check(cost=cost)
    play, _created = RemedyPlay.objects.update_or_create(
        store=store, cause=cause, kind=kind, defaults={"cost": cost, "script": script.strip()}
    )
    audit_record(
        actor=actor,
        action="remedy_play_set",
        store=store,
        target=cause,
        data={"kind": kind, "cost": str(cost), "currency": store.currency},
    )
    return play
