"""The .ics file of an event (iCalendar, RFC 5545), in the reader's language, in its own zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from storage.models import Event

PRODUCT_ID = "-//Strong Cities Network//MENA Regional Hub bot//EN"
UID_DOMAIN = "mena-hub.strongcitiesnetwork.org"
LANGUAGE_ORDER = ("en", "fr", "ar")


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
    calendar.add_missing_timezones()
    return calendar.to_ical()
