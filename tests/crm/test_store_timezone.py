"""A store moved to another time zone: its open cases' deadlines still to come are counted again in the service
hours as they fall in the new zone (they were counted in the old one's), the change is audited, and the apps hear of
it (crm.signals.store_timezone_changed) in the same transaction."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.errors import InvalidInput
from crm.models import AuditLog, Case
from crm.services.cases import case_open
from crm.services.stores import store_timezone_change
from crm.signals import store_timezone_changed
from tests.factories import CustomerFactory, StoreFactory

pytestmark = pytest.mark.django_db

SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")


def _open(store, at):
    with time_machine.travel(at, tick=False):
        case, _created = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.MANUAL)
    return case


def test_an_open_cases_deadline_still_to_come_is_counted_again_in_the_new_zones_service_hours():
    store = StoreFactory(timezone="Asia/Shanghai")
    # 19:00 in Shanghai, 12:00 in Berlin; a normal case has 4 working hours to a first response, 09:00-21:00.
    case = _open(store, datetime(2026, 11, 23, 19, 0, tzinfo=SHANGHAI))
    assert case.first_response_due == datetime(2026, 11, 24, 11, 0, tzinfo=SHANGHAI)

    with time_machine.travel(datetime(2026, 11, 23, 12, 30, tzinfo=BERLIN), tick=False):
        store_timezone_change(store=store, zone="Europe/Berlin", actor=None)

    case.refresh_from_db()
    assert case.first_response_due == datetime(2026, 11, 23, 16, 0, tzinfo=BERLIN)
    # 36 working hours of 12 a day from 12:00 on a Monday: three days on, at noon.
    assert case.resolution_due == datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN)
    entry = AuditLog.objects.get(action="store_timezone_changed")
    assert entry.data == {"before": {"timezone": "Asia/Shanghai"}, "after": {"timezone": "Europe/Berlin"}}


def test_a_deadline_already_passed_and_a_closed_cases_stay_as_they_were():
    store = StoreFactory(timezone="Asia/Shanghai")
    breached = _open(store, datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))  # first response due 13:00, passed
    closed = _open(store, datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI))
    Case.objects.filter(pk=closed.pk).update(status="closed", root_cause="other", closed_at=closed.opened_at)
    before = {c.pk: (c.first_response_due, c.resolution_due) for c in (breached, closed)}

    with time_machine.travel(datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI), tick=False):
        store_timezone_change(store=store, zone="Europe/Berlin", actor=None)

    breached.refresh_from_db()
    assert breached.first_response_due == before[breached.pk][0]
    assert breached.resolution_due != before[breached.pk][1]  # still to come: counted again
    closed.refresh_from_db()
    assert (closed.first_response_due, closed.resolution_due) == before[closed.pk]


def test_the_apps_hear_of_the_move_and_a_name_that_is_no_zone_is_refused():
    store = StoreFactory(timezone="Asia/Shanghai")
    heard = []

    def receiver(sender, **kwargs):
        heard.append((kwargs["store"].timezone, kwargs["old_timezone"], kwargs["now"]))

    store_timezone_changed.connect(receiver, dispatch_uid="test.heard")
    try:
        with time_machine.travel(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), tick=False):
            store_timezone_change(store=store, zone="Europe/Berlin", actor=None)
            store_timezone_change(store=store, zone="Europe/Berlin", actor=None)  # no change: nothing to hear
        with pytest.raises(InvalidInput) as refused:
            store_timezone_change(store=store, zone="Europe/Shanghai", actor=None)
    finally:
        store_timezone_changed.disconnect(dispatch_uid="test.heard")

    assert heard == [("Europe/Berlin", "Asia/Shanghai", datetime(2026, 11, 23, 8, 0, tzinfo=UTC))]
    assert refused.value.field == "timezone"
    store.refresh_from_db()
    assert store.timezone == "Europe/Berlin"
