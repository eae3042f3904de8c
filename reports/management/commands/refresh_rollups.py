"""Rebuild the report roll-ups of every store (or the ones named) now, over their whole history.

Beat does this every five minutes (recent days) and nightly (all); `make run` calls this after seeding the demo
so the manager's report shows figures from the first minute.
"""

from django.core.management.base import BaseCommand, CommandError

from crm.models import Store

from ...rollups import rollups_refresh


class Command(BaseCommand):
    help = "Rebuild the report roll-ups of every store, or of the stores whose codes are given."

    def add_arguments(self, parser) -> None:
        parser.add_argument("codes", nargs="*", metavar="STORE_CODE")

    def handle(self, *args, codes: list[str], **options) -> None:
        stores = Store.objects.order_by("code")
        if codes:
            stores = stores.filter(code__in=codes)
            if unknown := set(codes) - {store.code for store in stores}:
                raise CommandError(f"No store with the code(s): {', '.join(sorted(unknown))}.")
        for store in stores:
            rows = rollups_refresh(store=store)
            self.stdout.write(f"{store.code}: {rows} roll-up rows")
