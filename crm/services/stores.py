"""A store's own setting that every local time depends on: its time zone."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crm.errors import InvalidInput
from crm.models import Store
from crm.signals import store_timezone_changed
from crm.validators import validate_timezone

from .audit import audit_record
from .sla import cases_deadlines_recount
from .waiting import cases_waits_follow_zone


@transaction.atomic
def store_timezone_change(*, store: Store, zone: str, actor) -> Store:
    """Move the store to another IANA time zone, with what is planned in its local time (ADR 0029).

    What is still to come follows the store into the new zone, in this transaction: crm counts its open cases'
    deadlines again in the service hours as they fall there, and sends `store_timezone_changed`, on which the other
    apps move what they planned (planned calls keep their local evening, held messages wait for the new sending
    hours, a parcel's promised day ends at the new midnight). What has happened, or is under way, stays as it was.
    Audited. Changing nothing changes nothing.
    """
    try:
        validate_timezone(zone)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="timezone") from None
    store = Store.objects.select_for_update().get(pk=store.pk)
    old = store.timezone
    if zone == old:
        return store
    now = timezone.now()
    store.timezone = zone
    store.save(update_fields=["timezone"])
    cases_deadlines_recount(store=store, now=now)
    cases_waits_follow_zone(store=store, old_timezone=old, now=now)
    audit_record(
        actor=actor,
        action="store_timezone_changed",
        store=store,
        target=store.code,
        data={"before": {"timezone": old}, "after": {"timezone": zone}},
    )
    store_timezone_changed.send(sender=Store, store=store, old_timezone=old, now=now)
    return store
