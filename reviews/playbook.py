"""The remedy playbook: what an agent offers for each cause, per store, with the store's own plays first."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from crm.models import CaseCause, Remedy, Store

from .models import RemedyPlay


@dataclass(frozen=True)
class Play:
    cause: str
    kind: str
    cost: Decimal
    script: str


# The house rules from the after-sales handbook; a store overrides any of them in its playbook.
DEFAULT_PLAYS: dict[str, Play] = {
    CaseCause.QUALITY: Play(
        CaseCause.QUALITY,
        Remedy.Kind.EXCHANGE,
        Decimal("0"),
        _("Offer an exchange; the store pays the postage both ways."),
    ),
    CaseCause.DESCRIPTION_MISMATCH: Play(
        CaseCause.DESCRIPTION_MISMATCH,
        Remedy.Kind.GIFT,
        Decimal("30"),
        _("Apologise for the colour difference and send a small gift."),
    ),
    CaseCause.SIZE: Play(
        CaseCause.SIZE, Remedy.Kind.EXCHANGE, Decimal("0"), _("Exchange for the right size, postage paid by us.")
    ),
    CaseCause.PRICE: Play(
        CaseCause.PRICE,
        Remedy.Kind.COUPON,
        Decimal("50"),
        _("Explain the promotion plainly; offer a coupon or refund the difference."),
    ),
    CaseCause.LOGISTICS: Play(
        CaseCause.LOGISTICS,
        Remedy.Kind.APOLOGY,
        Decimal("0"),
        _("Apologise for the wait; never blame the courier."),
    ),
    CaseCause.SERVICE_ATTITUDE: Play(
        CaseCause.SERVICE_ATTITUDE,
        Remedy.Kind.APOLOGY,
        Decimal("0"),
        _("A sincere apology, in the manager's name if needed."),
    ),
    CaseCause.OTHER: Play(
        CaseCause.OTHER, Remedy.Kind.OTHER, Decimal("0"), _("Listen first; agree what would put it right.")
    ),
}


def plays_for(*, store: Store, causes: list[str]) -> list[Play]:
    """The plays for these causes in order: the store's own where it has one, else the default."""
    own = {p.cause: Play(p.cause, p.kind, p.cost, p.script) for p in RemedyPlay.objects.filter(store=store)}
    wanted = causes or [CaseCause.OTHER]
    return [own.get(cause) or DEFAULT_PLAYS[cause] for cause in wanted if cause in DEFAULT_PLAYS]


def playbook_for(*, store: Store) -> list[Play]:
    return plays_for(store=store, causes=list(DEFAULT_PLAYS))
