"""The periods staff choose in /stats, as windows ending now; days, quarters and years are
counted in the staff's time zone (``HUBBOT_STAFF_TIME_ZONE``), the bounds kept in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# "All time" starts before anything the bot can have stored.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# The first day a report of chosen days may cover: nothing is stored before it.
EARLIEST_DAY = EPOCH.date()


class Period(StrEnum):
    # Short values: they travel in callback data.
    LAST_30_DAYS = "d30"
    QUARTER = "q"
    YEAR = "y"
    ALL_TIME = "all"


def period_start(period: Period, now: datetime, time_zone: str = "UTC") -> datetime:
    """Where the period begins; quarters and years are calendar ones in ``time_zone``: the
    Hub's year begins at midnight on 1 January where its staff are, not in London."""
    local = now.astimezone(ZoneInfo(time_zone))
    if period is Period.LAST_30_DAYS:
        return now.astimezone(UTC) - timedelta(days=30)
    if period is Period.QUARTER:
        first_month = 3 * ((local.month - 1) // 3) + 1
        return day_start(date(local.year, first_month, 1), time_zone)
    if period is Period.YEAR:
        return day_start(date(local.year, 1, 1), time_zone)
    return EPOCH


def day_start(day: date, time_zone: str = "UTC") -> datetime:
    """Midnight of ``day`` in ``time_zone``, in UTC."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def latest_day(now: datetime, time_zone: str = "UTC") -> date:
    """The last day a report of chosen days may cover: the end of next year where staff are.
    Later days hold nothing (and the year 9999's last day has no day after it to end on)."""
    return date(now.astimezone(ZoneInfo(time_zone)).year + 1, 12, 31)
