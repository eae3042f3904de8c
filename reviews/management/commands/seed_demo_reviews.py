"""Demo reviews for the embedded default (reviews.demo), on the demo stores' orders, each posted after its order was
signed for, the demo agent's verdicts on some of their causes, and the classifier's offline figures asked of the
worker. Idempotent: reviews upsert by id."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from crm.demo import CNY_PER_UNIT, STORES
from crm.models import Order, Store
from crm.services.cases import case_close
from reviews.demo import REVIEWS
from reviews.models import CauseCorrection, KeywordMonitor, Review, ReviewPolicy
from reviews.selectors import classifier_figures
from reviews.services.bad_review import review_correct_causes
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from reviews.tasks import classifier_figures_request

MONITORS = ["假货", "色差", "质量差", "物流慢", "态度差", "破损", "受潮"]
# The demo agent's verdicts on a few reviews' causes (by index into reviews.demo.REVIEWS), the classifier quality
# page's "against the agents' verdicts" and latest verdicts: most confirm what the classifier read, some correct it.
VERDICTS = {
    "silk-tmall": {0: ["description_mismatch"], 4: ["logistics"], 6: ["quality", "service_attitude"]},
    "jade-jd": {0: ["quality", "logistics"], 3: ["quality", "description_mismatch"], 2: ["size"]},
    "tea-own": {1: ["quality"], 2: ["description_mismatch"], 5: ["quality", "service_attitude"]},
}
# A review whose case the demo agent closed, then the customer lowered and added to (the escalations page's "made
# worse after their case was closed", the home page's count): store -> (review index, root cause, rating, appended).
WORSE_AFTER_CLOSE = {"silk-tmall": (3, "sizing", 1, "换了大一码还是紧,再联系客服就没人回了,很失望")}


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
            # The high-value threshold is the store's currency: 1,000 yuan, or about as much in the store's money.
            high_value = (Decimal("1000") / CNY_PER_UNIT[demo.currency]).quantize(Decimal("1"))
            ReviewPolicy.objects.get_or_create(
                store=store, defaults={"main_skus": main, "high_value_amount": high_value}
            )
            # seed_demo's orders (it ships them): not the history or today's unshipped orders a second `make run`
            # finds from the later seeds, which would take a customer's review over.
            shipped = Order.objects.filter(store=store, shipped_at__isnull=False).select_related("customer")
            orders = {o.customer.external_id: o for o in shipped}
            rows = []
            worse = WORSE_AFTER_CLOSE.get(demo.code)
            for index, review in enumerate(REVIEWS[demo.code]):
                external_id = f"{store.code}-r{index:03d}"
                if worse and index == worse[0] and Review.objects.filter(store=store, external_id=external_id).exists():
                    continue  # already made worse after its close (below): pushed again, it would be raised back
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
                        external_id=external_id,
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
        self._worse_after_close()
        # The quality page's offline figures take the worker minutes (cross-validation, blind rounds): asked for now,
        # the worker starts on them as `make run` starts it, not when a visitor first opens the page.
        if classifier_figures() is None:
            classifier_figures_request()
        self.stdout.write(self.style.SUCCESS(f"Demo reviews ready; {opened} review cases opened."))

    def _worse_after_close(self) -> None:
        """Close WORSE_AFTER_CLOSE's cases and have their customers lower the review, once."""
        agent = get_user_model().objects.filter(username="demo-agent").first()
        for code, (index, root_cause, rating, appended) in WORSE_AFTER_CLOSE.items():
            review = Review.objects.filter(store__code=code, external_id=f"{code}-r{index:03d}").first()
            if review is None or review.case is None or review.revisions.exists():
                continue
            if review.case.is_open:
                case_close(case=review.case, root_cause=root_cause, actor=agent)
            # Changed on the platform after the close (a review may be posted at the seed's start, the close after).
            now = timezone.now()
            row = ReviewIn(
                external_id=review.external_id,
                rating=rating,
                posted_at=review.posted_at,
                updated_at=now,
                appended_text=appended,
                appended_at=now,
            )
            reviews_ingest(store=review.store, rows=[row])
