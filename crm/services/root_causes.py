"""The store's list of root causes a case may be closed with, so the root-cause Pareto counts like with like."""

from django.utils.translation import gettext_lazy as _

from crm.models import RootCause, Store

# Offered to a store that has not written its own list yet.
DEFAULT_ROOT_CAUSES: tuple[tuple[str, str], ...] = (
    ("supplier_defect", _("Supplier or production defect")),
    ("packaging", _("Packaging")),
    ("courier", _("Courier handling or delay")),
    ("listing", _("Listing photos or description")),
    ("sizing", _("Sizing information")),
    ("promotion", _("Price or promotion terms")),
    ("service", _("Our service conduct")),
    ("expectation", _("Customer expectation")),
    ("other", _("Other")),
)


def root_cause_choices(*, store: Store, include_inactive: bool = False) -> list[tuple[str, str]]:
    """(code, label) pairs: the store's own list when it has one, else the defaults."""
    active, every = root_cause_lists(store=store)
    return every if include_inactive else active


def root_cause_lists(*, store: Store) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the choices a close may name, every code's label for showing past closes), in one query."""
    own = list(RootCause.objects.filter(store=store).values_list("code", "label", "active"))
    if not own:
        defaults = [(code, str(label)) for code, label in DEFAULT_ROOT_CAUSES]
        return defaults, defaults
    return [(code, label) for code, label, active in own if active], [(code, label) for code, label, _a in own]
