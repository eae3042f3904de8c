"""Demo letters for the embedded default: each demo store's rule, a template variant, parcel cards, a few paid
orders not yet shipped (from the store's own catalogue, crm.demo) and today's print batch. Idempotent."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from crm.demo import STORES, DemoStore
from crm.models import Customer, Order, Store
from letters.default_texts import DEFAULT_PARTS
from letters.models import LetterRule, LetterTemplate, ParcelInsert
from letters.services import letters_prepare

# How many of each store's demo customers have ordered again today (paid, waiting to be packed).
NEW_ORDERS = 6
WOMEN = {
    "zh-hans": {
        "openings": "亲爱的{customer}女士：\n{customer}女士，您好！\n见字如面，{customer}女士：",
        "bodies": "愿这份{product}衬托您的好气色，也谢谢您再次选择{store}。\n"
        "您挑选的{product}我们逐件检查后才打包，希望您一打开就喜欢。\n"
        "感谢您对{store}的厚爱，这份{product}我们包装得格外用心。",
    },
    "en": {
        "openings": "Dear Ms {customer},\nHello Ms {customer},",
        "bodies": "Thank you for choosing {store} again; we hope your {product} suits you beautifully.\n"
        "Your {product} was checked piece by piece before we packed it.",
    },
}


class Command(BaseCommand):
    help = "Load demo letter rules, templates, parcel cards and paid unshipped orders; prepare today's batch."

    @transaction.atomic
    def handle(self, *args, **options):
        for demo in STORES:
            store = Store.objects.filter(code=demo.code).first()
            if store is None:  # seed_demo was not run: nothing to write letters for
                continue
            language = "en" if demo.currency != "CNY" else "zh-hans"
            # Letters for the two dearest products (in the store's own currency), a tenth held back as the control.
            threshold = sorted(p.price for p in demo.products)[-2]
            LetterRule.objects.get_or_create(
                store=store, defaults={"min_amount": threshold, "control_percent": 10, "language": language}
            )
            self._template(store, language)
            self._inserts(store, demo, language)
            self._paid_orders(store, demo)
            batch = letters_prepare(store=store)
            count = batch.letters.count() if batch else 0
            self.stdout.write(f"  {store.code}: today's letter batch has {count} letters")

    def _template(self, store: Store, language: str) -> None:
        defaults = {name: "\n".join(DEFAULT_PARTS[language][name]) for name in LetterTemplate.PARTS}
        LetterTemplate.objects.get_or_create(
            store=store,
            name="女士" if language == "zh-hans" else "For women",
            defaults={**defaults, **WOMEN[language], "language": language, "gender": "female"},
        )

    def _inserts(self, store: Store, demo: DemoStore, language: str) -> None:
        zh = language == "zh-hans"
        category = demo.categories[-1]
        cards = [
            ("brand_story", "品牌故事" if zh else "Our story", "", "",
             f"{demo.name}：每一件作品都出自老师傅之手。" if zh else f"{demo.name}: every piece is made by hand."),
            ("care", "保养说明" if zh else "Care", category, "",
             "请避免暴晒与潮湿，轻柔擦拭即可。" if zh else "Keep away from sun and damp; wipe gently."),
            ("offer", "下次购物礼" if zh else "Your next order", "", "THANKS50",
             "下次购物凭此码立减50元，有效期三个月。" if zh else "Use this code for 5% off your next order."),
            ("contact", "联系我们" if zh else "Contact us", "", "",
             "客服在线时间 9:00–21:00" if zh else "Customer service 9:00–21:00"),
        ]  # fmt: skip
        for kind, title, card_category, code, body in cards:
            ParcelInsert.objects.get_or_create(
                store=store, kind=kind, title=title,
                defaults={"body": body, "category": card_category, "offer_code": code},
            )  # fmt: skip

    def _paid_orders(self, store: Store, demo: DemoStore) -> None:
        now = timezone.now()
        # The dearest products: a high-end order is what a letter is for.
        products = sorted(demo.products, key=lambda p: p.price)[-2:]
        for index, person in enumerate(demo.customers[:NEW_ORDERS]):
            customer = Customer.objects.filter(store=store, external_id=person.external_id).first()
            if customer is None:
                continue
            product = products[index % len(products)]
            Order.objects.get_or_create(
                store=store,
                external_id=f"{store.code.upper()}-{2000 + index}",
                defaults={
                    "customer": customer,
                    "total_amount": product.price,
                    "currency": demo.currency,
                    "items": [
                        {"sku": product.sku, "name": product.name, "category": product.category, "quantity": 1,
                         "unit_price": str(product.price)}
                    ],
                    "placed_at": now - timedelta(hours=2 + index),
                    "status": Order.Status.PLACED,
                },
            )  # fmt: skip
