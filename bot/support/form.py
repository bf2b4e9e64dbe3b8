"""The support request form: one step at a time, its draft kept in the database until sent."""

from __future__ import annotations

import enum
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from bot.clock import Clock
from bot.forms import DraftAnswers, Form, FormProblem, StepOutcome, WrongStep, length_problem
from bot.registration import EMAIL_PATTERN
from bot.support.vocabulary import CONTACT_CHANNELS, SUPPORT_KINDS, TIME_FRAMES, TOPICS
from storage.drafts import DraftRepository
from storage.models import Draft, FocalPoint, RequestAttachment, SupportRequest
from storage.support_requests import SupportRequestRepository

FLOW = "request"


class Step(enum.StrEnum):
    TOPIC = "topic"
    KIND = "kind"
    TITLE = "title"
    DESCRIPTION = "description"
    TIME_FRAME = "time_frame"
    ATTACHMENTS = "attachments"
    CONTACT = "contact"
    CONTACT_DETAIL = "contact_detail"
    CONFIRM = "confirm"


class Answers(TypedDict):
    """What the form collects; ``key`` makes sending it twice harmless."""

    key: str
    attachments: list[dict[str, Any]]
    topic: NotRequired[str]
    kind: NotRequired[str]
    title: NotRequired[str]
    description: NotRequired[str]
    time_frame: NotRequired[str]
    contact: NotRequired[str]
    contact_detail: NotRequired[str]


# Steps answered with a button, and the choices each offers.
CHOICES: dict[Step, dict[str, str]] = {
    Step.TOPIC: TOPICS,
    Step.KIND: SUPPORT_KINDS,
    Step.TIME_FRAME: TIME_FRAMES,
    Step.CONTACT: CONTACT_CHANNELS,
}
TEXT_STEPS = (Step.TITLE, Step.DESCRIPTION, Step.CONTACT_DETAIL)
LIMITS: dict[str, tuple[int, int]] = {
    Step.TITLE: (5, 120),
    Step.DESCRIPTION: (20, 2000),
    "email": (6, 120),
}
MAX_ATTACHMENTS = 10
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()./-]{4,24}$")
PHONE_DIGITS = (6, 15)
# Enough randomness that two forms never share a key; short enough for callback data.
SUBMISSION_KEY_BYTES = 9


class Problem(enum.Enum):
    BAD_EMAIL = "bad_email"
    BAD_PHONE = "bad_phone"
    NEEDS_TEXT = "needs_text"
    NEEDS_CHOICE = "needs_choice"
    NEEDS_FILE = "needs_file"
    TOO_MANY_FILES = "too_many_files"


@dataclass(frozen=True)
class Submission:
    request: SupportRequest
    created: bool  # False: this form was already sent (a double tap, a retried update)


answers = DraftAnswers[Answers]()


def attachments_of(draft: Draft) -> list[RequestAttachment]:
    return [RequestAttachment(**item) for item in answers(draft).get("attachments", [])]


def _wants_detail(data: Mapping[str, Any]) -> bool:
    return data.get("contact") in ("email", "phone")


class RequestForm(Form[Step]):
    flow = FLOW
    steps = Step

    def __init__(
        self, *, drafts: DraftRepository, requests: SupportRequestRepository, clock: Clock
    ) -> None:
        super().__init__(drafts=drafts, clock=clock)
        self._requests = requests

    async def start(self, user_id: int) -> Draft:
        """A blank form (any earlier one is replaced)."""
        key = secrets.token_urlsafe(SUBMISSION_KEY_BYTES)
        return await self.save(user_id, Step.TOPIC, {"key": key, "attachments": []})

    def following(self, draft: Draft, data: Mapping[str, Any]) -> Step:
        # Telegram is enough to be reached through: no detail to ask for.
        if self.step(draft) is Step.CONTACT and not _wants_detail(data):
            return Step.CONFIRM
        return super().following(draft, data)

    def previous(self, draft: Draft) -> Step:
        previous = super().previous(draft)
        if previous is Step.CONTACT_DETAIL and not _wants_detail(draft.data):
            return Step.CONTACT
        return previous

    async def choose(self, user_id: int, step: str, choice: str) -> StepOutcome:
        """A button of a choice step; a button from an older step changes nothing."""
        draft = await self.at(user_id, *CHOICES)
        if draft.step != step:
            raise WrongStep(draft)
        if choice not in CHOICES[self.step(draft)]:
            return StepOutcome(draft, FormProblem.UNKNOWN_CHOICE)
        data: dict[str, Any] = {**draft.data, step: choice}
        if step == Step.CONTACT and draft.data.get("contact") != choice:
            data.pop("contact_detail", None)
        return StepOutcome(await self.advance(draft, data))

    async def answer_text(self, user_id: int, text: str) -> StepOutcome:
        draft = await self.at(user_id)
        step = self.step(draft)
        if step in CHOICES or step is Step.CONFIRM:
            return StepOutcome(draft, Problem.NEEDS_CHOICE)
        if step is Step.ATTACHMENTS:
            return StepOutcome(draft, Problem.NEEDS_FILE)
        # Descriptions keep their paragraphs; one-line answers are tidied.
        value = (
            "\n".join(" ".join(line.split()) for line in text.strip().splitlines())
            if step is Step.DESCRIPTION
            else " ".join(text.split())
        )
        if step is Step.CONTACT_DETAIL and answers(draft).get("contact") == "phone":
            value = western_digits(value)
        problem = (
            _contact_problem(answers(draft).get("contact"), value)
            if step is Step.CONTACT_DETAIL
            else length_problem(value, *LIMITS[step])
        )
        if problem is not None:
            return StepOutcome(draft, *problem)
        return StepOutcome(await self.advance(draft, {**draft.data, step.value: value}))

    async def add_attachment(self, user_id: int, attachment: RequestAttachment) -> StepOutcome:
        draft = await self.at(user_id)
        if draft.step != Step.ATTACHMENTS:
            return StepOutcome(draft, _problem_for_other_message(self.step(draft)))
        files = list(answers(draft).get("attachments", []))
        if any(item["file_unique_id"] == attachment.file_unique_id for item in files):
            return StepOutcome(draft)  # the same file twice (a resent album): kept once
        if len(files) >= MAX_ATTACHMENTS:
            return StepOutcome(draft, Problem.TOO_MANY_FILES, MAX_ATTACHMENTS)
        files.append(
            {
                "kind": attachment.kind,
                "file_id": attachment.file_id,
                "file_unique_id": attachment.file_unique_id,
                "file_name": attachment.file_name,
            }
        )
        return StepOutcome(
            await self.save(user_id, Step.ATTACHMENTS, {**draft.data, "attachments": files})
        )

    async def other_message(self, user_id: int) -> StepOutcome:
        """A sticker, voice note or the like: never an answer; says what the step expects."""
        draft = await self.at(user_id)
        return StepOutcome(draft, _problem_for_other_message(self.step(draft), file_step=True))

    async def clear_attachments(self, user_id: int) -> StepOutcome:
        draft = await self.at(user_id, Step.ATTACHMENTS)
        return StepOutcome(
            await self.save(user_id, Step.ATTACHMENTS, {**draft.data, "attachments": []})
        )

    async def finish_attachments(self, user_id: int) -> StepOutcome:
        draft = await self.at(user_id, Step.ATTACHMENTS)
        return StepOutcome(await self.advance(draft, draft.data))

    async def submit(self, user_id: int, key: str, focal_point: FocalPoint) -> Submission | None:
        """Send the form for the focal point's city; None if this form is gone or incomplete.

        Sending the same form again (same key) returns the request it already became.
        """
        draft = await self.draft(user_id)
        if draft is None or draft.data.get("key") != key or draft.step != Step.CONFIRM:
            existing = await self._requests.by_submission_key(key)
            if existing is not None and existing.filed_by == user_id:
                return Submission(existing, created=False)
            return None
        request, created = await self._requests.submit(
            submission_key=key,
            user_id=user_id,
            country=focal_point.country,
            city=focal_point.city,
            fields=draft.data,
            attachments=attachments_of(draft),
            draft_flow=FLOW,
            now=self._clock.now(),
        )
        return Submission(request, created)


def _problem_for_other_message(step: Step, *, file_step: bool = False) -> Problem:
    if step in TEXT_STEPS:
        return Problem.NEEDS_TEXT
    if step is Step.ATTACHMENTS and file_step:
        return Problem.NEEDS_FILE
    return Problem.NEEDS_CHOICE


def western_digits(value: str) -> str:
    """'+٢١٢ ٦٠٠' -> '+212 600': Arabic keyboards type their own digits; staff dial these."""
    return "".join(
        str(digit) if (digit := unicodedata.decimal(char, None)) is not None else char
        for char in value
    )


def _contact_problem(channel: str | None, value: str) -> tuple[enum.Enum, int | None] | None:
    if channel == "email":
        shortest, longest = LIMITS["email"]
        if len(value) > longest:
            return FormProblem.TOO_LONG, longest
        if len(value) < shortest or not EMAIL_PATTERN.match(value):
            return Problem.BAD_EMAIL, None
        return None
    digits = sum(char.isdigit() for char in value)
    if not PHONE_PATTERN.match(value) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return Problem.BAD_PHONE, None
    return None
