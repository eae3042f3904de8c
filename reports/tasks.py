from celery import shared_task

from crm.models import Store

from .rollups import rollups_refresh, rollups_refresh_recent


@shared_task(name="reports.refresh_stores")
def refresh_stores(recent: bool) -> None:
    """Fan out one roll-up rebuild per store: recent days every few minutes, the whole history nightly."""
    for store_id in Store.objects.values_list("pk", flat=True):
        refresh_store.delay(store_id, recent)


@shared_task(name="reports.refresh_store")
def refresh_store(store_id: int, recent: bool) -> None:
    store = Store.objects.get(pk=store_id)
    if recent:
        rollups_refresh_recent(store=store)
    else:
        rollups_refresh(store=store)
