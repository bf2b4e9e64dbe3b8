"""Events in the staff console: coming and past events with their answers; a new event written
at once through the steps of /newevent (bot/events/whole_form.py), with the invitation and
each reminder previewed in ar, fr and en as focal points read them; editing a coming event with
the same fields and rules, saved by the service the chat's edit form uses (one revision, one
notice per person, reminders re-planned, an edit made on an older revision refused with who
made the newer one); cancelling (with the count of people told), the roster and its CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from http import HTTPStatus
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from markupsafe import Markup

from bot.config import SUPPORTED_LANGUAGES
from bot.console.site import ConsoleContext, ConsoleSite
from bot.events import AUDIENCE_COUNTRIES, ChangedMeanwhile, EditOutcome
from bot.events.rules import offsets_answer
from bot.events.whole_form import EventFields, checked_revision, create_new_event
from bot.forms import StepOutcome
from bot.geography import COMMON_TIME_ZONES, COUNTRIES_BY_CODE
from bot.i18n import N_, Translator
from bot.support.desk import spreadsheet_safe
from handlers.events_views import (
    PROBLEMS,
    audience_text,
    change_text,
    changed_meanwhile,
    edit_audit_subject,
    edit_saved_text,
    notice_text,
    offsets_text,
    title_of,
    when_text,
    where_text,
)
from storage.models import NOTIFIED_PARTS, Event, EventNotice, EventRevision, change_payload

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


def read_fields(form: Mapping[str, Any], prefix: str = "") -> EventFields:
    """The form's fields; with ``prefix="was_"`` the event as the form was made from it (the
    audience there is one hidden list, not checkboxes)."""

    def text(name: str) -> str:
        value = form.get(prefix + name, "")
        return value if isinstance(value, str) else ""

    audience = (
        tuple(code for code in text("audience").split(",") if code in AUDIENCE_COUNTRIES)
        if prefix
        else tuple(code for code in AUDIENCE_COUNTRIES if form.get(f"country_{code}"))
    )
    return EventFields(
        titles={code: text(f"title_{code}") for code in SUPPORTED_LANGUAGES},
        descriptions={code: text(f"description_{code}") for code in SUPPORTED_LANGUAGES},
        zone=text("zone"),
        start=text("start").replace("T", " "),
        end=text("end").replace("T", " "),
        place=text("place"),
        link=text("link"),
        audience=audience,
        reminders=text("reminders"),
    )


def on_top_of(current: EventFields, typed: EventFields, was: EventFields) -> EventFields:
    """What the staff member typed, on top of a change someone saved meanwhile: each field
    (each language's title and description) they changed keeps their value; every other
    field shows the event as it is now."""
    merged: dict[str, Any] = {}
    for part in fields(EventFields):
        now, mine, before = (getattr(values, part.name) for values in (current, typed, was))
        if isinstance(now, dict):
            merged[part.name] = {
                code: mine.get(code, "") if mine.get(code, "") != before.get(code, "") else text
                for code in SUPPORTED_LANGUAGES
                for text in (now.get(code, ""),)
            }
        else:
            merged[part.name] = mine if mine != before else now
    return EventFields(**merged)


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
    **editing: Any,
) -> web.StreamResponse:
    """The event form: a new event, or (with ``event``, ``revision`` and ``previews`` in
    ``editing``) the edit of one."""
    t = console.t
    return console.render(
        "event_new.html",
        status=status,
        fields=fields or EventFields(zone="Africa/Casablanca", reminders="7d 1d 1h"),
        problem=problem,
        event=editing.get("event"),
        revision=editing.get("revision"),
        was=editing.get("was"),
        previews=editing.get("previews"),
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


def previews(
    event: Event, console: ConsoleContext, before: Event | None = None
) -> list[tuple[str, Markup, list[Markup], Markup | None]]:
    """The invitation and each reminder, in ar, fr and en, as a focal point reads them (in
    the event's time zone: each person reads their own); with ``before``, the event as it is
    saved, also the change notice this edit would send."""
    payload: dict[str, Any] = {}
    if before is not None:
        changed = EventRevision.of(event).changes_from(before) & NOTIFIED_PARTS
        payload = change_payload(before, changed)
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
        change = change_text(reader, payload, event, event.time_zone) if payload else None
        shown.append((reader.language_name(code), invitation, reminders, change))
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
        editable=editable(console, event),
        saved=_saved_notice(console, event),
    )


def _saved_notice(console: ConsoleContext, event: Event) -> Markup | None:
    """After an edit, what it caused (carried in the address the save sent the browser to)."""
    query = console.request.query
    if "changed" not in query:
        return None

    def count(name: str) -> int:
        value = query.get(name, "0")
        return int(value) if _NUMBER.match(value) else 0

    outcome = EditOutcome(
        event,
        "all",
        withdrawn=count("withdrawn"),
        changed=frozenset(part for part in query["changed"].split(",") if part != "-"),
        told=count("told"),
        invited=count("invited"),
    )
    return edit_saved_text(console.t, outcome)


def editable(console: ConsoleContext, event: Event) -> bool:
    """Coming events only: the form's start must be ahead, as in /newevent."""
    return not event.is_cancelled and event.starts_at > console.services.clock.now()


def fields_of(event: Event) -> EventFields:
    """The form prefilled with the event as it is, times local to its zone."""
    zone = ZoneInfo(event.time_zone)
    return EventFields(
        titles=dict(event.titles),
        descriptions=dict(event.descriptions),
        zone=event.time_zone,
        start=event.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        end=event.ends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        place=event.place or "",
        link=event.link or "",
        audience=tuple(event.audience),
        reminders=offsets_answer(event.reminder_offsets_s),
    )


def _as_revised(event: Event, revision: EventRevision) -> Event:
    """The event as the revision would leave it, for the previews."""
    return replace(event, **{part.name: getattr(revision, part.name) for part in fields(revision)})


async def _editable_event(console: ConsoleContext) -> Event | None:
    event = await console.services.events.get(_event_id(console))
    if event is None:
        raise web.HTTPNotFound()
    return event if editable(console, event) else None


async def _closed(console: ConsoleContext, event_id: int) -> web.StreamResponse:
    return console.render("event_closed.html", status=HTTPStatus.CONFLICT, event_id=event_id)


async def show_edit_event(console: ConsoleContext) -> web.StreamResponse:
    event = await _editable_event(console)
    if event is None:
        return await _closed(console, _event_id(console))
    return await new_event_form(
        console,
        fields_of(event),
        event=event,
        revision=event.revision,
        was=fields_of(event),
        previews=previews(event, console),
    )


async def save_event(console: ConsoleContext) -> web.StreamResponse:
    """Preview or save an edit. The revision the form was made from goes with it: if someone
    saved the event since, nothing is saved and the staff member is told who, with what they
    typed kept and the form now on the newer revision, so saving again is a choice."""
    event = await _editable_event(console)
    if event is None:
        return await _closed(console, _event_id(console))
    form = await console.form()
    typed, was = read_fields(form), read_fields(form, "was_")
    seen = form.get("revision", "")
    seen_revision = int(seen) if isinstance(seen, str) and _NUMBER.match(seen) else -1
    events = console.services.events
    revision, problem = await checked_revision(events, console.user_id, typed)
    if revision is None:
        message = (
            problem_text(console.t, problem.problem, problem.limit)
            if problem is not None
            else console.t.label("This form is closed.")
        )
        return await new_event_form(
            console,
            typed,
            (problem.field if problem is not None else "", message),
            status=HTTPStatus.BAD_REQUEST,
            event=event,
            revision=seen_revision,
            was=was,
            previews=previews(event, console),
        )
    if form.get("preview"):
        shown = previews(_as_revised(event, revision), console, before=event)
        return await new_event_form(
            console, typed, event=event, revision=seen_revision, was=was, previews=shown
        )
    try:
        outcome = await events.revise(
            event.id, revision, by=console.user_id, seen_revision=seen_revision
        )
    except ChangedMeanwhile as stale:
        await console.audit("event.edit.refused", f"#{event.id} rev={seen_revision}")
        now = fields_of(stale.current)
        return await new_event_form(
            console,
            on_top_of(now, typed, was),
            ("changed", str(changed_meanwhile(console.t, stale))),
            status=HTTPStatus.CONFLICT,
            event=stale.current,
            revision=stale.current.revision,
            was=now,
            previews=previews(stale.current, console),
        )
    if outcome is None:
        return await _closed(console, event.id)
    await console.audit("event.edit", edit_audit_subject(outcome))
    return console.see_other(
        f"/events/{event.id}",
        changed=",".join(sorted(outcome.changed)) or "-",
        told=outcome.told,
        invited=outcome.invited,
        withdrawn=outcome.withdrawn,
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
    site.get(r"/events/{id:\d+}/edit", show_edit_event, name="event.edit")
    site.post(r"/events/{id:\d+}/edit", save_event, name="event.save")
