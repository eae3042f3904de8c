"""A demo STOP from a former number (ADR 0049), for `make run` (after seed_demo).

In the silk store, 李娜's parcel was signed for yesterday morning and the store's care SMS went to her number then.
Today the order system's batch with her new order brought her new phone. She then answered yesterday's message from
the number it went to, with STOP. The reply is matched through the message the store sent there: she is opted out of
the store's SMS, the old number is kept from the store's SMS whoever holds it now, and her customer page shows the
opt-out, with the reply and the number it came from in her change history.

Yesterday is history, written as the sweeper left it (as seed_demo_retention writes the purchase history): the
sweeper sends only inside the store's SMS hours, so a message sent today would exist only when the seed runs in them.
Today goes through the services: the order batch through the order ingestion service, the reply through the inbound
SMS service with the parameters Twilio posts. Idempotent: a second run finds yesterday's order and the reply's sid
and changes nothing.
"""

import hashlib
from datetime import time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from callbacks.models import FollowUp, TelephonyEvent
from callbacks.services.inbound import inbound_sms_receive
from callbacks.services.messages import sms_render
from callbacks.services.policy import policy_for_store
from crm.demo import demo_store
from crm.models import Customer, Order, Store
from crm.services.ingestion.inputs import CustomerInput, OrderInput
from crm.services.ingestion.orders import orders_upsert
from crm.timezones import store_local_datetime, store_today

STORE = "silk-tmall"
CUSTOMER = "silk-tmall-c001"
NEW_PHONE = "+8618600100001"  # what the order system's batch says her phone is now
SKU = "SILK-SCARF"  # a mid-value order: a care SMS, not a call (ADR 0004's tiers)
YESTERDAYS_ORDER = f"{STORE.upper()}-1101"
TODAYS_ORDER = f"{STORE.upper()}-3001"
REPLY = "STOP"


def _sid(kind: str, name: str) -> str:
    """A Twilio-shaped sid (two letters and 32 hex digits), the same on every run."""
    return kind + hashlib.sha256(f"demo:{name}".encode()).hexdigest()[:32]


class Command(BaseCommand):
    help = "A demo customer whose phone the order system changed replies STOP from the number the store texted."

    @transaction.atomic
    def handle(self, *args, **options):
        store = Store.objects.filter(code=STORE).first()
        demo = demo_store(STORE)
        person = next((p for p in demo.customers if p.external_id == CUSTOMER), None)
        customer = Customer.objects.filter(store=store, external_id=CUSTOMER).first() if store else None
        if customer is None or person is None:
            return  # seed_demo was not run
        former = person.phone  # the number she had when the store texted her
        if not Order.objects.filter(store=store, external_id=YESTERDAYS_ORDER).exists():
            self._texted_yesterday(store, customer, former)
        self._new_phone_from_the_order_system(store, customer)
        sid = _sid("SM", "stop-from-a-former-number")
        if not TelephonyEvent.objects.filter(kind=TelephonyEvent.Kind.INBOUND_SMS, provider_id=sid).exists():
            inbound_sms_receive(payload=self._reply(former, sid))
        customer.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(f"Demo SMS replies ready: {customer.name} replied {REPLY} from her former number.")
        )

    def _texted_yesterday(self, store: Store, customer: Customer, former: str) -> None:
        """Yesterday's delivery and its care SMS, sent to the number she had then, as the sweeper recorded it."""
        product = demo_store(STORE).product(SKU)
        policy = policy_for_store(store=store)
        yesterday = store_today(store) - timedelta(days=1)
        opens = store_local_datetime(store, yesterday, max(policy.sms_send_from, time(9, 0)))
        closes = store_local_datetime(store, yesterday, policy.sms_send_until)
        delivered = opens + timedelta(minutes=80)
        order = Order.objects.create(
            store=store, external_id=YESTERDAYS_ORDER, customer=customer, total_amount=product.price,
            currency=store.currency,
            items=[{"sku": product.sku, "name": product.name, "quantity": 1, "unit_price": str(product.price)}],
            placed_at=delivered - timedelta(days=3), shipped_at=delivered - timedelta(days=2),
            delivered_at=delivered, status=Order.Status.DELIVERED,
        )  # fmt: skip
        sent = delivered + timedelta(minutes=20)
        followup = FollowUp(
            store=store, customer=customer, order=order, tier=FollowUp.Channel.SMS, channel=FollowUp.Channel.SMS,
            status=FollowUp.Status.SENT, contact_day=yesterday, window_start=delivered, window_end=closes,
            attempts=1, recipient=former, claimed_at=sent, sent_at=sent,
            provider_id=_sid("SM", "care-sms-yesterday"), provider_status="delivered",
        )  # fmt: skip
        followup.message_body = sms_render(followup=followup, policy=policy)
        followup.save()

    def _new_phone_from_the_order_system(self, store: Store, customer: Customer) -> None:
        """Her order of today, as the order system's batch brings it: with her phone, which is a new one. Once: the
        batch as it was sent (its time included), so a second run re-sends nothing."""
        if Order.objects.filter(store=store, external_id=TODAYS_ORDER).exists():
            return
        product = demo_store(STORE).product(SKU)
        placed = timezone.now().replace(microsecond=0)
        item = {"sku": product.sku, "name": product.name, "quantity": 1, "unit_price": str(product.price)}
        row = {
            "external_id": TODAYS_ORDER,
            "customer": {"external_id": customer.external_id, "name": customer.name, "phone": NEW_PHONE},
            "total_amount": str(product.price),
            "currency": store.currency,
            "items": [item],
            "placed_at": placed.isoformat(),
        }
        orders_upsert(
            orders=[
                OrderInput(
                    store_id=store.pk,
                    external_id=TODAYS_ORDER,
                    customer=CustomerInput(
                        store_id=store.pk, external_id=customer.external_id, name=customer.name, phone=NEW_PHONE
                    ),
                    total_amount=Decimal(product.price),
                    currency=store.currency,
                    items=[item],
                    placed_at=placed,
                    payload=row,
                )
            ],
            token=None,
        )

    @staticmethod
    def _reply(former: str, sid: str) -> dict[str, str]:
        """Her reply as Twilio posts it to /twilio/sms/inbound."""
        return {
            "MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32,
            "From": former, "To": settings.TWILIO_FROM_NUMBER or "+8610000000000", "Body": REPLY,
            "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01",
        }  # fmt: skip
