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
from handlers.routes import BC_SEND_WORKING_HOURS
from tests.harness import ADMIN, Harness, expected
from tests.test_broadcast import add_focal_point, broadcast_messages, compose, wait_for_report

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


# -- through the bot, with a controlled clock ---------------------------------------------------


async def test_a_thursday_evening_announcement_reaches_each_on_their_working_morning(
    bot: Harness,
) -> None:
    moroccan, egyptian = 302, 303
    service = bot.services.broadcasts
    bot.clock.advance(THURSDAY_EVENING - bot.clock.now())
    await add_focal_point(bot, moroccan, "fr", "MA", "Fes")
    await add_focal_point(bot, egyptian, "ar", "EG", "Alexandria")
    await compose(bot.services, {"ar": "إعلان الصباح", "fr": "Annonce du matin", "en": "News"})
    [confirmation] = await bot.press_data(ADMIN, 1, BC_SEND_WORKING_HOURS.data())
    assert confirmation.text == expected(
        "en",
        "Broadcast #{number} is on its way: each recipient gets it in their working hours, "
        "from 09:00 their time on their country's working days. A progress message follows.",
        number="1",
    )
    await service.idle()
    summary = await service.summary(1)
    assert (summary.waiting, summary.remaining, summary.total) == (2, 0, 2)
    progress = await bot.api.wait_for_message(
        ADMIN, lambda m: "Waiting for their working morning: 2" in (m.text or "")
    )
    assert "Sent 0" in (progress.text or "")

    async def at(moment: datetime) -> None:
        bot.clock.advance(moment - bot.clock.now())
        await service.look_now()
        await service.idle()

    def received(user_id: int, text: str) -> int:
        return len(broadcast_messages(bot, user_id, text))

    # Friday 08:59 in Casablanca: not yet. 09:00: the Moroccan, in French; not the Egyptian,
    # whose Friday is a weekend day.
    await at(datetime(2026, 6, 5, 7, 59, tzinfo=UTC))
    assert received(moroccan, "Annonce du matin") == 0
    await at(datetime(2026, 6, 5, 8, 0, tzinfo=UTC))
    assert received(moroccan, "Annonce du matin") == 1
    assert received(egyptian, "إعلان الصباح") == 0
    assert (await service.summary(1)).waiting == 1
    # Saturday, then Sunday 08:59 in Cairo: still waiting. Sunday 09:00: the Egyptian, in Arabic.
    await at(datetime(2026, 6, 6, 12, 0, tzinfo=UTC))
    await at(datetime(2026, 6, 7, 5, 59, tzinfo=UTC))
    assert received(egyptian, "إعلان الصباح") == 0
    await at(datetime(2026, 6, 7, 6, 0, tzinfo=UTC))
    assert received(egyptian, "إعلان الصباح") == 1
    report = await wait_for_report(bot)
    assert "sent 2, failed 0, blocked 0" in (report.text or "")
    assert received(moroccan, "Annonce du matin") == 1
    broadcast = await service.get(1)
    assert broadcast is not None and broadcast.status == "done" and broadcast.working_hours
