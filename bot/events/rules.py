"""What an event may be, and reading what staff type: dates, times, reminders, places."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.accounts import Profile
from bot.config import SUPPORTED_LANGUAGES
from bot.geography import COUNTRIES_BY_CODE, OTHER_COUNTRY
from storage.models import Event

ANSWERS = ("going", "maybe", "no")
DEFAULT_REMINDER_OFFSETS_S = (7 * 86_400, 86_400, 3_600)
MAX_REMINDERS = 5
MAX_REMINDER_OFFSET_S = 60 * 86_400
MIN_REMINDER_OFFSET_S = 5 * 60
MAX_EVENT_LENGTH = timedelta(days=14)
MAX_EVENTS_LISTED = 10
TITLE_CHARS = (3, 150)
DESCRIPTION_MAX_CHARS = 1500
PLACE_CHARS = (2, 200)
LINK_MAX_CHARS = 300
# The countries an event can be limited to: the Hub's seven.
AUDIENCE_COUNTRIES = tuple(code for code in COUNTRIES_BY_CODE if code != OTHER_COUNTRY)

LINK_PATTERN = re.compile(r"^https?://[^\s<>\"]+\.[^\s<>\"]+$", re.IGNORECASE)
DATE_TIME_PATTERNS = (
    re.compile(
        r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})[ T]+(?P<h>\d{1,2})[:h.](?P<mi>\d{2})$"
    ),
    re.compile(r"^(?P<d>\d{1,2})/(?P<mo>\d{1,2})/(?P<y>\d{4}) +(?P<h>\d{1,2})[:h.](?P<mi>\d{2})$"),
)
TIME_PATTERN = re.compile(r"^(?P<h>\d{1,2})[:h.](?P<mi>\d{2})$")
OFFSET_PATTERN = re.compile(r"(\d+)\s*(d|j|h|m|min|ي|س|د)(?![a-z])")
OFFSET_UNITS_S = {"d": 86_400, "j": 86_400, "ي": 86_400, "h": 3_600, "س": 3_600}
NO_REMINDER_WORDS = frozenset({"none", "no", "0", "aucun", "aucune", "non", "لا"})
# Staff may type Arabic-Indic or Persian digits.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalize_digits(text: str) -> str:
    return text.translate(DIGITS)


def parse_local(text: str) -> datetime | None:
    """'2026-06-16 10:00' or '16/06/2026 10:00' as a naive local time; None if unreadable."""
    value = " ".join(normalize_digits(text).split())
    for candidate in DATE_TIME_PATTERNS:
        found = candidate.match(value)
        if found:
            try:
                return datetime(
                    int(found["y"]),
                    int(found["mo"]),
                    int(found["d"]),
                    int(found["h"]),
                    int(found["mi"]),
                )
            except ValueError:
                return None
    return None


def parse_end(start: datetime, text: str) -> datetime | None:
    """The end as a naive local time: a time alone ('17:00') is on the start's day."""
    value = normalize_digits(text).strip()
    only_time = TIME_PATTERN.match(value)
    if only_time is None:
        return parse_local(value)
    hour, minute = int(only_time["h"]), int(only_time["mi"])
    if hour > 23 or minute > 59:
        return None
    return start.replace(hour=hour, minute=minute)


def to_utc(local: datetime, zone: str) -> datetime | None:
    """A wall-clock time in the zone as UTC; None if the clocks skip it (a DST gap)."""
    aware = local.replace(tzinfo=ZoneInfo(zone))
    moment = aware.astimezone(UTC)
    if moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None) != local:
        return None
    return moment


def parse_offsets(text: str) -> list[int] | None:
    """'7d 1d 1h' (or 'none') as seconds before the start; None if unreadable or out of range."""
    value = normalize_digits(text).strip().lower()
    if value in NO_REMINDER_WORDS:
        return []
    found = OFFSET_PATTERN.findall(value)
    leftover = OFFSET_PATTERN.sub("", value).replace(",", " ").replace("،", " ").strip()
    if not found or leftover:
        return None
    offsets = sorted({int(number) * OFFSET_UNITS_S.get(unit, 60) for number, unit in found})
    if len(offsets) > MAX_REMINDERS or any(
        not MIN_REMINDER_OFFSET_S <= offset <= MAX_REMINDER_OFFSET_S for offset in offsets
    ):
        return None
    return sorted(offsets, reverse=True)


def offsets_answer(offsets_s: Sequence[int]) -> str:
    """Reminder offsets as the reminders step reads them: '7d 1d 1h', or 'none'."""
    if not offsets_s:
        return "none"
    words = []
    for seconds in sorted(offsets_s, reverse=True):
        if seconds % 86_400 == 0:
            words.append(f"{seconds // 86_400}d")
        elif seconds % 3_600 == 0:
            words.append(f"{seconds // 3_600}h")
        else:
            words.append(f"{seconds // 60}m")
    return " ".join(words)


def is_online_link(link: str) -> bool:
    """A link people can open safely: https only (an http:// page can be tampered with on
    the way), of a length Telegram buttons and calendar files carry."""
    return (
        LINK_PATTERN.match(link) is not None
        and link.lower().startswith("https://")
        and len(link) <= LINK_MAX_CHARS
    )


def split_place(text: str) -> tuple[str | None, str | None] | None:
    """A venue, a link, or both on separate lines; None if neither can be read."""
    place_lines: list[str] = []
    link: str | None = None
    for line in (part.strip() for part in text.splitlines()):
        if not line:
            continue
        if LINK_PATTERN.match(line) and link is None:
            link = line
        else:
            place_lines.append(" ".join(line.split()))
    place = ", ".join(place_lines) or None
    if place is None and link is None:
        return None
    if place is not None and not PLACE_CHARS[0] <= len(place) <= PLACE_CHARS[1]:
        return None
    if link is not None and not is_online_link(link):
        return None
    return place, link


def split_text(text: str) -> tuple[str, str]:
    """The first line is the title, the rest the description."""
    title, _, description = text.strip().partition("\n")
    return " ".join(title.split()), description.strip()


def invited_country(profile: Profile) -> str | None:
    """The country whose events a person may see: only once staff approved them for it."""
    return profile.country if profile.is_verified_focal_point else None


def is_invited(event: Event, profile: Profile) -> bool:
    if profile.is_staff or not event.audience:
        return True
    country = invited_country(profile)
    return country is not None and country in event.audience


def draft_times(data: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The start and end a form holds, in UTC (None where not given yet)."""
    zone = data.get("zone")
    if not zone:
        return None, None
    start = to_utc(datetime.fromisoformat(data["start"]), zone) if data.get("start") else None
    end = to_utc(datetime.fromisoformat(data["end"]), zone) if data.get("end") else None
    return start, end


def languages_given(data: Mapping[str, Any]) -> list[str]:
    return [language for language in SUPPORTED_LANGUAGES if language in data.get("texts", {})]
