import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection, transaction

from crm.errors import InvalidInput, PermissionDenied
from crm.models import AuditLog, CustomerChange
from crm.selectors.customers import customers_holding
from crm.services.customers import PHONE_REVEALED, customer_reveal_phone, customer_update_profile
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return CustomerFactory(region="上海", interests=["茶道"])


@pytest.fixture
def agent(customer):
    return AgentFactory(stores=[customer.store])


def test_profile_edits_keep_one_history_row_per_changed_field(customer, agent):
    changes = customer_update_profile(
        customer=customer,
        actor=agent.user,
        changes={"region": "杭州", "personality_type": "analytical", "birthday": date(1990, 5, 1), "notes": ""},
    )
    customer.refresh_from_db()
    assert (customer.region, customer.personality_type, customer.birthday) == ("杭州", "analytical", date(1990, 5, 1))
    assert sorted(change.field for change in changes) == ["birthday", "personality_type", "region"]
    stored = CustomerChange.objects.get(field="birthday")
    assert (stored.old_value, stored.new_value, stored.changed_by) == (None, "1990-05-01", agent.user)


def test_an_unchanged_profile_writes_no_history(customer, agent):
    assert customer_update_profile(customer=customer, actor=agent.user, changes={"region": "上海"}) == []
    assert not CustomerChange.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"personality_type": "grumpy"}, "personality_type"),
        ({"name": ""}, "name"),
        ({"interests": "tea"}, "interests"),
        ({"phone": "+8613800138000"}, "phone"),
        ({"vip_tier": 3}, "vip_tier"),
        # Read at a glance on the call panel: 5,000 characters of an interest or a note were saved (a hostile probe).
        ({"interests": [f"爱好{i}" for i in range(21)]}, "interests"),
        ({"interests": ["茶" * 41]}, "interests"),
        ({"notes": "很" * 2001}, "notes"),
    ],
)
def test_bad_or_forbidden_profile_input_names_the_field_and_changes_nothing(customer, agent, changes, field):
    with pytest.raises(InvalidInput) as excinfo:
        customer_update_profile(customer=customer, actor=agent.user, changes={"region": "杭州", **changes})
    assert excinfo.value.field == field
    customer.refresh_from_db()
    assert customer.region == "上海" and not CustomerChange.objects.exists()


@pytest.mark.parametrize(
    ("zone", "birthday", "accepted"),
    [
        ("Pacific/Kiritimati", date(2026, 12, 7), True),  # 02:00 on the 7th there: born today
        ("Pacific/Honolulu", date(2026, 12, 7), False),  # 02:00 on the 6th there: tomorrow
        ("Pacific/Honolulu", date(1899, 12, 31), False),
    ],
)
def test_a_birthday_after_the_stores_today_is_refused_as_the_order_api_refuses_it(zone, birthday, accepted):
    customer = CustomerFactory(store=StoreFactory(timezone=zone), region="上海")
    agent = AgentFactory(stores=[customer.store])
    with time_machine.travel(datetime(2026, 12, 6, 12, 0, tzinfo=UTC), tick=False):
        if accepted:
            customer_update_profile(customer=customer, actor=agent.user, changes={"birthday": birthday})
        else:
            with pytest.raises(InvalidInput) as excinfo:
                customer_update_profile(customer=customer, actor=agent.user, changes={"birthday": birthday})
            assert excinfo.value.field == "birthday"
    customer.refresh_from_db()
    assert customer.birthday == (birthday if accepted else None)


def test_a_birthday_the_order_api_took_as_today_somewhere_does_not_block_other_changes_on_the_store_day_before():
    # The order API bounds a birthday by the latest today on Earth (crm.api.rows): at 12:00 UTC on the 6th it takes
    # the 7th, still tomorrow in Honolulu. The call panel posts the whole profile, birthday unchanged, and every
    # change to that customer (notes, the contact preference) was refused: "The birthday must be between 1900 and
    # today." A birthday is judged when it is changed.
    customer = CustomerFactory(store=StoreFactory(timezone="Pacific/Honolulu"), birthday=date(2026, 12, 7))
    agent = AgentFactory(stores=[customer.store])
    with time_machine.travel(datetime(2026, 12, 6, 12, 0, tzinfo=UTC), tick=False):
        customer_update_profile(
            customer=customer, actor=agent.user, changes={"birthday": date(2026, 12, 7), "notes": "喜欢下午来电"}
        )
    customer.refresh_from_db()
    assert (customer.notes, customer.birthday) == ("喜欢下午来电", date(2026, 12, 7))
    assert [change.field for change in CustomerChange.objects.all()] == ["notes"]


def test_an_agent_of_another_store_cannot_edit_or_reveal(customer):
    stranger = AgentFactory()
    with pytest.raises(PermissionDenied):
        customer_update_profile(customer=customer, actor=stranger.user, changes={"region": "杭州"})
    with pytest.raises(PermissionDenied):
        customer_reveal_phone(customer=customer, actor=stranger.user)
    assert not AuditLog.objects.exists()


def test_a_phone_reveal_is_written_to_the_audit_log(customer, agent):
    assert customer_reveal_phone(customer=customer, actor=agent.user) == customer.phone
    entry = AuditLog.objects.get()
    assert (entry.action, entry.actor, entry.store, entry.target) == (
        PHONE_REVEALED,
        agent.user,
        customer.store,
        f"customer:{customer.pk}",
    )


def test_a_dedicated_owner_no_longer_serving_a_store_sees_none_of_its_orders(client):
    """An owner taken off a store (Agent.stores) stays the dedicated owner of its customers until someone reassigns
    them; "my customers" listed their orders in progress (name, number, amount) all the same."""
    kept, left = StoreFactory(), StoreFactory()
    owner = AgentFactory(stores=[kept, left])
    for store, name in ((kept, "留下的顾客"), (left, "离开店铺的顾客")):
        OrderFactory(customer=CustomerFactory(store=store, name=name, dedicated_owner=owner), status="shipped")
    owner.stores.remove(left)
    client.force_login(owner.user)
    page = client.get("/customers/?mine=1").content.decode()
    assert "留下的顾客" in page and "离开店铺的顾客" not in page


def test_a_customers_spend_is_shown_per_currency_never_added_up(client, customer, agent):
    """A customer of a store in Berlin saw "Total spend 617.00 CNY": two euro orders and one in yuan added up."""
    from decimal import Decimal

    from crm.models import Case
    from crm.services.cases import case_open

    for amount, currency in (("89.00", "EUR"), ("11.00", "EUR"), ("517.00", "CNY")):
        OrderFactory(customer=customer, total_amount=Decimal(amount), currency=currency)
    client.force_login(agent.user)
    page = client.get(f"/customers/{customer.pk}/").text
    spend = page[page.index('data-testid="total-spend"') :]
    assert spend[: spend.index("</dd>")].endswith(">€100.00 · ¥517.00")
    assert "€50.00 · ¥517.00" in page  # the average order, per currency
    case, _ = case_open(store=customer.store, customer=customer, source=Case.Source.MANUAL)
    archive = client.get(f"/cases/{case.pk}/").text
    assert "3 · €100.00 · ¥517.00" in archive


def test_a_customers_orders_show_their_amounts_in_their_currency(client, customer, agent):
    """The customer page's orders and "my customers" listed a Berlin order's total as a bare "89.00", beside a
    spend shown as "€89.00"."""
    from decimal import Decimal

    customer.dedicated_owner = agent
    customer.save()
    OrderFactory(customer=customer, total_amount=Decimal("89.00"), currency="EUR", status="shipped")
    client.force_login(agent.user)
    orders = client.get(f"/customers/{customer.pk}/").text
    assert orders.count("€89.00") == 3  # spend, average order, and the order's row
    assert '<td class="num">€89.00</td>' in client.get("/customers/?mine=1").text


def test_both_profile_forms_read_interests_separated_as_chinese_writers_separate_them():
    """The customer page's form split on commas only, the call panel's on the enumeration comma too: the same words
    typed on the two pages became one interest or three."""
    from callbacks.forms import ProfileForm as PanelProfileForm
    from crm.forms import ProfileForm as PageProfileForm

    typed = "茶，瓷器、书法; 旅行,"
    for form in (PageProfileForm(data={"interests": typed}), PanelProfileForm(data={"interests": typed})):
        form.is_valid()
        assert form.cleaned_data["interests"] == ["茶", "瓷器", "书法", "旅行"]


def test_customers_holding_a_number_are_found_in_every_store_through_the_stores_phone_index():
    """An inbound SMS names a number, not a store: the lookup names every store so that the (store, phone) index
    serves it, one probe per store, instead of a scan of every customer."""
    first, second = StoreFactory(), StoreFactory()
    ours = [CustomerFactory(store=first, phone="+8613800000001"), CustomerFactory(store=second, phone="+8613800000001")]
    CustomerFactory(store=second, phone="+8613800000002")
    found = customers_holding(phones=["+8613800000001"])
    assert sorted(c.pk for c in found) == sorted(c.pk for c in ours)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few test rows would be scanned whatever the indexes
        sql, params = found.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "customer_store_phone" in plan
    assert re.search(r"Index Cond: \(\(store_id = ANY", plan), plan
