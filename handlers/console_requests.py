"""The requests board and a request's page in the staff console.

Thin handlers over the same support desk and the same staff actions as the Telegram cards
(handlers/support_actions.py): the city gets the same messages and every card is refreshed.
The board and the page stay current through server-sent events from the desk's feed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

from aiohttp import web
from babel.dates import format_timedelta

from bot.console.site import ConsoleContext, ConsoleSite
from bot.geography import COUNTRIES, COUNTRIES_BY_CODE
from bot.i18n import N_, Translator
from bot.support.desk import (
    STAFF_INPUTS,
    ChangedMeanwhile,
    InputProblem,
    former_person,
    history_line,
)
from bot.support.feed import FeedClosed, Listener, RequestChange
from bot.support.vocabulary import STATUSES, SUPPORT_KINDS, TIME_FRAMES, TOPICS, status_name
from handlers import support_actions as actions
from handlers.common import length_problem
from handlers.console_files import stream_attachment
from handlers.support_actions import Actor, Outcome
from handlers.support_views import changed_meanwhile, contact_text, place
from storage.models import BoardCard, RequestEvent, SupportRequest
from storage.support_requests import BOARD_ORDER, BoardFilter

logger = logging.getLogger(__name__)

# The board shows the longest-waiting cards of each column, then "show N more", which opens
# that column alone with up to COLUMN_CARDS cards: a page of seven columns stays light.
BOARD_PER_COLUMN = 20
COLUMN_CARDS = 200
AGE_CHOICES_DAYS = (3, 7, 14, 30)
SEARCH_MAX_CHARS = 100
# A comment line on the stream this often keeps proxies from closing it, and re-reads the
# staff member's role: someone removed from staff stops receiving changes.
KEEPALIVE_S = 15.0
_NUMBER = re.compile(r"^[0-9]{1,18}$")
CLOSED = ("completed", "declined")


@dataclass(frozen=True)
class BoardQuery:
    """The board's filters as chosen in the form (and kept in its URL)."""

    country: str | None = None
    topic: str | None = None
    assignee: int | None = None  # 0: nobody
    age_days: int | None = None
    search: str = ""
    column: str | None = None  # one status's column alone, with more of its cards

    def where(self, now: datetime) -> BoardFilter:
        filed_before = now - timedelta(days=self.age_days) if self.age_days else None
        return BoardFilter(
            status=self.column,
            country=self.country,
            topic=self.topic,
            assignee=self.assignee,
            filed_before=filed_before,
            search=self.search,
        )

    def as_query(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "topic": self.topic,
            "assignee": self.assignee,
            "age": self.age_days,
            "q": self.search or None,
            "column": self.column,
        }


def parse_board_query(query: Mapping[str, str]) -> BoardQuery:
    """Anything unknown reads as "any": a hand-edited URL never reaches the database."""
    country = query.get("country")
    topic = query.get("topic")
    assignee = query.get("assignee", "")
    age = query.get("age", "")
    column = query.get("column")
    return BoardQuery(
        country=country if country in COUNTRIES_BY_CODE else None,
        topic=topic if topic in TOPICS else None,
        assignee=int(assignee) if _NUMBER.match(assignee) else None,
        age_days=int(age) if age.isdigit() and int(age) in AGE_CHOICES_DAYS else None,
        search=" ".join(query.get("q", "").split())[:SEARCH_MAX_CHARS],
        column=column if column in BOARD_ORDER else None,
    )


@dataclass(frozen=True)
class RequestCard:
    """A request as a card on the board: every text already in the reader's language."""

    id: int
    reference: str
    title: str
    place: str
    topic: str
    urgency: str
    urgent: bool
    assignee: str
    age: str
    version: int


@dataclass(frozen=True)
class BoardColumnView:
    status: str
    name: str
    total: int
    cards: list[RequestCard]
    more_url: str | None  # the column alone, when it has more cards than shown


def card_of(t: Translator, request: SupportRequest, now: datetime) -> RequestCard:
    return CardMaker(t, now).card(request)


class CardMaker:
    """Cards for one page: each place, topic, time frame and age is put into words once (a
    board shows hundreds of cards, and most share them)."""

    def __init__(self, t: Translator, now: datetime) -> None:
        self._t = t
        self._now = now
        self._words: dict[tuple[str, str], str] = {}

    def _once(self, kind: str, key: str, make: Callable[[], str]) -> str:
        found = self._words.get((kind, key))
        if found is None:
            found = self._words[kind, key] = make()
        return found

    def card(self, request: SupportRequest | BoardCard) -> RequestCard:
        t = self._t
        waited = self._now - request.created_at
        # Rounded as the words will be: to the day, else the hour, else the minute.
        rounded = (
            timedelta(days=waited.days)
            if waited.days
            else timedelta(hours=waited.seconds // 3600)
            if waited.seconds >= 3600
            else timedelta(minutes=max(1, waited.seconds // 60))
        )
        return RequestCard(
            id=request.id,
            reference=request.reference,
            title=request.title,
            place=self._once(
                "place", f"{request.country}/{request.city}", lambda: place(t, request)
            ),
            topic=self._once(
                "topic", request.topic, lambda: t.label(TOPICS.get(request.topic, request.topic))
            ),
            urgency=self._once(
                "urgency",
                request.time_frame,
                lambda: t.label(TIME_FRAMES.get(request.time_frame, request.time_frame)),
            ),
            urgent=request.time_frame == "urgent",
            assignee=request.assignee_name or "—",
            age=self._once(
                "age",
                str(rounded),
                lambda: format_timedelta(
                    rounded, threshold=1.0, locale=t.locale, add_direction=False
                ),
            ),
            version=request.version,
        )


async def _columns(console: ConsoleContext, query: BoardQuery) -> list[BoardColumnView]:
    t = console.t
    now = console.services.clock.now()
    per_column = COLUMN_CARDS if query.column else BOARD_PER_COLUMN
    columns = await console.services.support.board(query.where(now), per_column=per_column)
    cards = CardMaker(t, now)
    return [
        BoardColumnView(
            column.status,
            status_name(t, column.status),
            column.total,
            [cards.card(request) for request in column.requests],
            more_url=None
            if query.column or column.total <= len(column.requests)
            else console.url("/requests", **{**query.as_query(), "column": column.status}),
        )
        for column in columns
        if query.column in (None, column.status)
    ]


async def _staff_choices(console: ConsoleContext) -> list[tuple[int, str]]:
    staff = await console.services.accounts.list_staff()
    return [
        (
            listing.member.user_id,
            listing.user.display_name if listing.user else str(listing.member.user_id),
        )
        for listing in staff
    ]


# -- the board --------------------------------------------------------------------------------


async def board(console: ConsoleContext) -> web.StreamResponse:
    query = parse_board_query(console.request.query)
    t = console.t
    return console.render(
        "requests_board.html",
        columns=await _columns(console, query),
        requests_url=console.url("/requests"),
        query=query,
        fragment_url=console.url("/requests/board", **query.as_query()),
        all_columns_url=console.url("/requests", **{**query.as_query(), "column": None}),
        stream_url=console.url("/requests/stream"),
        countries=[(c.code, t.label(c.name)) for c in COUNTRIES],
        topics=[(key, t.label(name)) for key, name in TOPICS.items()],
        staff=await _staff_choices(console),
        ages=AGE_CHOICES_DAYS,
    )


async def board_columns(console: ConsoleContext) -> web.StreamResponse:
    """The columns alone, for the board page to swap in when a request changes."""
    query = parse_board_query(console.request.query)
    return console.render(
        "requests_columns.html",
        columns=await _columns(console, query),
        requests_url=console.url("/requests"),
    )


async def changes(console: ConsoleContext) -> web.StreamResponse:
    """Server-sent events: one ``change`` per request change, whichever way it was made."""
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx: pass each event on at once
        }
    )
    # Listening before the page learns the stream is open: the page then fetches what it
    # shows once more, and nothing can change unseen in between.
    async with console.services.support.feed.listen() as listener:
        try:
            await response.prepare(console.request)
            await response.write(b"retry: 2000\n\n")
            await _relay(console, listener, response)
        except ConnectionResetError:
            pass  # the page was closed or went elsewhere
    return response


async def _relay(console: ConsoleContext, listener: Listener, response: web.StreamResponse) -> None:
    while True:
        try:
            change = await asyncio.wait_for(listener.next(), KEEPALIVE_S)
        except TimeoutError:
            if not await console.still_signed_in():
                return
            await response.write(b": keepalive\n\n")
            continue
        except FeedClosed:
            return
        await response.write(_event(change))


def _event(change: RequestChange | None) -> bytes:
    if change is None:
        # Changes were lost (this page fell behind): it reloads what it shows.
        return b"event: reload\ndata: {}\n\n"
    data = {
        "id": change.request_id,
        "reference": change.reference,
        "kind": change.kind,
        "status": change.status,
        "version": change.version,
    }
    return f"event: change\ndata: {json.dumps(data)}\n\n".encode()


# -- a request's page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    kind: str  # filed | status | assigned | note | question | answer: how the page marks it
    text: str


def history_of(t: Translator, events: list[RequestEvent], time_zone: str) -> list[HistoryLine]:
    """The whole history, notes included, each at the reader's own time."""
    return [
        HistoryLine(event.kind, history_line(t, event, when=t.datetime(event.at, time_zone)))
        for event in events
    ]


def _request_id(console: ConsoleContext) -> int:
    text = console.request.match_info["id"]
    if not _NUMBER.match(text):
        raise web.HTTPNotFound()
    return int(text)


async def request_page(
    console: ConsoleContext,
    *,
    problem: str | None = None,
    typed: Mapping[str, str] | None = None,
    status: int = HTTPStatus.OK,
) -> web.StreamResponse:
    request_id = _request_id(console)
    details = await console.services.support.details(request_id)
    if details is None:
        raise web.HTTPNotFound()
    t = console.t
    request = details.request
    now = console.services.clock.now()
    done = console.request.query.get("done", "")
    return console.render(
        "request.html",
        status=status,
        request=request,
        card=card_of(t, request, now),
        status_name=status_name(t, request.status),
        kind=t.label(SUPPORT_KINDS.get(request.support_kind, request.support_kind)),
        contact=contact_text(t, request.contact, request.contact_detail),
        filer=request.filer_name or former_person(t, staff=False),
        filed=t.datetime(request.created_at, console.time_zone),
        history=history_of(t, details.events, console.time_zone),
        files=[
            (position, attachment.file_name or attachment.kind)
            for position, attachment in enumerate(details.attachments)
        ],
        statuses=[(s, status_name(t, s)) for s in STATUSES if s != request.status],
        staff=await _staff_choices(console),
        done=_done_message(t, done, console.request.query.get("reached", "")),
        problem=problem,
        typed=typed or {},
        history_url=console.url(f"/requests/{request.id}/history"),
        stream_url=console.url("/requests/stream"),
    )


async def show_request(console: ConsoleContext) -> web.StreamResponse:
    return await request_page(console)


async def history_fragment(console: ConsoleContext) -> web.StreamResponse:
    details = await console.services.support.details(_request_id(console))
    if details is None:
        raise web.HTTPNotFound()
    t = console.t
    return console.render(
        "request_history.html",
        history=history_of(t, details.events, console.time_zone),
        request=details.request,
        status_name=status_name(t, details.request.status),
    )


DONE_MESSAGES = {
    "assigned": N_("Assigned."),
    "status": N_("Status changed; the city was told."),
    "note": N_("Note added."),
    "unchanged": N_("Nothing changed."),
}


def _done_message(t: Translator, done: str, reached: str) -> str | None:
    if done in ("question", "declined"):
        count = int(reached) if reached.isdigit() else 0
        if count == 0:
            return t.label("Recorded, but no focal point of the city could be reached.")
        return str(
            t.ngettext(
                "Recorded and sent to {count} focal point of the city.",
                "Recorded and sent to {count} focal points of the city.",
                count,
            )
        )
    message = DONE_MESSAGES.get(done)
    return t.label(message) if message else None


# -- the staff actions: the same calls as the Telegram cards ------------------------------------


def _actor(console: ConsoleContext) -> Actor:
    return Actor(console.user_id, console.me.user.display_name)


def _seen_version(form: Mapping[str, Any]) -> int | None:
    value = form.get("version")
    return int(value) if isinstance(value, str) and _NUMBER.match(value) else None


async def _bot(console: ConsoleContext) -> Any:
    bot = console.services.telegram
    if bot is None:
        raise web.HTTPServiceUnavailable()
    return bot


async def _after(
    console: ConsoleContext, request_id: int, done: str, **query: Any
) -> web.StreamResponse:
    return console.see_other(f"/requests/{request_id}", done=done, **query)


async def _stale(
    console: ConsoleContext, stale: ChangedMeanwhile, typed: Mapping[str, str]
) -> web.StreamResponse:
    text = changed_meanwhile(console.t, stale.current, stale.changed_by_name)
    return await request_page(console, problem=text, typed=typed, status=HTTPStatus.CONFLICT)


async def assign(console: ConsoleContext) -> web.StreamResponse:
    request_id = _request_id(console)
    form = await console.form()
    chosen = form.get("assignee", "")
    assignee = int(chosen) if isinstance(chosen, str) and _NUMBER.match(chosen) else 0
    try:
        result = await actions.assign(
            await _bot(console),
            console.services,
            _actor(console),
            request_id,
            assignee or None,
            seen_version=_seen_version(form),
        )
    except ChangedMeanwhile as stale:
        return await _stale(console, stale, {})
    return await _outcome(console, request_id, result.outcome, "assigned", result.request)


async def change_status(console: ConsoleContext) -> web.StreamResponse:
    request_id = _request_id(console)
    form = await console.form()
    status = form.get("status")
    if not isinstance(status, str) or status not in STATUSES:
        return await request_page(console, status=HTTPStatus.BAD_REQUEST)
    if status == "declined":
        reason = form.get("reason", "")
        return await _typed(
            console, request_id, "decline", reason if isinstance(reason, str) else "", form
        )
    try:
        result = await actions.change_status(
            await _bot(console),
            console.services,
            _actor(console),
            request_id,
            status,
            seen_version=_seen_version(form),
        )
    except ChangedMeanwhile as stale:
        return await _stale(console, stale, {})
    return await _outcome(console, request_id, result.outcome, "status", result.request)


async def _outcome(
    console: ConsoleContext,
    request_id: int,
    outcome: Outcome,
    done: str,
    request: SupportRequest | None,
) -> web.StreamResponse:
    if outcome is Outcome.GONE:
        raise web.HTTPNotFound()
    if outcome is Outcome.NOT_STAFF:
        return await request_page(
            console,
            problem=console.t.label("Only hub staff can be assigned."),
            status=HTTPStatus.BAD_REQUEST,
        )
    if outcome is Outcome.UNCHANGED:
        return await _after(console, request_id, "unchanged")
    assert request is not None
    await console.audit(f"request.{done}", _subject(request))
    return await _after(console, request_id, done)


def _subject(request: SupportRequest) -> str:
    assignee = f" → {request.assignee}" if request.assignee else ""
    return f"{request.reference} {request.status}{assignee} v{request.version}"


async def add_note(console: ConsoleContext) -> web.StreamResponse:
    form = await console.form()
    text = form.get("text", "")
    return await _typed(
        console, _request_id(console), "note", text if isinstance(text, str) else "", form
    )


async def ask_city(console: ConsoleContext) -> web.StreamResponse:
    form = await console.form()
    text = form.get("text", "")
    return await _typed(
        console, _request_id(console), "question", text if isinstance(text, str) else "", form
    )


async def _typed(
    console: ConsoleContext, request_id: int, action: str, text: str, form: Mapping[str, Any]
) -> web.StreamResponse:
    assert action in STAFF_INPUTS
    outcome, reached = await actions.record_text(
        await _bot(console),
        console.services,
        _actor(console),
        request_id,
        action,
        text,
        seen_version=_seen_version(form),
    )
    typed = {action: text}
    if outcome.problem is InputProblem.GONE:
        raise web.HTTPNotFound()
    if outcome.problem is InputProblem.CHANGED_MEANWHILE:
        assert outcome.request is not None
        problem = changed_meanwhile(console.t, outcome.request, outcome.changed_by_name)
        return await request_page(console, problem=problem, typed=typed, status=HTTPStatus.CONFLICT)
    if outcome.problem is not None:
        problem = str(
            length_problem(
                console.t,
                too_short=outcome.problem is InputProblem.TOO_SHORT,
                limit=outcome.limit or 0,
            )
        )
        return await request_page(
            console, problem=problem, typed=typed, status=HTTPStatus.BAD_REQUEST
        )
    request = outcome.request
    assert request is not None
    if action == "note":
        await console.audit("request.note", request.reference)
        return await _after(console, request_id, "note")
    if action == "decline" and not outcome.changed:
        return await _after(console, request_id, "unchanged")
    await console.audit(f"request.{action}", _subject(request))
    done = "question" if action == "question" else "declined"
    return await _after(console, request_id, done, reached=reached)


async def request_file(console: ConsoleContext) -> web.StreamResponse:
    details = await console.services.support.details(_request_id(console))
    position = console.request.match_info["position"]
    if details is None or not position.isdigit() or int(position) >= len(details.attachments):
        raise web.HTTPNotFound()
    return await stream_attachment(console, await _bot(console), details.attachments[int(position)])


def register(site: ConsoleSite) -> None:
    site.get("/requests", board, name="requests", nav=N_("Support requests"))
    site.get("/requests/board", board_columns, name="requests.board")
    site.get("/requests/stream", changes, name="requests.stream")
    site.get(r"/requests/{id:\d+}", show_request, name="request")
    site.get(r"/requests/{id:\d+}/history", history_fragment, name="request.history")
    site.get(r"/requests/{id:\d+}/files/{position:\d+}", request_file, name="request.file")
    site.post(r"/requests/{id:\d+}/assign", assign, name="request.assign")
    site.post(r"/requests/{id:\d+}/status", change_status, name="request.status")
    site.post(r"/requests/{id:\d+}/note", add_note, name="request.note")
    site.post(r"/requests/{id:\d+}/ask", ask_city, name="request.ask")
