"""AfterShip's webhook: signed with the store's secret, deduplicated on event_id, tags mapped to our states."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from logistics.models import Checkpoint, LogisticsPolicy, ProviderEvent, Shipment

from .conftest import ship

pytestmark = pytest.mark.django_db
SECRET = "store-webhook-secret"


@pytest.fixture
def shipment():
    found = ship(courier="sf-express", number="SF998877", hours_ago=10)
    LogisticsPolicy.objects.create(store=found.store, aftership_secret=SECRET)
    return found


def _event(event_id: str, tag: str, *checkpoints: tuple[str, str], subtag: str = "", kind="tracking_update"):
    now = timezone.now()
    return json.dumps(
        {
            "ts": int(now.timestamp()),
            "event": kind,
            "event_id": event_id,
            "msg": {
                "tracking_number": "SF998877",
                "slug": "sf-express",
                "tag": tag,
                "subtag": subtag,
                "checkpoints": [
                    {"checkpoint_time": (now - timedelta(hours=hours)).isoformat(), "tag": t, "message": f"{t} {hours}",
                     "location": "Shanghai"}
                    for t, hours in checkpoints
                ],
            },
        }
    ).encode()  # fmt: skip


def _post(body: bytes, secret: str = SECRET):
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return Client().post(
        "/hooks/aftership/", body, content_type="application/json", headers={"aftership-hmac-sha256": signature}
    )


def test_a_signed_event_moves_the_parcel_and_a_redelivery_changes_nothing(shipment):
    body = _event("e-1", "InTransit", ("InfoReceived", 8), ("InTransit", 2))
    assert _post(body).status_code == 200
    assert Shipment.objects.get().state == "in_transit" and Checkpoint.objects.count() == 2
    updated = Shipment.objects.get().updated_at
    assert _post(body).status_code == 200
    assert ProviderEvent.objects.count() == 1 and Shipment.objects.get().updated_at == updated


def test_a_wrong_secret_is_refused_and_stored_nowhere(shipment):
    assert _post(_event("e-2", "InTransit", ("InTransit", 2)), secret="not-the-secret").status_code == 403
    assert not Checkpoint.objects.exists() and not ProviderEvent.objects.exists()


def test_an_unknown_number_is_refused(shipment):
    body = _event("e-3", "InTransit", ("InTransit", 2)).replace(b"SF998877", b"SF000000")
    assert _post(body).status_code == 404
    assert not ProviderEvent.objects.exists()


def test_an_unsigned_sender_cannot_tell_our_tracking_numbers_from_others(shipment):
    """Unsigned, a number we ship and one we do not are refused alike: a 404 for the one and a 403 for the other
    told anyone on the internet which parcels are ours."""
    ours = _event("e-8", "InTransit", ("InTransit", 2))
    not_ours = ours.replace(b"SF998877", b"SF000000")
    answers = [_post(body, secret="guessed") for body in (ours, not_ours)]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json() == answers[1].json()
    assert not ProviderEvent.objects.exists() and not Checkpoint.objects.exists()


def test_refused_and_delivered_tags(shipment):
    _post(_event("e-4", "Exception", ("InTransit", 5), ("Exception", 1), subtag="Exception_003"))
    assert Shipment.objects.get().state == "refused"
    _post(_event("e-5", "Delivered", ("InTransit", 5), ("Exception", 1), ("Delivered", 0)))
    parcel = Shipment.objects.get()
    assert parcel.state == "signed" and parcel.order.delivered_at == parcel.signed_at


def test_a_pending_time_alarm_is_recorded_once_and_changes_no_state(shipment):
    assert _post(_event("e-6", "InTransit", kind="tracking_pending_time")).status_code == 200
    assert Shipment.objects.get().state == "pending" and ProviderEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("sent", "at"),
    [
        ("2026-07-01T09:00:00", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),  # 09:00 BST
        ("2026-07-01T09:00:00+01:00", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
        ("2026-07-01", datetime(2026, 6, 30, 23, 0, tzinfo=UTC)),  # a carrier that gives the day only
    ],
)
def test_a_checkpoint_time_without_an_offset_is_read_in_the_stores_time_zone(sent, at):
    # AfterShip passes on the carrier's time as the carrier gives it, the offset sometimes left out: it was refused
    # whole (400), so the parcel never moved and its delay rules fired on a parcel that was on its way.
    with time_machine.travel(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), tick=False):
        found = ship(courier="sf-express", number="SF998877", hours_ago=30, customer__store__timezone="Europe/London")
        LogisticsPolicy.objects.create(store=found.store, aftership_secret=SECRET)
        body = _with(_event("e-9", "InTransit"), checkpoints=[{"checkpoint_time": sent, "tag": "InTransit"}])

        assert _post(body).status_code == 200
    assert Checkpoint.objects.get().at == at and Shipment.objects.get().state == "in_transit"


def _with(body: bytes, **fields) -> bytes:
    data = json.loads(body)
    data["msg"].update(fields)
    return json.dumps(data).encode()


GARBLED = {
    "NUL in the number": {"tracking_number": "SF998877\u0000"},
    "NUL in the courier": {"slug": "sf-express\u0000"},
    "a checkpoint in year 1": {"checkpoints": [{"checkpoint_time": "0001-01-01T00:00:00+08:00", "tag": "InTransit"}]},
    # Stored, it stayed the parcel's newest event whatever came after.
    "a checkpoint in 9999": {"checkpoints": [{"checkpoint_time": "9999-12-31T23:59:59+08:00", "tag": "InTransit"}]},
    # Built as the test runs (a callable), not at collection: "in 2 days" of the clock the hook reads.
    "a checkpoint in 2 days": lambda: {
        "checkpoints": [{"checkpoint_time": (timezone.now() + timedelta(days=2)).isoformat(), "tag": "InTransit"}]
    },
    "NUL in a message": {"checkpoints": [{"checkpoint_time": "2026-12-01T10:00:00+08:00", "message": "a\u0000"}]},
    "a lone surrogate": {"checkpoints": [{"checkpoint_time": "2026-12-01T10:00:00+08:00", "message": "\ud800"}]},
}


@pytest.mark.parametrize("fields", GARBLED.values(), ids=GARBLED.keys())
@pytest.mark.parametrize("secret", [SECRET, "not-the-secret"], ids=["signed", "unsigned"])
def test_a_garbled_event_is_malformed_whether_signed_or_not(shipment, fields, secret):
    # Each was a 500, the first three before the signature was even checked.
    fields = fields() if callable(fields) else fields
    response = _post(_with(_event("e-7", "InTransit", ("InTransit", 2)), **fields), secret=secret)

    assert response.status_code == 400 and response.json()["code"] == "malformed_push"
    assert not Checkpoint.objects.exists() and not ProviderEvent.objects.exists()


@pytest.mark.parametrize("secret", [SECRET, "not-the-secret"], ids=["signed", "unsigned"])
def test_a_body_nested_deeper_than_the_parser_goes_is_malformed_whether_signed_or_not(shipment, secret):
    # A 500 (RecursionError), before the signature was checked: anyone could post it.
    nested = "[" * 100_000 + "]" * 100_000
    body = _event("e-9", "InTransit", ("InTransit", 2)).replace(b'"ts"', f'"extra": {nested}, "ts"'.encode())

    response = _post(body, secret=secret)

    assert response.status_code == 400 and response.json()["code"] == "malformed_push"
    assert not Checkpoint.objects.exists() and not ProviderEvent.objects.exists()


def test_a_push_larger_than_we_read_is_a_json_413(shipment, settings):
    # It got the HTML "bad request" page of the browser ("Go back, reload the page"), as Django refused to read it.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = _with(_event("e-10", "InTransit", ("InTransit", 2)), padding="x" * 1000)

    response = _post(body)

    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    assert not Checkpoint.objects.exists() and not ProviderEvent.objects.exists()


@pytest.mark.parametrize("event_id", [None, {"id": 1}, "e" * 101, "e-\u0000"], ids=["null", "object", "long", "NUL"])
def test_an_event_id_that_cannot_be_our_dedupe_key_is_malformed(shipment, event_id):
    # null was read as the text "None", so every later null event was dropped as its repeat; the others were 500s.
    body = _event("e-8", "InTransit", ("InTransit", 2))
    body = json.dumps({**json.loads(body), "event_id": event_id}).encode()

    response = _post(body)

    assert response.status_code == 400 and response.json()["code"] == "malformed_push"
    assert not Checkpoint.objects.exists() and not ProviderEvent.objects.exists()
