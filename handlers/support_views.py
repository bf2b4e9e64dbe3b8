"""How support requests read, for the city and for staff: cards, fields, histories, buttons."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Route
from bot.geography import COUNTRIES_BY_CODE
from bot.i18n import Translator
from bot.support.desk import former_person, history_line
from bot.support.vocabulary import CONTACT_CHANNELS, SUPPORT_KINDS, TIME_FRAMES, TOPICS, status_name
from handlers.common import button, keyboard
from handlers.routes import (
    TRI_ASK,
    TRI_ASSIGNEES,
    TRI_FILES,
    TRI_HISTORY,
    TRI_MINE,
    TRI_NOTE,
    TRI_OPEN,
    TRI_STATUSES,
)
from storage.models import BoardCard, RequestEvent, SupportRequest

logger = logging.getLogger(__name__)

# Telegram shows about this much of a button on a phone; longer titles are cut with "…".
BUTTON_TITLE_CHARS = 32


def request_buttons(
    requests: list[SupportRequest], route: Route
) -> list[list[InlineKeyboardButton]]:
    """One button a request, "TSR-2026-0042 · title", opening it."""
    rows = []
    for request in requests:
        text = " ".join(f"{request.reference} · {request.title}".split())
        if len(text) > BUTTON_TITLE_CHARS:
            text = text[: BUTTON_TITLE_CHARS - 1] + "…"
        rows.append([button(text, route, request.id)])
    return rows


def paging_row(
    t: Translator, page: int, pages: int, route: Route, *before: Any
) -> list[InlineKeyboardButton]:
    """Previous and Next buttons; the route takes ``before``, then the page number."""
    row = []
    if page > 0:
        row.append(button(t.label("‹ Previous"), route, *before, page - 1))
    if page < pages - 1:
        row.append(button(t.label("Next ›"), route, *before, page + 1))
    return row


def choice_name(t: Translator, choices: dict[str, str], key: str | None) -> str:
    return t.label(choices[key]) if key in choices else "—"


def contact_text(t: Translator, channel: str | None, detail: str | None) -> str:
    name = choice_name(t, CONTACT_CHANNELS, channel)
    return t.label("{channel}: {detail}", channel=name, detail=detail) if detail else name


def request_fields(t: Translator, values: dict[str, Any], files: int) -> Markup:
    """The chosen options of a request or a draft, one per line."""
    return t._(
        "Topic: {topic}\nSupport wanted: {kind}\nTime frame: {time_frame}\n"
        "Preferred contact: {contact}\nAttachments: {files}",
        topic=choice_name(t, TOPICS, values.get("topic")),
        kind=choice_name(t, SUPPORT_KINDS, values.get("kind")),
        time_frame=choice_name(t, TIME_FRAMES, values.get("time_frame")),
        contact=contact_text(t, values.get("contact"), values.get("contact_detail")),
        files=t.ngettext("{count} file", "{count} files", files),
    )


def fields_of(request: SupportRequest) -> dict[str, Any]:
    return {
        "topic": request.topic,
        "kind": request.support_kind,
        "time_frame": request.time_frame,
        "contact": request.contact,
        "contact_detail": request.contact_detail,
    }


def place(t: Translator, request: SupportRequest | BoardCard) -> str:
    country = COUNTRIES_BY_CODE.get(request.country)
    return t.label(
        "{city}, {country}",
        city=t.label(request.city),
        country=t.label(country.name) if country else request.country,
    )


def staff_time(t: Translator, moment: datetime, time_zone: str) -> str:
    """A moment shown to staff, in the staff's time zone (HUBBOT_STAFF_TIME_ZONE), named."""
    return t.label(
        "{moment} ({zone})",
        moment=t.datetime(moment, time_zone),
        zone=t.time_zone_name(time_zone),
    )


def staff_card(t: Translator, request: SupportRequest, files: int, time_zone: str) -> Markup:
    """The request as staff see it in the staff chat; refreshed in place after each change."""
    return t._(
        "<b>{reference}</b>: {title}\nStatus: <b>{status}</b>\nCity: {place}\n"
        "Focal point: {name}\nAssigned to: {assignee}\nFiled: {filed}\n\n{fields}\n\n{description}",
        reference=request.reference,
        title=request.title,
        status=status_name(t, request.status),
        place=place(t, request),
        name=request.filer_name or former_person(t, staff=False),
        assignee=request.assignee_name or t.label("nobody"),
        filed=staff_time(t, request.created_at, time_zone),
        fields=request_fields(t, fields_of(request), files),
        description=request.description,
    )


def staff_history(t: Translator, request: SupportRequest, events: list[RequestEvent]) -> Markup:
    return t._(
        "<b>History of {reference}</b>\n{lines}",
        reference=request.reference,
        lines="\n".join(history_line(t, event) for event in events),
    )


def city_history_line(t: Translator, event: RequestEvent, time_zone: str) -> str:
    when = t.datetime(event.at, time_zone)
    if event.kind == "filed":
        return t.label(
            "{when}: request sent by {name}",
            when=when,
            name=event.actor_name or former_person(t, staff=False),
        )
    if event.kind == "status" and event.status == "declined" and event.text:
        return t.label("{when}: declined. Reason: {reason}", when=when, reason=event.text)
    if event.kind == "status":
        return t.label(
            "{when}: status changed to {status}",
            when=when,
            status=status_name(t, event.status or ""),
        )
    if event.kind == "question":
        return t.label("{when}: the Hub team asked: {text}", when=when, text=event.text or "")
    return t.label(
        "{when}: {name} answered: {text}",
        when=when,
        name=event.actor_name or former_person(t, staff=False),
        text=event.text or "",
    )


def city_view(
    t: Translator, request: SupportRequest, files: int, events: list[RequestEvent], time_zone: str
) -> Markup:
    return t._(
        "<b>{reference}</b>: {title}\nStatus: <b>{status}</b>\nFiled: {filed}\n\n{fields}\n\n"
        "{description}\n\n<b>History</b>\n{history}",
        reference=request.reference,
        title=request.title,
        status=status_name(t, request.status),
        filed=t.datetime(request.created_at, time_zone),
        fields=request_fields(t, fields_of(request), files),
        description=request.description,
        history="\n".join(city_history_line(t, event, time_zone) for event in events),
    )


def triage_keyboard(t: Translator, request: SupportRequest, files: int) -> InlineKeyboardMarkup:
    rows = [
        [
            button(t.label("Assign to me"), TRI_MINE, request.id, request.version),
            button(t.label("Assign…"), TRI_ASSIGNEES, request.id, request.version),
        ],
        [
            button(t.label("Status…"), TRI_STATUSES, request.id, request.version),
            button(t.label("Note"), TRI_NOTE, request.id),
        ],
        [
            button(t.label("Ask the city"), TRI_ASK, request.id, request.version),
            button(t.label("History"), TRI_HISTORY, request.id),
        ],
    ]
    if files:
        rows.append([button(t.label("Files"), TRI_FILES, request.id)])
    return keyboard(*rows)


def changed_meanwhile(t: Translator, current: SupportRequest, changed_by_name: str) -> str:
    """Why a change made on an out-of-date view was refused, and what the request is now."""
    return t.label(
        "{reference} was changed by {name} meanwhile; it is now {status}, assigned to "
        "{assignee}. Nothing was changed: look at it again and decide.",
        reference=current.reference,
        name=changed_by_name or former_person(t, staff=True),
        status=status_name(t, current.status),
        assignee=current.assignee_name or t.label("nobody"),
    )


def open_button(t: Translator, request: SupportRequest) -> InlineKeyboardButton:
    """Posts a fresh card, so the message it sits on (an answer, a digest) stays as it is."""
    return button(t.label("Open {reference}", reference=request.reference), TRI_OPEN, request.id)
