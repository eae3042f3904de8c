"""Demo reviews for the embedded default (reviews.demo), on the demo stores' orders, each posted after its order was
signed for. Idempotent: reviews upsert by id."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from crm.demo import STORES
from crm.models import Order, Store
from reviews.demo import REVIEWS
from reviews.models import CauseCorrection, KeywordMonitor, Review, ReviewPolicy
from reviews.services.bad_review import review_correct_causes
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest

MONITORS = ["假货", "色差", "质量差", "物流慢", "态度差", "破损", "受潮"]
# The demo agent's verdicts on a few reviews' causes (by index into reviews.demo.REVIEWS), the classifier quality
# page's "against the agents' verdicts" and latest verdicts: most confirm what the classifier read, some correct it.
VERDICTS = {
    "silk-tmall": {0: ["description_mismatch"], 4: ["logistics"], 6: ["quality", "service_attitude"]},
    "jade-jd": {0: ["quality", "logistics"], 3: ["quality", "description_mismatch"], 2: ["size"]},
    "tea-own": {1: ["quality"], 2: ["description_mismatch"], 5: ["quality", "service_attitude"]},
}


class Command(BaseCommand):
    help = "Load demo reviews (good, mid and bad, most on the demo orders), keyword monitors and review cases."

    def handle(self, *args, **options):
        now = timezone.now()
        for demo in STORES:
            store = Store.objects.filter(code=demo.code).first()
            if store is None:  # seed_demo was not run (or the store was renamed): nothing to review
                continue
            for phrase in MONITORS:
                KeywordMonitor.objects.get_or_create(store=store, phrase=phrase)
            # The two dearest products are the ones a manager watches most closely.
            main = [p.sku for p in sorted(demo.products, key=lambda p: p.price)[-2:]]
            ReviewPolicy.objects.get_or_create(store=store, defaults={"main_skus": main})
            # seed_demo's orders (it ships them): not the history or today's unshipped orders a second `make run`
            # finds from the later seeds, which would take a customer's review over.
            shipped = Order.objects.filter(store=store, shipped_at__isnull=False).select_related("customer")
            orders = {o.customer.external_id: o for o in shipped}
            rows = []
            for index, review in enumerate(REVIEWS[demo.code]):
                product = demo.product(review.sku)
                order = None
                if review.customer_index is not None:
                    order = orders.get(demo.customers[review.customer_index].external_id)
                posted_at = now - timedelta(hours=index * 3)
                if order is not None and order.delivered_at is None:
                    # A platform takes a review once the parcel is signed for: one still on its way (the demo's
                    # stalled and 疑难 parcels) is reviewed by a shopper the store cannot match to an order.
                    order = None
                elif order is not None:  # written after the parcel came (seed_demo signs them for today)
                    posted_at = min(now, max(posted_at, order.delivered_at + timedelta(hours=1)))
                rows.append(
                    ReviewIn(
                        external_id=f"{store.code}-r{index:03d}",
                        rating=review.rating,
                        posted_at=posted_at,
                        text=review.text,
                        order=order.external_id if order else "",
                        product=product.name,
                        sku=product.sku,
                        likes=index % 5 * 7,
                    )
                )
            reviews_ingest(store=store, rows=rows)
            agent = get_user_model().objects.filter(username="demo-agent").first()
            for index, causes in VERDICTS.get(demo.code, {}).items():
                review = Review.objects.filter(store=store, external_id=f"{store.code}-r{index:03d}").first()
                if agent and review and not CauseCorrection.objects.filter(review=review).exists():
                    review_correct_causes(review=review, causes=causes, actor=agent)
        opened = reviews_open_cases()
        self.stdout.write(self.style.SUCCESS(f"Demo reviews ready; {opened} review cases opened."))
