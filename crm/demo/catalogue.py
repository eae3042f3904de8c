"""What a demo store is made of: its products, its customers, the days it closes."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    category: str  # the store's own word for the shelf it sits on ("scarves", "bangles", "oolong" ...)
    price: Decimal


@dataclass(frozen=True)
class DemoCustomer:
    external_id: str
    name: str
    phone: str  # E.164
    gender: str  # Customer.Gender values
    region: str
    birthday: date
    personality_type: str  # Customer.Personality values
    interests: tuple[str, ...]
    notes: str = ""
    contact_preference: str = "any"
    vip_tier: int = 0
    sku: str = ""  # what they ordered in the demo (one order each)
    language: str = ""  # Customer.language: blank, the store's


@dataclass(frozen=True)
class DemoHoliday:
    """Days a demo store closes every year (its next ones are recorded: always a closure still to come)."""

    name: str
    month: int
    day: int
    days: int


@dataclass(frozen=True)
class DemoClosure:
    """A one-off closure around the day the demo is first loaded (ADR 0035), its days counted from the store's today in
    its zone, recorded by one of the store's demo managers (once: a later run finds it by its name, whatever the day).
    One under way may have been ended early (the store opened again): seed_demo records and ends it before any call is
    planned, so it moved nothing. One still to come is recorded by seed_demo_logistics after a customer asked to be
    called back on its first day, which it moves."""

    name: str
    first: int  # days from today
    last: int
    recorded_by: str  # a DemoUser's username
    ended_early: bool = False
    call_back_note: str = ""  # what the customer said when they asked to be called back on its first day


@dataclass(frozen=True)
class DemoStore:
    code: str
    name: str
    platform: str  # Store.Platform values
    timezone: str
    hotline: str
    currency: str  # the currency its orders are placed in, and its own (its agents' remedy limit is in it)
    products: tuple[DemoProduct, ...]
    customers: tuple[DemoCustomer, ...] = field(default=())
    agent_remedy_limit: Decimal = Decimal("200.00")  # in the store's currency
    days_off: tuple[int, ...] = ()  # weekdays, Monday = 0: no SLA clock runs on them (ADR 0035)
    holidays: tuple[DemoHoliday, ...] = ()
    closures: tuple[DemoClosure, ...] = ()

    def product(self, sku: str) -> DemoProduct:
        return next(p for p in self.products if p.sku == sku)

    def products_in(self, category: str) -> list[DemoProduct]:
        return [p for p in self.products if p.category == category]

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(p.category for p in self.products))


def demo_customer(code: str, index: int, phone: str, name: str, gender: str, region: str, birthday: date, **extra):
    return DemoCustomer(
        external_id=f"{code}-c{index:03d}", name=name, phone=phone, gender=gender, region=region, birthday=birthday,
        **extra,
    )  # fmt: skip
