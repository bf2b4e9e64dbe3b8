"""The working-hours rule of announcements, on plain values: moments, time zones, countries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.broadcasts.working_hours import (
    WEEKENDS,
    WORKDAY_END,
    WORKDAY_START,
    is_working_day,
    next_working_moment,
)
from bot.geography import default_time_zone

# Thursday 4 June 2026, 20:00 UTC: 21:00 in Casablanca, 23:00 in Cairo.
THURSDAY_EVENING = datetime(2026, 6, 4, 20, 0, tzinfo=UTC)


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def test_a_thursday_evening_send_reaches_morocco_on_friday_and_egypt_on_sunday() -> None:
    moroccan = next_working_moment(THURSDAY_EVENING, None, "MA")
    assert local(moroccan, "Africa/Casablanca") == datetime(
        2026, 6, 5, 9, 0, tzinfo=ZoneInfo("Africa/Casablanca")
    )
    assert moroccan == datetime(2026, 6, 5, 8, 0, tzinfo=UTC)
    egyptian = next_working_moment(THURSDAY_EVENING, None, "EG")
    assert local(egyptian, "Africa/Cairo").strftime("%A %H:%M") == "Sunday 09:00"
    assert egyptian == datetime(2026, 6, 7, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("country", "weekday_reached"),
    [
        ("EG", "Sunday"),
        ("IQ", "Sunday"),
        ("JO", "Sunday"),
        ("LY", "Sunday"),
        ("LB", "Friday"),
        ("MA", "Friday"),
        ("TN", "Friday"),
        (None, "Friday"),
    ],
)
def test_each_countrys_weekend(country: str | None, weekday_reached: str) -> None:
    zone = default_time_zone(country)
    reached = next_working_moment(THURSDAY_EVENING, None, country)
    assert local(reached, zone).strftime("%A %H:%M") == f"{weekday_reached} 09:00"


def test_within_working_hours_it_goes_at_once_and_early_mornings_wait_for_nine() -> None:
    tuesday_ten_in_amman = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)  # 10:00 in Amman
    assert next_working_moment(tuesday_ten_in_amman, None, "JO") == tuesday_ten_in_amman
    tuesday_dawn = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)  # 06:00 in Amman
    assert next_working_moment(tuesday_dawn, None, "JO") == datetime(2026, 6, 2, 6, 0, tzinfo=UTC)
    # 17:00 is the end of the day: the next morning.
    tuesday_five_pm = datetime(2026, 6, 2, 14, 0, tzinfo=UTC)
    assert next_working_moment(tuesday_five_pm, None, "JO") == datetime(
        2026, 6, 3, 6, 0, tzinfo=UTC
    )


def test_a_persons_own_time_zone_with_their_countrys_weekend() -> None:
    # A Moroccan focal point living in Brussels: 09:00 Brussels time, Moroccan working days.
    friday_night = datetime(2026, 6, 5, 20, 0, tzinfo=UTC)
    reached = next_working_moment(friday_night, "Europe/Brussels", "MA")
    assert local(reached, "Europe/Brussels").strftime("%A %H:%M") == "Monday 09:00"


def test_the_clock_change_is_followed() -> None:
    # Egypt leaves summer time on the last Thursday of October (29 October 2026): Sunday
    # 09:00 is then 07:00 UTC, not 06:00.
    reached = next_working_moment(datetime(2026, 10, 29, 19, 0, tzinfo=UTC), None, "EG")
    assert reached == datetime(2026, 11, 1, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("country", [*WEEKENDS, "OTHER"])
def test_the_moment_is_never_earlier_and_always_within_working_hours(country: str) -> None:
    zone = ZoneInfo(default_time_zone(country))
    moment = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
    for _ in range(7 * 24 * 4):
        reached = next_working_moment(moment, None, country)
        there = reached.astimezone(zone)
        assert reached >= moment
        assert is_working_day(there.date(), country)
        assert WORKDAY_START <= there.time() < WORKDAY_END
        assert reached - moment < timedelta(days=4)
        moment += timedelta(minutes=15)
