"""The contact gate in a real browser: tonight's queue grouped by each store's own evening (an ended one shown as
ended), and a click to call at 01:12 the customer's time refused with its reason, then an explicit override."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from crm.models import AuditLog
from tests.e2e.conftest import login, screenshot
from tests.factories import AgentFactory, FollowUpFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# 09:12 UTC today: 17:12 in Shanghai (its evening still to come), 20:12 in Sydney (19:12 in its winter: its evening
# over), 01:12 in Los Angeles (02:12 in its summer: its evening to come, but calling now would ring a customer in
# the middle of the night). Today, not a fixed date: the browser drops a session cookie whose expiry (set from the
# server's clock) has passed.
NOW = datetime.combine(datetime.now(UTC).date(), time(9, 12), tzinfo=UTC)
LA_NOW = f"{NOW.astimezone(ZoneInfo('America/Los_Angeles')):%H:%M}"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=True):
        yield


def test_the_queue_groups_by_store_evening_and_a_call_at_0112_customer_time_needs_an_override(new_page, twilio_live):
    shanghai = StoreFactory(code="silk-sh", name="丝韵旗舰店", timezone="Asia/Shanghai")
    sydney = StoreFactory(code="silk-syd", name="Silk Sydney", timezone="Australia/Sydney")
    la = StoreFactory(code="silk-la", name="Silk LA", timezone="America/Los_Angeles")
    agent = AgentFactory(user__username="lin", stores=[shanghai, sydney, la], phone="+8613900000001")

    def evening_call(store, name, external_id, local_start):
        start = local_start.astimezone(UTC)
        return FollowUpFactory(
            order__customer__store=store,
            order__customer__name=name,
            order__external_id=external_id,
            assignee=agent,
            window_start=start,
            window_end=start + timedelta(hours=1),
        )

    def local_six_pm(store):
        return datetime.combine(NOW.astimezone(store.tzinfo).date(), time(18, 0), tzinfo=store.tzinfo)

    evening_call(shanghai, "王芳", "SH-1", local_six_pm(shanghai))
    evening_call(sydney, "Olivia Brown", "SYD-3", local_six_pm(sydney))
    late = evening_call(la, "Amy Chen", "LA-7", local_six_pm(la))

    page = new_page(locale="en")
    login(page, "lin")
    page.goto("/calls/")
    evenings = page.get_by_test_id("queue-evening")
    expect(evenings).to_have_count(3)
    # Evenings still to come, soonest first, each in its own zone; the ended one last, marked as ended.
    expect(evenings.nth(0)).to_have_attribute("data-store", "silk-sh")
    expect(evenings.nth(0)).to_have_attribute("data-state", "upcoming")
    expect(evenings.nth(0)).to_contain_text("18:00–19:00")
    expect(evenings.nth(0)).to_contain_text("Asia/Shanghai")
    expect(evenings.nth(1)).to_have_attribute("data-store", "silk-la")
    expect(evenings.nth(1)).to_contain_text("America/Los_Angeles")
    expect(evenings.nth(2)).to_have_attribute("data-store", "silk-syd")
    expect(evenings.nth(2)).to_have_attribute("data-state", "ended")
    expect(evenings.nth(2).get_by_test_id("evening-ended")).to_be_visible()
    expect(evenings.nth(2)).to_contain_text("Australia/Sydney")
    screenshot(page, "queue-store-evenings-en")

    evenings.nth(1).get_by_role("link", name="Open").click()
    gate = page.get_by_test_id("call-gate")
    expect(gate).to_have_attribute("data-reason", "outside_call_window")
    expect(gate).to_contain_text(LA_NOW)
    expect(gate).to_contain_text("America/Los_Angeles")
    expect(page.get_by_test_id("call")).to_be_disabled()
    screenshot(page, "call-refused-en")
    assert twilio_live.calls == []

    page.once("dialog", lambda dialog: dialog.accept())
    gate.get_by_test_id("call-override").click()
    expect(page.get_by_test_id("call-status")).to_have_attribute("data-status", "completed", timeout=15_000)
    assert len(twilio_live.calls) == 1
    audit = AuditLog.objects.get(action="contact.override")
    assert audit.target == f"followup:{late.pk}" and audit.data["reason"] == "outside_call_window"
