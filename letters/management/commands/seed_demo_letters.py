"""Demo letters for the embedded default: each demo store's rule, a template variant for women in each language its
customers read, parcel cards, a few paid orders not yet shipped (from the store's own catalogue, crm.demo) and
today's print batch, whose letters are in their customers' languages (the tea store's in Chinese and English).
Idempotent."""

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
            # Every demo store writes in Chinese, the tea store in Berlin too (as its SMS do, crm.demo.tea); its
            # customers with European names read English and get their letters in it (ADR 0052), so its batch
            # has both. Letters for the two dearest products (in the store's currency), a tenth held back.
            languages = ["zh-hans", *sorted({p.language for p in demo.customers if p.language} - {"zh-hans"})]
            threshold = sorted(p.price for p in demo.products)[-2]
            LetterRule.objects.get_or_create(
                store=store, defaults={"min_amount": threshold, "control_percent": 10, "language": languages[0]}
            )
            for language in languages:
                self._template(store, language)
            self._inserts(store, demo, languages)
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

    def _inserts(self, store: Store, demo: DemoStore, languages: list[str]) -> None:
        """The store's four cards. A card goes into every parcel alike, whatever the letter's language: a store whose
        customers read two languages prints both on it (the tea store), Chinese first."""
        category = demo.categories[-1]
        off = "立减50元" if demo.currency == "CNY" else "享九五折"  # in the store's own money: 5% off for the tea store
        cards = [
            ("brand_story", "", "", {"zh-hans": ("品牌故事", f"{demo.name}：每一件作品都出自老师傅之手。"),
                                     "en": ("Our story", f"{demo.name}: every piece is made by hand.")}),
            ("care", category, "", {"zh-hans": ("保养说明", "请避免暴晒与潮湿，轻柔擦拭即可。"),
                                    "en": ("Care", "Keep away from sun and damp; wipe gently.")}),
            ("offer", "", "THANKS50", {"zh-hans": ("下次购物礼", f"下次购物凭此码{off}，有效期三个月。"),
                                       "en": ("Your next order", "Use this code for 5% off your next order.")}),
            ("contact", "", "", {"zh-hans": ("联系我们", "客服在线时间 9:00–21:00"),
                                 "en": ("Contact us", "Customer service 9:00–21:00")}),
        ]  # fmt: skip
        for kind, card_category, code, texts in cards:
            title = " · ".join(texts[language][0] for language in languages)
            body = "\n".join(texts[language][1] for language in languages)
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
