"""What reviews hears from crm (crm.signals), connected in ReviewsConfig.ready()."""

from crm.models import CaseEvent
from crm.signals import case_event_added

from .services.bad_review import apology_call_tick_from_event


def _on_case_event(sender, *, event: CaseEvent, **kwargs) -> None:
    if event.kind == CaseEvent.Kind.CALL:
        apology_call_tick_from_event(event=event)


def connect() -> None:
    case_event_added.connect(_on_case_event, dispatch_uid="reviews.apology_call_from_case_event")
