"""Rows as frozen dataclasses, so nothing above storage/ sees a cursor or a tuple."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def to_db_time(moment: datetime) -> str:
    return moment.isoformat()


def from_db_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _time(text: str) -> datetime:
    moment = from_db_time(text)
    assert moment is not None
    return moment


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language: str | None
    telegram_language: str | None
    time_zone: str | None
    is_active: bool
    created_at: datetime
    last_seen_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> User:
        return cls(
            id=row["id"],
            first_name=row["first_name"],
            last_name=row["last_name"],
            username=row["username"],
            language=row["language"],
            telegram_language=row["telegram_language"],
            time_zone=row["time_zone"],
            is_active=bool(row["is_active"]),
            created_at=_time(row["created_at"]),
            last_seen_at=_time(row["last_seen_at"]),
        )

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    added_by: int | None
    added_at: datetime
    from_config: bool = False

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> StaffMember:
        return cls(
            user_id=row["user_id"], added_by=row["added_by"], added_at=_time(row["added_at"])
        )


@dataclass(frozen=True)
class FocalPoint:
    user_id: int
    full_name: str
    country: str
    city: str
    position: str
    email: str | None
    status: str
    via_invite: str | None
    reviewed_by: int | None
    reviewed_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> FocalPoint:
        return cls(
            user_id=row["user_id"],
            full_name=row["full_name"],
            country=row["country"],
            city=row["city"],
            position=row["position"],
            email=row["email"],
            status=row["status"],
            via_invite=row["via_invite"],
            reviewed_by=row["reviewed_by"],
            reviewed_at=from_db_time(row["reviewed_at"]),
            created_at=_time(row["created_at"]),
        )

    @property
    def is_verified(self) -> bool:
        return self.status == "approved"


@dataclass(frozen=True)
class Invite:
    code: str
    country: str
    city: str
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Invite:
        return cls(
            code=row["code"],
            country=row["country"],
            city=row["city"],
            created_by=row["created_by"],
            created_at=_time(row["created_at"]),
            expires_at=_time(row["expires_at"]),
            used_by=row["used_by"],
            used_at=from_db_time(row["used_at"]),
        )


@dataclass(frozen=True)
class Draft:
    """A multi-step form in progress; kept in the database so it survives restarts."""

    user_id: int
    flow: str
    step: str
    data: dict[str, Any]
    updated_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Draft:
        return cls(
            user_id=row["user_id"],
            flow=row["flow"],
            step=row["step"],
            data=json.loads(row["data"]),
            updated_at=_time(row["updated_at"]),
        )


@dataclass(frozen=True)
class Question:
    """A question the knowledge base could not answer, on its way to staff and back."""

    id: int
    user_id: int
    text: str
    language: str
    status: str
    answer: str | None
    answered_by: int | None
    created_at: datetime
    forwarded_at: datetime | None
    answered_at: datetime | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Question:
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            text=row["text"],
            language=row["language"],
            status=row["status"],
            answer=row["answer"],
            answered_by=row["answered_by"],
            created_at=_time(row["created_at"]),
            forwarded_at=from_db_time(row["forwarded_at"]),
            answered_at=from_db_time(row["answered_at"]),
        )


@dataclass(frozen=True)
class LearnedQuestion:
    """A question staff answered and filed under a knowledge entry, as one of its examples."""

    id: int
    slug: str
    language: str
    text: str
    question_id: int | None
    added_by: int
    added_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> LearnedQuestion:
        return cls(
            id=row["id"],
            slug=row["slug"],
            language=row["language"],
            text=row["text"],
            question_id=row["question_id"],
            added_by=row["added_by"],
            added_at=_time(row["added_at"]),
        )


@dataclass(frozen=True)
class SupportRequest:
    """A city's request for the Hub's technical support, from filing to closing."""

    id: int
    reference: str
    filed_by: int | None
    filer_name: str
    country: str
    city: str
    topic: str
    support_kind: str
    title: str
    description: str
    time_frame: str
    contact: str
    contact_detail: str | None
    status: str
    assignee: int | None
    assignee_name: str
    decline_reason: str | None
    waiting_since: datetime | None
    created_at: datetime
    updated_at: datetime
    # What staff decided on when they looked (storage/migrations.py, step 14).
    version: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SupportRequest:
        return cls(
            id=row["id"],
            reference=row["reference"],
            filed_by=row["filed_by"],
            filer_name=row["filer_name"] or "",
            country=row["country"],
            city=row["city"],
            topic=row["topic"],
            support_kind=row["support_kind"],
            title=row["title"],
            description=row["description"],
            time_frame=row["time_frame"],
            contact=row["contact"],
            contact_detail=row["contact_detail"],
            status=row["status"],
            assignee=row["assignee"],
            assignee_name=row["assignee_name"] or "",
            decline_reason=row["decline_reason"],
            waiting_since=from_db_time(row["waiting_since"]),
            created_at=_time(row["created_at"]),
            updated_at=_time(row["updated_at"]),
            version=row["version"],
        )


@dataclass(frozen=True)
class BoardCard:
    """What a card on the console's board shows of a request: nothing of its description or
    contact, so the board reads (and maps) only these columns."""

    id: int
    reference: str
    title: str
    country: str
    city: str
    topic: str
    time_frame: str
    status: str
    assignee_name: str
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> BoardCard:
        return cls(
            id=row["id"],
            reference=row["reference"],
            title=row["title"],
            country=row["country"],
            city=row["city"],
            topic=row["topic"],
            time_frame=row["time_frame"],
            status=row["status"],
            assignee_name=row["assignee_name"] or "",
            created_at=_time(row["created_at"]),
            updated_at=_time(row["updated_at"]),
            version=row["version"],
        )


@dataclass(frozen=True)
class RequestAttachment:
    """A file sent with a request: only Telegram's file id is kept, never the content."""

    kind: str  # document | photo
    file_id: str
    file_unique_id: str
    file_name: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> RequestAttachment:
        return cls(
            kind=row["kind"],
            file_id=row["file_id"],
            file_unique_id=row["file_unique_id"],
            file_name=row["file_name"],
        )


@dataclass(frozen=True)
class RequestEvent:
    """One line of a request's history: filed, status, assigned, note, question or answer."""

    id: int
    request_id: int
    kind: str
    actor: int | None
    actor_name: str
    status: str | None
    assignee: int | None
    assignee_name: str
    text: str | None
    at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> RequestEvent:
        return cls(
            id=row["id"],
            request_id=row["request_id"],
            kind=row["kind"],
            actor=row["actor"],
            actor_name=row["actor_name"] or "",
            status=row["status"],
            assignee=row["assignee"],
            assignee_name=row["assignee_name"] or "",
            text=row["text"],
            at=_time(row["at"]),
        )

    @property
    def is_internal(self) -> bool:
        """Notes and assignments are the Hub's business; the city sees the rest."""
        return self.kind in ("note", "assigned")


def _codes(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


@dataclass(frozen=True)
class Event:
    """A Hub event: texts per language, times in UTC with the event's own zone, its audience."""

    id: int
    titles: dict[str, str]
    descriptions: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    place: str | None
    link: str | None
    audience: tuple[str, ...]  # country codes; empty means everyone
    reminder_offsets_s: tuple[int, ...]  # seconds before the start, largest first
    status: str
    revision: int
    import_key: str | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    # Who made the latest change (None: nobody since it was created, or erased since).
    updated_by: int | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Event:
        return cls(
            id=row["id"],
            titles=json.loads(row["titles"]),
            descriptions=json.loads(row["descriptions"]),
            starts_at=_time(row["starts_at"]),
            ends_at=_time(row["ends_at"]),
            time_zone=row["time_zone"],
            place=row["place"],
            link=row["link"],
            audience=_codes(row["audience"]),
            reminder_offsets_s=tuple(int(part) for part in _codes(row["reminder_offsets"])),
            status=row["status"],
            revision=row["revision"],
            import_key=row["import_key"],
            created_by=row["created_by"],
            created_at=_time(row["created_at"]),
            updated_at=_time(row["updated_at"]),
            updated_by=row["updated_by"],
        )

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass(frozen=True)
class Rsvp:
    """One person's answer to one event."""

    event_id: int
    user_id: int
    answer: str  # going | maybe | no
    reminders_on: bool
    answered_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Rsvp:
        return cls(
            event_id=row["event_id"],
            user_id=row["user_id"],
            answer=row["answer"],
            reminders_on=bool(row["reminders_on"]),
            answered_at=_time(row["answered_at"]),
        )

    @property
    def is_attending(self) -> bool:
        return self.answer in ("going", "maybe")


@dataclass(frozen=True)
class NewEvent:
    """An event to create: from the staff's form, an import file, or a test."""

    titles: dict[str, str]
    descriptions: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    place: str | None
    link: str | None
    audience: Sequence[str]
    reminder_offsets_s: Sequence[int]
    created_by: int | None
    # An imported event's key: importing the same file twice creates it once.
    import_key: str | None = None


# The parts of an event a change can touch; those focal points are told of (a change notice).
NOTIFIED_PARTS = frozenset({"time", "place", "titles"})


def change_payload(before: Event, changed: frozenset[str]) -> dict[str, Any]:
    """What a change notice says was there before, for each part focal points are told of."""
    payload: dict[str, Any] = {}
    if "time" in changed:
        payload["old_starts_at"] = to_db_time(before.starts_at.astimezone(UTC))
        payload["old_ends_at"] = to_db_time(before.ends_at.astimezone(UTC))
    if "place" in changed:
        payload["old_place"] = before.place
        payload["old_link"] = before.link
    if "titles" in changed:
        payload["old_titles"] = before.titles
    return payload


@dataclass(frozen=True)
class EventRevision:
    """An event as an edit leaves it: every field staff can change, all at once."""

    titles: dict[str, str]
    descriptions: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    place: str | None
    link: str | None
    audience: tuple[str, ...]
    reminder_offsets_s: tuple[int, ...]

    @classmethod
    def of(cls, event: Event) -> EventRevision:
        return cls(
            titles=dict(event.titles),
            descriptions=dict(event.descriptions),
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            time_zone=event.time_zone,
            place=event.place,
            link=event.link,
            audience=tuple(event.audience),
            reminder_offsets_s=tuple(event.reminder_offsets_s),
        )

    def changes_from(self, event: Event) -> frozenset[str]:
        """Which parts differ from the event: time, place, titles, descriptions, zone,
        audience, reminders."""
        pairs = {
            "time": ((event.starts_at, event.ends_at), (self.starts_at, self.ends_at)),
            "place": ((event.place, event.link), (self.place, self.link)),
            "titles": (event.titles, self.titles),
            "descriptions": (event.descriptions, self.descriptions),
            "zone": (event.time_zone, self.time_zone),
            "audience": (set(event.audience), set(self.audience)),
            "reminders": (set(event.reminder_offsets_s), set(self.reminder_offsets_s)),
        }
        return frozenset(part for part, (before, after) in pairs.items() if before != after)


@dataclass(frozen=True)
class ReminderState:
    """A reminder already in the outbox: for whom, how long before the start, where it is."""

    id: int
    user_id: int
    offset_s: int
    state: str
    due_at: datetime


@dataclass(frozen=True)
class PlannedReminder:
    """A reminder to write to the outbox: a new one (``id`` None) or a change to one."""

    id: int | None
    user_id: int
    offset_s: int
    due_at: datetime
    state: str
    detail: str | None


@dataclass(frozen=True)
class EventNotice:
    """One message about an event to one person, in the outbox: a reminder, change or invitation."""

    id: int
    event_id: int
    user_id: int
    kind: str  # reminder | change | invitation
    ref: int  # reminder: seconds before the start; change: the event's revision
    due_at: datetime
    state: str  # pending -> sending -> sent | skipped
    payload: dict[str, Any]
    attempts: int
    detail: str | None
    updated_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> EventNotice:
        return cls(
            id=row["id"],
            event_id=row["event_id"],
            user_id=row["user_id"],
            kind=row["kind"],
            ref=row["ref"],
            due_at=_time(row["due_at"]),
            state=row["state"],
            payload=json.loads(row["payload"]),
            attempts=row["attempts"],
            detail=row["detail"],
            updated_at=_time(row["updated_at"]),
        )


@dataclass(frozen=True)
class Broadcast:
    """A staff announcement: its versions per language, its audience, where it stands."""

    id: int
    created_by: int
    versions: dict[str, str]
    attachment_kind: str | None
    attachment_file_id: str | None
    audience: dict[str, Any]
    status: str
    scheduled_for: datetime
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancelled_by: int | None
    progress_chat_id: int | None
    progress_message_id: int | None
    # Not urgent: each recipient gets it in their working hours (bot/broadcasts/working_hours).
    working_hours: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Broadcast:
        return cls(
            id=row["id"],
            created_by=row["created_by"],
            versions=json.loads(row["versions"]),
            attachment_kind=row["attachment_kind"],
            attachment_file_id=row["attachment_file_id"],
            audience=json.loads(row["audience"]),
            status=row["status"],
            scheduled_for=_time(row["scheduled_for"]),
            created_at=_time(row["created_at"]),
            started_at=from_db_time(row["started_at"]),
            finished_at=from_db_time(row["finished_at"]),
            cancelled_by=row["cancelled_by"],
            progress_chat_id=row["progress_chat_id"],
            progress_message_id=row["progress_message_id"],
            working_hours=bool(row["working_hours"]),
        )


@dataclass(frozen=True)
class BroadcastRecipient:
    """One person a broadcast goes to, and the version they get."""

    broadcast_id: int
    user_id: int
    language: str
    version: str
    country: str | None
    state: str
    attempts: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> BroadcastRecipient:
        return cls(
            broadcast_id=row["broadcast_id"],
            user_id=row["user_id"],
            language=row["language"],
            version=row["version"],
            country=row["country"],
            state=row["state"],
            attempts=row["attempts"],
        )


@dataclass(frozen=True)
class BroadcastTally:
    """How many recipients of one language and country are in one delivery state."""

    language: str
    country: str | None
    state: str
    count: int


# Per language, how far an entry's text is: all there, something missing, or waiting for a
# staff member to confirm it after another language changed.
LanguageState = str  # 'complete' | 'missing' | 'review'


@dataclass(frozen=True)
class KnowledgeVersion:
    """One saved version of a knowledge entry; ``entry`` is its JSON (bot/knowledge/records.py)."""

    id: int
    slug: str
    entry: str
    file_text: str | None
    review: tuple[str, ...]
    kind: str
    restored_from: int | None
    author: int | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> KnowledgeVersion:
        return cls(
            id=row["id"],
            slug=row["slug"],
            entry=row["entry"],
            file_text=row["file_text"],
            review=tuple(row["review"].split()),
            kind=row["kind"],
            restored_from=row["restored_from"],
            author=row["author"],
            created_at=_time(row["created_at"]),
        )


@dataclass(frozen=True)
class KnowledgeSummary:
    """What the console lists of an entry (of its draft when there is one)."""

    slug: str
    topic: str
    titles: dict[str, str]
    states: dict[str, LanguageState]


@dataclass(frozen=True)
class KnowledgeRecord:
    """An entry's row: which version is live, which is the draft, and who published last."""

    slug: str
    live_version: int | None
    draft_version: int | None
    published_at: datetime | None
    published_by: int | None
    summary: KnowledgeSummary

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> KnowledgeRecord:
        return cls(
            slug=row["slug"],
            live_version=row["live_version"],
            draft_version=row["draft_version"],
            published_at=from_db_time(row["published_at"]),
            published_by=row["published_by"],
            summary=summary_from_row(row),
        )


def summary_from_row(row: sqlite3.Row) -> KnowledgeSummary:
    return KnowledgeSummary(
        slug=row["slug"],
        topic=row["topic"],
        titles={lang: row[f"title_{lang}"] for lang in ("ar", "fr", "en")},
        states={lang: row[f"state_{lang}"] for lang in ("ar", "fr", "en")},
    )
