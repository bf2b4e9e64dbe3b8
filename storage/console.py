"""The staff console's sessions and one-time login links, kept as digests of their tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.models import User, from_db_time, to_db_time


@dataclass(frozen=True)
class SessionRow:
    """An open session with what the gate needs of its owner, read in one query."""

    user: User
    csrf_token: str
    via: str
    expires_at: datetime
    in_staff_table: bool
    is_focal_point: bool


class ConsoleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_login_link(
        self, *, token_hash: str, user_id: int, now: datetime, expires_at: datetime
    ) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO console_login_links (token_hash, user_id, created_at, expires_at)"
                " VALUES (:hash, :user, :now, :expires)",
                {
                    "hash": token_hash,
                    "user": user_id,
                    "now": to_db_time(now),
                    "expires": to_db_time(expires_at),
                },
            )

    async def use_login_link(self, token_hash: str, now: datetime) -> int | None:
        """Mark an unused, unexpired link used and return its owner; None for any other link.

        One UPDATE decides, so two requests racing with the same link open one session."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "UPDATE console_login_links SET used_at = :now"
                " WHERE token_hash = :hash AND used_at IS NULL AND expires_at > :now"
                " RETURNING user_id",
                {"hash": token_hash, "now": to_db_time(now)},
            )
        return int(row["user_id"]) if row else None

    async def add_session(
        self,
        *,
        token_hash: str,
        user_id: int,
        csrf_token: str,
        via: str,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        async with self._db.transaction() as tx:
            # Expired sessions and links go whenever a new session opens: no job needed.
            await tx.execute(
                "DELETE FROM console_sessions WHERE expires_at <= :now", {"now": to_db_time(now)}
            )
            await tx.execute(
                "DELETE FROM console_login_links WHERE expires_at <= :now",
                {"now": to_db_time(now)},
            )
            await tx.execute(
                "INSERT INTO console_sessions"
                " (token_hash, user_id, csrf_token, via, created_at, expires_at)"
                " VALUES (:hash, :user, :csrf, :via, :now, :expires)",
                {
                    "hash": token_hash,
                    "user": user_id,
                    "csrf": csrf_token,
                    "via": via,
                    "now": to_db_time(now),
                    "expires": to_db_time(expires_at),
                },
            )

    async def session(self, token_hash: str, now: datetime) -> SessionRow | None:
        # One read on every console request: the session, its owner, and what their role
        # depends on.
        row = await self._db.fetchone(
            """
            SELECT s.csrf_token, s.via, s.expires_at AS session_expires_at, u.*,
                   EXISTS (SELECT 1 FROM staff WHERE user_id = s.user_id) AS in_staff_table,
                   EXISTS (SELECT 1 FROM focal_points WHERE user_id = s.user_id)
                       AS is_focal_point
            FROM console_sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = :hash AND s.expires_at > :now
            """,
            {"hash": token_hash, "now": to_db_time(now)},
        )
        if row is None:
            return None
        expires_at = from_db_time(row["session_expires_at"])
        assert expires_at is not None
        return SessionRow(
            user=User.from_row(row),
            csrf_token=row["csrf_token"],
            via=row["via"],
            expires_at=expires_at,
            in_staff_table=bool(row["in_staff_table"]),
            is_focal_point=bool(row["is_focal_point"]),
        )

    async def delete_session(self, token_hash: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM console_sessions WHERE token_hash = :hash", {"hash": token_hash}
            )

    async def delete_sessions_of(self, user_id: int) -> int:
        """Every session and unused link of one person (removed from staff)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM console_login_links WHERE user_id = :user", {"user": user_id}
            )
            return await tx.execute(
                "DELETE FROM console_sessions WHERE user_id = :user", {"user": user_id}
            )
