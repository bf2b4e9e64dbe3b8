"""Multi-step forms in progress, one per user and flow, so they survive restarts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.db import Database
from storage.models import Draft, to_db_time


class DraftRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def active(self, user_id: int) -> Draft | None:
        """The form the user touched last: the one their next message belongs to."""
        row = await self._db.fetchone(
            "SELECT * FROM drafts WHERE user_id = :id ORDER BY updated_at DESC LIMIT 1",
            {"id": user_id},
        )
        return Draft.from_row(row) if row else None

    async def get(self, user_id: int, flow: str) -> Draft | None:
        row = await self._db.fetchone(
            "SELECT * FROM drafts WHERE user_id = :id AND flow = :flow",
            {"id": user_id, "flow": flow},
        )
        return Draft.from_row(row) if row else None

    async def save(
        self, *, user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
    ) -> Draft:
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO drafts (user_id, flow, step, data, updated_at)
                VALUES (:id, :flow, :step, :data, :now)
                ON CONFLICT (user_id, flow) DO UPDATE SET
                    step = excluded.step, data = excluded.data, updated_at = excluded.updated_at
                """,
                {
                    "id": user_id,
                    "flow": flow,
                    "step": step,
                    "data": json.dumps(data, ensure_ascii=False),
                    "now": to_db_time(now),
                },
            )
        return Draft(user_id=user_id, flow=flow, step=step, data=data, updated_at=now)

    async def delete(self, user_id: int, flow: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM drafts WHERE user_id = :id AND flow = :flow",
                {"id": user_id, "flow": flow},
            )
