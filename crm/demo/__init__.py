"""The demo's catalogue: each demo store with its own products and its own customers.

Plain data, no database: `seed_demo` writes it, and every other app's demo seed (reviews, cases, shipments,
letters, segments ...) imports it so that what it adds fits the store (a review of a tea store is about tea,
a shipment carries that store's products to that store's customers). Use `demo_store(code)`,
`store.product(sku)` and `store.products_in(category)` rather than repeating names or SKUs.

`catalogue` holds what a demo store is made of; `silk`, `jade` and `tea` one store each; `stores` the three, with
`demo_store` and the currencies' worth; `users` the demo's logins. No module imports Django: `make run`
(devtools/run_embedded.py) prints DEMO_USERS before Django is set up.
"""

from .catalogue import DemoClosure, DemoHoliday, DemoStore
from .jade import JADE
from .silk import SILK
from .stores import CNY_PER_UNIT, STORES, demo_store
from .tea import TEA
from .users import DEMO_USERS, DemoUser

__all__ = [
    "CNY_PER_UNIT",
    "DEMO_USERS",
    "JADE",
    "SILK",
    "STORES",
    "TEA",
    "DemoClosure",
    "DemoHoliday",
    "DemoStore",
    "DemoUser",
    "demo_store",
]
