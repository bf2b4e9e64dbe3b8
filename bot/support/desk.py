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
from bot.support.feed import RequestChange, RequestFeed
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
from storage.outbox import StaffNotice
from storage.support_requests import (
    BoardColumn,
    BoardFilter,
    RequestFilter,
    RequestPage,
    StaleRequest,
    SupportRequestRepository,
)

# A change asked for on a view older than the request: refused, the staff member is told who
# changed it meanwhile (``.changed_by_name``) and what it is now (``.current``).
ChangedMeanwhile = StaleRequest

# Staff typing a note, a question or a decline reason; a city typing its answer. Each is a
# one-step form kept in the drafts table, so it survives a restart like the big form.
STAFF_INPUT_FLOW = "triage"
# The staff notice of a city's answer (bot/delivery/outbox.py).
CITY_ANSWER_NOTICE = "city_answer"
# The daily digest of requests waiting too long, rendered when it is sent.
DIGEST_NOTICE = "support_digest"
STAFF_INPUTS = ("note", "question", "decline")
CITY_ANSWER_FLOW = "request_answer"
TEXT_LIMITS = (2, 2000)
# A request the city spoke on last, untouched by staff for longer than this, is in the digest.
RESPONSE_DUE = timedelta(days=3)


class InputProblem(enum.Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    GONE = "gone"
    # The request changed after the staff member looked at it: nothing was recorded.
    CHANGED_MEANWHILE = "changed_meanwhile"


@dataclass(frozen=True)
class InputOutcome:
    """What became of a typed note, question, reason or answer."""

    request: SupportRequest | None
    action: str = ""
    problem: InputProblem | None = None
    limit: int | None = None
    changed: bool = True
    # With CHANGED_MEANWHILE: who changed the request (their name; "" once erased).
    changed_by_name: str = ""


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
        self,
        *,
        requests: SupportRequestRepository,
        drafts: DraftRepository,
        clock: Clock,
        feed: RequestFeed | None = None,
    ) -> None:
        self._requests = requests
        self._drafts = drafts
        self._clock = clock
        self.feed = feed or RequestFeed()

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

    async def for_city_by_reference(
        self, focal_point: FocalPoint, reference: str
    ) -> RequestDetails | None:
        """A request named by its reference, as its city sees it; None for any other city's
        (the same answer as for a reference that does not exist)."""
        request = await self._requests.by_reference(reference)
        if request is None:
            return None
        return await self.for_city(focal_point, request.id)

    async def city_page(self, focal_point: FocalPoint, *, page: int, size: int) -> RequestPage:
        if not focal_point.is_verified:
            return RequestPage([], 0)
        return await self._requests.for_city(
            focal_point.country, focal_point.city, limit=size, offset=page * size
        )

    async def search(self, where: RequestFilter, *, page: int, size: int) -> RequestPage:
        return await self._requests.search(where, limit=size, offset=page * size)

    async def board(self, where: BoardFilter, *, per_column: int) -> list[BoardColumn]:
        return await self._requests.board(where, per_column=per_column)

    async def city_contacts(self, request: SupportRequest) -> list[int]:
        """Who hears about a request: every approved focal point of its city."""
        return await self._requests.city_focal_points(request.country, request.city)

    # -- staff actions ------------------------------------------------------------------------

    async def change_status(
        self,
        request_id: int,
        status: str,
        *,
        staff_id: int,
        reason: str | None = None,
        seen_version: int | None = None,
    ) -> SupportRequest | None:
        """None when nothing changed (already in that status, or no such request).

        ``seen_version`` is the version the staff member decided on; if the request changed
        since, ChangedMeanwhile is raised and nothing is written.
        """
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        changed = await self._requests.change_status(
            request_id,
            status,
            actor=staff_id,
            reason=reason,
            now=self._clock.now(),
            seen_version=seen_version,
        )
        self._publish(changed, "status", staff_id)
        return changed

    async def assign(
        self,
        request_id: int,
        assignee: int | None,
        *,
        staff_id: int,
        seen_version: int | None = None,
    ) -> SupportRequest | None:
        """None when nothing changed; ChangedMeanwhile as for ``change_status``."""
        changed = await self._requests.assign(
            request_id, assignee, actor=staff_id, now=self._clock.now(), seen_version=seen_version
        )
        self._publish(changed, "assigned", staff_id)
        return changed

    def _publish(self, request: SupportRequest | None, kind: str, actor: int | None) -> None:
        if request is not None:
            self.feed.publish(RequestChange.of(request, kind, actor))

    async def add_copy(
        self, request_id: int, *, chat_id: int, message_id: int, shown_version: int | None = None
    ) -> None:
        """A message showing the request's card, at ``shown_version``: a change since then
        (made while it was on its way) refreshes it."""
        await self._requests.add_copy(
            request_id,
            chat_id=chat_id,
            message_id=message_id,
            shown_version=shown_version,
            now=self._clock.now(),
        )

    async def copies(self, request_id: int) -> list[tuple[int, int]]:
        return await self._requests.copies(request_id)

    # -- typed input: staff notes, questions, reasons; the city's answers ------------------

    async def await_staff_input(
        self, staff_id: int, action: str, request_id: int, *, seen_version: int | None = None
    ) -> Draft:
        """Wait for a typed note, question or reason, to be recorded on ``seen_version``."""
        if action not in STAFF_INPUTS:
            raise ValueError(f"unknown staff input {action!r}")
        return await self._drafts.save(
            user_id=staff_id,
            flow=STAFF_INPUT_FLOW,
            step=action,
            data={"request_id": request_id, "version": seen_version},
            now=self._clock.now(),
        )

    async def cancel_staff_input(self, staff_id: int) -> None:
        await self._drafts.delete(staff_id, STAFF_INPUT_FLOW)

    async def staff_input(self, staff_id: int, text: str) -> InputOutcome:
        """The text a staff member typed after pressing Note, Ask the city or Declined."""
        draft = await self._drafts.get(staff_id, STAFF_INPUT_FLOW)
        if draft is None:
            return InputOutcome(None, problem=InputProblem.GONE)
        request_id = int(draft.data["request_id"])
        seen = draft.data.get("version")
        outcome = await self.record_staff_text(
            request_id,
            draft.step,
            text,
            staff_id=staff_id,
            seen_version=int(seen) if seen is not None else None,
        )
        if outcome.problem not in (InputProblem.TOO_SHORT, InputProblem.TOO_LONG):
            # Recorded, or impossible now: either way this prompt is over.
            await self.cancel_staff_input(staff_id)
        return outcome

    async def record_staff_text(
        self,
        request_id: int,
        action: str,
        text: str,
        *,
        staff_id: int,
        seen_version: int | None = None,
    ) -> InputOutcome:
        """A note, a question to the city or a decline reason, checked and recorded.

        The question and the decline change the request, so they are refused when it changed
        after ``seen_version``; a note only adds to the history and is always kept.
        """
        if action not in STAFF_INPUTS:
            raise ValueError(f"unknown staff input {action!r}")
        request = await self._requests.get(request_id)
        if request is None:
            return InputOutcome(None, action, InputProblem.GONE)
        problem = _text_problem(text)
        if problem is not None:
            return InputOutcome(request, action, *problem)
        value = text.strip()
        now = self._clock.now()
        try:
            if action == "note":
                await self._requests.add_note(request.id, actor=staff_id, text=value, now=now)
                self._publish(request, "note", staff_id)
                return InputOutcome(request, "note")
            if action == "question":
                asked = await self._requests.ask_city(
                    request.id, actor=staff_id, question=value, now=now, seen_version=seen_version
                )
                if asked is None:
                    return InputOutcome(None, "question", InputProblem.GONE)
                self._publish(asked, "question", staff_id)
                return InputOutcome(asked, "question")
            declined = await self.change_status(
                request.id, "declined", staff_id=staff_id, reason=value, seen_version=seen_version
            )
        except ChangedMeanwhile as stale:
            return InputOutcome(
                stale.current,
                action,
                InputProblem.CHANGED_MEANWHILE,
                changed=False,
                changed_by_name=stale.changed_by_name,
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
        answer = text.strip()
        answered = await self._requests.answer_from_city(
            request.id,
            actor=focal_point.user_id,
            text=answer,
            now=self._clock.now(),
            notice=StaffNotice(
                CITY_ANSWER_NOTICE,
                focal_point.user_id,
                {"name": focal_point.full_name, "answer": answer},
            ),
        )
        if answered is None:
            return InputOutcome(None, "answer", InputProblem.GONE)
        self._publish(answered, "answer", focal_point.user_id)
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


def history_line(t: Translator, event: RequestEvent, when: str | None = None) -> str:
    """One event as plain text (CSV cells, the staff history, the console's request page);
    ``when`` is the moment as the reader reads it (UTC by default)."""
    when = when or _utc(event.at)
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
