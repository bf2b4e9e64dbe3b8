"""Importing events from a data file (YAML or JSON), checked entirely before anything is saved.

The file is a list of entries, for example::

    - key: rabat-workshop-2026          # optional; an entry with a known key is not imported again
      title: {en: Regional workshop, fr: Atelier régional, ar: ورشة عمل إقليمية}
      description: {en: Two days on local prevention networks.}   # optional
      time_zone: Africa/Casablanca
      start: 2026-06-16 10:00             # local time in time_zone
      end: 2026-06-16 17:00               # or just 17:00 for the same day
      place: Rabat City Hall              # place and/or link
      link: https://meet.example.org/hub
      audience: [MA, TN]                  # or "everyone" (the default)
      reminders: 7d 1d 1h                 # the default; "none" for no reminders
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.clock import Clock
from bot.config import SUPPORTED_LANGUAGES
from bot.events import (
    AUDIENCE_COUNTRIES,
    DEFAULT_REMINDER_OFFSETS_S,
    DESCRIPTION_MAX_CHARS,
    LINK_MAX_CHARS,
    MAX_EVENT_LENGTH,
    PLACE_CHARS,
    TITLE_CHARS,
    EventService,
    is_online_link,
    parse_end,
    parse_local,
    parse_offsets,
    to_utc,
)
from bot.geography import valid_time_zone
from storage.models import NewEvent


@dataclass(frozen=True)
class ImportReport:
    created: int
    already_there: int


class EventFileError(Exception):
    """The file cannot be imported; the message lists every problem, one per line."""


def _texts(value: Any, name: str, problems: list[str], where: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict) or not all(
        language in SUPPORTED_LANGUAGES and isinstance(text, str)
        for language, text in value.items()
    ):
        problems.append(f"{where}: {name} must map ar, fr or en to a text")
        return {}
    return {
        language: " ".join(text.split()) if name == "title" else text.strip()
        for language, text in value.items()
        if text.strip()
    }


def _as_text(value: Any) -> str:
    """YAML reads 17:00 as the base-60 number 1020 and 2026-06-16 10:00:00 as a datetime."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return f"{value // 60}:{value % 60:02d}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _place_problems(place: Any, link: Any) -> list[str]:
    problems: list[str] = []
    if place is not None and (
        not isinstance(place, str)
        or not PLACE_CHARS[0] <= len(" ".join(place.split())) <= PLACE_CHARS[1]
    ):
        problems.append("place must be a short text (2 to 200 characters)")
    if link is not None and (not isinstance(link, str) or not is_online_link(link)):
        problems.append(
            f"link must start with https:// and have at most {LINK_MAX_CHARS} characters"
        )
    if place is None and link is None:
        problems.append("give a place, a link, or both")
    return problems


def _audience(value: Any) -> tuple[str, ...] | None:
    """The countries invited (none: everyone), or None when the value is not one."""
    if value == "everyone":
        return ()
    codes = {str(code).upper() for code in value} if isinstance(value, list) else set()
    if not codes or not codes <= set(AUDIENCE_COUNTRIES):
        return None
    return tuple(code for code in AUDIENCE_COUNTRIES if code in codes)


def _entry(raw: Any, where: str, now: datetime, problems: list[str]) -> NewEvent | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: each entry must be a mapping")
        return None
    before = len(problems)
    titles = _texts(raw.get("title"), "title", problems, where)
    descriptions = _texts(raw.get("description"), "description", problems, where)
    if not titles:
        problems.append(f"{where}: a title in at least one language is required")
    for language, title in titles.items():
        if not TITLE_CHARS[0] <= len(title) <= TITLE_CHARS[1]:
            problems.append(f"{where}: the {language} title must have {TITLE_CHARS} characters")
    if any(len(text) > DESCRIPTION_MAX_CHARS for text in descriptions.values()):
        problems.append(f"{where}: descriptions are limited to {DESCRIPTION_MAX_CHARS} characters")
    zone = valid_time_zone(str(raw.get("time_zone", "")))
    if zone is None:
        problems.append(f"{where}: time_zone must be an IANA name such as Africa/Tunis")
        return None
    start_local = parse_local(_as_text(raw.get("start")))
    end_text = _as_text(raw.get("end"))
    end_local = parse_local(end_text) if start_local is None else parse_end(start_local, end_text)
    starts_at = to_utc(start_local, zone) if start_local else None
    ends_at = to_utc(end_local, zone) if end_local else None
    if starts_at is None or ends_at is None:
        problems.append(f"{where}: start and end must read like 2026-06-16 10:00 in {zone}")
    elif starts_at <= now:
        problems.append(f"{where}: the start has already passed")
    elif not starts_at < ends_at <= starts_at + MAX_EVENT_LENGTH:
        problems.append(f"{where}: the end must come after the start, within 14 days")
    place = raw.get("place")
    link = raw.get("link")
    problems.extend(f"{where}: {problem}" for problem in _place_problems(place, link))
    audience = _audience(raw.get("audience", "everyone"))
    if audience is None:
        problems.append(f"{where}: audience is 'everyone' or a list of {AUDIENCE_COUNTRIES}")
    reminders = raw.get("reminders")
    offsets = (
        list(DEFAULT_REMINDER_OFFSETS_S) if reminders is None else parse_offsets(str(reminders))
    )
    if offsets is None:
        problems.append(f"{where}: reminders must read like '7d 1d 1h' (or 'none')")
    key = raw.get("key")
    if len(problems) > before or starts_at is None or ends_at is None or offsets is None:
        return None
    return NewEvent(
        titles=titles,
        descriptions=descriptions,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=zone,
        place=" ".join(place.split()) if place else None,
        link=link,
        audience=audience or (),
        reminder_offsets_s=tuple(offsets),
        created_by=None,
        import_key=str(key) if key is not None else None,
    )


def read_event_file(path: Path, clock: Clock) -> list[NewEvent]:
    """Every entry of the file, or EventFileError listing every problem found."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise EventFileError(f"{path}: cannot read it ({error})") from error
    if not isinstance(document, list) or not document:
        raise EventFileError(f"{path}: expected a list of events")
    problems: list[str] = []
    now = clock.now()
    entries = [
        _entry(raw, f"{path} entry {index}", now, problems) for index, raw in enumerate(document, 1)
    ]
    keys = [entry.import_key for entry in entries if entry and entry.import_key]
    if len(keys) != len(set(keys)):
        problems.append(f"{path}: two entries share a key")
    if problems:
        raise EventFileError("\n".join(problems))
    return [entry for entry in entries if entry is not None]


async def import_events(
    service: EventService, entries: list[NewEvent], *, by: int | None
) -> ImportReport:
    created = already = 0
    for entry in entries:
        event = await service.create(replace(entry, created_by=by))
        if event is None:
            already += 1
        else:
            created += 1
    return ImportReport(created=created, already_there=already)
