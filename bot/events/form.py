"""The staff's two event forms: a new event, and a change to one (time, place, text, ...)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, NotRequired, TypedDict

from bot.events.rules import (
    AUDIENCE_COUNTRIES,
    DEFAULT_REMINDER_OFFSETS_S,
    DESCRIPTION_MAX_CHARS,
    MAX_EVENT_LENGTH,
    TITLE_CHARS,
    parse_end,
    parse_local,
    parse_offsets,
    split_place,
    split_text,
    to_utc,
)
from bot.forms import DraftAnswers, Form, FormProblem, StepOutcome, WrongStep, length_problem
from bot.geography import valid_time_zone
from storage.models import Draft

NEW_FLOW = "newevent"
EDIT_FLOW = "editevent"


class Step(enum.StrEnum):
    TEXT_AR = "text_ar"
    TEXT_FR = "text_fr"
    TEXT_EN = "text_en"
    ZONE = "zone"
    START = "start"
    END = "end"
    PLACE = "place"
    AUDIENCE = "audience"
    REMINDERS = "reminders"
    CONFIRM = "confirm"


TEXT_STEPS = (Step.TEXT_AR, Step.TEXT_FR, Step.TEXT_EN)
# The language each text step asks for.
TEXT_LANGUAGES = {Step.TEXT_AR: "ar", Step.TEXT_FR: "fr", Step.TEXT_EN: "en"}
NEW_STEPS = tuple(Step)
# What staff can change in an event, and the steps each change goes through.
EDIT_STEPS: dict[str, tuple[Step, ...]] = {
    "time": (Step.START, Step.END, Step.CONFIRM),
    "place": (Step.PLACE, Step.CONFIRM),
    "texts": (*TEXT_STEPS, Step.CONFIRM),
    "reminders": (Step.REMINDERS, Step.CONFIRM),
    "audience": (Step.AUDIENCE, Step.CONFIRM),
}


class Answers(TypedDict):
    """An event being written or changed; times are local to ``zone`` (ISO, naive)."""

    texts: dict[str, list[str]]  # language: [title, description]
    zone: NotRequired[str]
    start: NotRequired[str]
    end: NotRequired[str]
    place: NotRequired[str | None]
    link: NotRequired[str | None]
    audience: NotRequired[list[str]]
    offsets: NotRequired[list[int]]
    # The edit form only: which event, and what about it.
    event: NotRequired[int]
    what: NotRequired[str]
    revision: NotRequired[int]  # the event's revision when the edit began


answers = DraftAnswers[Answers]()


class Problem(enum.Enum):
    NO_TITLE = "no_title"
    LAST_TITLE = "last_title"
    BAD_ZONE = "bad_zone"
    BAD_DATE = "bad_date"
    NO_SUCH_TIME = "no_such_time"
    IN_PAST = "in_past"
    END_BEFORE_START = "end_before_start"
    TOO_LONG_EVENT = "too_long_event"
    BAD_PLACE = "bad_place"
    BAD_REMINDERS = "bad_reminders"


class EventForm(Form[Step]):
    """What both forms share: typed answers, the audience, the reminders."""

    steps = Step
    editing: ClassVar[bool]

    def now(self) -> datetime:
        return self._clock.now()

    async def answer_text(self, user_id: int, text: str) -> StepOutcome:
        """A typed answer for the current step; a problem keeps the form on the step."""
        draft = await self.at(user_id, *TEXT_STEPS, *TYPED)
        step, data = self.step(draft), dict(draft.data)
        if step in TEXT_STEPS:
            title, description = split_text(text)
            problem = length_problem(title, *TITLE_CHARS) or length_problem(
                description, 0, DESCRIPTION_MAX_CHARS
            )
            if problem is not None:
                return StepOutcome(draft, *problem)
            data["texts"] = {**data.get("texts", {}), TEXT_LANGUAGES[step]: [title, description]}
            return StepOutcome(await self.advance(draft, data))
        return await TYPED[step](self, draft, data, text)

    async def _answer_zone(self, draft: Draft, data: dict[str, Any], text: str) -> StepOutcome:
        zone = valid_time_zone(text.strip())
        if zone is None:
            return StepOutcome(draft, Problem.BAD_ZONE)
        return StepOutcome(await self.advance(draft, {**data, "zone": zone}))

    async def _answer_start(self, draft: Draft, data: dict[str, Any], text: str) -> StepOutcome:
        local = parse_local(text)
        if local is None:
            return StepOutcome(draft, Problem.BAD_DATE)
        moment = to_utc(local, data["zone"])
        if moment is None:
            return StepOutcome(draft, Problem.NO_SUCH_TIME)
        if moment <= self.now():
            return StepOutcome(draft, Problem.IN_PAST)
        data["start"] = local.isoformat()
        data.pop("end", None)
        return StepOutcome(await self.advance(draft, data))

    async def _answer_end(self, draft: Draft, data: dict[str, Any], text: str) -> StepOutcome:
        start = datetime.fromisoformat(data["start"])
        local = parse_end(start, text)
        if local is None:
            return StepOutcome(draft, Problem.BAD_DATE)
        moment = to_utc(local, data["zone"])
        start_moment = to_utc(start, data["zone"])
        if moment is None or start_moment is None:
            return StepOutcome(draft, Problem.NO_SUCH_TIME)
        if moment <= start_moment:
            return StepOutcome(draft, Problem.END_BEFORE_START)
        if moment - start_moment > MAX_EVENT_LENGTH:
            return StepOutcome(draft, Problem.TOO_LONG_EVENT, MAX_EVENT_LENGTH.days)
        return StepOutcome(await self.advance(draft, {**data, "end": local.isoformat()}))

    async def _answer_place(self, draft: Draft, data: dict[str, Any], text: str) -> StepOutcome:
        place = split_place(text)
        if place is None:
            return StepOutcome(draft, Problem.BAD_PLACE)
        data["place"], data["link"] = place
        return StepOutcome(await self.advance(draft, data))

    async def _answer_reminders(self, draft: Draft, data: dict[str, Any], text: str) -> StepOutcome:
        offsets = parse_offsets(text)
        if offsets is None:
            return StepOutcome(draft, Problem.BAD_REMINDERS)
        return StepOutcome(await self.advance(draft, {**data, "offsets": offsets}))

    async def skip_language(self, user_id: int) -> StepOutcome:
        """Leave this language out of a new event; keep it as it is when editing."""
        draft = await self.at(user_id, *TEXT_STEPS)
        if self.editing:
            return StepOutcome(await self.advance(draft, draft.data))
        texts = dict(answers(draft).get("texts", {}))
        texts.pop(TEXT_LANGUAGES[self.step(draft)], None)
        data = {**draft.data, "texts": texts}
        if draft.step == Step.TEXT_EN and not texts:
            # Every event needs a title in some language: back to the first one.
            return StepOutcome(await self.save(user_id, Step.TEXT_AR, data), Problem.NO_TITLE)
        return StepOutcome(await self.advance(draft, data))

    async def toggle_country(self, user_id: int, code: str) -> StepOutcome:
        """Add or remove a country; 'all' empties the list, which means everyone."""
        draft = await self.at(user_id, Step.AUDIENCE)
        chosen = list(answers(draft).get("audience", []))
        if code == "all":
            chosen = []
        elif code in AUDIENCE_COUNTRIES:
            chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
        else:
            return StepOutcome(draft, FormProblem.UNKNOWN_CHOICE)
        ordered = [c for c in AUDIENCE_COUNTRIES if c in chosen]
        return StepOutcome(
            await self.save(user_id, Step.AUDIENCE, {**draft.data, "audience": ordered})
        )

    async def confirm_audience(self, user_id: int) -> StepOutcome:
        draft = await self.at(user_id, Step.AUDIENCE)
        return StepOutcome(await self.advance(draft, {"audience": [], **draft.data}))

    async def default_reminders(self, user_id: int) -> StepOutcome:
        return await self._reminders(user_id, list(DEFAULT_REMINDER_OFFSETS_S))

    async def no_reminders(self, user_id: int) -> StepOutcome:
        return await self._reminders(user_id, [])

    async def _reminders(self, user_id: int, offsets: list[int]) -> StepOutcome:
        draft = await self.at(user_id, Step.REMINDERS)
        return StepOutcome(await self.advance(draft, {**draft.data, "offsets": offsets}))

    async def completed(self, user_id: int) -> Draft | None:
        """The confirmed form, taken out of the drafts (a double tap finds nothing)."""
        try:
            draft = await self.at(user_id, Step.CONFIRM)
        except WrongStep:
            return None
        await self.cancel(user_id)
        return draft


# The steps answered by typing (besides the texts), and how each answer is read.
TYPED = {
    Step.ZONE: EventForm._answer_zone,
    Step.START: EventForm._answer_start,
    Step.END: EventForm._answer_end,
    Step.PLACE: EventForm._answer_place,
    Step.REMINDERS: EventForm._answer_reminders,
}


class NewEventForm(EventForm):
    flow = NEW_FLOW
    editing = False

    async def start(self, user_id: int) -> Draft:
        return await self.save(user_id, Step.TEXT_AR, {"texts": {}})

    async def choose_zone(self, user_id: int, zone: str) -> StepOutcome:
        draft = await self.at(user_id, Step.ZONE)
        if valid_time_zone(zone) != zone:
            return StepOutcome(draft, FormProblem.UNKNOWN_CHOICE)
        return StepOutcome(await self.advance(draft, {**draft.data, "zone": zone}))


class EditEventForm(EventForm):
    flow = EDIT_FLOW
    editing = True

    def order(self, draft: Draft) -> Sequence[Step]:
        return EDIT_STEPS[answers(draft)["what"]]

    async def start(self, user_id: int, what: str, data: Mapping[str, Any]) -> Draft:
        return await self.save(user_id, EDIT_STEPS[what][0], data)

    async def remove_language(self, user_id: int) -> StepOutcome:
        """Drop this language's title and description from an event being edited."""
        draft = await self.at(user_id, *TEXT_STEPS)
        texts = dict(answers(draft).get("texts", {}))
        texts.pop(TEXT_LANGUAGES[self.step(draft)], None)
        if not texts:
            return StepOutcome(draft, Problem.LAST_TITLE)
        return StepOutcome(await self.advance(draft, {**draft.data, "texts": texts}))
