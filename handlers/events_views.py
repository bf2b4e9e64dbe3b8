"""How events read: cards, their buttons, notices, rosters and the staff's summaries."""

from __future__ import annotations

import enum
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time, format_timedelta
from markupsafe import Markup, escape
from telegram import InlineKeyboardMarkup

from bot.events import (
    AnswerOutcome,
    AnswerStatus,
    ChangedMeanwhile,
    EditOutcome,
    Roster,
    draft_times,
    languages_given,
)
from bot.events.calendar import localized
from bot.events.form import Problem
from bot.forms import FormProblem, StepOutcome
from bot.geography import COUNTRIES_BY_CODE
from bot.i18n import N_, Translator
from handlers.common import (
    button,
    keyboard,
)
from handlers.forms import ProblemText
from handlers.routes import (
    EV_CALENDAR,
    EV_REMINDERS,
    EV_RSVP,
    EVS_ANNOUNCE,
    EVS_CANCEL,
    EVS_EDIT,
    EVS_MANAGE,
)
from storage.models import Event, EventNotice, Rsvp


def title_of(event: Event, t: Translator) -> str:
    return localized(event.titles, t.language)[0]


def when_text(t: Translator, event: Event, time_zone: str) -> Markup:
    """Start and end in the reader's zone and language, with the zone's name."""
    return period_text(t, event.starts_at, event.ends_at, time_zone)


def period_text(t: Translator, starts_at: datetime, ends_at: datetime, time_zone: str) -> Markup:
    """'4 December 2026, 14:17 to 16:17 (Morocco Time)': a same-day end is a time alone."""
    zone = ZoneInfo(time_zone)
    end = ends_at.astimezone(zone)
    same_day = starts_at.astimezone(zone).date() == end.date()
    return t._(
        "{start} to {end} ({zone})",
        start=t.datetime(starts_at, time_zone),
        end=format_time(end, "short", locale=t.locale) if same_day else t.datetime(end, time_zone),
        zone=t.time_zone_name(time_zone),
    )


def where_text(t: Translator, place: str | None, link: str | None) -> Markup:
    if place and link:
        return t._("{place}, and online: {link}", place=place, link=link)
    if link:
        return t._("Online: {link}", link=link)
    return escape(place or "—")


def details(t: Translator, event: Event, time_zone: str) -> Markup:
    """Title, description (with a note when not in the reader's language), time and place."""
    title, title_language = localized(event.titles, t.language)
    description, _ = localized(event.descriptions, title_language)
    lines = [t._("<b>{title}</b>", title=title)]
    if description:
        lines.append(escape(description))
    if title_language != t.language:
        lines.append(
            t._(
                "<i>There is no {missing} version of this event; it is shown in {shown}.</i>",
                missing=t.language_name(t.language),
                shown=t.language_name(title_language),
            )
        )
    lines.append(t._("🗓 {when}", when=when_text(t, event, time_zone)))
    lines.append(t._("📍 {where}", where=where_text(t, event.place, event.link)))
    return Markup("\n").join(lines)


def answer_line(t: Translator, rsvp: Rsvp | None) -> Markup | None:
    if rsvp is None:
        return None
    if rsvp.answer == "no":
        return t._("Your answer: not going.")
    if rsvp.answer == "going":
        if rsvp.reminders_on:
            return t._("Your answer: going.")
        return t._("Your answer: going. Reminders are off for this event.")
    if rsvp.reminders_on:
        return t._("Your answer: maybe.")
    return t._("Your answer: maybe. Reminders are off for this event.")


def card(t: Translator, event: Event, rsvp: Rsvp | None, time_zone: str) -> Markup:
    lines = [details(t, event, time_zone)]
    if event.is_cancelled:
        lines.append(t._("🚫 <b>This event is cancelled.</b>"))
    else:
        answer = answer_line(t, rsvp)
        if answer is not None:
            lines.append(answer)
    return Markup("\n\n").join(lines)


def card_keyboard(
    t: Translator, event: Event, rsvp: Rsvp | None, *, staff: bool
) -> InlineKeyboardMarkup:
    rows: list[list[Any]] = []
    if not event.is_cancelled:
        rows.append(
            [
                button(t.label("✅ Going"), EV_RSVP, event.id, "going"),
                button(t.label("🤔 Maybe"), EV_RSVP, event.id, "maybe"),
                button(t.label("❌ Not going"), EV_RSVP, event.id, "no"),
            ]
        )
    second = [button(t.label("📅 Add to calendar"), EV_CALENDAR, event.id)]
    if rsvp is not None and rsvp.is_attending and not event.is_cancelled:
        second.append(reminder_button(t, event, rsvp))
    rows.append(second)
    if staff:
        rows.append([button(t.label("⚙ Manage"), EVS_MANAGE, event.id)])
    return keyboard(*rows)


def reminder_button(t: Translator, event: Event, rsvp: Rsvp) -> Any:
    if rsvp.reminders_on:
        return button(t.label("🔕 Turn reminders off"), EV_REMINDERS, event.id, "off")
    return button(t.label("🔔 Turn reminders on"), EV_REMINDERS, event.id, "on")


def refusal_text(t: Translator, outcome: AnswerOutcome) -> str:
    if outcome.status is AnswerStatus.CANCELLED:
        return t.label("This event is cancelled.")
    if outcome.status is AnswerStatus.OVER:
        return t.label("This event is over.")
    if outcome.status is AnswerStatus.NOT_INVITED:
        return t.label("This event is not open to your country.")
    return t.label("This event no longer exists.")


def saved_text(t: Translator, rsvp: Rsvp) -> str:
    if rsvp.answer == "going":
        return t.label("Saved: you are going. You will get reminders before it starts.")
    if rsvp.answer == "maybe":
        return t.label("Saved: maybe. You will get reminders before it starts.")
    return t.label("Saved: you are not going.")


def notice_text(
    t: Translator, notice: EventNotice, event: Event, time_zone: str, now: datetime
) -> Markup:
    title = title_of(event, t)
    if notice.kind == "reminder":
        relative = format_timedelta(
            event.starts_at - now, add_direction=True, locale=t.locale, threshold=1.1
        )
        head = t._("⏰ Reminder: <b>{title}</b> starts {relative}.", title=title, relative=relative)
        return Markup("\n\n").join([head, details(t, event, time_zone)])
    if notice.kind == "invitation":
        head = t._("📣 The Hub invites you to an event. Will you come?")
        return Markup("\n\n").join([head, details(t, event, time_zone)])
    return change_text(t, notice.payload, event, time_zone)


def change_text(t: Translator, payload: dict[str, Any], event: Event, time_zone: str) -> Markup:
    """A change notice: what is new and what it was, for each part that changed."""
    title = title_of(event, t)
    if payload.get("cancelled"):
        return t._(
            "🚫 <b>{title}</b>, planned for {when}, is cancelled.",
            title=title,
            when=when_text(t, event, time_zone),
        )
    if payload.get("uninvited"):
        return t._(
            "ℹ️ <b>{title}</b> ({when}) is no longer open to your country, so it no longer "
            "concerns you and your answer was withdrawn. Nothing more will be sent about it.",
            title=title,
            when=when_text(t, event, time_zone),
        )
    parts = [part for part in ("old_starts_at", "old_place", "old_titles") if part in payload]
    if parts == ["old_starts_at"]:
        return t._(
            "📢 <b>{title}</b> has moved.\nNew time: {when}\nIt was: {old_when}",
            title=title,
            when=when_text(t, event, time_zone),
            old_when=when_text(t, _moved(event, payload), time_zone),
        )
    if parts == ["old_place"]:
        return t._(
            "📢 <b>{title}</b> has a new place.\nNew place: {where}\nIt was: {old_where}",
            title=title,
            where=where_text(t, event.place, event.link),
            old_where=where_text(t, payload.get("old_place"), payload.get("old_link")),
        )
    lines = [t._("📢 <b>{title}</b> has changed.", title=title)]
    if "old_titles" in payload:
        lines.append(
            t._(
                "It was called: {old_title}",
                old_title=title_of(replace(event, titles=payload["old_titles"]), t),
            )
        )
    if "old_starts_at" in payload:
        lines.append(
            t._(
                "New time: {when}\nIt was: {old}",
                when=when_text(t, event, time_zone),
                old=when_text(t, _moved(event, payload), time_zone),
            )
        )
    if "old_place" in payload:
        lines.append(
            t._(
                "New place: {where}\nIt was: {old}",
                where=where_text(t, event.place, event.link),
                old=where_text(t, payload.get("old_place"), payload.get("old_link")),
            )
        )
    return Markup("\n\n").join(lines)


def _moved(event: Event, payload: dict[str, Any]) -> Event:
    return replace(
        event,
        starts_at=datetime.fromisoformat(payload["old_starts_at"]),
        ends_at=datetime.fromisoformat(payload["old_ends_at"]),
    )


def notice_keyboard(
    t: Translator, notice: EventNotice, event: Event, rsvp: Rsvp | None
) -> InlineKeyboardMarkup | None:
    if event.is_cancelled or notice.payload.get("uninvited"):
        return None
    if notice.kind == "invitation":
        return card_keyboard(t, event, rsvp, staff=False)
    rows = [[button(t.label("📅 Add to calendar"), EV_CALENDAR, event.id)]]
    if notice.kind == "reminder" and rsvp is not None:
        rows[0].append(reminder_button(t, event, rsvp))
    return keyboard(*rows)


def offset_text(t: Translator, seconds: int) -> str:
    """'7 days', '1 hour', '90 minutes': exact, in the reader's language."""
    for unit_s in (86_400, 3_600, 60):
        if seconds % unit_s == 0:
            # Babel picks the largest unit reaching the threshold: ours, by construction.
            return format_timedelta(
                timedelta(seconds=seconds), threshold=seconds // unit_s, locale=t.locale
            )
    return format_timedelta(timedelta(seconds=seconds), locale=t.locale)


def offsets_text(t: Translator, offsets: list[int] | tuple[int, ...]) -> str:
    if not offsets:
        return t.label("no reminders")
    return t.list(offset_text(t, offset) for offset in offsets)


def audience_text(t: Translator, audience: list[str] | tuple[str, ...]) -> str:
    if not audience:
        return t.label("everyone")
    names = [t.label(COUNTRIES_BY_CODE[code].name) for code in audience]
    return t.list(names)


def summary(t: Translator, data: dict[str, Any]) -> Markup:
    lines = texts_lines(t, data)
    start, end = draft_times(data)
    zone = data.get("zone", "UTC")
    if start is not None and end is not None:
        lines.append(t._("🗓 {when}", when=period_text(t, start, end, zone)))
    lines.append(t._("📍 {where}", where=where_text(t, data.get("place"), data.get("link"))))
    lines.append(t._("Invited: {audience}", audience=audience_text(t, data.get("audience", []))))
    lines.append(t._("Reminders: {offsets}", offsets=offsets_text(t, data.get("offsets", []))))
    return Markup("\n\n").join(lines)


def text_line(t: Translator, language: str, title: str, description: str) -> Markup:
    return t._(
        "{language}: <b>{title}</b>\n{description}",
        language=t.language_name(language),
        title=title,
        description=description or "—",
    )


def texts_lines(t: Translator, data: dict[str, Any]) -> list[Markup]:
    return [text_line(t, language, *data["texts"][language]) for language in languages_given(data)]


def roster_text(t: Translator, roster: Roster, time_zone: str) -> Markup:
    event = roster.event
    parts = [card(t, event, None, time_zone)]
    for answer, heading in (
        ("going", t._("<b>Going: {count}</b>", count=roster.count("going"))),
        ("maybe", t._("<b>Maybe: {count}</b>", count=roster.count("maybe"))),
        ("no", t._("<b>Not going: {count}</b>", count=roster.count("no"))),
    ):
        lines = [heading]
        for entry in roster.entries:
            if entry.rsvp.answer != answer:
                continue
            name = entry.user.display_name if entry.user else str(entry.rsvp.user_id)
            if entry.focal_point is not None:
                lines.append(
                    t._(
                        "• {name}, {city} ({country})",
                        name=entry.focal_point.full_name,
                        city=t.label(entry.focal_point.city),
                        country=t.label(COUNTRIES_BY_CODE[entry.focal_point.country].name)
                        if entry.focal_point.country in COUNTRIES_BY_CODE
                        else entry.focal_point.country,
                    )
                )
            else:
                lines.append(t._("• {name}", name=name))
        parts.append(Markup("\n").join(lines))
    parts.append(
        t._("Invited: {audience}", audience=audience_text(t, event.audience))
        + Markup("\n")
        + t._("Reminders: {offsets}", offsets=offsets_text(t, event.reminder_offsets_s))
    )
    return Markup("\n\n").join(parts)


def manage_keyboard(t: Translator, event: Event) -> InlineKeyboardMarkup | None:
    if event.is_cancelled:
        return None
    return keyboard(
        [
            button(t.label("✏ Change time"), EVS_EDIT, "time", event.id),
            button(t.label("✏ Change place"), EVS_EDIT, "place", event.id),
        ],
        [
            button(t.label("✏ Change text"), EVS_EDIT, "texts", event.id),
            button(t.label("✏ Change reminders"), EVS_EDIT, "reminders", event.id),
        ],
        [
            button(t.label("✏ Change audience"), EVS_EDIT, "audience", event.id),
            button(t.label("📣 Announce"), EVS_ANNOUNCE, event.id),
        ],
        [button(t.label("🚫 Cancel event"), EVS_CANCEL, event.id)],
    )


# What the event forms say to a refused answer (the /newevent chat and the console).
def _title_too_short(t: Translator, outcome: StepOutcome) -> Markup:
    return t.ngettext(
        "The title is too short: please use at least {count} character.",
        "The title is too short: please use at least {count} characters.",
        outcome.limit or 0,
    )


def _too_long_event(t: Translator, outcome: StepOutcome) -> Markup:
    return t.ngettext(
        "An event can last at most {count} day.",
        "An event can last at most {count} days.",
        outcome.limit or 0,
    )


PROBLEMS: dict[enum.Enum, ProblemText] = {
    FormProblem.TOO_SHORT: _title_too_short,
    Problem.NO_TITLE: N_("An event needs a title in at least one language. Let us start again."),
    Problem.LAST_TITLE: N_(
        "An event needs a title in at least one language, so this one cannot be removed."
    ),
    Problem.BAD_ZONE: N_("That is not a time zone I know. Type a name such as Africa/Tunis."),
    Problem.BAD_DATE: N_("I cannot read that date. Write it like 2026-06-16 10:00."),
    Problem.NO_SUCH_TIME: N_(
        "That time does not exist in this time zone (the clocks skip it). Choose another."
    ),
    Problem.IN_PAST: N_("That moment has already passed. Give a future date and time."),
    Problem.END_BEFORE_START: N_("The end must be after the start."),
    Problem.TOO_LONG_EVENT: _too_long_event,
    Problem.BAD_PLACE: N_(
        "Please type a place (2 to 200 characters), an online link starting with "
        "https://, or both on two lines."
    ),
    Problem.BAD_REMINDERS: N_(
        "I cannot read those reminders. Type up to five, between 5 minutes and 60 days "
        "before the start, like: 7d 1d 1h 30m (or: none)."
    ),
}


def edit_saved_text(t: Translator, outcome: EditOutcome) -> Markup:
    """What a saved edit caused, one whole sentence a line (the chat and the console)."""
    if not outcome.changed:
        return t._("Nothing was changed: the event is as it was.")
    lines: list[Markup] = []
    if outcome.told:
        lines.append(
            t.ngettext(
                "Saved. {count} person invited who has not declined is being told of the change.",
                "Saved. {count} people invited who have not declined are being told of the change.",
                outcome.told,
            )
        )
    if outcome.invited:
        lines.append(
            t.ngettext(
                "{count} focal point the new audience includes is being invited.",
                "{count} focal points the new audience includes are being invited.",
                outcome.invited,
            )
        )
    if outcome.withdrawn:
        lines.append(
            t.ngettext(
                "{count} answer was withdrawn: those no longer invited who were coming are "
                "told it no longer concerns them.",
                "{count} answers were withdrawn: those no longer invited who were coming are "
                "told it no longer concerns them.",
                outcome.withdrawn,
            )
        )
    if not lines:
        lines.append(t._("Saved. Nobody is notified of this change."))
    elif not outcome.told:
        lines.insert(0, t._("Saved."))
    return Markup("\n").join(lines)


def changed_meanwhile(t: Translator, stale: ChangedMeanwhile) -> Markup:
    """Why an edit made on an older revision was refused, and what the event is now."""
    return t._(
        "{name} changed this event meanwhile; it is now {title}, {when}. Nothing was saved: "
        "look at it again and make your change.",
        name=stale.changed_by_name or t.label("another staff member"),
        title=title_of(stale.current, t),
        when=when_text(t, stale.current, stale.current.time_zone),
    )


def edit_audit_subject(outcome: EditOutcome) -> str:
    """An edit as the audit log records it: the event, the revision, what changed."""
    changed = " ".join(sorted(outcome.changed)) or "nothing"
    return f"#{outcome.event.id} rev={outcome.event.revision} {changed} told={outcome.told}"
