"""Who may use the console: one-time login links, Mini App sign-in, sessions and their CSRF
tokens, and the staff role read from the database on every request."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.accounts import AccountService, Profile
from bot.audit import CONSOLE, AuditLog
from bot.clock import Clock
from bot.console.auth import InitDataError, new_token, token_digest, verify_init_data
from storage.console import ConsoleRepository

logger = logging.getLogger(__name__)

LOGIN_LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=8)
# Login attempts (links and Mini App sign-ins) per client address: a burst, then a pace.
LOGIN_BURST = 10
LOGIN_PER_MINUTE = 10
MAX_REMEMBERED_CLIENTS = 10_000


class NotStaff(Exception):
    """The person is not hub staff (any more): no link, no session."""


@dataclass(frozen=True)
class OpenedSession:
    """A new session; ``token`` is the cookie's value and exists only here and in the cookie."""

    token: str
    expires_at: datetime
    profile: Profile


@dataclass(frozen=True)
class StaffSession:
    """A session whose owner is staff at the moment of this request."""

    token_hash: str
    profile: Profile
    csrf_token: str
    expires_at: datetime


class LoginLimiter:
    """A token bucket per client address, on the bot's clock (tests move it by hand)."""

    def __init__(
        self, clock: Clock, *, burst: int = LOGIN_BURST, per_minute: int = LOGIN_PER_MINUTE
    ):
        self._clock = clock
        self._burst = burst
        self._per_s = per_minute / 60
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, client: str) -> bool:
        now_s = self._clock.now().timestamp()
        tokens, at_s = self._buckets.get(client, (float(self._burst), now_s))
        tokens = min(float(self._burst), tokens + (now_s - at_s) * self._per_s)
        if tokens < 1:
            self._buckets[client] = (tokens, now_s)
            return False
        if client not in self._buckets and len(self._buckets) >= MAX_REMEMBERED_CLIENTS:
            # Forget the longest-idle client; a full table must not lock everyone out.
            del self._buckets[min(self._buckets, key=lambda key: self._buckets[key][1])]
        self._buckets[client] = (tokens - 1, now_s)
        return True


class ConsoleAccess:
    def __init__(
        self,
        *,
        repository: ConsoleRepository,
        accounts: AccountService,
        audit: AuditLog,
        clock: Clock,
        bot_token: str | None,
    ) -> None:
        self._repository = repository
        self._accounts = accounts
        self._audit = audit
        self._clock = clock
        self._bot_token = bot_token
        self.limiter = LoginLimiter(clock)

    async def login_link_token(self, user_id: int) -> str:
        """A token for a one-time link: valid LOGIN_LINK_TTL, opens one session."""
        if not await self._accounts.is_staff(user_id):
            raise NotStaff(user_id)
        token = new_token()
        now = self._clock.now()
        await self._repository.add_login_link(
            token_hash=token_digest(token),
            user_id=user_id,
            now=now,
            expires_at=now + LOGIN_LINK_TTL,
        )
        return token

    async def open_with_link(self, token: str) -> OpenedSession | None:
        user_id = await self._repository.use_login_link(token_digest(token), self._clock.now())
        if user_id is None:
            logger.info("console: an unknown, used or expired login link was refused")
            return None
        return await self._open(user_id, via="link")

    async def open_with_init_data(self, init_data: str) -> OpenedSession | None:
        if self._bot_token is None:
            return None
        try:
            user = verify_init_data(init_data, self._bot_token, self._clock.now())
        except InitDataError as error:
            logger.info("console: Mini App sign-in refused (%s)", error)
            return None
        if not await self._accounts.is_staff(user.id):
            logger.info("console: Mini App sign-in by %s, who is not staff, refused", user.id)
            return None
        # Staff who open the Mini App before ever writing to the bot get their users row now.
        await self._accounts.on_contact(
            user_id=user.id,
            first_name=user.first_name,
            last_name=user.last_name,
            username=user.username,
            telegram_language=user.language_code,
        )
        return await self._open(user.id, via="webapp")

    async def _open(self, user_id: int, *, via: str) -> OpenedSession | None:
        profile = await self._accounts.profile(user_id)
        if profile is None or not profile.is_staff:
            logger.info("console: sign-in by %s, who is not staff, refused", user_id)
            return None
        token = new_token()
        now = self._clock.now()
        expires_at = now + SESSION_TTL
        await self._repository.add_session(
            token_hash=token_digest(token),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(24),
            via=via,
            now=now,
            expires_at=expires_at,
        )
        await self._audit.record(
            actor_id=user_id, channel=CONSOLE, action="console.login", subject=via
        )
        return OpenedSession(token=token, expires_at=expires_at, profile=profile)

    async def session(self, token: str) -> StaffSession | None:
        """The session, if it is open and its owner is staff now (checked on every request)."""
        return await self._session(token_digest(token))

    async def recheck(self, session: StaffSession) -> StaffSession | None:
        """The same session read again: for a response that lasts (server-sent events)."""
        return await self._session(session.token_hash)

    async def _session(self, token_hash: str) -> StaffSession | None:
        row = await self._repository.session(token_hash, self._clock.now())
        if row is None:
            return None
        profile = (
            # Rare: a staff member who is also a city's focal point (the profile has both).
            await self._accounts.profile(row.user.id)
            if row.is_focal_point
            else self._accounts.profile_without_focal_point(
                row.user, in_staff_table=row.in_staff_table
            )
        )
        if profile is None or not profile.is_staff:
            return None
        return StaffSession(
            token_hash=token_hash,
            profile=profile,
            csrf_token=row.csrf_token,
            expires_at=row.expires_at,
        )

    async def close(self, session: StaffSession) -> None:
        await self._repository.delete_session(session.token_hash)
        await self._audit.record(
            actor_id=session.profile.user.id, channel=CONSOLE, action="console.logout"
        )

    async def forget(self, user_id: int) -> None:
        """Close every session and link of someone removed from staff."""
        await self._repository.delete_sessions_of(user_id)
