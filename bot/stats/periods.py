"""The periods staff choose in /stats, as UTC windows ending now."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

# "All time" starts before anything the bot can have stored.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class Period(StrEnum):
    # Short values: they travel in callback data.
    LAST_30_DAYS = "d30"
    QUARTER = "q"
    YEAR = "y"
    ALL_TIME = "all"


def period_start(period: Period, now: datetime) -> datetime:
    """Where the period begins; quarters and years are calendar ones, in UTC."""
    now = now.astimezone(UTC)
    if period is Period.LAST_30_DAYS:
        return now - timedelta(days=30)
    if period is Period.QUARTER:
        first_month = 3 * ((now.month - 1) // 3) + 1
        return datetime(now.year, first_month, 1, tzinfo=UTC)
    if period is Period.YEAR:
        return datetime(now.year, 1, 1, tzinfo=UTC)
    return EPOCH


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)
