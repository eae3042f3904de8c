"""A case's timeline event in words: its title and its details."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import CaseEvent
from crm.readable.details import readable_fields
from crm.readable.values import Line

_EVENT_KINDS = dict(CaseEvent.Kind.choices)  # get_kind_display() hashes the lazy choices on every call


def event_lines(event: CaseEvent, *, root_causes: dict[str, str] | None = None, currency: str = "") -> list[Line]:
    """The details of a timeline event; a call's outcome is said by the event's kind (reached or not). `currency`:
    the case's remedy currency, for a cost written before remedies had one (ADR 0036's migration gave the case's
    remedies that currency, its order's else its store's, so the entry reads as the remedy row does)."""
    extra = {"root_cause": (gettext_lazy("Root cause"), lambda v: (root_causes or {}).get(v, v))}
    return readable_fields(event.data, extra=extra, currency=currency)


def event_title(event: CaseEvent) -> str:
    if event.kind == CaseEvent.Kind.NOTE and event.data.get("joined"):
        return _("Joined this case")
    return str(_EVENT_KINDS.get(event.kind, event.kind))
