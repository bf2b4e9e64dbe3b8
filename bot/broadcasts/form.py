"""The compose form of a broadcast: its steps, what it holds, where Back leads."""

from __future__ import annotations

import enum
from typing import Any, NotRequired, TypedDict

from bot.forms import DraftAnswers, Form
from storage.models import Draft

FLOW = "broadcast"


class Step(enum.StrEnum):
    LANGUAGE = "language"
    TEXT = "text"
    VERSIONS = "versions"
    AUDIENCE = "audience"
    COUNTRIES = "countries"
    LANGUAGES = "languages"
    EVENT = "event"
    CONFIRM = "confirm"
    SCHEDULE = "schedule"


class Audience(TypedDict):
    kind: str
    values: list[Any]


class Answers(TypedDict):
    """The broadcast being written: its versions by language, its attachment and audience."""

    versions: dict[str, str]
    attachment: dict[str, Any] | None
    writing: NotRequired[str]
    audience: NotRequired[Audience]


answers = DraftAnswers[Answers]()


class Problem(enum.Enum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOTHING_CHOSEN = "nothing_chosen"
    NO_RECIPIENTS = "no_recipients"
    BAD_TIME = "bad_time"
    PAST_TIME = "past_time"


# Where Back leads from each step (the path forks at the audience).
PREVIOUS_STEP = {
    Step.VERSIONS: Step.LANGUAGE,
    Step.AUDIENCE: Step.VERSIONS,
    Step.COUNTRIES: Step.AUDIENCE,
    Step.LANGUAGES: Step.AUDIENCE,
    Step.EVENT: Step.AUDIENCE,
    Step.CONFIRM: Step.AUDIENCE,
    Step.SCHEDULE: Step.CONFIRM,
}


class BroadcastForm(Form[Step]):
    """The compose form's draft; the steps it goes through are the service's to decide."""

    flow = FLOW
    steps = Step

    def previous(self, draft: Draft) -> Step:
        if draft.step == Step.TEXT:
            return Step.VERSIONS if answers(draft).get("versions") else Step.LANGUAGE
        return PREVIOUS_STEP.get(self.step(draft), self.step(draft))
