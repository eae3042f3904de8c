"""factory_boy factories shared by every app's tests."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from crm import roles
from crm.models import Agent, Customer, Order, Store, StoreRole


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"store-{n}")
    name = factory.Sequence(lambda n: f"Store {n}")
    platform = Store.Platform.TMALL
    timezone = "Asia/Shanghai"
    manager_hotline = "+864008208820"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass")


def _role(default: str) -> factory.PostGeneration:
    def add_group(agent, create, extracted, **kwargs):
        if create:
            # get_or_create: transactional tests flush the groups the data migration made.
            agent.user.groups.add(Group.objects.get_or_create(name=extracted or default)[0])

    return factory.PostGeneration(add_group)


def _stores(role: StoreRole) -> factory.PostGeneration:
    """`stores=[...]`: the stores served, each in `role` (ADR 0045), with the factory's `on_shift` and
    `evening_capacity` in each. A store added afterwards with `agent.stores.add(store)` is served as an agent, off
    shift; `through_defaults={"role": StoreRole.MANAGER, "on_shift": True}` manages it, on shift."""

    def add_stores(agent, create, extracted, **kwargs):
        if create and extracted:
            agent.stores.add(*extracted, through_defaults={"role": role, **agent._shift_in_each_store})

    return factory.PostGeneration(add_stores)


class AgentFactory(factory.django.DjangoModelFactory):
    """An agent of each store of `stores=[...]`, on shift (`on_shift`) and with an `evening_capacity` in each."""

    class Meta:
        model = Agent
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    phone = "+8613900000001"
    on_shift = True
    evening_capacity = 20
    stores = _stores(StoreRole.AGENT)
    role = _role(roles.AGENT)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The shift and capacity are each store's (AgentStore): kept for the memberships `stores` writes.
        shift = {"on_shift": kwargs.pop("on_shift"), "evening_capacity": kwargs.pop("evening_capacity")}
        agent = super()._create(model_class, *args, **kwargs)
        agent._shift_in_each_store = shift
        return agent


class ManagerFactory(AgentFactory):
    """A store manager (the group) who manages each store of `stores=[...]`."""

    stores = _stores(StoreRole.MANAGER)
    role = _role(roles.STORE_MANAGER)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    store = factory.SubFactory(StoreFactory)
    external_id = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"顾客{n}")
    phone = factory.Sequence(lambda n: f"+86138{n:08d}")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory)
    store = factory.SelfAttribute("customer.store")
    external_id = factory.Sequence(lambda n: f"o{n}")
    total_amount = Decimal("1500.00")
    items = factory.LazyFunction(lambda: [{"sku": "SKU-1", "name": "真丝围巾", "quantity": 1, "unit_price": "1500.00"}])
    placed_at = factory.LazyFunction(lambda: datetime(2026, 11, 20, 2, 0, tzinfo=UTC))


class FollowUpFactory(factory.django.DjangoModelFactory):
    """A call follow-up whose window opened ten minutes ago (use time_machine to pin "now")."""

    class Meta:
        model = "callbacks.FollowUp"

    order = factory.SubFactory(OrderFactory)
    store = factory.SelfAttribute("order.store")
    customer = factory.SelfAttribute("order.customer")
    channel = "call"
    tier = factory.SelfAttribute("channel")
    window_start = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=10))
    window_end = factory.LazyAttribute(lambda o: o.window_start + timedelta(hours=1))
    contact_day = factory.LazyAttribute(lambda o: o.window_start.astimezone(o.store.tzinfo).date())
    status = "planned"
    # A sent message always has the provider's id (database constraint).
    provider_id = factory.LazyAttribute(lambda o: "SM0001" if o.status == "sent" else "")


class ReviewFactory(factory.django.DjangoModelFactory):
    """A stored review as intake would leave it; use reviews.services.intake to test intake itself."""

    class Meta:
        model = "reviews.Review"

    store = factory.SubFactory(StoreFactory)
    external_id = factory.Sequence(lambda n: f"r{n}")
    rating = 5
    original_rating = factory.SelfAttribute("rating")
    sentiment = factory.LazyAttribute(lambda o: "good" if o.rating >= 4 else ("mid" if o.rating == 3 else "bad"))
    text = "很好"
    posted_at = factory.LazyFunction(timezone.now)


def call_case():
    """A case opened from a call, with its order and an agent of the store assigned: what evidence is uploaded to."""
    from crm.models import Case
    from crm.services.cases import case_open

    store = StoreFactory()
    agent = AgentFactory(stores=[store])
    order = OrderFactory(store=store, customer__store=store)
    opened, _ = case_open(store=store, customer=order.customer, order=order, source=Case.Source.CALL, assignee=agent)
    return opened
