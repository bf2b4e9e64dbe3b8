"""The audit log: who did what, when, on what (staff in the console and in the bot)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.models import from_db_time, to_db_time


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor_id: int | None
    channel: str
    action: str
    subject: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AuditRecord:
        at = from_db_time(row["at"])
        assert at is not None
        return cls(
            id=row["id"],
            at=at,
            actor_id=row["actor_id"],
            channel=row["channel"],
            action=row["action"],
            subject=row["subject"],
        )


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, *, at: datetime, actor_id: int, channel: str, action: str, subject: str | None
    ) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO audit_log (at, actor_id, channel, action, subject)"
                " VALUES (:at, :actor, :channel, :action, :subject)",
                {
                    "at": to_db_time(at),
                    "actor": actor_id,
                    "channel": channel,
                    "action": action,
                    "subject": subject,
                },
            )

    async def page(
        self,
        *,
        actor_id: int | None = None,
        action: str | None = None,
        before_id: int | None = None,
        size: int,
    ) -> list[AuditRecord]:
        """The newest records first, from ``before_id`` down (an index range, any filter)."""
        clauses = ["id < :before"]
        params: dict[str, object] = {"before": before_id if before_id is not None else 2**62}
        if actor_id is not None:
            clauses.append("actor_id = :actor")
            params["actor"] = actor_id
        if action is not None:
            clauses.append("action = :action")
            params["action"] = action
        rows = await self._db.fetchall(
            f"SELECT * FROM audit_log WHERE {' AND '.join(clauses)} ORDER BY id DESC LIMIT :size",
            {**params, "size": size},
        )
        return [AuditRecord.from_row(row) for row in rows]

    async def actions(self) -> list[str]:
        return [row[0] for row in await self._db.fetchall(_distinct("action"))]

    async def actors(self) -> list[int]:
        return [row[0] for row in await self._db.fetchall(_distinct("actor_id"))]


def _distinct(column: str) -> str:
    """The distinct values of an indexed column by jumping from one to the next in the index
    (a few dozen lookups), not by reading every record as SELECT DISTINCT does."""
    return f"""
        WITH RECURSIVE value(v) AS (
            SELECT min({column}) FROM audit_log
            UNION ALL
            SELECT (SELECT min({column}) FROM audit_log WHERE {column} > value.v)
            FROM value WHERE value.v IS NOT NULL
        )
        SELECT v FROM value WHERE v IS NOT NULL
    """
