import pytest
import time_machine
from django.utils import timezone

from crm.models import IdempotencyRecord, Order
from crm.services.idempotency import idempotency_purge
from tests.crm.api.helpers import order_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders"


def test_the_same_key_replays_the_first_answer(api):
    first = api.post(URL, order_payload(1), **{"Idempotency-Key": "batch-1"})
    second = api.post(URL, order_payload(1), **{"Idempotency-Key": "batch-1"})

    assert first.status_code == second.status_code == 200
    assert second.content == first.content  # "created", as the first time, not "updated"
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_422(api):
    api.post(URL, order_payload(1), **{"Idempotency-Key": "batch-1"})
    response = api.post(URL, order_payload(2), **{"Idempotency-Key": "batch-1"})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_keys_belong_to_their_token(api, other_api, other_store):
    api.post(URL, order_payload(1), **{"Idempotency-Key": "k"})
    response = other_api.post(URL, order_payload(1), **{"Idempotency-Key": "k"})

    assert response.json()["results"][0]["result"] == "created"
    assert Order.objects.filter(store=other_store).count() == 1


def test_a_rejected_batch_is_not_remembered(api):
    bad = order_payload(1, total_amount="-1")
    assert api.post(URL, bad, **{"Idempotency-Key": "k"}).status_code == 400

    response = api.post(URL, order_payload(1), **{"Idempotency-Key": "k"})

    assert response.status_code == 200
    assert not response.has_header("Idempotent-Replayed")


def test_after_24_hours_the_key_is_forgotten(api):
    api.post(URL, order_payload(1), **{"Idempotency-Key": "k"})

    with time_machine.travel(timezone.now() + timezone.timedelta(hours=25)):
        response = api.post(URL, order_payload(1), **{"Idempotency-Key": "k"})
        assert idempotency_purge() == 0  # the record was just renewed by the new answer

    assert response.json()["results"][0]["result"] == "updated"
    assert not response.has_header("Idempotent-Replayed")
    assert IdempotencyRecord.objects.count() == 1


def test_purge_removes_expired_records(api):
    api.post(URL, order_payload(1), **{"Idempotency-Key": "k"})

    assert idempotency_purge(now=timezone.now() + timezone.timedelta(hours=25)) == 1
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve"])
def test_a_malformed_key_is_400(api, key):
    response = api.post(URL, order_payload(1), **{"Idempotency-Key": key})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
