from datetime import UTC, date, datetime, time

import pytest

from crm.models import Store
from crm.timezones import store_day_bounds, store_local_datetime, store_today, store_wall_time, to_store_local


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


@pytest.mark.parametrize(
    ("zone", "day", "wall", "instant"),
    [
        # A wall time the clock skips is the moment it jumps past it: 02:30 on 28 March 2027 in Berlin is the jump
        # from 02:00 CET to 03:00 CEST, not 03:30 CEST (an hour more of SMS hours "until 02:30").
        ("Europe/Berlin", date(2027, 3, 28), time(2, 30), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
        ("Europe/Berlin", date(2027, 3, 28), time(2, 0), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
        ("Europe/Berlin", date(2027, 3, 28), time(3, 0), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
        ("America/New_York", date(2027, 3, 14), time(2, 59), datetime(2027, 3, 14, 7, 0, tzinfo=UTC)),
        ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 15), datetime(2026, 10, 3, 15, 30, tzinfo=UTC)),
        # A wall time the clock shows twice is its first showing.
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("Asia/Urumqi", date(2027, 3, 28), time(2, 30), datetime(2027, 3, 27, 20, 30, tzinfo=UTC)),
    ],
)
def test_a_wall_time_is_the_first_moment_the_stores_clock_shows_it(zone, day, wall, instant):
    store = Store(timezone=zone)
    assert store_local_datetime(store, day, wall) == instant
    assert store_wall_time(store, datetime.combine(day, wall)).astimezone(UTC) == instant


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        to_store_local(datetime(2026, 11, 23, 18, 0), Store(timezone="Asia/Shanghai"))
