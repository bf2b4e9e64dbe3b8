"""Hub events: the staff's creation and edit forms, answers (RSVP), rosters and announcements."""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.accounts import AccountService, Profile
from bot.clock import Clock
from bot.config import SUPPORTED_LANGUAGES
from bot.forms import StepOutcome
from bot.geography import COUNTRIES_BY_CODE, OTHER_COUNTRY, valid_time_zone
from storage.drafts import DraftRepository
from storage.events import EventRepository
from storage.focal_points import FocalPointRepository
from storage.models import Draft, Event, FocalPoint, Rsvp, User
from storage.users import UserRepository

NEW_FLOW = "newevent"
EDIT_FLOW = "editevent"
NEW_STEPS = (
    "text_ar",
    "text_fr",
    "text_en",
    "zone",
    "start",
    "end",
    "place",
    "audience",
    "reminders",
    "confirm",
)
TEXT_STEPS = ("text_ar", "text_fr", "text_en")
EDIT_STEPS = {
    "time": ("start", "end", "confirm"),
    "place": ("place", "confirm"),
    "texts": (*TEXT_STEPS, "confirm"),
    "reminders": ("reminders", "confirm"),
    "audience": ("audience", "confirm"),
}
ANSWERS = ("going", "maybe", "no")
DEFAULT_REMINDER_OFFSETS_S = (7 * 86_400, 86_400, 3_600)
MAX_REMINDERS = 5
MAX_REMINDER_OFFSET_S = 60 * 86_400
MIN_REMINDER_OFFSET_S = 5 * 60
MAX_EVENT_LENGTH = timedelta(days=14)
MAX_EVENTS_LISTED = 10
TITLE_CHARS = (3, 150)
DESCRIPTION_MAX_CHARS = 1500
PLACE_CHARS = (2, 200)
LINK_MAX_CHARS = 300
# The countries an event can be limited to: the Hub's seven.
AUDIENCE_COUNTRIES = tuple(code for code in COUNTRIES_BY_CODE if code != OTHER_COUNTRY)

LINK_PATTERN = re.compile(r"^https?://[^\s<>\"]+\.[^\s<>\"]+$", re.IGNORECASE)
DATE_TIME_PATTERNS = (
    re.compile(
        r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})[ T]+(?P<h>\d{1,2})[:h.](?P<mi>\d{2})$"
    ),
    re.compile(r"^(?P<d>\d{1,2})/(?P<mo>\d{1,2})/(?P<y>\d{4}) +(?P<h>\d{1,2})[:h.](?P<mi>\d{2})$"),
)
TIME_PATTERN = re.compile(r"^(?P<h>\d{1,2})[:h.](?P<mi>\d{2})$")
OFFSET_PATTERN = re.compile(r"(\d+)\s*(d|j|h|m|min|ي|س|د)(?![a-z])")
OFFSET_UNITS_S = {"d": 86_400, "j": 86_400, "ي": 86_400, "h": 3_600, "س": 3_600}
NO_REMINDER_WORDS = frozenset({"none", "no", "0", "aucun", "aucune", "non", "لا"})
# Staff may type Arabic-Indic or Persian digits.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


class Problem(enum.Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NO_TITLE = "no_title"
    LAST_TITLE = "last_title"
    BAD_ZONE = "bad_zone"
    BAD_DATE = "bad_date"
    NO_SUCH_TIME = "no_such_time"
    IN_PAST = "in_past"
    END_BEFORE_START = "end_before_start"
    TOO_LONG_EVENT = "too_long_event"
    BAD_PLACE = "bad_place"
    BAD_REMINDERS = "bad_reminders"
    UNKNOWN_CHOICE = "unknown_choice"
    WRONG_STEP = "wrong_step"


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


def normalize_digits(text: str) -> str:
    return text.translate(DIGITS)


def parse_local(text: str) -> datetime | None:
    """'2026-06-16 10:00' or '16/06/2026 10:00' as a naive local time; None if unreadable."""
    value = " ".join(normalize_digits(text).split())
    for candidate in DATE_TIME_PATTERNS:
        found = candidate.match(value)
        if found:
            try:
                return datetime(
                    int(found["y"]),
                    int(found["mo"]),
                    int(found["d"]),
                    int(found["h"]),
                    int(found["mi"]),
                )
            except ValueError:
                return None
    return None


def parse_end(start: datetime, text: str) -> datetime | None:
    """The end as a naive local time: a time alone ('17:00') is on the start's day."""
    value = normalize_digits(text).strip()
    only_time = TIME_PATTERN.match(value)
    if only_time is None:
        return parse_local(value)
    hour, minute = int(only_time["h"]), int(only_time["mi"])
    if hour > 23 or minute > 59:
        return None
    return start.replace(hour=hour, minute=minute)


def to_utc(local: datetime, zone: str) -> datetime | None:
    """A wall-clock time in the zone as UTC; None if the clocks skip it (a DST gap)."""
    aware = local.replace(tzinfo=ZoneInfo(zone))
    moment = aware.astimezone(UTC)
    if moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None) != local:
        return None
    return moment


def parse_offsets(text: str) -> list[int] | None:
    """'7d 1d 1h' (or 'none') as seconds before the start; None if unreadable or out of range."""
    value = normalize_digits(text).strip().lower()
    if value in NO_REMINDER_WORDS:
        return []
    found = OFFSET_PATTERN.findall(value)
    leftover = OFFSET_PATTERN.sub("", value).replace(",", " ").replace("،", " ").strip()
    if not found or leftover:
        return None
    offsets = sorted({int(number) * OFFSET_UNITS_S.get(unit, 60) for number, unit in found})
    if len(offsets) > MAX_REMINDERS or any(
        not MIN_REMINDER_OFFSET_S <= offset <= MAX_REMINDER_OFFSET_S for offset in offsets
    ):
        return None
    return sorted(offsets, reverse=True)


def split_place(text: str) -> tuple[str | None, str | None] | None:
    """A venue, a link, or both on separate lines; None if neither can be read."""
    place_lines: list[str] = []
    link: str | None = None
    for line in (part.strip() for part in text.splitlines()):
        if not line:
            continue
        if LINK_PATTERN.match(line) and link is None:
            link = line
        else:
            place_lines.append(" ".join(line.split()))
    place = ", ".join(place_lines) or None
    if place is None and link is None:
        return None
    if place is not None and not PLACE_CHARS[0] <= len(place) <= PLACE_CHARS[1]:
        return None
    if link is not None and len(link) > LINK_MAX_CHARS:
        return None
    return place, link


def split_text(text: str) -> tuple[str, str]:
    """The first line is the title, the rest the description."""
    title, _, description = text.strip().partition("\n")
    return " ".join(title.split()), description.strip()


def invited_country(profile: Profile) -> str | None:
    """The country whose events a person may see: only once staff approved them for it."""
    return profile.country if profile.is_verified_focal_point else None


def is_invited(event: Event, profile: Profile) -> bool:
    if profile.is_staff or not event.audience:
        return True
    country = invited_country(profile)
    return country is not None and country in event.audience


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
        on_change: Callable[[], Awaitable[None]] | None = None,
        announcer: Announcer | None = None,
    ) -> None:
        self._events = events
        self._drafts = drafts
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

    async def create(
        self,
        *,
        titles: dict[str, str],
        descriptions: dict[str, str],
        starts_at: datetime,
        ends_at: datetime,
        time_zone: str,
        place: str | None,
        link: str | None,
        audience: Sequence[str],
        reminder_offsets_s: Sequence[int],
        created_by: int | None,
        import_key: str | None = None,
    ) -> Event | None:
        return await self._events.create(
            titles=titles,
            descriptions=descriptions,
            starts_at=starts_at,
            ends_at=ends_at,
            time_zone=time_zone,
            place=place,
            link=link,
            audience=audience,
            reminder_offsets_s=reminder_offsets_s,
            created_by=created_by,
            import_key=import_key,
            now=self._clock.now(),
        )

    # -- staff: the forms --------------------------------------------------------------------

    async def draft(self, user_id: int, flow: str = NEW_FLOW) -> Draft | None:
        return await self._drafts.get(user_id, flow)

    async def start_new(self, user_id: int) -> Draft:
        await self._drafts.delete(user_id, EDIT_FLOW)
        return await self._save(user_id, NEW_FLOW, NEW_STEPS[0], {"texts": {}})

    async def start_edit(self, user_id: int, event_id: int, what: str) -> Draft | None:
        event = await self._events.get(event_id)
        if event is None or event.is_cancelled or what not in EDIT_STEPS:
            return None
        await self._drafts.delete(user_id, NEW_FLOW)
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
        return await self._save(user_id, EDIT_FLOW, EDIT_STEPS[what][0], data)

    async def cancel_form(self, user_id: int, flow: str) -> None:
        await self._drafts.delete(user_id, flow)

    async def _save(self, user_id: int, flow: str, step: str, data: dict[str, Any]) -> Draft:
        return await self._drafts.save(
            user_id=user_id, flow=flow, step=step, data=data, now=self._clock.now()
        )

    def _steps(self, draft: Draft) -> tuple[str, ...]:
        return NEW_STEPS if draft.flow == NEW_FLOW else EDIT_STEPS[draft.data["what"]]

    async def _advance(self, draft: Draft, data: dict[str, Any]) -> Draft:
        steps = self._steps(draft)
        following = steps[min(steps.index(draft.step) + 1, len(steps) - 1)]
        return await self._save(draft.user_id, draft.flow, following, data)

    async def back(self, user_id: int, flow: str) -> Draft | None:
        draft = await self.draft(user_id, flow)
        if draft is None:
            return None
        steps = self._steps(draft)
        return await self._save(
            user_id, flow, steps[max(steps.index(draft.step) - 1, 0)], draft.data
        )

    async def answer_text(self, user_id: int, flow: str, text: str) -> StepOutcome:
        """A typed answer for the current step; a problem keeps the form on the step."""
        draft = await self.draft(user_id, flow)
        if draft is None:
            return StepOutcome(None, Problem.WRONG_STEP)
        step, data = draft.step, dict(draft.data)
        if step.startswith("text_"):
            title, description = split_text(text)
            if len(title) < TITLE_CHARS[0]:
                return StepOutcome(draft, Problem.TOO_SHORT, TITLE_CHARS[0])
            if len(title) > TITLE_CHARS[1]:
                return StepOutcome(draft, Problem.TOO_LONG, TITLE_CHARS[1])
            if len(description) > DESCRIPTION_MAX_CHARS:
                return StepOutcome(draft, Problem.TOO_LONG, DESCRIPTION_MAX_CHARS)
            data["texts"] = {**data.get("texts", {}), step[5:]: [title, description]}
            return StepOutcome(await self._advance(draft, data))
        if step == "zone":
            zone = valid_time_zone(text.strip())
            if zone is None:
                return StepOutcome(draft, Problem.BAD_ZONE)
            return StepOutcome(await self._advance(draft, {**data, "zone": zone}))
        if step == "start":
            return await self._answer_start(draft, data, text)
        if step == "end":
            return await self._answer_end(draft, data, text)
        if step == "place":
            place = split_place(text)
            if place is None:
                return StepOutcome(draft, Problem.BAD_PLACE)
            data["place"], data["link"] = place
            return StepOutcome(await self._advance(draft, data))
        if step == "reminders":
            offsets = parse_offsets(text)
            if offsets is None:
                return StepOutcome(draft, Problem.BAD_REMINDERS)
            return StepOutcome(await self._advance(draft, {**data, "offsets": offsets}))
        return StepOutcome(draft, Problem.WRONG_STEP)

    async def _answer_start(self, draft: Draft, data: dict[str, Any], text: str) -> StepOutcome:
        local = parse_local(text)
        if local is None:
            return StepOutcome(draft, Problem.BAD_DATE)
        moment = to_utc(local, data["zone"])
        if moment is None:
            return StepOutcome(draft, Problem.NO_SUCH_TIME)
        if moment <= self._clock.now():
            return StepOutcome(draft, Problem.IN_PAST)
        data["start"] = local.isoformat()
        data.pop("end", None)
        return StepOutcome(await self._advance(draft, data))

    async def _answer_end(self, draft: Draft, data: dict[str, Any], text: str) -> StepOutcome:
        start = datetime.fromisoformat(data["start"])
        local = parse_end(start, text)
        if local is None:
            return StepOutcome(draft, Problem.BAD_DATE)
        moment = to_utc(local, data["zone"])
        start_moment = to_utc(start, data["zone"])
        if moment is None or start_moment is None:
            return StepOutcome(draft, Problem.NO_SUCH_TIME)
        if moment <= start_moment:
            return StepOutcome(draft, Problem.END_BEFORE_START)
        if moment - start_moment > MAX_EVENT_LENGTH:
            return StepOutcome(draft, Problem.TOO_LONG_EVENT, MAX_EVENT_LENGTH.days)
        return StepOutcome(await self._advance(draft, {**data, "end": local.isoformat()}))

    async def skip_language(self, user_id: int, flow: str = NEW_FLOW) -> StepOutcome:
        """Leave this language out of a new event; keep it as it is when editing."""
        draft = await self.draft(user_id, flow)
        if draft is None or not draft.step.startswith("text_"):
            return StepOutcome(draft, Problem.WRONG_STEP)
        if flow == EDIT_FLOW:
            return StepOutcome(await self._advance(draft, dict(draft.data)))
        texts = dict(draft.data.get("texts", {}))
        texts.pop(draft.step[5:], None)
        data = {**draft.data, "texts": texts}
        if draft.step == "text_en" and not texts:
            # Every event needs a title in some language: back to the first one.
            return StepOutcome(
                await self._save(user_id, NEW_FLOW, NEW_STEPS[0], data), Problem.NO_TITLE
            )
        return StepOutcome(await self._advance(draft, data))

    async def remove_language(self, user_id: int) -> StepOutcome:
        """Drop this language's title and description from an event being edited."""
        draft = await self.draft(user_id, EDIT_FLOW)
        if draft is None or not draft.step.startswith("text_"):
            return StepOutcome(draft, Problem.WRONG_STEP)
        texts = dict(draft.data.get("texts", {}))
        texts.pop(draft.step[5:], None)
        if not texts:
            return StepOutcome(draft, Problem.LAST_TITLE)
        return StepOutcome(await self._advance(draft, {**draft.data, "texts": texts}))

    async def choose_zone(self, user_id: int, zone: str) -> StepOutcome:
        draft = await self.draft(user_id, NEW_FLOW)
        if draft is None or draft.step != "zone":
            return StepOutcome(draft, Problem.WRONG_STEP)
        if valid_time_zone(zone) != zone:
            return StepOutcome(draft, Problem.UNKNOWN_CHOICE)
        return StepOutcome(await self._advance(draft, {**draft.data, "zone": zone}))

    async def toggle_country(self, user_id: int, code: str, flow: str = NEW_FLOW) -> StepOutcome:
        """Add or remove a country; 'all' empties the list, which means everyone."""
        draft = await self.draft(user_id, flow)
        if draft is None or draft.step != "audience":
            return StepOutcome(draft, Problem.WRONG_STEP)
        chosen = list(draft.data.get("audience", []))
        if code == "all":
            chosen = []
        elif code in AUDIENCE_COUNTRIES:
            chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
        else:
            return StepOutcome(draft, Problem.UNKNOWN_CHOICE)
        ordered = [c for c in AUDIENCE_COUNTRIES if c in chosen]
        return StepOutcome(
            await self._save(user_id, flow, "audience", {**draft.data, "audience": ordered})
        )

    async def confirm_audience(self, user_id: int, flow: str = NEW_FLOW) -> StepOutcome:
        draft = await self.draft(user_id, flow)
        if draft is None or draft.step != "audience":
            return StepOutcome(draft, Problem.WRONG_STEP)
        data = {"audience": [], **draft.data}
        return StepOutcome(await self._advance(draft, data))

    async def default_reminders(
        self, user_id: int, *, none: bool = False, flow: str = NEW_FLOW
    ) -> StepOutcome:
        draft = await self.draft(user_id, flow)
        if draft is None or draft.step != "reminders":
            return StepOutcome(draft, Problem.WRONG_STEP)
        offsets = [] if none else list(DEFAULT_REMINDER_OFFSETS_S)
        return StepOutcome(await self._advance(draft, {**draft.data, "offsets": offsets}))

    async def submit_new(self, user_id: int) -> Event | None:
        """Create the event from a completed form; None if there is nothing (left) to create.

        The draft goes first, so a double tap creates one event.
        """
        draft = await self.draft(user_id, NEW_FLOW)
        if draft is None or draft.step != "confirm":
            return None
        await self._drafts.delete(user_id, NEW_FLOW)
        data = draft.data
        zone = data["zone"]
        starts_at = to_utc(datetime.fromisoformat(data["start"]), zone)
        ends_at = to_utc(datetime.fromisoformat(data["end"]), zone)
        if starts_at is None or ends_at is None:
            return None
        texts: dict[str, list[str]] = data["texts"]
        return await self.create(
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

    async def submit_edit(self, user_id: int) -> EditOutcome | None:
        """Apply a completed edit; a new time or place is told to attendees.

        None if the form or the event is gone.
        """
        draft = await self.draft(user_id, EDIT_FLOW)
        if draft is None or draft.step != "confirm":
            return None
        await self._drafts.delete(user_id, EDIT_FLOW)
        data, what = draft.data, draft.data["what"]
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


def draft_times(data: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The start and end a form holds, in UTC (None where not given yet)."""
    zone = data.get("zone")
    if not zone:
        return None, None
    start = to_utc(datetime.fromisoformat(data["start"]), zone) if data.get("start") else None
    end = to_utc(datetime.fromisoformat(data["end"]), zone) if data.get("end") else None
    return start, end


def languages_given(data: dict[str, Any]) -> list[str]:
    return [language for language in SUPPORTED_LANGUAGES if language in data.get("texts", {})]
