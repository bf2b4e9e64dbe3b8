"""The one form machine: steps in order, a draft in SQLite committed at every step.

A form declares its steps (an enum, in order) and its flow name; the base saves each answer
with the step it leads to, goes back, cancels, and refuses a button or an answer meant for
another step (``WrongStep``), so a double tap or an old keyboard changes nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar, cast

from bot.clock import Clock
from storage.drafts import DraftRepository
from storage.models import Draft

StepT = TypeVar("StepT", bound=enum.StrEnum)
AnswersT = TypeVar("AnswersT", bound=Mapping[str, Any])


class FormProblem(enum.Enum):
    """What any form may refuse; each form adds its own problems in its own enum."""

    WRONG_STEP = "wrong_step"
    UNKNOWN_CHOICE = "unknown_choice"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


class WrongStep(Exception):
    """A button or an answer meant for another step than the form's, or for no form at all."""

    def __init__(self, draft: Draft | None) -> None:
        super().__init__(draft.step if draft is not None else "no form")
        self.draft = draft


@dataclass(frozen=True)
class StepOutcome:
    """Where the form is after a step; a problem (with the limit it broke) keeps it there."""

    draft: Draft | None
    problem: enum.Enum | None = None
    limit: int | None = None


class StepRefused(Exception):
    """The last step of a form (submit, schedule) that makes something else than a draft
    refused its answer: the outcome says where the form stays, and why."""

    def __init__(self, outcome: StepOutcome) -> None:
        super().__init__(outcome.problem)
        self.outcome = outcome


class DraftAnswers(Generic[AnswersT]):
    """A draft's data read as its form's ``TypedDict``: ``answers = DraftAnswers[Answers]()``.

    The form wrote every key through its own steps, so there is nothing to check on the way
    back; this says which shape the data has, once per form.
    """

    def __call__(self, draft: Draft) -> AnswersT:
        return cast(AnswersT, draft.data)


def length_problem(value: str, shortest: int, longest: int) -> tuple[FormProblem, int] | None:
    if len(value) < shortest:
        return FormProblem.TOO_SHORT, shortest
    if len(value) > longest:
        return FormProblem.TOO_LONG, longest
    return None


def has_lapsed(draft: Draft, now: datetime, lapse: timedelta) -> bool:
    """A form untouched this long: the person has moved on, and what they write next is not
    taken as its answer until they say they are back (the draft is kept meanwhile)."""
    return now - draft.updated_at > lapse


class Form(Generic[StepT]):
    """A multi-step form kept as one draft per person and flow."""

    flow: ClassVar[str]
    steps: ClassVar[type[enum.StrEnum]]

    def __init__(self, *, drafts: DraftRepository, clock: Clock) -> None:
        self._drafts = drafts
        self._clock = clock

    async def draft(self, user_id: int) -> Draft | None:
        return await self._drafts.get(user_id, self.flow)

    async def at(self, user_id: int, *steps: StepT) -> Draft:
        """The draft, if it is at one of these steps (any step when none is given)."""
        draft = await self.draft(user_id)
        if draft is None or (steps and draft.step not in steps):
            raise WrongStep(draft)
        return draft

    async def save(self, user_id: int, step: StepT, data: Mapping[str, Any]) -> Draft:
        """Commit the answers so far with the step they lead to: restart-safe."""
        return await self._drafts.save(
            user_id=user_id, flow=self.flow, step=step, data=dict(data), now=self._clock.now()
        )

    async def advance(self, draft: Draft, data: Mapping[str, Any]) -> Draft:
        return await self.save(draft.user_id, self.following(draft, data), data)

    async def cancel(self, user_id: int) -> None:
        await self._drafts.delete(user_id, self.flow)

    async def back(self, user_id: int) -> StepOutcome:
        draft = await self.draft(user_id)
        if draft is None:
            return StepOutcome(None)
        return StepOutcome(await self.save(user_id, self.previous(draft), draft.data))

    async def resume(self, user_id: int) -> StepOutcome:
        """Saved again, so it is the form the user's next message belongs to."""
        draft = await self.draft(user_id)
        if draft is None:
            return StepOutcome(None)
        return StepOutcome(await self.save(user_id, self.step(draft), draft.data))

    def step(self, draft: Draft) -> StepT:
        return self.steps(draft.step)  # type: ignore[return-value]

    def order(self, draft: Draft) -> Sequence[StepT]:
        """The steps this draft goes through; a form whose path depends on answers overrides."""
        return list(self.steps)

    def following(self, draft: Draft, data: Mapping[str, Any]) -> StepT:
        order = self.order(draft)
        return order[min(order.index(self.step(draft)) + 1, len(order) - 1)]

    def previous(self, draft: Draft) -> StepT:
        order = self.order(draft)
        return order[max(order.index(self.step(draft)) - 1, 0)]
