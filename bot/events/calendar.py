"""The .ics file of an event (iCalendar, RFC 5545), in the reader's language, in its own zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar import Event as CalendarEvent

from storage.models import Event

PRODUCT_ID = "-//Strong Cities Network//MENA Regional Hub bot//EN"
UID_DOMAIN = "mena-hub.strongcitiesnetwork.org"
LANGUAGE_ORDER = ("en", "fr", "ar")
# No zone changes its clocks twice within this time: sampling at this step finds every change.
ZONE_SAMPLE_STEP = timedelta(hours=1)


def localized(texts: dict[str, str], language: str) -> tuple[str, str]:
    """The text in this language, else in another one (English, French, Arabic first).

    Returns the text and the language it is in, so readers can be told it is not theirs.
    """
    if texts.get(language):
        return texts[language], language
    for other in LANGUAGE_ORDER:
        if texts.get(other):
            return texts[other], other
    return "", language


def event_uid(event: Event) -> str:
    """Stable across edits, so a calendar updates the entry instead of adding another."""
    return f"event-{event.id}@{UID_DOMAIN}"


def calendar_file(event: Event, language: str) -> bytes:
    """One VEVENT with its VTIMEZONE; SEQUENCE follows the event's revision, STATUS its state."""
    zone = ZoneInfo(event.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", event_uid(event))
    entry.add("dtstamp", event.updated_at)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    entry.add("summary", localized(event.titles, language)[0])
    description = localized(event.descriptions, language)[0]
    if event.link:
        description = f"{description}\n\n{event.link}".strip()
    if description:
        entry.add("description", description)
    location = event.place or event.link
    if location:
        entry.add("location", location)
    if event.link:
        entry.add("url", event.link)
    entry.add("sequence", event.revision)
    entry.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    calendar.add_component(entry)
    if "TZID" in entry["dtstart"].params:  # a time in UTC is written as such, needing none
        calendar.add_component(zone_definition(event.time_zone, event.starts_at, event.ends_at))
    return calendar.to_ical()


class ZoneState(NamedTuple):
    offset: timedelta
    dst: timedelta
    name: str


def _state(zone: ZoneInfo, moment: datetime) -> ZoneState:
    local = moment.astimezone(zone)
    return ZoneState(
        local.utcoffset() or timedelta(), local.dst() or timedelta(), local.tzname() or ""
    )


def zone_changes(
    zone: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, ZoneState]]:
    """Each instant (UTC) in [start, end) where the zone's offset, DST flag or name changes.

    zoneinfo does not publish its transitions, so they are found by sampling and then
    bisection to the second.
    """
    changes = []
    before, state = start, _state(zone, start)
    while before < end:
        after = min(before + ZONE_SAMPLE_STEP, end)
        if _state(zone, after) != state:
            low, high = before, after
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if _state(zone, middle) == state else (low, middle)
            state = _state(zone, high)
            changes.append((high, state))
        before = after
    return changes


def zone_definition(time_zone: str, starts_at: datetime, ends_at: datetime) -> Timezone:
    """The VTIMEZONE of the event's zone over the years it needs, from the IANA data itself.

    icalendar's add_missing_timezones steps through time in strides of weeks and misses
    changes that last less: Morocco's month without summer time for Ramadan.
    """
    zone = ZoneInfo(time_zone)
    first = datetime(starts_at.astimezone(zone).year, 1, 1, tzinfo=UTC) - timedelta(days=1)
    last = datetime(ends_at.astimezone(zone).year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    definition = Timezone()
    definition.add("tzid", time_zone)
    state = _state(zone, first)
    # The first part says which offset holds when the window opens.
    periods = [(first, state, state)]
    for moment, new in zone_changes(zone, first, last):
        periods.append((moment, state, new))
        state = new
    for moment, old, new in periods:
        part = TimezoneDaylight() if new.dst else TimezoneStandard()
        # DTSTART is the wall-clock time, before the change, when the change happens.
        part.add("dtstart", (moment + old.offset).replace(tzinfo=None))
        part.add("tzoffsetfrom", old.offset)
        part.add("tzoffsetto", new.offset)
        if new.name:
            part.add("tzname", new.name)
        definition.add_component(part)
    return definition
