"""Celery entry points: take ids (or nothing), call one service per store, safe to run twice."""

from celery import shared_task

from crm.models import Store

from .services.birthdays import birthday_wishes_plan, gift_tasks_plan
from .services.segments import attributes_refresh, attributes_stale_stores
from .services.visits import campaign_call_tasks_create


@shared_task(name="retention.refresh_store")
def refresh_store(store_id: int) -> int:
    return attributes_refresh(store=Store.objects.get(pk=store_id))


@shared_task(name="retention.refresh_stale")
def refresh_stale() -> int:
    # Hourly by beat: each store whose own midnight has passed since its last refresh, one task per store.
    stores = attributes_stale_stores()
    for store_id in stores:
        refresh_store.delay(store_id)
    return len(stores)


@shared_task(name="retention.plan_birthdays")
def plan_birthdays() -> int:
    # Hourly by beat, to catch every store's morning in its own time zone (the plans are idempotent): one task per
    # store, so a store whose planning fails does not stop the others'.
    stores = list(Store.objects.values_list("pk", flat=True))
    for store_id in stores:
        plan_store_birthdays.delay(store_id)
    return len(stores)


@shared_task(name="retention.plan_store_birthdays")
def plan_store_birthdays(store_id: int) -> dict:
    store = Store.objects.get(pk=store_id)
    return {"wishes": birthday_wishes_plan(store=store), "gift_tasks": gift_tasks_plan(store=store)}


@shared_task(name="retention.create_call_tasks")
def create_call_tasks() -> dict:
    # Every minute by beat: due return-visit rows of call campaigns become call tasks in the agents' queue.
    report = campaign_call_tasks_create()
    return {"created": report.created, "excluded": report.excluded}
