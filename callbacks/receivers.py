"""crm tells us about events through crm.signals; these receivers are connected in CallbacksConfig.ready()."""

from crm.signals import orders_delivered

from .services.planning import followups_plan


def plan_delivered_orders(sender, *, deliveries, **kwargs) -> None:
    # Runs inside orders_mark_delivered's transaction: the plans commit or roll back with the deliveries,
    # and a batch of deliveries is planned in one set-based pass.
    followups_plan(deliveries=deliveries)


def connect() -> None:
    orders_delivered.connect(plan_delivered_orders, dispatch_uid="callbacks.plan_delivered_orders")
