"""What each step of a multi-step form returns: where the form is, and what was wrong."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, TypeVar

from storage.models import Draft

ProblemT = TypeVar("ProblemT", bound=enum.Enum)


@dataclass(frozen=True)
class StepOutcome(Generic[ProblemT]):
    """A problem (with the limit it broke, for lengths) keeps the user on the step."""

    draft: Draft | None
    problem: ProblemT | None = None
    limit: int | None = None
