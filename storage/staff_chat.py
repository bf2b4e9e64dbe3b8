"""The staff group the bot is bound to (one row; see bot/staff_chat.py)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.db import Database
from storage.health import has_table, read_only
from storage.models import from_db_time, to_db_time


@dataclass(frozen=True)
class StaffChatBinding:
    chat_id: int
    title: str
    bound_at: datetime


class StaffChatRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self) -> StaffChatBinding | None:
        row = await self._db.fetchone("SELECT * FROM staff_chat_binding WHERE slot = 1")
        return _binding(row) if row else None

    async def bind(self, chat_id: int, title: str, now: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO staff_chat_binding (slot, chat_id, title, bound_at)
                VALUES (1, :chat_id, :title, :now)
                ON CONFLICT (slot) DO UPDATE SET
                    chat_id = excluded.chat_id, title = excluded.title, bound_at = excluded.bound_at
                """,
                {"chat_id": chat_id, "title": title, "now": to_db_time(now)},
            )

    async def move(self, old_chat_id: int, new_chat_id: int, now: datetime) -> bool:
        """The group became a supergroup: the binding follows it (once, whichever update
        arrives first); an unbound database starts bound to the new id."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT chat_id FROM staff_chat_binding WHERE slot = 1")
            if row is not None and row["chat_id"] != old_chat_id:
                return False
            await tx.execute(
                """
                INSERT INTO staff_chat_binding (slot, chat_id, title, bound_at)
                VALUES (1, :chat_id, '', :now)
                ON CONFLICT (slot) DO UPDATE SET chat_id = excluded.chat_id
                """,
                {"chat_id": new_chat_id, "now": to_db_time(now)},
            )
        return True


def _binding(row: sqlite3.Row) -> StaffChatBinding:
    bound_at = from_db_time(row["bound_at"])
    assert bound_at is not None  # NOT NULL in the schema
    return StaffChatBinding(row["chat_id"], row["title"], bound_at)


def read_binding(database: Path) -> StaffChatBinding | None:
    """The binding, read without opening (or creating, or migrating) the database."""
    if not database.is_file():
        return None
    with closing(read_only(database)) as connection:
        connection.row_factory = sqlite3.Row
        if not has_table(connection, "staff_chat_binding"):
            return None
        row = connection.execute("SELECT * FROM staff_chat_binding WHERE slot = 1").fetchone()
    return _binding(row) if row else None
