"""Who a user is: their record, language, time zone, role; staff membership; erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.config import SUPPORTED_LANGUAGES
from bot.erasure import redactor
from bot.geography import default_time_zone, valid_time_zone
from storage.drafts import DraftRepository
from storage.erasure import ErasureRepository
from storage.focal_points import FocalPointRepository
from storage.models import FocalPoint, StaffMember, User
from storage.users import StaffRepository, UserRepository

TIME_ZONE_FLOW = "timezone"
# "Last seen" is kept to this precision: within it, a message with an unchanged Telegram
# profile writes nothing.
LAST_SEEN_RESOLUTION = timedelta(minutes=10)
# Telegram user ids are positive and have at most 52 significant bits.
MAX_TELEGRAM_USER_ID = 2**52


def is_user_id(value: int) -> bool:
    return 0 < value <= MAX_TELEGRAM_USER_ID


def language_from_telegram(language_code: str | None) -> str | None:
    """'fr-FR' -> 'fr'; None for languages the bot does not speak."""
    if not language_code:
        return None
    base = language_code.split("-")[0].lower()
    return base if base in SUPPORTED_LANGUAGES else None


@dataclass(frozen=True)
class Profile:
    """Everything the bot knows about the person behind an update, loaded once per update."""

    user: User
    focal_point: FocalPoint | None
    is_staff: bool

    @property
    def language(self) -> str:
        return self.user.language or language_from_telegram(self.user.telegram_language) or "en"

    @property
    def country(self) -> str | None:
        return self.focal_point.country if self.focal_point else None

    @property
    def time_zone(self) -> str:
        return self.user.time_zone or default_time_zone(self.country)

    @property
    def is_verified_focal_point(self) -> bool:
        return self.focal_point is not None and self.focal_point.is_verified


@dataclass(frozen=True)
class StaffListing:
    member: StaffMember
    user: User | None


class AccountService:
    def __init__(
        self,
        *,
        users: UserRepository,
        staff: StaffRepository,
        focal_points: FocalPointRepository,
        drafts: DraftRepository,
        erasure: ErasureRepository,
        admin_ids: frozenset[int],
        clock: Clock,
    ) -> None:
        self._users = users
        self._erasure = erasure
        self._drafts = drafts
        self._staff = staff
        self._focal_points = focal_points
        self._admin_ids = admin_ids
        self._clock = clock

    async def on_contact(
        self,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        telegram_language: str | None,
    ) -> Profile:
        now = self._clock.now()
        known = await self._users.get(user_id)
        if (
            known is not None
            and known.is_active
            and (known.first_name, known.last_name, known.username, known.telegram_language)
            == (first_name, last_name, username, telegram_language)
            and now - known.last_seen_at < LAST_SEEN_RESOLUTION
        ):
            # Nothing to write: the reply does not wait for the write lock (a broadcast's
            # results may hold it).
            return await self._profile_of(known)
        user = await self._users.touch(
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            telegram_language=telegram_language,
            now=now,
        )
        return await self._profile_of(user)

    async def profile(self, user_id: int) -> Profile | None:
        user = await self._users.get(user_id)
        return await self._profile_of(user) if user else None

    def profile_without_focal_point(self, user: User, *, in_staff_table: bool) -> Profile:
        """The profile of someone who is no focal point, from rows already read (the
        console reads a session, its owner and their staff row in one query)."""
        return Profile(
            user=user, focal_point=None, is_staff=self._is_staff(user.id, in_staff_table)
        )

    def _is_staff(self, user_id: int, in_staff_table: bool) -> bool:
        return user_id in self._admin_ids or in_staff_table

    async def _profile_of(self, user: User) -> Profile:
        return Profile(
            user=user,
            focal_point=await self._focal_points.get(user.id),
            is_staff=await self.is_staff(user.id),
        )

    async def display_names(self, user_ids: list[int]) -> dict[int, str]:
        """Names as Telegram gives them, for the people of this list the bot knows."""
        users = await self._users.get_many(user_ids)
        return {user_id: user.display_name for user_id, user in users.items()}

    async def set_language(self, user_id: int, language: str) -> None:
        if language not in SUPPORTED_LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        await self._users.set_language(user_id, language)

    async def start_time_zone_entry(self, user_id: int) -> None:
        """The user's next text message is a time zone name (until they choose or cancel)."""
        await self._drafts.save(
            user_id=user_id, flow=TIME_ZONE_FLOW, step="zone", data={}, now=self._clock.now()
        )

    async def end_time_zone_entry(self, user_id: int) -> None:
        await self._drafts.delete(user_id, TIME_ZONE_FLOW)

    async def set_time_zone(self, user_id: int, typed: str | None) -> str | None:
        """Store a zone (None: back to the country's default); returns the canonical name.

        An unknown name changes nothing and returns None; the user stays in the entry.
        """
        zone = None if typed is None else valid_time_zone(typed)
        if typed is not None and zone is None:
            return None
        await self._users.set_time_zone(user_id, zone)
        await self.end_time_zone_entry(user_id)
        return zone

    async def mark_unreachable(self, user_id: int) -> None:
        await self._users.set_active(user_id, False)

    async def set_reachable(self, user_id: int, *, reachable: bool) -> None:
        """Telegram told us the person blocked (or unblocked) the bot."""
        await self._users.set_active(user_id, reachable)

    async def erase(self, user_id: int) -> None:
        """Everything about the person goes; what the Hub keeps (a city's requests and their
        history) stays without their name, contact details or id."""
        details = await self._erasure.personal_details(user_id)
        await self._erasure.erase(user_id, redactor(details))

    async def is_staff(self, user_id: int) -> bool:
        if user_id in self._admin_ids:
            return True
        return self._is_staff(user_id, await self._staff.contains(user_id))

    def is_admin(self, user_id: int) -> bool:
        return user_id in self._admin_ids

    async def staff_ids(self) -> list[int]:
        added = [member.user_id for member in await self._staff.list()]
        return sorted(self._admin_ids | set(added))

    async def list_staff(self) -> list[StaffListing]:
        now = self._clock.now()
        members = {
            admin: StaffMember(user_id=admin, added_by=None, added_at=now, from_config=True)
            for admin in self._admin_ids
        }
        for member in await self._staff.list():
            members.setdefault(member.user_id, member)
        users = await self._users.get_many(list(members))
        return [
            StaffListing(member=members[user_id], user=users.get(user_id))
            for user_id in sorted(members)
        ]

    async def add_staff(self, user_id: int, *, added_by: int | None) -> bool:
        if user_id in self._admin_ids:
            return False
        return await self._staff.add(user_id, added_by=added_by, now=self._clock.now())

    async def remove_staff(self, user_id: int) -> bool:
        """Staff from the configuration stay: only the configuration can remove them."""
        if user_id in self._admin_ids:
            return False
        return await self._staff.remove(user_id)
