"""When a non-urgent announcement may reach someone: within their working hours.

Pure functions of plain values (a moment, a time zone, a country), so the rule is tested
without a bot: from 09:00 to 17:00 in the recipient's own time zone, on their country's working
days. Public holidays are not known here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.geography import default_time_zone

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)

# The weekend of each country of the Hub (Python weekdays: Monday is 0).
WEEKENDS: dict[str, frozenset[int]] = {
    "EG": frozenset({FRIDAY, SATURDAY}),
    "IQ": frozenset({FRIDAY, SATURDAY}),
    "JO": frozenset({FRIDAY, SATURDAY}),
    "LY": frozenset({FRIDAY, SATURDAY}),
    "LB": frozenset({SATURDAY, SUNDAY}),
    "MA": frozenset({SATURDAY, SUNDAY}),
    "TN": frozenset({SATURDAY, SUNDAY}),
}
# Anyone else (staff abroad, a user of no country): the weekend most of the world keeps.
DEFAULT_WEEKEND = frozenset({SATURDAY, SUNDAY})
WORKDAY_START = time(9, 0)
WORKDAY_END = time(17, 0)


def weekend_of(country: str | None) -> frozenset[int]:
    return WEEKENDS.get(country or "", DEFAULT_WEEKEND)


def is_working_day(day: date, country: str | None) -> bool:
    return day.weekday() not in weekend_of(country)


def next_working_moment(now: datetime, time_zone: str | None, country: str | None) -> datetime:
    """The first moment from ``now`` inside the recipient's working hours, in UTC.

    ``now`` itself when it is already within them; otherwise 09:00 of their next working day
    (today's, before 09:00 on a working day). ``time_zone`` None means their country's.
    """
    zone = ZoneInfo(time_zone or default_time_zone(country))
    local = now.astimezone(zone)
    day = local.date()
    if is_working_day(day, country):
        if WORKDAY_START <= local.time() < WORKDAY_END:
            return now.astimezone(UTC)
        if local.time() < WORKDAY_START:
            return _start_of(day, zone)
    day += timedelta(days=1)
    while not is_working_day(day, country):
        day += timedelta(days=1)
    return _start_of(day, zone)


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    # 09:00 exists on every day in every zone (clocks change at night), so no fold to choose.
    return datetime.combine(day, WORKDAY_START, tzinfo=zone).astimezone(UTC)
