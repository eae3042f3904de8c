"""Demo data for the embedded default, from the catalogue in crm.demo. Idempotent: a second run adds nothing twice."""

import random
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from crm import roles
from crm.demo import DEMO_USERS, STORES, DemoClosure, DemoHoliday, DemoStore, DemoUser
from crm.models import Agent, AgentStore, CasePolicy, Customer, Order, Store, StoreClosure, StoreRole
from crm.services.closures import store_closure_add, store_closure_remove
from crm.services.order_delivery import orders_mark_delivered
from crm.services.policy import agent_shift_update, case_policy_update
from crm.signals import demo_stores_seeded
from crm.timezones import store_local_datetime, store_today

# The couriers the demo ships with and how each one's waybill numbers begin (SF1234…, JDX1234…, 7512…).
COURIERS = {"顺丰速运": "SF", "京东物流": "JDX", "中通快递": "75"}


class Command(BaseCommand):
    help = "Load the demo stores with their own products, customers and orders (some delivered today) and users."

    @transaction.atomic
    def handle(self, *args, **options):
        rng = random.Random(20261123)
        stores = [self._store(demo) for demo in STORES]
        for user in DEMO_USERS:
            self._user(stores, user)
        for store, demo in zip(stores, STORES, strict=True):
            self._closed_days(store, demo)
        demo_stores_seeded.send(sender=self.__class__, stores=stores)
        for store, demo in zip(stores, STORES, strict=True):
            self._customers_and_orders(store, demo, rng)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(stores)} stores, {Order.objects.count()} orders."))
        for user in DEMO_USERS:
            roles_text = f"  ({user.mixed_roles})" if user.mixed_roles else ""
            self.stdout.write(f"  {user.role:<14} login: {user.username}  password: {user.password}{roles_text}")

    def _store(self, demo: DemoStore) -> Store:
        store, _ = Store.objects.get_or_create(
            code=demo.code,
            defaults={
                "name": demo.name,
                "platform": demo.platform,
                "timezone": demo.timezone,
                "manager_hotline": demo.hotline,
                "currency": demo.currency,
                "agent_remedy_limit": demo.agent_remedy_limit,
            },
        )
        return store

    def _closed_days(self, store: Store, demo: DemoStore) -> None:
        """The store's weekly days off (unless its case policy is set already), its holidays' next dates and its
        closure ended early (before any call is planned: it moved none)."""
        if demo.days_off and not CasePolicy.objects.filter(store=store).exists():
            case_policy_update(
                store=store,
                actor=None,
                assignment=CasePolicy.Assignment.LEAST_LOADED,
                service_start=CasePolicy.DEFAULT_SERVICE_START,
                service_end=CasePolicy.DEFAULT_SERVICE_END,
                days_off=list(demo.days_off),
            )
        today = store_today(store)
        for holiday in demo.holidays:
            first, last = self._next(holiday, today)
            if not StoreClosure.objects.filter(store=store, first_day__lte=last, last_day__gte=first).exists():
                store_closure_add(store=store, actor=None, name=holiday.name, first_day=first, last_day=last)
        for closure in demo.closures:
            if closure.ended_early and (days := demo_closure_days(store, closure)) is not None:
                demo_closure_record(store, closure, days)

    @staticmethod
    def _next(holiday: DemoHoliday, today: date) -> tuple[date, date]:
        """The holiday's days this year, or next year's once this year's are over."""
        length = timedelta(days=holiday.days - 1)
        first = date(today.year, holiday.month, holiday.day)
        if first + length < today:
            first = first.replace(year=today.year + 1)
        return first, first + length

    def _user(self, stores: list[Store], demo: DemoUser) -> None:
        admin = demo.role == "admin"
        user, created = get_user_model().objects.get_or_create(
            username=demo.username,
            defaults={"first_name": demo.first_name, "is_staff": admin, "is_superuser": admin},
        )
        if created:
            user.set_password(demo.password)
            user.save()
        if admin:
            return
        # get_or_create: the roles migration makes the groups, but a flushed database (a transactional test) has none.
        user.groups.add(Group.objects.get_or_create(name=demo.role)[0])
        agent, _ = Agent.objects.get_or_create(user=user, defaults={"phone": "+8613900000001"})
        # Each store in the demo user's role there (ADR 0045): the manager manages every demo store, the jade store's
        # manager is an agent in the silk store. A manager's role only for an account in the managers' group (added
        # above), as the admin's agent page allows it. On shift in each store they serve, with the default evening
        # capacity, when the store is first served: a later run keeps what a manager set since (each store's own).
        by_code = {store.code: store for store in stores}
        capacities = dict(demo.evening_capacities)
        for code, role in demo.roles_in(list(by_code)).items():
            if role == StoreRole.MANAGER and demo.role != roles.STORE_MANAGER:
                raise CommandError(f"{demo.username} manages {code} but is not in the {roles.STORE_MANAGER} group")
            _membership, created = AgentStore.objects.update_or_create(
                agent=agent,
                store=by_code[code],
                defaults={"role": role},
                create_defaults={"role": role, "on_shift": True},
            )
            if created and code in capacities:
                self._capacity_set(by_code[code], agent, capacities[code])

    @staticmethod
    def _capacity_set(store: Store, agent: Agent, capacity: int) -> None:
        """The store's manager gives the agent their evening capacity there on its policy page (ADR 0050): the store's
        own, audited in it; the other stores they serve keep theirs."""
        manager = (
            AgentStore.objects.filter(store=store, role=StoreRole.MANAGER)
            .exclude(agent=agent)
            .select_related("agent__user")
            .order_by("pk")
            .first()
        )
        if manager is None:
            raise CommandError(f"{store.code} has no demo manager to set {agent}'s evening capacity")
        agent_shift_update(store=store, actor=manager.agent.user, agent=agent, on_shift=True, evening_capacity=capacity)

    def _customers_and_orders(self, store: Store, demo: DemoStore, rng: random.Random) -> None:
        today = store_today(store)
        now = timezone.now()
        deliveries = []
        for index, person in enumerate(demo.customers):
            customer, _ = Customer.objects.get_or_create(
                store=store,
                external_id=person.external_id,
                defaults={
                    "name": person.name,
                    "phone": person.phone,
                    "gender": person.gender,
                    "region": person.region,
                    "birthday": person.birthday,
                    "personality_type": person.personality_type,
                    "interests": list(person.interests),
                    "notes": person.notes,
                    "contact_preference": person.contact_preference,
                    "language": person.language,
                    "vip_tier": person.vip_tier,
                    # Every third customer ticked "news and offers" at checkout: the contact gate lets marketing
                    # reach them, and no one else.
                    **(
                        {"marketing_consent_at": now - timedelta(days=30), "marketing_consent_source": "checkout"}
                        if index % 3 == 0
                        else {}
                    ),
                },
            )
            product = demo.product(person.sku)
            placed = now - timedelta(days=4 + index % 3)
            order, created = Order.objects.get_or_create(
                store=store,
                external_id=f"{store.code.upper()}-{1000 + index}",
                defaults={
                    "customer": customer,
                    "total_amount": product.price,
                    "currency": demo.currency,
                    "items": [
                        {"sku": product.sku, "name": product.name, "quantity": 1, "unit_price": str(product.price)}
                    ],
                    "placed_at": placed,
                    "shipped_at": placed + timedelta(days=1),
                    "courier": (courier := rng.choice(list(COURIERS))),
                    "tracking_number": f"{COURIERS[courier]}{rng.randrange(10**11, 10**12)}",
                    "status": Order.Status.SHIPPED,
                },
            )
            # Two thirds are signed for today, in the store's morning; the rest are still on the way.
            if created and index % 3 != 2:
                deliveries.append((order, min(now, store_local_datetime(store, today, time(9 + index % 8, 15)))))
        orders_mark_delivered(deliveries=deliveries)


def demo_closure_days(store: Store, closure: DemoClosure) -> tuple[date, date] | None:
    """The demo closure's first and last day from the store's today, or None when an earlier run recorded it (`make
    run` seeds at every start: run again after the store's midnight, "tomorrow" is another day, and the closure of the
    first run is the demo's) or the store has a closure on those days already."""
    if StoreClosure.objects.filter(store=store, name=closure.name).exists():
        return None
    today = store_today(store)
    first, last = today + timedelta(days=closure.first), today + timedelta(days=closure.last)
    if StoreClosure.objects.filter(store=store, first_day__lte=last, last_day__gte=first).exists():
        return None
    return first, last


def demo_closure_record(store: Store, closure: DemoClosure, days: tuple[date, date]) -> StoreClosure:
    """Record the demo closure by its manager, through the policy page's services; one ended early is ended by them
    at once (the store open again from now)."""
    manager = get_user_model().objects.get(username=closure.recorded_by)
    recorded = store_closure_add(store=store, actor=manager, name=closure.name, first_day=days[0], last_day=days[1])
    if closure.ended_early:
        store_closure_remove(store=store, actor=manager, closure_id=recorded.pk)
    return recorded
