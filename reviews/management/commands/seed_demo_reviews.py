"""Demo reviews for the embedded default, on the demo stores' orders. Idempotent: reviews upsert by id."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from crm.models import Order, Store
from reviews.evaluation import load_eval_set
from reviews.models import KeywordMonitor, ReviewPolicy
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest

MONITORS = ["假货", "色差", "质量差", "物流慢", "态度差", "破损"]


class Command(BaseCommand):
    help = "Load demo reviews (good, mid and bad, some on the demo orders), keyword monitors and review cases."

    def handle(self, *args, **options):
        samples = [row for row in load_eval_set() if row["lang"] == "zh"]
        now = timezone.now()
        for store in Store.objects.all():
            for phrase in MONITORS:
                KeywordMonitor.objects.get_or_create(store=store, phrase=phrase)
            orders = list(Order.objects.filter(store=store).order_by("external_id")[:12])
            ReviewPolicy.objects.get_or_create(store=store, defaults={"main_skus": ["SILK-01", "JADE-02"]})
            rows = []
            for index, order in enumerate(orders):
                sample = samples[(index * 7 + store.pk) % len(samples)]
                item = order.items[0] if order.items else {}
                rows.append(
                    ReviewIn(
                        external_id=f"{store.code}-r{index:03d}",
                        rating=sample["rating"],
                        posted_at=now - timedelta(hours=index * 3),
                        text=sample["text"],
                        order=order.external_id,
                        product=item.get("name", ""),
                        sku=item.get("sku", ""),
                        likes=index % 5 * 7,
                    )
                )
            reviews_ingest(store=store, rows=rows)
        opened = reviews_open_cases()
        self.stdout.write(self.style.SUCCESS(f"Demo reviews ready; {opened} review cases opened."))
