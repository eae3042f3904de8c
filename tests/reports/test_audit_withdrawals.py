"""The audit page says how many campaign contacts a confirmed change withdrew (ADR 0046), for entries written under
either name the count has had."""

import pytest

from crm.services.audit import audit_record
from tests.factories import ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("campaign_contacts_withdrawn", "Campaign messages and calls withdrawn"),
        ("campaign_messages_withdrawn", "Campaign messages withdrawn"),  # new SMS hours before return visits were asked
    ],
)
def test_the_audit_page_shows_the_withdrawals_a_manager_confirmed(client, key, label):
    store = StoreFactory()
    manager = ManagerFactory(stores=[store])
    changes = {"before": {"sms_send_until": "21:00:00"}, "after": {"sms_send_until": "20:00:00"}, key: 7}
    audit_record(actor=manager.user, action="followup_policy_changed", store=store, target=store.code, data=changes)
    client.force_login(manager.user)

    page = client.get("/manager/audit/", headers={"Accept-Language": "en"}).text

    entry = page[page.index(label) :][:200]
    assert "7" in entry


def test_the_audit_page_names_a_store_shift_change_in_words(client):
    """Shift and capacity are the membership's since ADR 0050: the entry reads in the reader's language, not as the
    columns' names."""
    store = StoreFactory()
    manager = ManagerFactory(stores=[store])
    changes = {"before": {"on_shift": True, "evening_capacity": 20}, "after": {"on_shift": True, "evening_capacity": 8}}
    audit_record(actor=manager.user, action="agent_shift_changed", store=store, target="陈经理", data=changes)
    client.force_login(manager.user)

    page = client.get("/manager/audit/", headers={"Accept-Language": "zh-hans"}).text

    assert "evening_capacity" not in page and "晚间" in page
