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
from storage.events import EventRepository, StaleEvent
from storage.focal_points import FocalPointRepository
from storage.models import Draft, Event, EventRevision, FocalPoint, NewEvent, Rsvp, User
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
    """A saved change: the event as it is now, what the staff member changed (a step of the
    chat's edit form, or "all" from the console), which parts actually changed, how many
    people are told of it, how many answers the audience left out, how many newly invited."""

    event: Event
    what: str
    withdrawn: int = 0
    changed: frozenset[str] = frozenset()
    told: int = 0
    invited: int = 0


class ChangedMeanwhile(Exception):
    """An edit made on an older revision of the event: nothing was saved. ``current`` is the
    event as it is now, ``changed_by_name`` who made its latest change ("" if unknown)."""

    def __init__(self, current: Event, changed_by_name: str) -> None:
        super().__init__(f"event {current.id} is at revision {current.revision}")
        self.current = current
        self.changed_by_name = changed_by_name


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
        if event is None or not self.may_edit(event) or what not in EDIT_STEPS:
            return None
        await self.new_form.cancel(user_id)
        # The revision edited: saving on top of someone else's change is refused.
        data: dict[str, Any] = {
            "event": event_id,
            "what": what,
            "zone": event.time_zone,
            "revision": event.revision,
        }
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

    def may_edit(self, event: Event) -> bool:
        """A cancelled event, or one that is over, stays as it was."""
        return not event.is_cancelled and event.ends_at > self._clock.now()

    async def submit_new(self, user_id: int) -> Event | None:
        """Create the event from a completed form; None if there is nothing (left) to create.

        The draft goes first, so a double tap creates one event.
        """
        revision = await self.completed_new(user_id)
        if revision is None:
            return None
        return await self.create(
            NewEvent(
                titles=revision.titles,
                descriptions=revision.descriptions,
                starts_at=revision.starts_at,
                ends_at=revision.ends_at,
                time_zone=revision.time_zone,
                place=revision.place,
                link=revision.link,
                audience=revision.audience,
                reminder_offsets_s=revision.reminder_offsets_s,
                created_by=user_id,
            )
        )

    async def completed_new(self, user_id: int) -> EventRevision | None:
        """The event a confirmed /newevent form describes, the form taken out of the drafts;
        the console's edit checks its fields through these steps and saves this."""
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
        return EventRevision(
            titles={language: text[0] for language, text in texts.items()},
            descriptions={language: text[1] for language, text in texts.items() if text[1]},
            starts_at=starts_at,
            ends_at=ends_at,
            time_zone=zone,
            place=data.get("place"),
            link=data.get("link"),
            audience=tuple(data.get("audience", [])),
            reminder_offsets_s=tuple(data.get("offsets", DEFAULT_REMINDER_OFFSETS_S)),
        )

    async def submit_edit(self, user_id: int) -> EditOutcome | None:
        """Apply a completed edit from the chat: the event as it is, with the one part changed.

        None if the form or the event is gone; ChangedMeanwhile as for ``revise``.
        """
        draft = await self.edit_form.completed(user_id)
        if draft is None:
            return None
        data = form_answers(draft)
        what = data["what"]
        event = await self._events.get(data["event"])
        if event is None:
            return None
        revision = EventRevision.of(event)
        if what == "time":
            starts_at = to_utc(datetime.fromisoformat(data["start"]), data["zone"])
            ends_at = to_utc(datetime.fromisoformat(data["end"]), data["zone"])
            if starts_at is None or ends_at is None:
                return None
            revision = replace(revision, starts_at=starts_at, ends_at=ends_at)
        elif what == "place":
            revision = replace(revision, place=data.get("place"), link=data.get("link"))
        elif what == "texts":
            texts: dict[str, list[str]] = data["texts"]
            revision = replace(
                revision,
                titles={language: text[0] for language, text in texts.items()},
                descriptions={language: text[1] for language, text in texts.items() if text[1]},
            )
        elif what == "reminders":
            revision = replace(revision, reminder_offsets_s=tuple(data["offsets"]))
        else:
            revision = replace(revision, audience=tuple(data["audience"]))
        return await self.revise(
            event.id, revision, by=user_id, seen_revision=data.get("revision"), what=what
        )

    async def revise(
        self,
        event_id: int,
        revision: EventRevision,
        *,
        by: int,
        seen_revision: int | None,
        what: str = "all",
    ) -> EditOutcome | None:
        """Save an edit, from the chat or the console: one revision, one notice per person.

        A new time, place or title is told once to everyone invited who has not declined, in
        their language and time zone, and reminders follow a new start. People a narrower
        audience leaves out lose their answer, and those who were coming are told it no
        longer concerns them; once the event was announced, a wider audience invites those
        it adds. None for an event that is gone, cancelled or over. ``seen_revision``: the
        revision the staff member edited; if someone changed the event since, raises
        ChangedMeanwhile and saves nothing.
        """
        event = await self._events.get(event_id)
        if event is None:
            return None
        left_out: list[int] = []
        if set(revision.audience) != set(event.audience):
            left_out = await self.uninvited_ids(event, revision.audience)
        try:
            revised = await self._events.revise(
                event_id,
                revision,
                by=by,
                now=self._clock.now(),
                seen_revision=seen_revision,
                left_out=left_out,
            )
        except StaleEvent as stale:
            raise ChangedMeanwhile(stale.current, await self._name_of(stale.current)) from None
        if revised is None:
            return None
        invited = 0
        if "audience" in revised.changed and revised.announced:
            invited = await self.announcer(
                revised.event, await self._events.audience_ids(revised.event)
            )
        if revised.changed:
            await self._changed()
        return EditOutcome(
            revised.event,
            what,
            withdrawn=revised.withdrawn,
            changed=revised.changed,
            told=revised.told,
            invited=invited,
        )

    async def _name_of(self, event: Event) -> str:
        """Who made the event's latest change ("" when unknown or erased)."""
        if event.updated_by is None:
            return ""
        user = await self._users.get(event.updated_by)
        return user.display_name if user is not None else ""
