"""The staff outbox: notifications written in the transaction of the change that causes them,
kept until Telegram accepted every message of each, so a stop at any moment loses none.

Refreshes of the staff cards already posted are kept here too, one row per card: a change of a
request asks every copy of its card to show the request as it then is.  A newer change bumps
the row's ``asked`` count rather than adding a row, so the edits of one card coalesce (the
last state asked for is what the card ends on) and the row goes only once Telegram accepted
the newest."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.db import Database, Transaction
from storage.models import to_db_time


@dataclass(frozen=True)
class StaffNotice:
    """What to tell staff: a kind (how it is rendered), whom it is about, and the values
    rendering needs that the tables will not hold any more when it is sent."""

    kind: str
    subject_user_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    def with_values(self, **values: Any) -> StaffNotice:
        """The same notice with values only the transaction knows (a new row's id)."""
        return StaffNotice(self.kind, self.subject_user_id, {**self.payload, **values})


@dataclass(frozen=True)
class QueuedNotice:
    id: int
    notice: StaffNotice
    # Per recipient chat, how many of its messages Telegram already accepted.
    parts_sent: dict[int, int]


async def queue_staff_notice(tx: Transaction, notice: StaffNotice, now: datetime) -> int:
    """Queue a notice inside the caller's transaction: it exists if and only if the change
    that causes it was committed."""
    return await tx.insert(
        "INSERT INTO staff_notices (kind, subject_user_id, payload, created_at)"
        " VALUES (:kind, :subject, :payload, :now)",
        {
            "kind": notice.kind,
            "subject": notice.subject_user_id,
            "payload": json.dumps(notice.payload, ensure_ascii=False),
            "now": to_db_time(now),
        },
    )


@dataclass(frozen=True)
class CardRefresh:
    """A staff card to show its request as it is now; ``asked`` counts the changes that asked."""

    chat_id: int
    message_id: int
    request_id: int
    asked: int


async def queue_card_refreshes(
    tx: Transaction, request_id: int, now: datetime, *, copy: tuple[int, int] | None = None
) -> None:
    """Inside the change's transaction: every copy of the request's card (or only ``copy``,
    a chat and message) is to be refreshed."""
    chat_id, message_id = copy or (None, None)
    await tx.execute(
        "INSERT INTO card_refreshes (chat_id, message_id, request_id, asked, asked_at)"
        " SELECT chat_id, message_id, request_id, 1, :now FROM support_request_copies"
        " WHERE request_id = :id"
        " AND (:chat IS NULL OR (chat_id = :chat AND message_id = :message))"
        " ON CONFLICT (chat_id, message_id)"
        " DO UPDATE SET asked = asked + 1, asked_at = excluded.asked_at",
        {"id": request_id, "now": to_db_time(now), "chat": chat_id, "message": message_id},
    )


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def queue(self, notice: StaffNotice, now: datetime) -> int:
        """A notice caused by no other change (the daily digest)."""
        async with self._db.transaction() as tx:
            return await queue_staff_notice(tx, notice, now)

    async def pending(self, limit: int) -> list[QueuedNotice]:
        """The oldest notices not yet confirmed, with what each recipient already has."""
        rows = await self._db.fetchall(
            "SELECT * FROM staff_notices ORDER BY id LIMIT :limit", {"limit": limit}
        )
        if not rows:
            return []
        progress = await self._db.fetchall(
            "SELECT notice_id, chat_id, parts_sent FROM staff_notice_progress"
            " WHERE notice_id BETWEEN :first AND :last",
            {"first": rows[0]["id"], "last": rows[-1]["id"]},
        )
        sent: dict[int, dict[int, int]] = {}
        for row in progress:
            sent.setdefault(row["notice_id"], {})[row["chat_id"]] = row["parts_sent"]
        return [
            QueuedNotice(
                row["id"],
                StaffNotice(row["kind"], row["subject_user_id"], json.loads(row["payload"])),
                sent.get(row["id"], {}),
            )
            for row in rows
        ]

    async def confirm(self, notice_id: int, chat_id: int, parts_sent: int) -> None:
        """Telegram accepted the recipient's first ``parts_sent`` messages."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO staff_notice_progress (notice_id, chat_id, parts_sent)"
                " SELECT :notice, :chat, :parts WHERE EXISTS"
                " (SELECT 1 FROM staff_notices WHERE id = :notice)"
                " ON CONFLICT (notice_id, chat_id) DO UPDATE SET parts_sent = excluded.parts_sent",
                {"notice": notice_id, "chat": chat_id, "parts": parts_sent},
            )

    async def done(self, notice_id: int) -> None:
        """Every recipient has it (or cannot be written to): the notice is gone."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM staff_notices WHERE id = :id", {"id": notice_id})

    async def count(self) -> int:
        row = await self._db.fetchone("SELECT count(*) AS n FROM staff_notices")
        return int(row["n"]) if row else 0

    async def card_refreshes(self, limit: int) -> list[CardRefresh]:
        """The cards waiting longest to show their request's newest state."""
        rows = await self._db.fetchall(
            "SELECT chat_id, message_id, request_id, asked FROM card_refreshes"
            " ORDER BY asked_at, chat_id, message_id LIMIT :limit",
            {"limit": limit},
        )
        return [_card_refresh(row) for row in rows]

    async def card_refresh(self, chat_id: int, message_id: int) -> CardRefresh | None:
        row = await self._db.fetchone(
            "SELECT chat_id, message_id, request_id, asked FROM card_refreshes"
            " WHERE chat_id = :chat AND message_id = :message",
            {"chat": chat_id, "message": message_id},
        )
        return _card_refresh(row) if row is not None else None

    async def card_shown(self, refresh: CardRefresh) -> bool:
        """The card shows what ``refresh`` asked for; False if a newer change asked again
        meanwhile (the row stays for it)."""
        async with self._db.transaction() as tx:
            deleted = await tx.execute(
                "DELETE FROM card_refreshes"
                " WHERE chat_id = :chat AND message_id = :message AND asked = :asked",
                {"chat": refresh.chat_id, "message": refresh.message_id, "asked": refresh.asked},
            )
        return deleted > 0

    async def count_card_refreshes(self) -> int:
        row = await self._db.fetchone("SELECT count(*) AS n FROM card_refreshes")
        return int(row["n"]) if row else 0


def _card_refresh(row: sqlite3.Row) -> CardRefresh:
    return CardRefresh(
        int(row["chat_id"]), int(row["message_id"]), int(row["request_id"]), int(row["asked"])
    )
