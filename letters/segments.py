"""The letter rule's segment condition, plugged in only when the retention app provides segments.

letters may read retention but must work without it (retention is built separately). So nothing here imports
retention at module level: the segment condition is offered (`segment_choices`) only when an installed app
labelled "retention" has a Segment model, and membership is asked of retention's own selector
`retention.selectors.segment_members(segment=...)` (its customers' attributes, as of their last refresh), the one
place that knows how a segment's rules read. Without retention a rule cannot hold a segment, and a stored one
matches no order (nothing is sent by mistake).
"""

from importlib import import_module

from django.apps import apps

from crm.models import Store


def _segment_model():
    if not apps.is_installed("retention"):
        return None
    try:
        return apps.get_model("retention", "Segment")
    except LookupError:
        return None


def segments_available() -> bool:
    return _segment_model() is not None


def segment_choices(*, store: Store) -> list[tuple[str, str]]:
    """[(segment id, name)] of the store's segments, or [] when there are no segments to offer."""
    model = _segment_model()
    if model is None:
        return []
    return [(str(segment.pk), str(segment)) for segment in model.objects.filter(store=store)]


def segment_member_ids(*, store: Store, segment_id: str) -> set[int]:
    """The customer ids in the segment; an empty set when segments are not available or the id is unknown."""
    model = _segment_model()
    if model is None or not segment_id:
        return set()
    segment = model.objects.filter(store=store, pk=segment_id).first()
    if segment is None:
        return set()
    return _members(segment)


def _members(segment) -> set[int]:
    try:
        selector = import_module("retention.selectors").segment_members
    except (ImportError, AttributeError):
        return set()
    return set(selector(segment=segment).values_list("customer_id", flat=True))
