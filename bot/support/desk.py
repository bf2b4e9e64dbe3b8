"""The support desk: staff triage, the city's view of its requests, digests and exports."""

from __future__ import annotations

import asyncio
import csv
import enum
import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.geography import COUNTRIES_BY_CODE
from bot.i18n import Translator
from bot.support.vocabulary import (
    CONTACT_CHANNELS,
    STATUSES,
    SUPPORT_KINDS,
    TIME_FRAMES,
    TOPICS,
    status_name,
)
from storage.drafts import DraftRepository
from storage.models import Draft, FocalPoint, RequestAttachment, RequestEvent, SupportRequest
from storage.support_requests import RequestFilter, RequestPage, SupportRequestRepository

# Staff typing a note, a question or a decline reason; a city typing its answer. Each is a
# one-step form kept in the drafts table, so it survives a restart like the big form.
STAFF_INPUT_FLOW = "triage"
STAFF_INPUTS = ("note", "question", "decline")
CITY_ANSWER_FLOW = "request_answer"
TEXT_LIMITS = (2, 2000)
# A request the city spoke on last, untouched by staff for longer than this, is in the digest.
RESPONSE_DUE = timedelta(days=3)


class InputProblem(enum.Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    GONE = "gone"


@dataclass(frozen=True)
class InputOutcome:
    """What became of a typed note, question, reason or answer."""

    request: SupportRequest | None
    action: str = ""
    problem: InputProblem | None = None
    limit: int | None = None
    changed: bool = True


@dataclass(frozen=True)
class RequestDetails:
    request: SupportRequest
    attachments: list[RequestAttachment]
    events: list[RequestEvent]


def may_see(focal_point: FocalPoint | None, request: SupportRequest) -> bool:
    """Only a verified focal point of the request's own city ever sees it."""
    return (
        focal_point is not None
        and focal_point.is_verified
        and focal_point.country == request.country
        and focal_point.city == request.city
    )


class SupportDesk:
    def __init__(
        self, *, requests: SupportRequestRepository, drafts: DraftRepository, clock: Clock
    ) -> None:
        self._requests = requests
        self._drafts = drafts
        self._clock = clock

    # -- reading ------------------------------------------------------------------------------

    async def get(self, request_id: int) -> SupportRequest | None:
        return await self._requests.get(request_id)

    async def details(self, request_id: int) -> RequestDetails | None:
        request = await self._requests.get(request_id)
        if request is None:
            return None
        return RequestDetails(
            request,
            await self._requests.attachments(request_id),
            await self._requests.events(request_id),
        )

    async def for_city(self, focal_point: FocalPoint, request_id: int) -> RequestDetails | None:
        """A request as its city sees it (no internal notes); None for any other city's."""
        details = await self.details(request_id)
        if details is None or not may_see(focal_point, details.request):
            return None
        events = [event for event in details.events if not event.is_internal]
        return RequestDetails(details.request, details.attachments, events)

    async def city_page(self, focal_point: FocalPoint, *, page: int, size: int) -> RequestPage:
        if not focal_point.is_verified:
            return RequestPage([], 0)
        return await self._requests.for_city(
            focal_point.country, focal_point.city, limit=size, offset=page * size
        )

    async def search(self, where: RequestFilter, *, page: int, size: int) -> RequestPage:
        return await self._requests.search(where, limit=size, offset=page * size)

    async def city_contacts(self, request: SupportRequest) -> list[int]:
        """Who hears about a request: every approved focal point of its city."""
        return await self._requests.city_focal_points(request.country, request.city)

    # -- staff actions ------------------------------------------------------------------------

    async def change_status(
        self, request_id: int, status: str, *, staff_id: int, reason: str | None = None
    ) -> SupportRequest | None:
        """None when nothing changed (already in that status, or no such request)."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        return await self._requests.change_status(
            request_id, status, actor=staff_id, reason=reason, now=self._clock.now()
        )

    async def assign(
        self, request_id: int, assignee: int | None, *, staff_id: int
    ) -> SupportRequest | None:
        return await self._requests.assign(
            request_id, assignee, actor=staff_id, now=self._clock.now()
        )

    async def add_copy(self, request_id: int, *, chat_id: int, message_id: int) -> None:
        await self._requests.add_copy(request_id, chat_id=chat_id, message_id=message_id)

    async def copies(self, request_id: int) -> list[tuple[int, int]]:
        return await self._requests.copies(request_id)

    # -- typed input: staff notes, questions, reasons; the city's answers ------------------

    async def await_staff_input(self, staff_id: int, action: str, request_id: int) -> Draft:
        if action not in STAFF_INPUTS:
            raise ValueError(f"unknown staff input {action!r}")
        return await self._drafts.save(
            user_id=staff_id,
            flow=STAFF_INPUT_FLOW,
            step=action,
            data={"request_id": request_id},
            now=self._clock.now(),
        )

    async def cancel_staff_input(self, staff_id: int) -> None:
        await self._drafts.delete(staff_id, STAFF_INPUT_FLOW)

    async def staff_input(self, staff_id: int, text: str) -> InputOutcome:
        draft = await self._drafts.get(staff_id, STAFF_INPUT_FLOW)
        if draft is None:
            return InputOutcome(None, problem=InputProblem.GONE)
        request = await self._requests.get(int(draft.data["request_id"]))
        if request is None:
            await self.cancel_staff_input(staff_id)
            return InputOutcome(None, draft.step, InputProblem.GONE)
        problem = _text_problem(text)
        if problem is not None:
            return InputOutcome(request, draft.step, *problem)
        value = text.strip()
        now = self._clock.now()
        await self.cancel_staff_input(staff_id)
        if draft.step == "note":
            await self._requests.add_note(request.id, actor=staff_id, text=value, now=now)
            return InputOutcome(request, "note")
        if draft.step == "question":
            asked = await self._requests.ask_city(
                request.id, actor=staff_id, question=value, now=now
            )
            if asked is None:
                return InputOutcome(None, "question", InputProblem.GONE)
            return InputOutcome(asked, "question")
        declined = await self._requests.change_status(
            request.id, "declined", actor=staff_id, reason=value, now=now
        )
        return InputOutcome(declined or request, "decline", changed=declined is not None)

    async def await_city_answer(self, focal_point: FocalPoint, request_id: int) -> Draft | None:
        request = await self._requests.get(request_id)
        if request is None or not may_see(focal_point, request):
            return None
        return await self._drafts.save(
            user_id=focal_point.user_id,
            flow=CITY_ANSWER_FLOW,
            step="answer",
            data={"request_id": request_id},
            now=self._clock.now(),
        )

    async def cancel_city_answer(self, user_id: int) -> None:
        await self._drafts.delete(user_id, CITY_ANSWER_FLOW)

    async def city_answer(self, focal_point: FocalPoint | None, text: str) -> InputOutcome:
        if focal_point is None:
            return InputOutcome(None, problem=InputProblem.GONE)
        draft = await self._drafts.get(focal_point.user_id, CITY_ANSWER_FLOW)
        request = await self._requests.get(int(draft.data["request_id"])) if draft else None
        if request is None or not may_see(focal_point, request):
            await self.cancel_city_answer(focal_point.user_id)
            return InputOutcome(None, "answer", InputProblem.GONE)
        problem = _text_problem(text)
        if problem is not None:
            return InputOutcome(request, "answer", *problem)
        await self.cancel_city_answer(focal_point.user_id)
        answered = await self._requests.answer_from_city(
            request.id, actor=focal_point.user_id, text=text.strip(), now=self._clock.now()
        )
        if answered is None:
            return InputOutcome(None, "answer", InputProblem.GONE)
        return InputOutcome(answered, "answer")

    # -- digest and export ------------------------------------------------------------------

    async def overdue(self) -> list[SupportRequest]:
        """Open requests the city has waited on for more than three days."""
        return await self._requests.waiting_since_before(self._clock.now() - RESPONSE_DUE)

    async def export_csv(self, t: Translator) -> str:
        """Every request with its history, one row each, labels in ``t``'s language; read and
        written in a worker thread on a read-only connection of its own (a long read)."""
        return await asyncio.to_thread(self._export_csv, t)

    def _export_csv(self, t: Translator) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        for request, history in self._requests.everything():
            writer.writerow([spreadsheet_safe(value) for value in _export_row(t, request, history)])
        return out.getvalue()


EXPORT_COLUMNS = (
    "reference",
    "filed_at",
    "country",
    "city",
    "focal_point",
    "topic",
    "support_kind",
    "title",
    "description",
    "time_frame",
    "contact",
    "contact_detail",
    "status",
    "assignee",
    "decline_reason",
    "last_update",
    "history",
)


def _export_row(t: Translator, request: SupportRequest, events: list[RequestEvent]) -> list[Any]:
    country = COUNTRIES_BY_CODE.get(request.country)
    return [
        request.reference,
        _utc(request.created_at),
        t.label(country.name) if country else request.country,
        t.label(request.city),
        request.filer_name or former_person(t, staff=False),
        t.label(TOPICS.get(request.topic, request.topic)),
        t.label(SUPPORT_KINDS.get(request.support_kind, request.support_kind)),
        request.title,
        request.description,
        t.label(TIME_FRAMES.get(request.time_frame, request.time_frame)),
        t.label(CONTACT_CHANNELS.get(request.contact, request.contact)),
        request.contact_detail or "",
        status_name(t, request.status),
        request.assignee_name,
        request.decline_reason or "",
        _utc(request.updated_at),
        "\n".join(history_line(t, event) for event in events),
    ]


def former_person(t: Translator, *, staff: bool) -> str:
    """Who acted, once they erased their data (/deleteme)."""
    return t.label("a former staff member") if staff else t.label("a former focal point")


def history_line(t: Translator, event: RequestEvent) -> str:
    """One event as plain text (CSV cells, the staff history)."""
    when = _utc(event.at)
    who = event.actor_name or former_person(t, staff=event.kind not in ("filed", "answer"))
    if event.kind == "filed":
        return t.label("{when}: filed by {name}", when=when, name=who)
    if event.kind == "status":
        status = status_name(t, event.status or "")
        if event.actor is None:
            return t.label(
                "{when}: back to {status} because the city answered", when=when, status=status
            )
        if event.text:
            return t.label(
                "{when}: {name} set the status to {status} ({reason})",
                when=when,
                name=who,
                status=status,
                reason=event.text,
            )
        return t.label(
            "{when}: {name} set the status to {status}", when=when, name=who, status=status
        )
    if event.kind == "assigned":
        if event.assignee is None:
            return t.label("{when}: {name} removed the assignment", when=when, name=who)
        return t.label(
            "{when}: {name} assigned it to {assignee}",
            when=when,
            name=who,
            assignee=event.assignee_name or former_person(t, staff=True),
        )
    if event.kind == "note":
        return t.label("{when}: note by {name}: {text}", when=when, name=who, text=event.text or "")
    if event.kind == "question":
        return t.label(
            "{when}: {name} asked the city: {text}", when=when, name=who, text=event.text or ""
        )
    return t.label(
        "{when}: the city answered ({name}): {text}", when=when, name=who, text=event.text or ""
    )


def _utc(moment: Any) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def spreadsheet_safe(value: Any) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula: never for typed text."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _text_problem(text: str) -> tuple[InputProblem, int] | None:
    shortest, longest = TEXT_LIMITS
    value = text.strip()
    if len(value) < shortest:
        return InputProblem.TOO_SHORT, shortest
    if len(value) > longest:
        return InputProblem.TOO_LONG, longest
    return None
