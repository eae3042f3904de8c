"""An operator's delete in the admin (crm.admin_mixins.ServiceWrittenAdmin: customers, orders, reviews sent by
mistake): the other apps are told first (`records_deleting`), in the same transaction, so what they derived from the
rows (the report's figures of their days) is put right as well."""

from django.db import transaction
from django.db.models import QuerySet

from crm.signals import records_deleting


@transaction.atomic
def records_delete(*, queryset: QuerySet) -> None:
    """Delete the rows of `queryset` (and what Django's collector deletes with them), once every receiver of
    `records_deleting` has read what it needs of them."""
    records_deleting.send(sender=queryset.model, queryset=queryset)
    queryset.delete()
