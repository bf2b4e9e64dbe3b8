"""Hub events: answers (RSVP), rosters, announcements, and what the staff's forms create."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.accounts import AccountService, Profile
from bot.clock import Clock
from bot.events.form import EDIT_STEPS, EditEventForm, NewEventForm
from bot.events.form import answers as form_answers
from bot.events.rules import (
    ANSWERS,
    DEFAULT_REMINDER_OFFSETS_S,
    MAX_EVENTS_LISTED,
    invited_country,
    is_invited,
    to_utc,
)
from storage.drafts import DraftRepository
from storage.events import EventRepository
from storage.focal_points import FocalPointRepository
from storage.models import Draft, Event, FocalPoint, NewEvent, Rsvp, User
from storage.users import UserRepository


class AnswerStatus(enum.Enum):
    SAVED = "saved"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    OVER = "over"
    NOT_INVITED = "not_invited"


@dataclass(frozen=True)
class AnswerOutcome:
    status: AnswerStatus
    event: Event | None = None
    rsvp: Rsvp | None = None


@dataclass(frozen=True)
class RosterEntry:
    rsvp: Rsvp
    user: User | None
    focal_point: FocalPoint | None


@dataclass(frozen=True)
class Roster:
    event: Event
    entries: tuple[RosterEntry, ...]

    def count(self, answer: str) -> int:
        return sum(1 for entry in self.entries if entry.rsvp.answer == answer)


@dataclass(frozen=True)
class EditOutcome:
    """A saved change: the event as it is now, and how many answers the audience left out."""

    event: Event
    what: str
    withdrawn: int = 0


Announcer = Callable[[Event, list[int]], Awaitable[int]]


class EventService:
    def __init__(
        self,
        *,
        events: EventRepository,
        drafts: DraftRepository,
        users: UserRepository,
        focal_points: FocalPointRepository,
        accounts: AccountService,
        clock: Clock,
        on_change: Callable[[], Awaitable[object]] | None = None,
        announcer: Announcer | None = None,
    ) -> None:
        self._events = events
        self.new_form = NewEventForm(drafts=drafts, clock=clock)
        self.edit_form = EditEventForm(drafts=drafts, clock=clock)
        self._users = users
        self._focal_points = focal_points
        # Who is invited depends on staff membership and approval: the accounts service knows.
        self._accounts = accounts
        self._clock = clock
        # The reminder runner re-plans its wake-up after every change that queues notices.
        self.on_change = on_change
        # The seam for announcing a new event: by default the event outbox sends invitations;
        # the broadcast engine can take over by replacing this one callable.
        self.announcer: Announcer = announcer or self._queue_invitations

    async def _changed(self) -> None:
        if self.on_change is not None:
            await self.on_change()

    # -- what people see ---------------------------------------------------------------------

    async def get(self, event_id: int) -> Event | None:
        return await self._events.get(event_id)

    async def upcoming_for(self, profile: Profile) -> list[tuple[Event, Rsvp | None]]:
        """Events not yet over that this person is invited to (staff: all), with their answer."""
        events = await self._events.upcoming(
            self._clock.now(),
            country=invited_country(profile),
            everything=profile.is_staff,
            limit=MAX_EVENTS_LISTED,
        )
        return [(event, await self._events.rsvp(event.id, profile.user.id)) for event in events]

    async def answers_of(self, user_id: int) -> list[tuple[Event, Rsvp]]:
        return await self._events.answers_of(user_id, self._clock.now())

    async def rsvp(self, event_id: int, user_id: int) -> Rsvp | None:
        return await self._events.rsvp(event_id, user_id)

    async def answer(self, event_id: int, profile: Profile, answer: str) -> AnswerOutcome:
        if answer not in ANSWERS:
            raise ValueError(f"unknown answer {answer!r}")
        event = await self._events.get(event_id)
        problem = self._refusal(event, profile)
        if problem is not None:
            return AnswerOutcome(problem, event)
        assert event is not None
        rsvp = await self._events.answer(event_id, profile.user.id, answer, now=self._clock.now())
        current = await self._events.get(event_id)
        if current is not None and not is_invited(current, profile):
            # Staff narrowed the audience between our check and the save: the answer goes.
            await self._events.withdraw(event_id, [profile.user.id], now=self._clock.now())
            return AnswerOutcome(AnswerStatus.NOT_INVITED, current)
        await self._changed()
        return AnswerOutcome(AnswerStatus.SAVED, event, rsvp)

    async def set_reminders(self, event_id: int, profile: Profile, *, on: bool) -> AnswerOutcome:
        event = await self._events.get(event_id)
        problem = self._refusal(event, profile)
        if problem is not None:
            return AnswerOutcome(problem, event)
        rsvp = await self._events.set_reminders(
            event_id, profile.user.id, on=on, now=self._clock.now()
        )
        if rsvp is None:
            return AnswerOutcome(AnswerStatus.UNKNOWN, event)
        await self._changed()
        return AnswerOutcome(AnswerStatus.SAVED, event, rsvp)

    async def reminders_off_for(self, profile: Profile) -> int:
        """Turn off the reminders of every coming event this person answered; how many were on."""
        turned = 0
        for event, rsvp in await self.answers_of(profile.user.id):
            if rsvp.reminders_on:
                outcome = await self.set_reminders(event.id, profile, on=False)
                turned += outcome.status is AnswerStatus.SAVED
        return turned

    def _refusal(self, event: Event | None, profile: Profile) -> AnswerStatus | None:
        if event is None:
            return AnswerStatus.UNKNOWN
        if event.is_cancelled:
            return AnswerStatus.CANCELLED
        if event.ends_at <= self._clock.now():
            return AnswerStatus.OVER
        if not is_invited(event, profile):
            return AnswerStatus.NOT_INVITED
        return None

    async def may_see(self, event: Event, profile: Profile) -> bool:
        return is_invited(event, profile)

    async def listing(self, *, past: bool, limit: int = 100) -> list[tuple[Event, dict[str, int]]]:
        """Events for staff (the console's list), with their answer counts."""
        return await self._events.listing(self._clock.now(), past=past, limit=limit)

    async def attendee_ids(self, event_id: int) -> list[int]:
        """Who answered going or maybe: the audience of a broadcast to an event's attendees."""
        return await self._events.attendee_ids(event_id)

    async def roster(self, event_id: int) -> Roster | None:
        event = await self._events.get(event_id)
        if event is None:
            return None
        rsvps = await self._events.rsvps(event_id)
        users = await self._users.get_many([rsvp.user_id for rsvp in rsvps])
        entries = [
            RosterEntry(rsvp, users.get(rsvp.user_id), await self._focal_points.get(rsvp.user_id))
            for rsvp in rsvps
        ]
        return Roster(event, tuple(entries))

    # -- staff: changes ----------------------------------------------------------------------

    async def uninvited_ids(self, event: Event, audience: Sequence[str]) -> list[int]:
        """Who answered the event, or has a notice about it to come, and would not be invited."""
        narrowed = replace(event, audience=tuple(audience))
        left_out = []
        for user_id in await self._events.involved_ids(event.id):
            profile = await self._accounts.profile(user_id)
            if profile is None or not is_invited(narrowed, profile):
                left_out.append(user_id)
        return left_out

    async def cancel(self, event_id: int) -> Event | None:
        event = await self._events.cancel(event_id, now=self._clock.now())
        if event is not None:
            await self._changed()
        return event

    async def announce(self, event_id: int) -> int | None:
        """Invite the event's audience; returns how many new people, None if it cannot be."""
        event = await self._events.get(event_id)
        if event is None or event.is_cancelled or event.starts_at <= self._clock.now():
            return None
        return await self.announcer(event, await self._events.audience_ids(event))

    async def _queue_invitations(self, event: Event, user_ids: list[int]) -> int:
        queued = await self._events.queue_invitations(event.id, user_ids, now=self._clock.now())
        await self._changed()
        return queued

    async def create(self, new: NewEvent) -> Event | None:
        """The new event; None when one with the same import key exists."""
        return await self._events.create(new, now=self._clock.now())

    # -- staff: the forms --------------------------------------------------------------------

    async def draft(self, user_id: int) -> Draft | None:
        """The new event a staff member is writing, if any."""
        return await self.new_form.draft(user_id)

    async def start_new(self, user_id: int) -> Draft:
        await self.edit_form.cancel(user_id)
        return await self.new_form.start(user_id)

    async def start_edit(self, user_id: int, event_id: int, what: str) -> Draft | None:
        event = await self._events.get(event_id)
        if event is None or event.is_cancelled or what not in EDIT_STEPS:
            return None
        await self.new_form.cancel(user_id)
        data: dict[str, Any] = {"event": event_id, "what": what, "zone": event.time_zone}
        # The form starts from the event as it is: a step left alone keeps its value.
        if what == "texts":
            data["texts"] = {
                language: [title, event.descriptions.get(language, "")]
                for language, title in event.titles.items()
            }
        elif what == "reminders":
            data["offsets"] = list(event.reminder_offsets_s)
        elif what == "audience":
            data["audience"] = list(event.audience)
        return await self.edit_form.start(user_id, what, data)

    async def submit_new(self, user_id: int) -> Event | None:
        """Create the event from a completed form; None if there is nothing (left) to create.

        The draft goes first, so a double tap creates one event.
        """
        draft = await self.new_form.completed(user_id)
        if draft is None:
            return None
        data = form_answers(draft)
        zone = data["zone"]
        starts_at = to_utc(datetime.fromisoformat(data["start"]), zone)
        ends_at = to_utc(datetime.fromisoformat(data["end"]), zone)
        if starts_at is None or ends_at is None:
            return None
        texts: dict[str, list[str]] = data["texts"]
        return await self.create(
            NewEvent(
                titles={language: text[0] for language, text in texts.items()},
                descriptions={language: text[1] for language, text in texts.items() if text[1]},
                starts_at=starts_at,
                ends_at=ends_at,
                time_zone=zone,
                place=data.get("place"),
                link=data.get("link"),
                audience=data.get("audience", []),
                reminder_offsets_s=data.get("offsets", DEFAULT_REMINDER_OFFSETS_S),
                created_by=user_id,
            )
        )

    async def submit_edit(self, user_id: int) -> EditOutcome | None:
        """Apply a completed edit; a new time or place is told to attendees.

        None if the form or the event is gone.
        """
        draft = await self.edit_form.completed(user_id)
        if draft is None:
            return None
        data = form_answers(draft)
        what = data["what"]
        event_id: int = data["event"]
        now = self._clock.now()
        withdrawn = 0
        if what == "time":
            starts_at = to_utc(datetime.fromisoformat(data["start"]), data["zone"])
            ends_at = to_utc(datetime.fromisoformat(data["end"]), data["zone"])
            if starts_at is None or ends_at is None:
                return None
            event = await self._events.reschedule(
                event_id, starts_at=starts_at, ends_at=ends_at, now=now
            )
        elif what == "place":
            event = await self._events.relocate(
                event_id, place=data.get("place"), link=data.get("link"), now=now
            )
        elif what == "texts":
            texts: dict[str, list[str]] = data["texts"]
            event = await self._events.retitle(
                event_id,
                titles={language: text[0] for language, text in texts.items()},
                descriptions={language: text[1] for language, text in texts.items() if text[1]},
                now=now,
            )
        elif what == "reminders":
            event = await self._events.change_reminders(
                event_id, reminder_offsets_s=data["offsets"], now=now
            )
        else:
            event = await self._events.change_audience(event_id, audience=data["audience"], now=now)
            if event is not None:
                # After the audience is saved, so an answer racing with it is caught either
                # here or by the check that follows every answer.
                left_out = await self.uninvited_ids(event, event.audience)
                withdrawn = await self._events.withdraw(event_id, left_out, now=now)
        if event is None:
            return None
        await self._changed()
        return EditOutcome(event, what, withdrawn)
