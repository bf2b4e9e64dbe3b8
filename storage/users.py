"""Users and hub staff."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.models import StaffMember, User, to_db_time


class UserRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> User | None:
        row = await self._db.fetchone("SELECT * FROM users WHERE id = :id", {"id": user_id})
        return User.from_row(row) if row else None

    async def touch(
        self,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        telegram_language: str | None,
        now: datetime,
    ) -> User:
        """Create the user on first contact, refresh their Telegram profile afterwards."""
        params = {
            "id": user_id,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "telegram_language": telegram_language,
            "now": to_db_time(now),
        }
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO users (id, first_name, last_name, username, telegram_language,
                                   created_at, last_seen_at)
                VALUES (:id, :first_name, :last_name, :username, :telegram_language, :now, :now)
                ON CONFLICT (id) DO UPDATE SET
                    first_name = excluded.first_name,
                    last_name = excluded.last_name,
                    username = excluded.username,
                    telegram_language = excluded.telegram_language,
                    is_active = 1,
                    last_seen_at = excluded.last_seen_at
                """,
                params,
            )
            row = await tx.fetchone("SELECT * FROM users WHERE id = :id", {"id": user_id})
        assert row is not None
        return User.from_row(row)

    async def set_language(self, user_id: int, language: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE users SET language = :language WHERE id = :id",
                {"language": language, "id": user_id},
            )

    async def set_time_zone(self, user_id: int, time_zone: str | None) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE users SET time_zone = :tz WHERE id = :id", {"tz": time_zone, "id": user_id}
            )

    async def set_active(self, user_id: int, active: bool) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE users SET is_active = :active WHERE id = :id",
                {"active": int(active), "id": user_id},
            )

    async def delete(self, user_id: int) -> None:
        """Erase the user and, through foreign keys, their profile and drafts."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM users WHERE id = :id", {"id": user_id})

    async def get_many(self, user_ids: list[int]) -> dict[int, User]:
        if not user_ids:
            return {}
        placeholders = ", ".join(f":id{index}" for index in range(len(user_ids)))
        params = {f"id{index}": user_id for index, user_id in enumerate(user_ids)}
        rows = await self._db.fetchall(f"SELECT * FROM users WHERE id IN ({placeholders})", params)
        return {row["id"]: User.from_row(row) for row in rows}


class StaffRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def list(self) -> list[StaffMember]:
        rows = await self._db.fetchall("SELECT * FROM staff ORDER BY added_at, user_id")
        return [StaffMember.from_row(row) for row in rows]

    async def contains(self, user_id: int) -> bool:
        row = await self._db.fetchone("SELECT 1 FROM staff WHERE user_id = :id", {"id": user_id})
        return row is not None

    async def add(self, user_id: int, *, added_by: int | None, now: datetime) -> bool:
        """Returns False when the person already was staff."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "INSERT INTO staff (user_id, added_by, added_at) VALUES (:id, :by, :at)"
                " ON CONFLICT (user_id) DO NOTHING",
                {"id": user_id, "by": added_by, "at": to_db_time(now)},
            )
        return changed == 1

    async def remove(self, user_id: int) -> bool:
        async with self._db.transaction() as tx:
            changed = await tx.execute("DELETE FROM staff WHERE user_id = :id", {"id": user_id})
        return changed == 1
