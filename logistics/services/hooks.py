"""Provider pushes: verified, matched to our shipments, applied. Refused pushes are stored nowhere."""

import base64
import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction

from crm.models import Store
from logistics.errors import BadSignature, MalformedPush, UnknownShipment
from logistics.models import LogisticsPolicy, ProviderEvent, Shipment
from logistics.tracking import aftership, kuaidi100

from .updates import ApplyResult, shipment_apply_update, tracking_apply


def kuaidi100_push_receive(*, param: str, sign: str) -> list[ApplyResult]:
    """A Kuaidi100 push: accepted only when sign == MD5(param + salt) in upper case, for a number we ship."""
    salt = settings.KUAIDI100_SALT
    if not salt or not hmac.compare_digest(sign.encode(), kuaidi100.sign(param, salt).encode()):
        raise BadSignature(field="sign")
    try:
        update = kuaidi100.push_parse(param)
    except kuaidi100.PushInvalid as exc:
        raise MalformedPush(str(exc), field="param") from exc
    results = tracking_apply(update=update)
    if not results:
        raise UnknownShipment(field="lastResult.nu")  # nothing was written: the transaction held no change
    return results


def aftership_webhook_receive(*, body: bytes, signature: str) -> list[ApplyResult]:
    """An AfterShip webhook, signed with the shipping store's secret; a redelivered event_id changes nothing."""
    try:
        event = aftership.event_parse(body)
    except aftership.EventInvalid as exc:
        raise MalformedPush(str(exc)) from exc
    shipments = list(
        Shipment.objects.filter(tracking_number=event.update.number, courier__in=event.update.couriers).values_list(
            "pk", "store_id"
        )
    )
    secrets = dict(
        LogisticsPolicy.objects.filter(store_id__in={store_id for _pk, store_id in shipments}).values_list(
            "store_id", "aftership_secret"
        )
    )
    signed = [
        (pk, store_id) for pk, store_id in shipments if _aftership_valid(body, signature, secrets.get(store_id, ""))
    ]
    if not signed:
        # A sender that signs with none of our stores' secrets learns only that we refused it, whether or not the
        # number is one we ship (a 404 for the others told anyone which parcels are ours). A push one of our
        # stores signed, for a number it does not ship, is told so.
        if not shipments and _signed_by_a_store(body, signature):
            raise UnknownShipment(field="msg.tracking_number")
        raise BadSignature(field="aftership-hmac-sha256")
    if event.local_times:
        # Times without an offset are the carrier's local times, in a zone AfterShip does not name: the store's.
        try:
            event = aftership.event_parse(body, zone=Store.objects.get(pk=signed[0][1]).tzinfo)
        except aftership.EventInvalid as exc:
            raise MalformedPush(str(exc)) from exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProviderEvent.objects.create(provider="aftership", event_id=event.event_id)
        except IntegrityError:
            return []  # already applied
        if event.update.state is None and not event.update.checkpoints:
            # tracking_pending_time: the provider's own stall alarm. Our delay rules decide with the store's
            # thresholds from the last checkpoint, so it changes nothing here.
            return []
        return [shipment_apply_update(shipment_id=pk, update=event.update) for pk, _store_id in signed]


def _signed_by_a_store(body: bytes, signature: str) -> bool:
    secrets = LogisticsPolicy.objects.exclude(aftership_secret="").values_list("aftership_secret", flat=True)
    return any(_aftership_valid(body, signature, secret) for secret in secrets)


def _aftership_valid(body: bytes, signature: str, secret: str) -> bool:
    if not secret:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(signature.encode(), expected.encode())
