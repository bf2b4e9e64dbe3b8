"""The .ics file's VTIMEZONE, evaluated on its own (dateutil), agrees with the IANA database."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz
from icalendar import Calendar

from bot.events.calendar import calendar_file
from bot.events.file_import import import_events, read_event_file
from bot.geography import COUNTRIES, OTHER_COUNTRY
from storage.models import Event
from tests.conftest import FRENCH_USER
from tests.harness import ADMIN, Harness, label

HUB_ZONES = sorted({country.time_zone for country in COUNTRIES if country.code != OTHER_COUNTRY})
YEARS = range(2019, 2038)
# Morocco's clocks go back an hour for Ramadan: 2027-02-24 is inside it (UTC+0 that day).
RAMADAN_EVENT_YAML = """\
- title: {fr: Atelier pendant le Ramadan}
  time_zone: Africa/Casablanca
  start: 2027-02-24 10:00
  end: 12:00
  place: Rabat
"""


def an_event(time_zone: str, starts_at: datetime, ends_at: datetime) -> Event:
    moment = datetime(2026, 6, 1, tzinfo=UTC)
    return Event(
        id=1,
        titles={"en": "Workshop"},
        descriptions={},
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        place="Rabat",
        link=None,
        audience=(),
        reminder_offsets_s=(),
        status="scheduled",
        revision=0,
        import_key=None,
        created_by=None,
        created_at=moment,
        updated_at=moment,
    )


def embedded_zone(ics: bytes, time_zone: str) -> tz.tzical:
    """The file's own VTIMEZONE as a time zone, without asking any database by its name."""
    calendar = tz.tzical(io.StringIO(ics.decode("utf-8")))
    assert calendar.keys() == [time_zone]
    return calendar.get(time_zone)


def local_days(year: int) -> list[datetime]:
    """Every day of the year at 01:00, 04:00, 12:00 and 23:00: both sides of every change."""
    first = date(year, 1, 1)
    return [
        datetime.combine(first + timedelta(days=day), datetime.min.time()) + timedelta(hours=hour)
        for day in range((date(year + 1, 1, 1) - first).days)
        for hour in (1, 4, 12, 23)
    ]


@pytest.mark.parametrize("time_zone", HUB_ZONES)
def test_the_embedded_zone_agrees_with_zoneinfo_every_day_of_the_event_years(
    time_zone: str,
) -> None:
    zone = ZoneInfo(time_zone)
    wrong: list[str] = []
    for year in YEARS:
        starts_at = datetime(year, 3, 1, 10, tzinfo=zone).astimezone(UTC)
        ics = calendar_file(an_event(time_zone, starts_at, starts_at + timedelta(hours=2)), "en")
        embedded = embedded_zone(ics, time_zone)
        for local in local_days(year):
            earlier, later = local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)
            if earlier.utcoffset() != later.utcoffset():
                continue  # a wall time the clocks skip or repeat has no single answer
            if local.replace(tzinfo=embedded).utcoffset() != earlier.utcoffset():
                wrong.append(local.isoformat())
    assert wrong == []


def test_an_event_crossing_the_new_year_has_both_years() -> None:
    zone = ZoneInfo("Africa/Casablanca")
    starts_at = datetime(2026, 12, 31, 20, tzinfo=zone).astimezone(UTC)
    ends_at = datetime(2027, 1, 2, 12, tzinfo=zone).astimezone(UTC)
    embedded = embedded_zone(
        calendar_file(an_event("Africa/Casablanca", starts_at, ends_at), "en"),
        "Africa/Casablanca",
    )
    for local in (*local_days(2026), *local_days(2027)):
        if local.replace(tzinfo=zone).utcoffset() == local.replace(tzinfo=zone, fold=1).utcoffset():
            assert (
                local.replace(tzinfo=embedded).utcoffset() == local.replace(tzinfo=zone).utcoffset()
            ), local


async def test_an_imported_ramadan_event_is_at_the_right_hour_in_any_calendar(
    bot: Harness, tmp_path: Path
) -> None:
    """The repro: 2027-02-24 10:00 in Casablanca is 10:00 UTC (the clocks are at UTC+0 for
    Ramadan); a VTIMEZONE without that change put it at 09:00 UTC."""
    path = tmp_path / "events.yaml"
    path.write_text(RAMADAN_EVENT_YAML, encoding="utf-8")
    await import_events(bot.services.events, read_event_file(path, bot.clock), by=ADMIN)
    registration = bot.services.registration
    await bot.say(FRENCH_USER, "/help")
    invite = await registration.create_invite(country="MA", city="Fes", created_by=ADMIN)
    await registration.redeem(invite.code, user_id=FRENCH_USER, full_name="Karim Benali")
    await bot.say(FRENCH_USER, "/events")
    [document] = await bot.press(FRENCH_USER, label("fr", "📅 Add to calendar"))
    assert document.document is not None
    ics = document.document["content"]
    [entry] = Calendar.from_ical(ics).walk("VEVENT")
    local_start = entry.decoded("dtstart").replace(tzinfo=None)
    assert local_start == datetime(2027, 2, 24, 10, 0)
    embedded = embedded_zone(ics, "Africa/Casablanca")
    assert local_start.replace(tzinfo=embedded).astimezone(UTC) == datetime(
        2027, 2, 24, 10, 0, tzinfo=UTC
    )
