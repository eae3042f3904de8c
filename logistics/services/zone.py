"""A store's clock changed: its parcels' local deadlines and held notices follow it, in the change's transaction
(ADR 0029).

A store moved to another time zone (crm.signals.store_timezone_changed, `logistics_follow_store_zone`):

- A promised date ends at the next local midnight in the new zone (`promised_by`); an out-for-delivery parcel is
  late from the end of its local day in the new zone (`deliver_by`). Only where the rule has not fired yet: a delay
  found is history.
- A delay or shipping SMS held until the sending hours waits for the new zone's (at once if they are open); a call
  notice shows its call task's window, which callbacks has moved (its receiver runs first: callbacks is installed
  before logistics).

New SMS or call hours on the store's follow-up policy (callbacks.signals.store_hours_changed, from the policy page or
the admin, `logistics_follow_store_hours`): the held notices move the same way, to the new opening (at once if the
new hours are open now), and a call notice shows its call task's window in the new call hours. The deadlines are
local midnights, which no hours change.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from callbacks.models import FollowUp, FollowUpPolicy
from callbacks.services.policy import policy_for_store
from callbacks.services.windows import sms_window
from crm.models import Store
from crm.timezones import store_local_datetime, to_store_local

from ..models import DelayRule, Shipment, ShipmentDelay, ShipmentNotice, ShipmentState

Status = ShipmentNotice.Status


def _not_fired(rule: str) -> Exists:
    return ~Exists(ShipmentDelay.objects.filter(shipment=OuterRef("pk"), rule=rule))


def _day_ends(store: Store, day) -> datetime:
    """The next local midnight after `day`: a parcel due that day is late from then on."""
    return store_local_datetime(store, day + timedelta(days=1), time.min)


def _deadlines_move(store: Store) -> int:
    open_parcels = Shipment.objects.filter(store=store, is_open=True)
    moved = 0
    promised = open_parcels.filter(_not_fired(DelayRule.PAST_PROMISED), promised_date__isnull=False)
    for day in promised.values_list("promised_date", flat=True).distinct():
        ends = _day_ends(store, day)
        moved += promised.filter(promised_date=day).exclude(promised_by=ends).update(promised_by=ends)
    out = list(
        open_parcels.filter(
            _not_fired(DelayRule.NOT_DELIVERED_TODAY),
            state=ShipmentState.OUT_FOR_DELIVERY,
            deliver_by__isnull=False,
            last_event_at__isnull=False,
        )
        .select_for_update(of=("self",))
        .only("pk", "deliver_by", "last_event_at")
    )
    changed = []
    for shipment in out:
        ends = _day_ends(store, to_store_local(shipment.last_event_at, store).date())
        if ends != shipment.deliver_by:
            shipment.deliver_by = ends
            changed.append(shipment)
    Shipment.objects.bulk_update(changed, ["deliver_by"], batch_size=1000)
    return moved + len(changed)


def _notices_move(store: Store, now: datetime, policy: FollowUpPolicy | None = None) -> int:
    """Held SMS notices to the store's next SMS opening (now, if open); call notices to their call task's window."""
    planned = ShipmentNotice.objects.filter(store=store, status=Status.PLANNED)
    opens, _closes = sms_window(policy=policy or policy_for_store(store=store), store=store, moment=now)
    moved = planned.filter(channel=ShipmentNotice.Channel.SMS, due_at__gt=now).exclude(due_at=opens)
    count = moved.update(due_at=opens, updated_at=now)
    calls = list(planned.filter(channel=ShipmentNotice.Channel.CALL, call_task__startswith="followup:"))
    windows = dict(
        FollowUp.objects.filter(pk__in=[int(n.call_task.split(":")[1]) for n in calls]).values_list(
            "pk", "window_start"
        )
    )
    changed = []
    for notice in calls:
        start = windows.get(int(notice.call_task.split(":")[1]))
        if start is not None and start != notice.due_at:
            notice.due_at, notice.updated_at = start, now
            changed.append(notice)
    ShipmentNotice.objects.bulk_update(changed, ["due_at", "updated_at"], batch_size=1000)
    return count + len(changed)


@transaction.atomic
def logistics_follow_store_zone(*, store: Store, now: datetime) -> int:
    """Move the store's open parcels' deadlines and its planned notices to its zone as it is now. Returns how many
    rows changed."""
    return _deadlines_move(store) + _notices_move(store, now)


@transaction.atomic
def logistics_follow_store_hours(*, store: Store, policy: FollowUpPolicy, now: datetime) -> int:
    """Move the store's planned notices to its SMS and call hours as just saved (`policy`). Returns how many moved."""
    return _notices_move(store, now, policy)
