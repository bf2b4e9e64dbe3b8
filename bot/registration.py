"""Focal point registration: the step-by-step form, staff review and one-time invites."""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.forms import StepOutcome
from bot.geography import COUNTRIES_BY_CODE, OTHER_COUNTRY
from storage.drafts import DraftRepository
from storage.focal_points import FocalPointRepository, InviteRepository
from storage.models import Draft, FocalPoint, Invite

FLOW = "registration"
STEPS = ("name", "country", "city", "position", "email", "confirm")
INVITE_PREFIX = "inv-"
# Telegram allows 64 characters of [A-Za-z0-9_-] in a /start payload.
INVITE_TOKEN_BYTES = 12
EMAIL_PATTERN = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]{2,}$")

LIMITS: dict[str, tuple[int, int]] = {
    "name": (3, 100),
    "city": (2, 80),
    "position": (2, 100),
    "email": (6, 120),
}


class Problem(enum.Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    BAD_EMAIL = "bad_email"
    UNKNOWN_CHOICE = "unknown_choice"
    WRONG_STEP = "wrong_step"


class RedeemStatus(enum.Enum):
    REGISTERED = "registered"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class RedeemOutcome:
    status: RedeemStatus
    focal_point: FocalPoint | None = None


class RegistrationService:
    def __init__(
        self,
        *,
        drafts: DraftRepository,
        focal_points: FocalPointRepository,
        invites: InviteRepository,
        clock: Clock,
        invite_ttl: timedelta,
    ) -> None:
        self._drafts = drafts
        self._focal_points = focal_points
        self._invites = invites
        self._clock = clock
        self._invite_ttl = invite_ttl

    async def draft(self, user_id: int) -> Draft | None:
        return await self._drafts.get(user_id, FLOW)

    async def start(self, user_id: int) -> Draft:
        return await self._save(user_id, "name", {})

    async def _save(self, user_id: int, step: str, data: dict[str, Any]) -> Draft:
        return await self._drafts.save(
            user_id=user_id, flow=FLOW, step=step, data=data, now=self._clock.now()
        )

    async def cancel(self, user_id: int) -> None:
        await self._drafts.delete(user_id, FLOW)

    async def back(self, user_id: int) -> Draft | None:
        draft = await self.draft(user_id)
        if draft is None:
            return None
        index = STEPS.index(draft.step)
        return await self._save(user_id, STEPS[max(index - 1, 0)], draft.data)

    async def answer_text(self, user_id: int, text: str) -> StepOutcome:
        """A typed answer for the current step; a problem keeps the user on the step."""
        draft = await self.draft(user_id)
        if draft is None:
            return StepOutcome(None, Problem.WRONG_STEP)
        step = draft.step
        if step not in LIMITS:
            return StepOutcome(draft, Problem.WRONG_STEP)
        value = " ".join(text.split())
        shortest, longest = LIMITS[step]
        if len(value) < shortest:
            return StepOutcome(draft, Problem.TOO_SHORT, shortest)
        if len(value) > longest:
            return StepOutcome(draft, Problem.TOO_LONG, longest)
        if step == "email" and not EMAIL_PATTERN.match(value):
            return StepOutcome(draft, Problem.BAD_EMAIL)
        return StepOutcome(await self._advance(draft, step, value))

    async def choose_country(self, user_id: int, code: str) -> StepOutcome:
        draft = await self.draft(user_id)
        if draft is None or draft.step != "country":
            return StepOutcome(draft, Problem.WRONG_STEP)
        if code not in COUNTRIES_BY_CODE:
            return StepOutcome(draft, Problem.UNKNOWN_CHOICE)
        data = {**draft.data, "country": code}
        if data.get("city") and data["city"] not in COUNTRIES_BY_CODE[code].cities:
            data.pop("city")
        return StepOutcome(await self._save(user_id, "city", data))

    async def choose_city(self, user_id: int, index: int) -> StepOutcome:
        draft = await self.draft(user_id)
        if draft is None or draft.step != "city":
            return StepOutcome(draft, Problem.WRONG_STEP)
        cities = COUNTRIES_BY_CODE[draft.data.get("country", OTHER_COUNTRY)].cities
        if not 0 <= index < len(cities):
            return StepOutcome(draft, Problem.UNKNOWN_CHOICE)
        return StepOutcome(await self._advance(draft, "city", cities[index]))

    async def skip_email(self, user_id: int) -> StepOutcome:
        draft = await self.draft(user_id)
        if draft is None or draft.step != "email":
            return StepOutcome(draft, Problem.WRONG_STEP)
        return StepOutcome(await self._advance(draft, "email", None))

    async def _advance(self, draft: Draft, step: str, value: str | None) -> Draft:
        following = STEPS[STEPS.index(step) + 1]
        return await self._save(draft.user_id, following, {**draft.data, step: value})

    async def submit(self, user_id: int) -> FocalPoint | None:
        """Turn a completed draft into a pending registration; None if there is nothing to send.

        The draft is deleted in the same transaction, so a double tap submits once.
        """
        draft = await self.draft(user_id)
        if draft is None or draft.step != "confirm":
            return None
        data = draft.data
        return await self._focal_points.save_pending(
            user_id=user_id,
            full_name=data["name"],
            country=data["country"],
            city=data["city"],
            position=data["position"],
            email=data.get("email"),
            now=self._clock.now(),
        )

    async def pending(self) -> list[FocalPoint]:
        return await self._focal_points.list_by_status("pending")

    async def review(self, user_id: int, *, approve: bool, reviewer: int) -> FocalPoint | None:
        return await self._focal_points.review(
            user_id=user_id, approve=approve, reviewed_by=reviewer, now=self._clock.now()
        )

    async def focal_point(self, user_id: int) -> FocalPoint | None:
        return await self._focal_points.get(user_id)

    async def create_invite(self, *, country: str, city: str, created_by: int | None) -> Invite:
        if not is_invite_target(country, city):
            raise ValueError(f"no invite for country {country!r} and city {city!r}")
        now = self._clock.now()
        return await self._invites.create(
            code=INVITE_PREFIX + secrets.token_urlsafe(INVITE_TOKEN_BYTES),
            country=country,
            city=" ".join(city.split()),
            created_by=created_by,
            now=now,
            expires_at=now + self._invite_ttl,
        )

    async def move_offered_by(self, code: str, *, user_id: int) -> Invite | None:
        """The invite, when opening it would move an approved focal point to another city:
        that needs their confirmation (and staff hear of it)."""
        focal_point = await self._focal_points.get(user_id)
        invite = await self._invites.get(code)
        if (
            focal_point is None
            or not focal_point.is_verified
            or invite is None
            or invite.used_at is not None
            or invite.expires_at <= self._clock.now()
        ):
            return None
        if (invite.country, invite.city) == (focal_point.country, focal_point.city):
            return None
        return invite

    async def redeem(self, code: str, *, user_id: int, full_name: str) -> RedeemOutcome:
        registered = await self._invites.redeem(
            code=code, user_id=user_id, full_name=full_name, now=self._clock.now()
        )
        if registered is not None:
            await self._drafts.delete(user_id, FLOW)
            return RedeemOutcome(RedeemStatus.REGISTERED, registered)
        invite = await self._invites.get(code)
        if invite is None:
            return RedeemOutcome(RedeemStatus.UNKNOWN)
        if invite.used_at is not None:
            return RedeemOutcome(RedeemStatus.USED)
        return RedeemOutcome(RedeemStatus.EXPIRED)


def is_invite_target(country: str, city: str) -> bool:
    """Invites are for a Hub country (not "other") and a city name of a sensible length."""
    shortest, longest = LIMITS["city"]
    return (
        country in COUNTRIES_BY_CODE
        and country != OTHER_COUNTRY
        and shortest <= len(" ".join(city.split())) <= longest
    )


def is_invite_code(payload: str) -> bool:
    return payload.startswith(INVITE_PREFIX)
