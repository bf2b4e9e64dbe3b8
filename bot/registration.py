"""Focal point registration: the step-by-step form, staff review and one-time invites."""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import NotRequired, TypedDict

from bot.clock import Clock
from bot.forms import DraftAnswers, Form, FormProblem, StepOutcome, WrongStep, length_problem
from bot.geography import COUNTRIES_BY_CODE, OTHER_COUNTRY
from storage.drafts import DraftRepository
from storage.focal_points import FocalPointRepository, InviteRepository
from storage.models import Draft, FocalPoint, Invite

FLOW = "registration"
INVITE_PREFIX = "inv-"
# Telegram allows 64 characters of [A-Za-z0-9_-] in a /start payload.
INVITE_TOKEN_BYTES = 12
EMAIL_PATTERN = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]{2,}$")


class Step(enum.StrEnum):
    NAME = "name"
    COUNTRY = "country"
    CITY = "city"
    POSITION = "position"
    EMAIL = "email"
    CONFIRM = "confirm"


class Answers(TypedDict):
    """What the form collects, step by step (a key appears once its step is answered)."""

    name: NotRequired[str]
    country: NotRequired[str]
    city: NotRequired[str]
    position: NotRequired[str]
    email: NotRequired[str | None]


# The steps answered by typing, with the shortest and longest answers they take.
LIMITS: dict[Step, tuple[int, int]] = {
    Step.NAME: (3, 100),
    Step.CITY: (2, 80),
    Step.POSITION: (2, 100),
    Step.EMAIL: (6, 120),
}


class Problem(enum.Enum):
    BAD_EMAIL = "bad_email"


answers = DraftAnswers[Answers]()


class RedeemStatus(enum.Enum):
    REGISTERED = "registered"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class RedeemOutcome:
    status: RedeemStatus
    focal_point: FocalPoint | None = None


class RegistrationService(Form[Step]):
    flow = FLOW
    steps = Step

    def __init__(
        self,
        *,
        drafts: DraftRepository,
        focal_points: FocalPointRepository,
        invites: InviteRepository,
        clock: Clock,
        invite_ttl: timedelta,
    ) -> None:
        super().__init__(drafts=drafts, clock=clock)
        self._focal_points = focal_points
        self._invites = invites
        self._invite_ttl = invite_ttl

    async def start(self, user_id: int) -> Draft:
        return await self.save(user_id, Step.NAME, {})

    async def answer_text(self, user_id: int, text: str) -> StepOutcome:
        """A typed answer for the current step; a problem keeps the user on the step."""
        draft = await self.at(user_id, *LIMITS)
        step = self.step(draft)
        value = " ".join(text.split())
        problem = length_problem(value, *LIMITS[step])
        if problem is not None:
            return StepOutcome(draft, *problem)
        if step is Step.EMAIL and not EMAIL_PATTERN.match(value):
            return StepOutcome(draft, Problem.BAD_EMAIL)
        return StepOutcome(await self.advance(draft, {**draft.data, step.value: value}))

    async def choose_country(self, user_id: int, code: str) -> StepOutcome:
        draft = await self.at(user_id, Step.COUNTRY)
        if code not in COUNTRIES_BY_CODE:
            return StepOutcome(draft, FormProblem.UNKNOWN_CHOICE)
        data = {**answers(draft), "country": code}
        if data.get("city") and data["city"] not in COUNTRIES_BY_CODE[code].cities:
            data.pop("city")
        return StepOutcome(await self.advance(draft, data))

    async def choose_city(self, user_id: int, index: int) -> StepOutcome:
        draft = await self.at(user_id, Step.CITY)
        cities = COUNTRIES_BY_CODE[answers(draft).get("country", OTHER_COUNTRY)].cities
        if not 0 <= index < len(cities):
            return StepOutcome(draft, FormProblem.UNKNOWN_CHOICE)
        return StepOutcome(await self.advance(draft, {**draft.data, "city": cities[index]}))

    async def skip_email(self, user_id: int) -> StepOutcome:
        draft = await self.at(user_id, Step.EMAIL)
        return StepOutcome(await self.advance(draft, {**draft.data, "email": None}))

    async def submit(self, user_id: int) -> FocalPoint | None:
        """Turn a completed draft into a pending registration; None if there is nothing to send.

        The draft is deleted in the same transaction, so a double tap submits once.
        """
        try:
            draft = await self.at(user_id, Step.CONFIRM)
        except WrongStep:
            return None
        data = answers(draft)
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
    shortest, longest = LIMITS[Step.CITY]
    return (
        country in COUNTRIES_BY_CODE
        and country != OTHER_COUNTRY
        and shortest <= len(" ".join(city.split())) <= longest
    )


def is_invite_code(payload: str) -> bool:
    return payload.startswith(INVITE_PREFIX)
