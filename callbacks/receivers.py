"""crm tells us about events through crm.signals; these receivers are connected in CallbacksConfig.ready()."""

from crm.demo import CNY_PER_UNIT, demo_store
from crm.signals import demo_stores_seeded, orders_delivered

from .models import FollowUpPolicy
from .services.planning import followups_plan
from .services.policy import policy_update


def plan_delivered_orders(sender, *, deliveries, **kwargs) -> None:
    # Runs inside orders_mark_delivered's transaction: the plans commit or roll back with the deliveries,
    # and a batch of deliveries is planned in one set-based pass.
    followups_plan(deliveries=deliveries)


def configure_demo_policies(sender, *, stores, **kwargs) -> None:
    # The demo's follow-up tiers are in CNY; a store that sells in another currency converts it (issue 18 #13).
    # A policy a manager already saved is left as it is.
    for store in stores:
        currency = demo_store(store.code).currency
        if currency != "CNY" and not FollowUpPolicy.objects.filter(store=store).exists():
            rates = {currency: str(CNY_PER_UNIT[currency])}
            policy_update(store=store, actor=None, changes={"currency": "CNY", "exchange_rates": rates})


def connect() -> None:
    orders_delivered.connect(plan_delivered_orders, dispatch_uid="callbacks.plan_delivered_orders")
    demo_stores_seeded.connect(configure_demo_policies, dispatch_uid="callbacks.configure_demo_policies")
