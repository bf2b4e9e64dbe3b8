"""Focal points (a city's registered officials) and the invites that register them at once."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.models import FocalPoint, Invite, to_db_time
from storage.outbox import StaffNotice, queue_staff_notice


class FocalPointRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> FocalPoint | None:
        row = await self._db.fetchone(
            "SELECT * FROM focal_points WHERE user_id = :id", {"id": user_id}
        )
        return FocalPoint.from_row(row) if row else None

    async def list_by_status(self, status: str) -> list[FocalPoint]:
        rows = await self._db.fetchall(
            "SELECT * FROM focal_points WHERE status = :status ORDER BY created_at",
            {"status": status},
        )
        return [FocalPoint.from_row(row) for row in rows]

    async def save_pending(
        self,
        *,
        user_id: int,
        full_name: str,
        country: str,
        city: str,
        position: str,
        email: str | None,
        now: datetime,
        notice: StaffNotice | None = None,
    ) -> FocalPoint:
        """Record a registration awaiting review, replacing an earlier one by the same person;
        ``notice`` (staff asked to review it) is queued with it."""
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO focal_points (user_id, full_name, country, city, position, email,
                                          status, created_at)
                VALUES (:id, :full_name, :country, :city, :position, :email, 'pending', :now)
                ON CONFLICT (user_id) DO UPDATE SET
                    full_name = excluded.full_name, country = excluded.country,
                    city = excluded.city, position = excluded.position, email = excluded.email,
                    status = 'pending', via_invite = NULL, reviewed_by = NULL,
                    reviewed_at = NULL, created_at = excluded.created_at
                """,
                {
                    "id": user_id,
                    "full_name": full_name,
                    "country": country,
                    "city": city,
                    "position": position,
                    "email": email,
                    "now": to_db_time(now),
                },
            )
            await tx.execute(
                "DELETE FROM drafts WHERE user_id = :id AND flow = 'registration'", {"id": user_id}
            )
            if notice is not None:
                await queue_staff_notice(tx, notice, now)
            row = await tx.fetchone(
                "SELECT * FROM focal_points WHERE user_id = :id", {"id": user_id}
            )
        assert row is not None
        return FocalPoint.from_row(row)

    async def review(
        self, *, user_id: int, approve: bool, reviewed_by: int, now: datetime
    ) -> FocalPoint | None:
        """Decide a pending registration; None when it is no longer pending (decided already)."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE focal_points SET status = :status, reviewed_by = :by, reviewed_at = :at"
                " WHERE user_id = :id AND status = 'pending'",
                {
                    "status": "approved" if approve else "rejected",
                    "by": reviewed_by,
                    "at": to_db_time(now),
                    "id": user_id,
                },
            )
            if changed == 0:
                return None
            row = await tx.fetchone(
                "SELECT * FROM focal_points WHERE user_id = :id", {"id": user_id}
            )
        assert row is not None
        return FocalPoint.from_row(row)


class InviteRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        code: str,
        country: str,
        city: str,
        created_by: int | None,
        now: datetime,
        expires_at: datetime,
    ) -> Invite:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO invites (code, country, city, created_by, created_at, expires_at)"
                " VALUES (:code, :country, :city, :by, :now, :expires)",
                {
                    "code": code,
                    "country": country,
                    "city": city,
                    "by": created_by,
                    "now": to_db_time(now),
                    "expires": to_db_time(expires_at),
                },
            )
        invite = await self.get(code)
        assert invite is not None
        return invite

    async def get(self, code: str) -> Invite | None:
        row = await self._db.fetchone("SELECT * FROM invites WHERE code = :code", {"code": code})
        return Invite.from_row(row) if row else None

    async def redeem(
        self,
        *,
        code: str,
        user_id: int,
        full_name: str,
        now: datetime,
        notice: StaffNotice | None = None,
    ) -> FocalPoint | None:
        """Use the invite and register its user as an approved focal point, atomically (with
        ``notice`` to staff, if any).

        None when the code is unknown, used or expired: the single conditional UPDATE is what
        makes two people racing for one code impossible.
        """
        stamp = to_db_time(now)
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE invites SET used_by = :user, used_at = :now"
                " WHERE code = :code AND used_at IS NULL AND expires_at > :now",
                {"user": user_id, "now": stamp, "code": code},
            )
            if changed == 0:
                return None
            invite = await tx.fetchone("SELECT * FROM invites WHERE code = :code", {"code": code})
            assert invite is not None
            await tx.execute(
                """
                INSERT INTO focal_points (user_id, full_name, country, city, position, status,
                                          via_invite, reviewed_by, reviewed_at, created_at)
                VALUES (:id, :name, :country, :city, '', 'approved', :code, :by, :now, :now)
                ON CONFLICT (user_id) DO UPDATE SET
                    country = excluded.country, city = excluded.city, status = 'approved',
                    via_invite = excluded.via_invite, reviewed_by = excluded.reviewed_by,
                    reviewed_at = excluded.reviewed_at
                """,
                {
                    "id": user_id,
                    "name": full_name,
                    "country": invite["country"],
                    "city": invite["city"],
                    "code": code,
                    "by": invite["created_by"],
                    "now": stamp,
                },
            )
            if notice is not None:
                await queue_staff_notice(tx, notice, now)
            row = await tx.fetchone(
                "SELECT * FROM focal_points WHERE user_id = :id", {"id": user_id}
            )
        assert row is not None
        return FocalPoint.from_row(row)
