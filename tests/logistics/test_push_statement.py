"""The routine push's one statement (logistics.db.push_statement) and the ORM path leave the same rows and give the
same answers. Both run here on PostgreSQL, each on its own parcel with the same start, fed the same random pushes:
repeated, out of order, with and without checkpoints, with a state or none, across time zones."""

from datetime import UTC, datetime, timedelta

import pytest
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.db import push_statement
from logistics.models import Checkpoint, Shipment, ShipmentState
from logistics.services import updates
from logistics.services.updates import TrackedCheckpoint, TrackingUpdate, tracking_apply
from tests.factories import OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # late enough in the day that "end of the local day" differs by zone
NOW = T0 + timedelta(days=3)
ROUTINE_STATES = [s for s in ShipmentState.values if s != ShipmentState.SIGNED]
_serial = iter(range(10**9))

_checkpoint = st.builds(
    TrackedCheckpoint,
    at=st.integers(0, 40).map(lambda hours: T0 + timedelta(hours=hours)),
    text=st.sampled_from(["已揽收", "到达【上海集散中心】", "派送中", "Arrived at hub"]),
    location=st.sampled_from(["", "上海", "杭州"]),
    status=st.sampled_from(["", "在途", "派件"]),
)
_push = st.fixed_dictionaries(
    {
        "checkpoints": st.lists(_checkpoint, max_size=4),
        "state": st.sampled_from(ROUTINE_STATES),
        "provider_status": st.sampled_from(["", "polling", "shutdown"]),
    }
)
_start = st.fixed_dictionaries(
    {
        "state": st.sampled_from([*ROUTINE_STATES, ShipmentState.SIGNED]),
        "last_event_hours": st.none() | st.integers(0, 40),
        "first_scan_hours": st.none() | st.integers(0, 40),
        "is_open": st.booleans(),
        "provider_status": st.sampled_from(["", "polling"]),
    }
)
TRACKED = ["state", "first_scan_at", "last_event_at", "last_event_text", "last_event_location", "deliver_by",
           "signed_at", "is_open", "provider_status", "resubscribe_after"]  # fmt: skip


def _parcel(store, start: dict, number: str) -> Shipment:
    last = T0 + timedelta(hours=start["last_event_hours"]) if start["last_event_hours"] is not None else None
    first = T0 + timedelta(hours=start["first_scan_hours"]) if start["first_scan_hours"] is not None else None
    return Shipment.objects.create(
        store=store,
        order=OrderFactory(store=store),
        courier="shunfeng",
        tracking_number=number,
        shipped_at=T0 - timedelta(days=1),
        state=start["state"],
        first_scan_at=first,
        last_event_at=last,
        last_event_text="已发货" if last else "",
        signed_at=T0 if start["state"] == ShipmentState.SIGNED else None,
        is_open=start["is_open"],
        provider_status=start["provider_status"],
    )


def _update(number: str, push: dict) -> TrackingUpdate:
    return TrackingUpdate(
        number=number,
        couriers=("shunfeng",),
        state=push["state"] if push["checkpoints"] else None,
        checkpoints=push["checkpoints"],
        provider_status=push["provider_status"],
    )


def _snapshot(shipment: Shipment) -> tuple[dict, set]:
    shipment.refresh_from_db()
    # The ORM stamps updated_at with the clock, the statement with `now`: what must agree is whether it was written.
    fields = model_to_dict(shipment, fields=TRACKED) | {"written": shipment.updated_at != T0}
    checkpoints = set(Checkpoint.objects.filter(shipment=shipment).values_list("at", "text", "location", "status"))
    return fields, checkpoints


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    zone=st.sampled_from(["Asia/Shanghai", "America/New_York", "Europe/Berlin"]),
    start=_start,
    pushes=st.lists(_push, min_size=1, max_size=5),
)
def test_the_statement_and_the_orm_path_agree(zone, start, pushes):
    store = StoreFactory(timezone=zone)
    serial = next(_serial)
    orm = _parcel(store, start, f"ORM{serial}")
    one = _parcel(store, start, f"ONE{serial}")
    Shipment.objects.filter(pk__in=[orm.pk, one.pk]).update(updated_at=T0)
    for n, push in enumerate(pushes):
        now = NOW + timedelta(minutes=n)
        by_orm = updates._tracking_apply_locked(update=_update(orm.tracking_number, push), now=now)
        by_statement = tracking_apply(update=_update(one.tracking_number, push), now=now)
        assert by_statement == by_orm
        assert _snapshot(one) == _snapshot(orm)
        Shipment.objects.filter(pk__in=[orm.pk, one.pk]).update(updated_at=T0)


def test_a_routine_push_takes_the_statement_and_a_delivery_the_orm_path(monkeypatch):
    """The statement is really used (the property above would pass if both sides took the ORM path)."""
    store = StoreFactory()
    shipment = _parcel(
        store,
        {"state": "in_transit", "last_event_hours": 1, "first_scan_hours": 1, "is_open": True, "provider_status": ""},
        "SF1",
    )
    calls = []
    real = push_statement.push_apply
    monkeypatch.setattr(updates, "push_apply", lambda **kw: calls.append(kw["state"]) or real(**kw))
    moving = TrackedCheckpoint(at=T0 + timedelta(hours=5), text="派送中")
    tracking_apply(update=TrackingUpdate("SF1", ("shunfeng",), ShipmentState.OUT_FOR_DELIVERY, [moving]), now=NOW)
    signed = TrackedCheckpoint(at=T0 + timedelta(hours=9), text="已签收")
    [result] = tracking_apply(update=TrackingUpdate("SF1", ("shunfeng",), ShipmentState.SIGNED, [signed]), now=NOW)
    assert calls == [ShipmentState.OUT_FOR_DELIVERY]
    assert result.delivered
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.SIGNED and not shipment.is_open


def test_a_push_for_an_unknown_number_writes_nothing():
    update = TrackingUpdate("NOPE", ("shunfeng",), ShipmentState.IN_TRANSIT, [TrackedCheckpoint(at=T0, text="x")])
    assert tracking_apply(update=update, now=NOW) == []
    assert not Checkpoint.objects.exists()
