"""A store's own setting that every local time depends on: its time zone."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crm.errors import InvalidInput
from crm.models import Store
from crm.signals import store_timezone_changed, store_timezone_would_withdraw
from crm.validators import validate_timezone
from crm.withdrawals import withdrawals_answered, withdrawals_check

from .audit import audit_record
from .sla import cases_deadlines_recount
from .waiting import cases_waits_follow_zone


def store_timezone_withdrawals_check(*, store: Store, zone: str, now: datetime, confirmed: int | None) -> int:
    """Raise WithdrawalsNotConfirmed unless at least as many campaign contacts were confirmed as moving the store (in
    its zone as stored) to `zone` would withdraw, as the apps answer `store_timezone_would_withdraw`; nothing is
    changed by asking (ADR 0046). Returns how many it withdraws; nothing for a zone it already has."""
    if zone == store.timezone:
        return 0
    answers = store_timezone_would_withdraw.send(sender=Store, store=store, zone=zone, now=now)
    return withdrawals_check(withdrawn=withdrawals_answered(answers), confirmed=confirmed)


@transaction.atomic
def store_timezone_change(*, store: Store, zone: str, actor, withdrawals_confirmed: int | None = None) -> Store:
    """Move the store to another IANA time zone, with what is planned in its local time (ADR 0029).

    What is still to come follows the store into the new zone, in this transaction: crm counts its open cases'
    deadlines again in the service hours as they fall there, and sends `store_timezone_changed`, on which the other
    apps move what they planned (planned calls keep their local evening, held messages wait for the new sending
    hours, a parcel's promised day ends at the new midnight). What has happened, or is under way, stays as it was.
    Audited. Changing nothing changes nothing.

    A move that would withdraw contacts of running campaigns (return visits or messages the new clock leaves no time
    for before their campaign ends) is made only when at least that many were confirmed (`withdrawals_confirmed`, the
    number the form showed); else WithdrawalsNotConfirmed names the campaigns and nothing is saved (ADR 0046).
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
    withdrawn = store_timezone_withdrawals_check(store=store, zone=zone, now=now, confirmed=withdrawals_confirmed)
    store.timezone = zone
    store.save(update_fields=["timezone"])
    cases_deadlines_recount(store=store, now=now)
    cases_waits_follow_zone(store=store, old_timezone=old, now=now)
    data = {"before": {"timezone": old}, "after": {"timezone": zone}}
    if withdrawn:
        data["campaign_contacts_withdrawn"] = withdrawn
    audit_record(actor=actor, action="store_timezone_changed", store=store, target=store.code, data=data)
    store_timezone_changed.send(sender=Store, store=store, old_timezone=old, now=now)
    return store
