from datetime import UTC, date, datetime, time

import pytest

from crm.models import Store
from crm.timezones import store_day_bounds, store_local_datetime, store_today, to_store_local


def test_local_evening_in_shanghai_is_morning_utc():
    store = Store(timezone="Asia/Shanghai")
    assert store_local_datetime(store, date(2026, 11, 23), time(18, 0)) == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_store_today_depends_on_the_store_not_the_server():
    late_utc = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # 01:30 next day in Shanghai
    assert store_today(Store(timezone="Asia/Shanghai"), now=late_utc) == date(2026, 11, 24)
    assert store_today(Store(timezone="America/Los_Angeles"), now=late_utc) == date(2026, 11, 23)


def test_day_bounds_cover_25_hours_when_clocks_go_back():
    start, end = store_day_bounds(Store(timezone="Europe/Berlin"), date(2026, 10, 25))
    assert (end - start).total_seconds() == 25 * 3600


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        to_store_local(datetime(2026, 11, 23, 18, 0), Store(timezone="Asia/Shanghai"))
