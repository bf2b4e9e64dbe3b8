"""The support request form: one step at a time, its draft kept in the database until sent."""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.forms import StepOutcome
from bot.registration import EMAIL_PATTERN
from bot.support.vocabulary import CONTACT_CHANNELS, SUPPORT_KINDS, TIME_FRAMES, TOPICS
from storage.drafts import DraftRepository
from storage.models import Draft, FocalPoint, RequestAttachment, SupportRequest
from storage.support_requests import SupportRequestRepository

FLOW = "request"
STEPS = (
    "topic",
    "kind",
    "title",
    "description",
    "time_frame",
    "attachments",
    "contact",
    "contact_detail",
    "confirm",
)
# Steps answered with a button, and the choices each offers.
CHOICES: dict[str, dict[str, str]] = {
    "topic": TOPICS,
    "kind": SUPPORT_KINDS,
    "time_frame": TIME_FRAMES,
    "contact": CONTACT_CHANNELS,
}
TEXT_STEPS = ("title", "description", "contact_detail")
LIMITS: dict[str, tuple[int, int]] = {
    "title": (5, 120),
    "description": (20, 2000),
    "email": (6, 120),
}
MAX_ATTACHMENTS = 10
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()./-]{4,24}$")
PHONE_DIGITS = (6, 15)
# Enough randomness that two forms never share a key; short enough for callback data.
SUBMISSION_KEY_BYTES = 9


class Problem(enum.Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    BAD_EMAIL = "bad_email"
    BAD_PHONE = "bad_phone"
    UNKNOWN_CHOICE = "unknown_choice"
    NEEDS_TEXT = "needs_text"
    NEEDS_CHOICE = "needs_choice"
    NEEDS_FILE = "needs_file"
    TOO_MANY_FILES = "too_many_files"
    WRONG_STEP = "wrong_step"


@dataclass(frozen=True)
class Submission:
    request: SupportRequest
    created: bool  # False: this form was already sent (a double tap, a retried update)


def attachments_of(draft: Draft) -> list[RequestAttachment]:
    return [RequestAttachment(**item) for item in draft.data.get("attachments", [])]


class RequestForm:
    def __init__(
        self, *, drafts: DraftRepository, requests: SupportRequestRepository, clock: Clock
    ) -> None:
        self._drafts = drafts
        self._requests = requests
        self._clock = clock

    async def draft(self, user_id: int) -> Draft | None:
        return await self._drafts.get(user_id, FLOW)

    async def start(self, user_id: int) -> Draft:
        """A blank form (any earlier one is replaced)."""
        key = secrets.token_urlsafe(SUBMISSION_KEY_BYTES)
        return await self._save(user_id, "topic", {"key": key, "attachments": []})

    async def resume(self, user_id: int) -> Draft | None:
        """Saved again, so it is the form the user's next message belongs to."""
        draft = await self.draft(user_id)
        return await self._save(user_id, draft.step, draft.data) if draft else None

    async def cancel(self, user_id: int) -> None:
        await self._drafts.delete(user_id, FLOW)

    async def _save(self, user_id: int, step: str, data: dict[str, Any]) -> Draft:
        return await self._drafts.save(
            user_id=user_id, flow=FLOW, step=step, data=data, now=self._clock.now()
        )

    async def back(self, user_id: int) -> Draft | None:
        draft = await self.draft(user_id)
        if draft is None:
            return None
        index = STEPS.index(draft.step)
        previous = STEPS[max(index - 1, 0)]
        if previous == "contact_detail" and draft.data.get("contact") not in ("email", "phone"):
            previous = "contact"
        return await self._save(user_id, previous, draft.data)

    async def choose(self, user_id: int, step: str, choice: str) -> StepOutcome:
        """A button of a choice step; a button from an older step changes nothing."""
        draft = await self.draft(user_id)
        if draft is None or draft.step != step or step not in CHOICES:
            return StepOutcome(draft, Problem.WRONG_STEP)
        if choice not in CHOICES[step]:
            return StepOutcome(draft, Problem.UNKNOWN_CHOICE)
        data = {**draft.data, step: choice}
        if step == "contact":
            if choice in ("email", "phone"):
                if draft.data.get("contact") != choice:
                    data.pop("contact_detail", None)
                return StepOutcome(await self._save(user_id, "contact_detail", data))
            data.pop("contact_detail", None)
            return StepOutcome(await self._save(user_id, "confirm", data))
        return StepOutcome(await self._save(user_id, _following(step), data))

    async def answer_text(self, user_id: int, text: str) -> StepOutcome:
        draft = await self.draft(user_id)
        if draft is None:
            return StepOutcome(None, Problem.WRONG_STEP)
        step = draft.step
        if step in CHOICES or step == "confirm":
            return StepOutcome(draft, Problem.NEEDS_CHOICE)
        if step == "attachments":
            return StepOutcome(draft, Problem.NEEDS_FILE)
        # Descriptions keep their paragraphs; one-line answers are tidied.
        value = (
            "\n".join(" ".join(line.split()) for line in text.strip().splitlines())
            if step == "description"
            else " ".join(text.split())
        )
        if step == "contact_detail":
            problem = _contact_problem(draft.data.get("contact"), value)
            if problem is not None:
                return StepOutcome(draft, *problem)
            return StepOutcome(
                await self._save(user_id, "confirm", {**draft.data, "contact_detail": value})
            )
        shortest, longest = LIMITS[step]
        if len(value) < shortest:
            return StepOutcome(draft, Problem.TOO_SHORT, shortest)
        if len(value) > longest:
            return StepOutcome(draft, Problem.TOO_LONG, longest)
        return StepOutcome(await self._save(user_id, _following(step), {**draft.data, step: value}))

    async def add_attachment(self, user_id: int, attachment: RequestAttachment) -> StepOutcome:
        draft = await self.draft(user_id)
        if draft is None:
            return StepOutcome(None, Problem.WRONG_STEP)
        if draft.step != "attachments":
            return StepOutcome(draft, _problem_for_other_message(draft.step))
        files = list(draft.data.get("attachments", []))
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
            await self._save(user_id, "attachments", {**draft.data, "attachments": files})
        )

    async def other_message(self, user_id: int) -> StepOutcome:
        """A sticker, voice note or the like: never an answer; says what the step expects."""
        draft = await self.draft(user_id)
        if draft is None:
            return StepOutcome(None, Problem.WRONG_STEP)
        return StepOutcome(draft, _problem_for_other_message(draft.step, file_step=True))

    async def clear_attachments(self, user_id: int) -> StepOutcome:
        draft = await self.draft(user_id)
        if draft is None or draft.step != "attachments":
            return StepOutcome(draft, Problem.WRONG_STEP)
        return StepOutcome(
            await self._save(user_id, "attachments", {**draft.data, "attachments": []})
        )

    async def finish_attachments(self, user_id: int) -> StepOutcome:
        draft = await self.draft(user_id)
        if draft is None or draft.step != "attachments":
            return StepOutcome(draft, Problem.WRONG_STEP)
        return StepOutcome(await self._save(user_id, "contact", draft.data))

    async def submit(self, user_id: int, key: str, focal_point: FocalPoint) -> Submission | None:
        """Send the form for the focal point's city; None if this form is gone or incomplete.

        Sending the same form again (same key) returns the request it already became.
        """
        draft = await self.draft(user_id)
        if draft is None or draft.data.get("key") != key or draft.step != "confirm":
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


def _following(step: str) -> str:
    return STEPS[STEPS.index(step) + 1]


def _problem_for_other_message(step: str, *, file_step: bool = False) -> Problem:
    if step in TEXT_STEPS:
        return Problem.NEEDS_TEXT
    if step == "attachments" and file_step:
        return Problem.NEEDS_FILE
    return Problem.NEEDS_CHOICE


def _contact_problem(channel: str | None, value: str) -> tuple[Problem, int | None] | None:
    if channel == "email":
        shortest, longest = LIMITS["email"]
        if len(value) > longest:
            return Problem.TOO_LONG, longest
        if len(value) < shortest or not EMAIL_PATTERN.match(value):
            return Problem.BAD_EMAIL, None
        return None
    digits = sum(char.isdigit() for char in value)
    if not PHONE_PATTERN.match(value) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return Problem.BAD_PHONE, None
    return None
