"""Rows as frozen dataclasses, so nothing above storage/ sees a cursor or a tuple."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
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
