"""What is known of a file attached to an announcement in the console (the bytes are in a
folder of their own, see bot/broadcasts/attachments.py): who uploaded it, its kind, name and
size, Telegram's file_id once uploaded, and the broadcast it goes with."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.models import to_db_time


@dataclass(frozen=True)
class AnnouncementFile:
    token: str
    owner_id: int
    kind: str  # photo | document
    file_name: str
    mime_type: str
    size: int
    file_id: str | None
    broadcast_id: int | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AnnouncementFile:
        return cls(
            token=row["token"],
            owner_id=row["owner_id"],
            kind=row["kind"],
            file_name=row["file_name"],
            mime_type=row["mime_type"],
            size=row["size"],
            file_id=row["file_id"],
            broadcast_id=row["broadcast_id"],
        )


class AnnouncementFileRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        *,
        token: str,
        owner_id: int,
        kind: str,
        file_name: str,
        mime_type: str,
        size: int,
        now: datetime,
    ) -> AnnouncementFile:
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO announcement_files
                    (token, owner_id, kind, file_name, mime_type, size, created_at)
                VALUES (:token, :owner, :kind, :name, :mime, :size, :now)
                """,
                {
                    "token": token,
                    "owner": owner_id,
                    "kind": kind,
                    "name": file_name,
                    "mime": mime_type,
                    "size": size,
                    "now": to_db_time(now),
                },
            )
        return AnnouncementFile(token, owner_id, kind, file_name, mime_type, size, None, None)

    async def get(self, token: str) -> AnnouncementFile | None:
        row = await self._db.fetchone(
            "SELECT * FROM announcement_files WHERE token = :token", {"token": token}
        )
        return AnnouncementFile.from_row(row) if row else None

    async def for_broadcast(self, broadcast_id: int) -> AnnouncementFile | None:
        row = await self._db.fetchone(
            "SELECT * FROM announcement_files WHERE broadcast_id = :id", {"id": broadcast_id}
        )
        return AnnouncementFile.from_row(row) if row else None

    async def set_file_id(self, token: str, file_id: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE announcement_files SET file_id = :file_id WHERE token = :token",
                {"token": token, "file_id": file_id},
            )

    async def attach(self, token: str, broadcast_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE announcement_files SET broadcast_id = :id WHERE token = :token",
                {"token": token, "id": broadcast_id},
            )

    async def remove(self, token: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM announcement_files WHERE token = :token", {"token": token}
            )

    async def unattached_before(self, moment: datetime) -> list[str]:
        """Files uploaded before ``moment`` that never became part of a broadcast."""
        rows = await self._db.fetchall(
            "SELECT token FROM announcement_files"
            " WHERE broadcast_id IS NULL AND created_at < :moment",
            {"moment": to_db_time(moment)},
        )
        return [row["token"] for row in rows]
