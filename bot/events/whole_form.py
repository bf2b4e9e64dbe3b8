"""An event written all at once (the console's event form, new or edited), through the very
steps of /newevent: each field is the answer its step would get in the chat, so the same rules
decide (titles, time zone, times, place, audience, reminders) and the same submit creates it;
an edit is saved with the event service's ``revise``, as the chat's edit form is."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from bot.events.form import TEXT_LANGUAGES, TEXT_STEPS, Problem, Step
from bot.events.rules import AUDIENCE_COUNTRIES
from bot.events.service import EventService
from bot.forms import FormProblem, StepOutcome
from storage.models import Event, EventRevision

# A field of the console's form, for each step of /newevent that it answers.
FIELD_OF_STEP = {
    Step.TEXT_AR: "text_ar",
    Step.TEXT_FR: "text_fr",
    Step.TEXT_EN: "text_en",
    Step.ZONE: "zone",
    Step.START: "start",
    Step.END: "end",
    Step.PLACE: "place",
    Step.AUDIENCE: "audience",
    Step.REMINDERS: "reminders",
}


@dataclass(frozen=True)
class EventFields:
    """What staff typed: a title and a description per language (empty: not in it), the time
    zone, the local start and end as /newevent reads them, a place and/or a link, the
    countries invited (none: everyone) and the reminders ("7d 1d 1h", "none"; empty: default).
    """

    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    zone: str = ""
    start: str = ""
    end: str = ""
    place: str = ""
    link: str = ""
    audience: tuple[str, ...] = ()
    reminders: str = ""


@dataclass(frozen=True)
class FieldProblem:
    """The first field its step refused, why, and the limit it broke (if any)."""

    field: str
    problem: enum.Enum
    limit: int | None = None


async def check_new_event(
    service: EventService, user_id: int, fields: EventFields
) -> FieldProblem | None:
    """Answer the steps of /newevent in order; None when the form reached its confirmation
    (then ``create_new_event`` creates it), else the first problem. Replaces any event form
    the staff member had begun in the chat."""
    form = service.new_form
    await service.start_new(user_id)
    for step in TEXT_STEPS:
        language = TEXT_LANGUAGES[step]
        title = " ".join(fields.titles.get(language, "").split())
        if title:
            description = fields.descriptions.get(language, "").strip()
            outcome = await form.answer_text(user_id, f"{title}\n{description}".strip())
        else:
            outcome = await form.skip_language(user_id)
        if outcome.problem is not None:
            return _refused(step, outcome)
    typed = (
        (Step.ZONE, fields.zone),
        (Step.START, fields.start),
        (Step.END, fields.end),
        (Step.PLACE, "\n".join(part for part in (fields.place, fields.link) if part.strip())),
    )
    for step, answer in typed:
        outcome = await form.answer_text(user_id, answer)
        if outcome.problem is not None:
            return _refused(step, outcome)
    for code in fields.audience:
        if code not in AUDIENCE_COUNTRIES:
            return FieldProblem(FIELD_OF_STEP[Step.AUDIENCE], FormProblem.UNKNOWN_CHOICE)
        await form.toggle_country(user_id, code)
    await form.confirm_audience(user_id)
    if fields.reminders.strip():
        outcome = await form.answer_text(user_id, fields.reminders)
    else:
        outcome = await form.default_reminders(user_id)
    if outcome.problem is not None:
        return _refused(Step.REMINDERS, outcome)
    return None


async def create_new_event(
    service: EventService, user_id: int, fields: EventFields
) -> tuple[Event | None, FieldProblem | None]:
    """Check, then create it with /newevent's own submit (invitations are ``announce``'s)."""
    problem = await check_new_event(service, user_id, fields)
    if problem is not None:
        await service.new_form.cancel(user_id)
        return None, problem
    return await service.submit_new(user_id), None


def _refused(step: Step, outcome: StepOutcome) -> FieldProblem:
    assert outcome.problem is not None
    if outcome.problem is Problem.NO_TITLE:
        return FieldProblem("text_ar", Problem.NO_TITLE)
    return FieldProblem(FIELD_OF_STEP[step], outcome.problem, outcome.limit)


async def checked_revision(
    service: EventService, user_id: int, fields: EventFields
) -> tuple[EventRevision | None, FieldProblem | None]:
    """The event the fields describe, checked by the steps of /newevent (nothing is saved):
    what ``EventService.revise`` saves for an edit, or a preview shows."""
    problem = await check_new_event(service, user_id, fields)
    if problem is not None:
        await service.new_form.cancel(user_id)
        return None, problem
    return await service.completed_new(user_id), None
