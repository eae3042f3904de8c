"""crm tells us about events through crm.signals; these receivers are connected in CallbacksConfig.ready()."""

from crm.signals import order_delivered

from .services.planning import followups_plan


def plan_delivered_order(sender, *, order, event_at, **kwargs) -> None:
    # Runs inside orders_mark_delivered's transaction: the plan commits or rolls back with the delivery.
    followups_plan(deliveries=[(order, event_at)])


def connect() -> None:
    order_delivered.connect(plan_delivered_order, dispatch_uid="callbacks.plan_delivered_order")
