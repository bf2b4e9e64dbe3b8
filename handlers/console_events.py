"""Events in the staff console: coming and past events with their answers; a new event written
at once through the steps of /newevent (bot/events/whole_form.py), with the invitation and
each reminder previewed in ar, fr and en as focal points read them; cancelling (with the count
of people told), the roster and its CSV. The same event service as the bot."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from aiohttp import web
from markupsafe import Markup

from bot.config import SUPPORTED_LANGUAGES
from bot.console.site import ConsoleContext, ConsoleSite
from bot.events import AUDIENCE_COUNTRIES
from bot.events.whole_form import EventFields, create_new_event
from bot.forms import StepOutcome
from bot.geography import COMMON_TIME_ZONES, COUNTRIES_BY_CODE
from bot.i18n import N_, Translator
from bot.support.desk import spreadsheet_safe
from handlers.events_views import (
    PROBLEMS,
    audience_text,
    notice_text,
    offsets_text,
    title_of,
    when_text,
    where_text,
)
from storage.models import Event, EventNotice

_NUMBER = re.compile(r"^[0-9]{1,18}$")


@dataclass(frozen=True)
class EventRow:
    event: Event
    title: str
    when: Markup
    going: int
    maybe: int
    not_going: int


async def event_list(console: ConsoleContext) -> web.StreamResponse:
    events = console.services.events
    t = console.t

    def rows(listing: list[tuple[Event, dict[str, int]]]) -> list[EventRow]:
        return [
            EventRow(
                event,
                title_of(event, t),
                when_text(t, event, console.time_zone),
                counts.get("going", 0),
                counts.get("maybe", 0),
                counts.get("no", 0),
            )
            for event, counts in listing
        ]

    return console.render(
        "events.html",
        coming=rows(await events.listing(past=False)),
        past=rows(await events.listing(past=True, limit=30)),
    )


def read_fields(form: Mapping[str, Any]) -> EventFields:
    def text(name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    return EventFields(
        titles={code: text(f"title_{code}") for code in SUPPORTED_LANGUAGES},
        descriptions={code: text(f"description_{code}") for code in SUPPORTED_LANGUAGES},
        zone=text("zone"),
        start=text("start").replace("T", " "),
        end=text("end").replace("T", " "),
        place=text("place"),
        link=text("link"),
        audience=tuple(code for code in AUDIENCE_COUNTRIES if form.get(f"country_{code}")),
        reminders=text("reminders"),
    )


def problem_text(t: Translator, problem: Any, limit: int | None) -> str:
    found = PROBLEMS.get(problem)
    if found is None:
        return t.label("Choose from the list.")
    if isinstance(found, str):
        return t.label(found)
    return str(found(t, StepOutcome(None, problem, limit)))


async def new_event_form(
    console: ConsoleContext,
    fields: EventFields | None = None,
    problem: tuple[str, str] | None = None,
    status: int = HTTPStatus.OK,
) -> web.StreamResponse:
    t = console.t
    return console.render(
        "event_new.html",
        status=status,
        fields=fields or EventFields(zone="Africa/Casablanca", reminders="7d 1d 1h"),
        problem=problem,
        languages=[(code, t.language_name(code)) for code in SUPPORTED_LANGUAGES],
        zones=COMMON_TIME_ZONES,
        countries=[
            (code, t.label(COUNTRIES_BY_CODE[code].name))
            for code in AUDIENCE_COUNTRIES
            if code in COUNTRIES_BY_CODE
        ],
    )


async def show_new_event(console: ConsoleContext) -> web.StreamResponse:
    return await new_event_form(console)


async def create_event(console: ConsoleContext) -> web.StreamResponse:
    form = await console.form()
    fields = read_fields(form)
    events = console.services.events
    event, problem = await create_new_event(events, console.user_id, fields)
    if problem is not None or event is None:
        message = (
            problem_text(console.t, problem.problem, problem.limit)
            if problem is not None
            else console.t.label("This form is closed.")
        )
        where = problem.field if problem is not None else ""
        return await new_event_form(
            console, fields, (where, message), status=HTTPStatus.BAD_REQUEST
        )
    invited = await events.announce(event.id) if form.get("invite") else None
    await console.audit("event.create", f"#{event.id} invited={invited or 0}")
    return console.see_other(f"/events/{event.id}")


def _event_id(console: ConsoleContext) -> int:
    text = console.request.match_info["id"]
    if not _NUMBER.match(text):
        raise web.HTTPNotFound()
    return int(text)


def previews(event: Event, console: ConsoleContext) -> list[tuple[str, Markup, list[Markup]]]:
    """The invitation and each reminder, in ar, fr and en, as a focal point reads them (in
    the event's time zone: each person reads their own)."""
    shown = []
    for code in SUPPORTED_LANGUAGES:
        reader = console.services.translator(code)
        invitation = notice_text(
            reader, _notice(event, "invitation", 0), event, event.time_zone, event.starts_at
        )
        reminders = [
            notice_text(
                reader,
                _notice(event, "reminder", offset),
                event,
                event.time_zone,
                event.starts_at - timedelta(seconds=offset),
            )
            for offset in event.reminder_offsets_s
        ]
        shown.append((reader.language_name(code), invitation, reminders))
    return shown


def _notice(event: Event, kind: str, ref: int) -> EventNotice:
    return EventNotice(
        id=0,
        event_id=event.id,
        user_id=0,
        kind=kind,
        ref=ref,
        due_at=event.starts_at,
        state="pending",
        payload={},
        attempts=0,
        detail=None,
        updated_at=event.created_at,
    )


async def show_event(console: ConsoleContext) -> web.StreamResponse:
    events = console.services.events
    roster = await events.roster(_event_id(console))
    if roster is None:
        raise web.HTTPNotFound()
    t = console.t
    event = roster.event
    return console.render(
        "event.html",
        event=event,
        title=title_of(event, t),
        when=when_text(t, event, console.time_zone),
        where=where_text(t, event.place, event.link),
        audience=audience_text(t, event.audience),
        reminders=offsets_text(t, event.reminder_offsets_s),
        roster=_roster_rows(t, roster.entries),
        counts={answer: roster.count(answer) for answer in ("going", "maybe", "no")},
        told_on_cancel=len(await events.attendee_ids(event.id)),
        previews=previews(event, console),
    )


def _roster_rows(t: Translator, entries: Any) -> list[tuple[str, str, str]]:
    answers = {
        "going": t.label("Going"),
        "maybe": t.label("Maybe"),
        "no": t.label("Not going"),
    }
    rows = []
    for entry in entries:
        name = entry.user.display_name if entry.user else str(entry.rsvp.user_id)
        place = ""
        if entry.focal_point is not None:
            name = entry.focal_point.full_name
            country = COUNTRIES_BY_CODE.get(entry.focal_point.country)
            place = t.label(
                "{city}, {country}",
                city=t.label(entry.focal_point.city),
                country=t.label(country.name) if country else entry.focal_point.country,
            )
        rows.append((name, place, answers.get(entry.rsvp.answer, entry.rsvp.answer)))
    return rows


async def cancel_event(console: ConsoleContext) -> web.StreamResponse:
    event_id = _event_id(console)
    cancelled = await console.services.events.cancel(event_id)
    if cancelled is not None:
        await console.audit("event.cancel", f"#{event_id}")
    return console.see_other(f"/events/{event_id}")


async def roster_csv(console: ConsoleContext) -> web.StreamResponse:
    roster = await console.services.events.roster(_event_id(console))
    if roster is None:
        raise web.HTTPNotFound()
    t = console.t
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("name", "city", "answer", "answered_at"))
    for (name, place, answer), entry in zip(
        _roster_rows(t, roster.entries), roster.entries, strict=True
    ):
        writer.writerow(
            [spreadsheet_safe(value) for value in (name, place, answer, entry.rsvp.answered_at)]
        )
    await console.audit("event.roster", f"#{roster.event.id}")
    return web.Response(
        # A byte-order mark, so spreadsheet programs read the Arabic as UTF-8.
        body=("\ufeff" + out.getvalue()).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="event-{roster.event.id}.csv"'},
    )


def register(site: ConsoleSite) -> None:
    site.get("/events", event_list, name="events", nav=N_("Events"))
    site.get("/events/new", show_new_event, name="events.new")
    site.post("/events/new", create_event, name="events.create")
    site.get(r"/events/{id:\d+}", show_event, name="event")
    site.get(r"/events/{id:\d+}/roster.csv", roster_csv, name="event.roster")
    site.post(r"/events/{id:\d+}/cancel", cancel_event, name="event.cancel")
