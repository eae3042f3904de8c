"""Order payloads as an order system sends them."""

from typing import Any


def order_payload(n: int = 1, **overrides: Any) -> dict[str, Any]:
    body = {
        "external_id": f"TB{n:08d}",
        "customer": {"external_id": f"buyer-{n}", "name": f"顾客{n}", "phone": f"138{n:08d}"},
        "total_amount": "1899.00",
        "items": [{"sku": "SILK-01", "name": "真丝围巾", "quantity": 1, "unit_price": "1899.00"}],
        "placed_at": "2026-11-20T10:00:00+08:00",
    }
    body.update(overrides)
    return body


def orders_payload(count: int, start: int = 1) -> list[dict[str, Any]]:
    return [order_payload(n) for n in range(start, start + count)]
