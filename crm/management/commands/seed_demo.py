"""Demo data for the embedded default. Idempotent: a second run adds nothing twice."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from crm import roles
from crm.models import Agent, Customer, Order, Store
from crm.services.order_delivery import orders_mark_delivered
from crm.timezones import store_local_datetime, store_today

STORES = [
    ("silk-tmall", "丝韵旗舰店 Silk Rhyme", Store.Platform.TMALL, "Asia/Shanghai", "+86 400 820 8820"),
    ("jade-jd", "玉石之家 Jade House", Store.Platform.JD, "Asia/Urumqi", "+86 400 610 6100"),
    ("tea-own", "茶语 Tea Words (EU)", Store.Platform.OWN, "Europe/Berlin", "+49 30 12345678"),
]
NAMES = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄婷", "周杰", "吴倩", "郑浩", "孙丽"]
REGIONS = ["上海", "北京", "广州", "深圳", "杭州", "成都", "乌鲁木齐", "柏林"]
PRODUCTS = [("SILK-01", "真丝围巾"), ("JADE-02", "和田玉手镯"), ("TEA-03", "大红袍礼盒"), ("BAG-04", "羊皮手提包")]
# One order per value tier for each customer slot: nothing, care SMS, call, dedicated owner.
AMOUNTS = [Decimal("128.00"), Decimal("560.00"), Decimal("1399.00"), Decimal("3888.00")]
DEMO_USERS = [
    ("demo-agent", "demo-agent-pass", roles.AGENT, "小林", True),
    ("demo-manager", "demo-manager-pass", roles.STORE_MANAGER, "陈经理", True),
]


class Command(BaseCommand):
    help = "Load demo stores, customers, orders (some delivered today) and a demo agent and manager."

    @transaction.atomic
    def handle(self, *args, **options):
        rng = random.Random(20261123)
        stores = [self._store(*row) for row in STORES]
        for row in DEMO_USERS:
            self._user(stores, *row)
        for store_index, store in enumerate(stores):
            self._customers_and_orders(store, store_index, rng)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(stores)} stores, {Order.objects.count()} orders."))
        for username, password, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {role:<14} login: {username}  password: {password}")

    def _store(self, code, name, platform, tz, hotline) -> Store:
        store, _ = Store.objects.get_or_create(
            code=code, defaults={"name": name, "platform": platform, "timezone": tz, "manager_hotline": hotline}
        )
        return store

    def _user(self, stores, username, password, role, first_name, on_shift) -> Agent:
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"first_name": first_name})
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        agent, _ = Agent.objects.get_or_create(user=user, defaults={"phone": "+8613900000001", "on_shift": on_shift})
        agent.stores.add(*stores)
        return agent

    def _customers_and_orders(self, store: Store, store_index: int, rng: random.Random) -> None:
        today = store_today(store)
        now = timezone.now()
        deliveries = []
        for index, name in enumerate(NAMES):
            customer, _ = Customer.objects.get_or_create(
                store=store,
                external_id=f"{store.code}-c{index:03d}",
                defaults={
                    "name": name,
                    "phone": f"+86138{store_index:02d}{index:06d}",
                    "gender": rng.choice(Customer.Gender.values),
                    "region": rng.choice(REGIONS),
                    "birthday": datetime(1975 + index, 1 + index % 12, 1 + index).date(),
                    "personality_type": rng.choice(Customer.Personality.values[1:]),
                    "interests": rng.sample(["茶道", "旅行", "摄影", "瑜伽", "收藏", "烘焙"], 2),
                    "notes": "喜欢晚上联系" if index % 3 == 0 else "",
                    "contact_preference": Customer.ContactPreference.NO_CALLS
                    if index == 5
                    else Customer.ContactPreference.ANY,
                    "vip_tier": index % 4,
                },
            )
            amount = AMOUNTS[index % len(AMOUNTS)]
            sku, product = PRODUCTS[index % len(PRODUCTS)]
            placed = now - timedelta(days=4 + index % 3)
            order, created = Order.objects.get_or_create(
                store=store,
                external_id=f"{store.code.upper()}-{1000 + index}",
                defaults={
                    "customer": customer,
                    "total_amount": amount,
                    "items": [{"sku": sku, "name": product, "quantity": 1, "unit_price": str(amount)}],
                    "placed_at": placed,
                    "shipped_at": placed + timedelta(days=1),
                    "courier": rng.choice(["顺丰速运", "京东物流", "中通快递"]),
                    "tracking_number": f"SF{rng.randrange(10**11, 10**12)}",
                    "status": Order.Status.SHIPPED,
                },
            )
            # Two thirds are signed for today, in the store's morning; the rest are still on the way.
            if created and index % 3 != 2:
                deliveries.append((order, min(now, store_local_datetime(store, today, time(9 + index % 8, 15)))))
        orders_mark_delivered(deliveries=deliveries)
