"""Broadcasts and their recipients' delivery states, written as each message goes out."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.db import Database, Transaction
from storage.models import Broadcast, BroadcastRecipient, BroadcastTally, to_db_time

# States a recipient can still move out of; the rest are final.
OPEN_STATES = ("pending", "sending")
# Recipients named in one UPDATE (SQLite allows 32,766 parameters; a claim is about a second
# of sending, a thousand at most).
IDS_PER_STATEMENT = 500


@dataclass(frozen=True)
class AudienceMember:
    """A person an audience query found, with what decides their version and report line."""

    user_id: int
    language: str | None
    telegram_language: str | None
    country: str | None
    time_zone: str | None = None  # their own, if they chose one


@dataclass(frozen=True)
class PlannedRecipient:
    user_id: int
    language: str
    version: str
    country: str | None
    not_before: datetime | None = None  # UTC; None: as soon as the pace allows


@dataclass(frozen=True)
class RecipientResult:
    broadcast_id: int
    user_id: int
    state: str  # sent | failed | blocked
    attempts: int
    error: str | None


_MEMBER_COLUMNS = "u.id AS user_id, u.language, u.telegram_language, f.country, u.time_zone"
# A pending recipient whose working morning has not come yet is shown as "waiting".
WAITING = "waiting"


class BroadcastRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        created_by: int,
        versions: dict[str, str],
        attachment_kind: str | None,
        attachment_file_id: str | None,
        audience: dict[str, Any],
        scheduled_for: datetime,
        now: datetime,
        working_hours: bool = False,
    ) -> Broadcast:
        async with self._db.transaction() as tx:
            broadcast_id = await tx.insert(
                """
                INSERT INTO broadcasts (created_by, versions, attachment_kind, attachment_file_id,
                                        audience, status, scheduled_for, created_at, working_hours)
                VALUES (:by, :versions, :kind, :file_id, :audience, 'scheduled', :at, :now,
                        :working_hours)
                """,
                {
                    "by": created_by,
                    "versions": json.dumps(versions, ensure_ascii=False),
                    "kind": attachment_kind,
                    "file_id": attachment_file_id,
                    "audience": json.dumps(audience, ensure_ascii=False),
                    # In UTC: due() compares these texts, and a staff member's local offset
                    # would otherwise shift the moment by hours.
                    "at": to_db_time(scheduled_for.astimezone(UTC)),
                    "now": to_db_time(now),
                    "working_hours": int(working_hours),
                },
            )
            row = await tx.fetchone("SELECT * FROM broadcasts WHERE id = :id", {"id": broadcast_id})
        assert row is not None
        return Broadcast.from_row(row)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self._db.fetchone(
            "SELECT * FROM broadcasts WHERE id = :id", {"id": broadcast_id}
        )
        return Broadcast.from_row(row) if row else None

    async def recent(self, limit: int) -> list[Broadcast]:
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts ORDER BY id DESC LIMIT :limit", {"limit": limit}
        )
        return [Broadcast.from_row(row) for row in rows]

    async def due(self, now: datetime) -> list[Broadcast]:
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts WHERE status = 'scheduled' AND scheduled_for <= :now"
            " ORDER BY scheduled_for, id",
            {"now": to_db_time(now.astimezone(UTC))},
        )
        return [Broadcast.from_row(row) for row in rows]

    async def next_scheduled(self) -> datetime | None:
        row = await self._db.fetchone(
            "SELECT MIN(scheduled_for) AS at FROM broadcasts WHERE status = 'scheduled'"
        )
        return datetime.fromisoformat(row["at"]) if row and row["at"] else None

    async def sending(self) -> list[Broadcast]:
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts WHERE status = 'sending' ORDER BY id"
        )
        return [Broadcast.from_row(row) for row in rows]

    async def members(
        self,
        *,
        focal_points_only: bool,
        countries: Sequence[str] = (),
        user_ids: Sequence[int] = (),
    ) -> list[AudienceMember]:
        """Active users (not blocked), optionally verified focal points, of these countries."""
        params: dict[str, Any] = {}
        conditions = ["u.is_active = 1"]
        if focal_points_only:
            conditions.append("f.user_id IS NOT NULL")
        if countries:
            conditions.append(f"f.country IN ({_placeholders('c', countries, params)})")
        if user_ids:
            conditions.append(f"u.id IN ({_placeholders('u', user_ids, params)})")
        rows = await self._db.fetchall(
            f"""
            SELECT {_MEMBER_COLUMNS}
            FROM users u
            LEFT JOIN focal_points f ON f.user_id = u.id AND f.status = 'approved'
            WHERE {" AND ".join(conditions)}
            ORDER BY u.id
            """,
            params,
        )
        return [
            AudienceMember(
                user_id=row["user_id"],
                language=row["language"],
                telegram_language=row["telegram_language"],
                country=row["country"],
                time_zone=row["time_zone"],
            )
            for row in rows
        ]

    async def start(
        self, broadcast_id: int, recipients: Sequence[PlannedRecipient], now: datetime
    ) -> bool:
        """Fix the recipient list and mark the broadcast sending, at once; False if it was not
        waiting to start (cancelled meanwhile, or already started)."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE broadcasts SET status = 'sending', started_at = :now"
                " WHERE id = :id AND status = 'scheduled'",
                {"id": broadcast_id, "now": to_db_time(now)},
            )
            if changed != 1:
                return False
            await tx.executemany(
                """
                INSERT INTO broadcast_recipients (broadcast_id, user_id, position, language,
                                                  version, country, state, updated_at, not_before)
                VALUES (:id, :user_id, :position, :language, :version, :country, 'pending', :now,
                        :not_before)
                """,
                [
                    {
                        "id": broadcast_id,
                        "user_id": recipient.user_id,
                        "position": position,
                        "language": recipient.language,
                        "version": recipient.version,
                        "country": recipient.country,
                        "now": to_db_time(now),
                        "not_before": to_db_time(recipient.not_before.astimezone(UTC))
                        if recipient.not_before is not None
                        else None,
                    }
                    for position, recipient in enumerate(recipients)
                ],
            )
        return True

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE broadcasts SET progress_chat_id = :chat, progress_message_id = :message"
                " WHERE id = :id",
                {"id": broadcast_id, "chat": chat_id, "message": message_id},
            )

    async def requeue_in_flight(self, broadcast_id: int) -> int:
        """After a restart: messages whose outcome was never recorded are sent again."""
        async with self._db.transaction() as tx:
            return await tx.execute(
                "UPDATE broadcast_recipients SET state = 'pending'"
                " WHERE broadcast_id = :id AND state = 'sending'",
                {"id": broadcast_id},
            )

    async def claim(self, broadcast_id: int, limit: int, now: datetime) -> list[BroadcastRecipient]:
        """The next recipients in order whose time has come, marked as being sent in the same
        transaction (those waiting for their working morning stay pending)."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                """
                SELECT * FROM broadcast_recipients
                WHERE broadcast_id = :id AND state = 'pending'
                    AND (not_before IS NULL OR not_before <= :now)
                ORDER BY position LIMIT :limit
                """,
                {"id": broadcast_id, "limit": limit, "now": to_db_time(now.astimezone(UTC))},
            )
            stamp = to_db_time(now)
            users = [row["user_id"] for row in rows]
            for start in range(0, len(users), IDS_PER_STATEMENT):
                await _update_users(
                    tx,
                    "state = 'sending', updated_at = ?",
                    [stamp],
                    broadcast_id,
                    "pending",
                    users[start : start + IDS_PER_STATEMENT],
                )
        return [BroadcastRecipient.from_row(row) for row in rows]

    async def record(self, results: Sequence[RecipientResult], now: datetime) -> None:
        """Outcomes of messages that were being sent, many in one transaction."""
        if not results:
            return
        stamp = to_db_time(now)
        # One statement per outcome (almost all are "sent at the first try"), not one per
        # message: each statement waits for the interpreter lock the event loop holds, and at
        # hundreds a second those waits left outcomes unrecorded long after they were sent.
        alike: dict[tuple[int, str, int, str | None], list[int]] = defaultdict(list)
        for result in results:
            key = (result.broadcast_id, result.state, result.attempts, result.error)
            alike[key].append(result.user_id)
        async with self._db.transaction() as tx:
            for (broadcast_id, state, attempts, error), users in alike.items():
                for start in range(0, len(users), IDS_PER_STATEMENT):
                    await _update_users(
                        tx,
                        "state = ?, attempts = attempts + ?, error = ?, updated_at = ?",
                        [state, attempts, error, stamp],
                        broadcast_id,
                        "sending",
                        users[start : start + IDS_PER_STATEMENT],
                    )

    async def cancel(self, broadcast_id: int, *, by: int, now: datetime) -> Broadcast | None:
        """Stop a scheduled or running broadcast; None if it had already ended."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE broadcasts SET status = 'cancelled', cancelled_by = :by, finished_at = :now"
                " WHERE id = :id AND status IN ('scheduled', 'sending')",
                {"id": broadcast_id, "by": by, "now": to_db_time(now)},
            )
            if changed != 1:
                return None
            # Messages being sent right now finish and are recorded; the rest never go.
            await tx.execute(
                "UPDATE broadcast_recipients SET state = 'cancelled', updated_at = :now"
                " WHERE broadcast_id = :id AND state = 'pending'",
                {"id": broadcast_id, "now": to_db_time(now)},
            )
            row = await tx.fetchone("SELECT * FROM broadcasts WHERE id = :id", {"id": broadcast_id})
        assert row is not None
        return Broadcast.from_row(row)

    async def close_unsent(self, broadcast_id: int, now: datetime) -> None:
        """A cancelled broadcast's claimed but never sent recipients become cancelled."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE broadcast_recipients SET state = 'cancelled', updated_at = :now"
                " WHERE broadcast_id = :id AND state IN ('pending', 'sending')",
                {"id": broadcast_id, "now": to_db_time(now)},
            )

    async def finish(self, broadcast_id: int, now: datetime) -> Broadcast | None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE broadcasts SET status = 'done', finished_at = :now"
                " WHERE id = :id AND status = 'sending'",
                {"id": broadcast_id, "now": to_db_time(now)},
            )
            row = await tx.fetchone("SELECT * FROM broadcasts WHERE id = :id", {"id": broadcast_id})
        return Broadcast.from_row(row) if row else None

    async def unsent(self, broadcast_id: int) -> int:
        """How many recipients have not been sent to yet (waiting, pending or in flight)."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM broadcast_recipients"
            " WHERE broadcast_id = :id AND state IN ('pending', 'sending')",
            {"id": broadcast_id},
        )
        return int(row["n"]) if row else 0

    async def next_waiting(self) -> datetime | None:
        """The next working morning a recipient of a sending broadcast waits for."""
        row = await self._db.fetchone(
            "SELECT MIN(r.not_before) AS at FROM broadcast_recipients r"
            " JOIN broadcasts b ON b.id = r.broadcast_id"
            " WHERE r.state = 'pending' AND r.not_before IS NOT NULL AND b.status = 'sending'"
        )
        return datetime.fromisoformat(row["at"]) if row and row["at"] else None

    async def tallies(self, broadcast_id: int, now: datetime | None = None) -> list[BroadcastTally]:
        """Counts by language, country and state; with ``now``, pending recipients whose
        working morning is later are counted as "waiting"."""
        rows = await self._db.fetchall(
            f"""
            SELECT language, country, COUNT(*) AS count,
                CASE WHEN state = 'pending' AND not_before > :now THEN '{WAITING}'
                    ELSE state END AS state
            FROM broadcast_recipients WHERE broadcast_id = :id
            GROUP BY language, country, 4
            """,
            {"id": broadcast_id, "now": to_db_time(now.astimezone(UTC)) if now else None},
        )
        return [
            BroadcastTally(
                language=row["language"],
                country=row["country"],
                state=row["state"],
                count=row["count"],
            )
            for row in rows
        ]


def _placeholders(prefix: str, values: Sequence[Any], params: dict[str, Any]) -> str:
    names = [f"{prefix}{index}" for index in range(len(values))]
    params.update(zip(names, values, strict=True))
    return ", ".join(f":{name}" for name in names)


async def _update_users(
    tx: Transaction,
    assignments: str,
    values: list[Any],
    broadcast_id: int,
    state: str,
    users: list[int],
) -> None:
    """``SET assignments`` for these recipients of the broadcast, those still in ``state``."""
    marks = ", ".join("?" * len(users))
    await tx.execute(
        # Only this module's own SET clauses and placeholders are put into the text.
        f"UPDATE broadcast_recipients SET {assignments}"
        f" WHERE broadcast_id = ? AND state = ? AND user_id IN ({marks})",
        (*values, broadcast_id, state, *users),
    )
