"""Events for hub staff: the /newevent form, the edit forms, cancelling, rosters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from babel.dates import format_timedelta
from markupsafe import Markup
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.callbacks import Feature, Route, RouteCallback
from bot.context import HubContext
from bot.events import (
    AUDIENCE_COUNTRIES,
    EDIT_FLOW,
    NEW_FLOW,
    TEXT_STEPS,
    Problem,
    Roster,
    StepOutcome,
    draft_times,
    languages_given,
)
from bot.geography import COMMON_TIME_ZONES, COUNTRIES_BY_CODE
from bot.i18n import Translator
from handlers.common import (
    answer_callback,
    button,
    edit_or_reply,
    follow_step,
    in_rows,
    keyboard,
    length_problem,
    register_routes,
    reply,
    staff_only,
)
from handlers.events import (
    card,
    period_text,
    title_of,
    when_text,
    where_text,
)
from handlers.preprocess import in_flow
from handlers.routes import (
    EDIT_EVENT,
    EDIT_EVENT_AUDIENCE_DONE,
    EDIT_EVENT_BACK,
    EDIT_EVENT_CANCEL,
    EDIT_EVENT_COUNTRY,
    EDIT_EVENT_DEFAULTS,
    EDIT_EVENT_DROP,
    EDIT_EVENT_NO_REMINDERS,
    EDIT_EVENT_SAVE,
    EDIT_EVENT_SKIP,
    EVENT_STAFF,
    EVS_ANNOUNCE,
    EVS_CANCEL,
    EVS_CANCEL_YES,
    EVS_EDIT,
    EVS_MANAGE,
    NEW_EVENT,
    NEW_EVENT_AUDIENCE_DONE,
    NEW_EVENT_BACK,
    NEW_EVENT_CANCEL,
    NEW_EVENT_COUNTRY,
    NEW_EVENT_CREATE,
    NEW_EVENT_DEFAULTS,
    NEW_EVENT_NO_REMINDERS,
    NEW_EVENT_SKIP,
    NEW_EVENT_ZONE,
)
from storage.models import Draft, Event


@dataclass(frozen=True)
class EventFormRoutes:
    """The buttons both event forms share; each form is its own feature."""

    flow: str
    feature: Feature
    back: Route
    cancel: Route
    skip: Route
    country: Route
    audience_done: Route
    defaults: Route
    no_reminders: Route


FORMS = {
    "n": EventFormRoutes(
        NEW_FLOW,
        NEW_EVENT,
        NEW_EVENT_BACK,
        NEW_EVENT_CANCEL,
        NEW_EVENT_SKIP,
        NEW_EVENT_COUNTRY,
        NEW_EVENT_AUDIENCE_DONE,
        NEW_EVENT_DEFAULTS,
        NEW_EVENT_NO_REMINDERS,
    ),
    "e": EventFormRoutes(
        EDIT_FLOW,
        EDIT_EVENT,
        EDIT_EVENT_BACK,
        EDIT_EVENT_CANCEL,
        EDIT_EVENT_SKIP,
        EDIT_EVENT_COUNTRY,
        EDIT_EVENT_AUDIENCE_DONE,
        EDIT_EVENT_DEFAULTS,
        EDIT_EVENT_NO_REMINDERS,
    ),
}
NEW_STEP_NUMBERS = {"zone": 4, "start": 5, "end": 6, "place": 7, "audience": 8, "reminders": 9}
NEW_STEP_TOTAL = 9


def offset_text(t: Translator, seconds: int) -> str:
    """'7 days', '1 hour', '90 minutes': exact, in the reader's language."""
    for unit_s in (86_400, 3_600, 60):
        if seconds % unit_s == 0:
            # Babel picks the largest unit reaching the threshold: ours, by construction.
            return format_timedelta(
                timedelta(seconds=seconds), threshold=seconds // unit_s, locale=t.locale
            )
    return format_timedelta(timedelta(seconds=seconds), locale=t.locale)


def offsets_text(t: Translator, offsets: list[int] | tuple[int, ...]) -> str:
    if not offsets:
        return t.label("no reminders")
    return t.list(offset_text(t, offset) for offset in offsets)


def audience_text(t: Translator, audience: list[str] | tuple[str, ...]) -> str:
    if not audience:
        return t.label("everyone")
    names = [t.label(COUNTRIES_BY_CODE[code].name) for code in audience]
    return t.list(names)


def _navigation(t: Translator, flow: str, *, back: bool = True) -> list[Any]:
    form = FORMS[flow]
    row = [button(t.label("« Back"), form.back)] if back else []
    return [*row, button(t.label("✖ Cancel"), form.cancel)]


# -- the /newevent form ----------------------------------------------------------------------


def new_prompt(t: Translator, draft: Draft) -> tuple[Markup, InlineKeyboardMarkup]:
    step, data = draft.step, draft.data
    if step.startswith("text_"):
        number = ("text_ar", "text_fr", "text_en").index(step) + 1
        return t._(
            "New event ({step}/{total}). Type the event in {language}: the title on the first "
            "line, the description (optional) below it. Or skip this language.",
            step=number,
            total=NEW_STEP_TOTAL,
            language=t.language_name(step[5:]),
        ), keyboard(
            [button(t.label("Skip"), NEW_EVENT_SKIP)],
            _navigation(t, "n", back=number > 1),
        )
    number = NEW_STEP_NUMBERS.get(step, NEW_STEP_TOTAL)
    if step == "zone":
        zones = [
            button(zone, NEW_EVENT_ZONE, index) for index, zone in enumerate(COMMON_TIME_ZONES)
        ]
        return t._(
            "New event ({step}/{total}). In which time zone will you give the times? Choose one, "
            "or type its name (for example Africa/Tunis).",
            step=number,
            total=NEW_STEP_TOTAL,
        ), keyboard(*in_rows(zones, 2), _navigation(t, "n"))
    if step in ("start", "end", "place"):
        return _time_or_place_prompt(t, draft, number), keyboard(_navigation(t, "n"))
    if step == "audience":
        chosen = data.get("audience", [])
        return t._(
            "New event ({step}/{total}). Who is invited? Everyone, or choose one or more "
            "countries; then Continue.\nInvited now: {audience}",
            step=number,
            total=NEW_STEP_TOTAL,
            audience=audience_text(t, chosen),
        ), audience_keyboard(t, "n", chosen)
    if step == "reminders":
        return t._(
            "New event ({step}/{total}). Reminders go to those who answer going or maybe: by "
            "default 7 days, 1 day and 1 hour before the start. Keep these, or type your own, "
            "for example: 3d 2h 30m",
            step=number,
            total=NEW_STEP_TOTAL,
        ), keyboard(
            [
                button(t.label("Keep the defaults"), NEW_EVENT_DEFAULTS),
                button(t.label("No reminders"), NEW_EVENT_NO_REMINDERS),
            ],
            _navigation(t, "n"),
        )
    return t._(
        "Please check the new event:\n\n{summary}\n\nCreate it?", summary=summary(t, data)
    ), keyboard([button(t.label("✔ Create event"), NEW_EVENT_CREATE)], _navigation(t, "n"))


def audience_keyboard(t: Translator, flow: str, chosen: list[str]) -> InlineKeyboardMarkup:
    everyone = t.label("✓ Everyone") if not chosen else t.label("Everyone")
    countries = [
        button(
            t.label("✓ {country}", country=t.label(COUNTRIES_BY_CODE[code].name))
            if code in chosen
            else t.label(COUNTRIES_BY_CODE[code].name),
            FORMS[flow].country,
            code,
        )
        for code in AUDIENCE_COUNTRIES
    ]
    return keyboard(
        [button(everyone, FORMS[flow].country, "all")],
        *in_rows(countries, 2),
        [button(t.label("Continue »"), FORMS[flow].audience_done)],
        _navigation(t, flow, back=flow == "n"),
    )


def _time_or_place_prompt(t: Translator, draft: Draft, number: int) -> Markup:
    zone = draft.data.get("zone", "UTC")
    if draft.step == "start":
        return t._(
            "New event ({step}/{total}). When does it start? Type the date and time in {zone}, "
            "for example 2026-06-16 10:00",
            step=number,
            total=NEW_STEP_TOTAL,
            zone=zone,
        )
    if draft.step == "end":
        return t._(
            "New event ({step}/{total}). When does it end? Type the time (17:00) if it ends "
            "the same day, or the date and time (2026-06-17 13:00).",
            step=number,
            total=NEW_STEP_TOTAL,
        )
    return t._(
        "New event ({step}/{total}). Where? Type the place, an online link (https://...), or "
        "both on two lines.",
        step=number,
        total=NEW_STEP_TOTAL,
    )


def summary(t: Translator, data: dict[str, Any]) -> Markup:
    lines = texts_lines(t, data)
    start, end = draft_times(data)
    zone = data.get("zone", "UTC")
    if start is not None and end is not None:
        lines.append(t._("🗓 {when}", when=period_text(t, start, end, zone)))
    lines.append(t._("📍 {where}", where=where_text(t, data.get("place"), data.get("link"))))
    lines.append(t._("Invited: {audience}", audience=audience_text(t, data.get("audience", []))))
    lines.append(t._("Reminders: {offsets}", offsets=offsets_text(t, data.get("offsets", []))))
    return Markup("\n\n").join(lines)


def text_line(t: Translator, language: str, title: str, description: str) -> Markup:
    return t._(
        "{language}: <b>{title}</b>\n{description}",
        language=t.language_name(language),
        title=title,
        description=description or "—",
    )


def texts_lines(t: Translator, data: dict[str, Any]) -> list[Markup]:
    return [text_line(t, language, *data["texts"][language]) for language in languages_given(data)]


def problem_text(t: Translator, outcome: StepOutcome) -> Markup:
    problem = outcome.problem
    if problem is Problem.TOO_SHORT:
        return t.ngettext(
            "The title is too short: please use at least {count} character.",
            "The title is too short: please use at least {count} characters.",
            outcome.limit or 0,
        )
    if problem is Problem.TOO_LONG:
        return length_problem(t, too_short=False, limit=outcome.limit or 0)
    if problem is Problem.NO_TITLE:
        return t._("An event needs a title in at least one language. Let us start again.")
    if problem is Problem.LAST_TITLE:
        return t._(
            "An event needs a title in at least one language, so this one cannot be removed."
        )
    if problem is Problem.BAD_ZONE:
        return t._("That is not a time zone I know. Type a name such as Africa/Tunis.")
    if problem is Problem.BAD_DATE:
        return t._("I cannot read that date. Write it like 2026-06-16 10:00.")
    if problem is Problem.NO_SUCH_TIME:
        return t._(
            "That time does not exist in this time zone (the clocks skip it). Choose another."
        )
    if problem is Problem.IN_PAST:
        return t._("That moment has already passed. Give a future date and time.")
    if problem is Problem.END_BEFORE_START:
        return t._("The end must be after the start.")
    if problem is Problem.TOO_LONG_EVENT:
        return t.ngettext(
            "An event can last at most {count} day.",
            "An event can last at most {count} days.",
            outcome.limit or 0,
        )
    if problem is Problem.BAD_PLACE:
        return t._(
            "Please type a place (2 to 200 characters), an online link starting with "
            "https://, or both on two lines."
        )
    if problem is Problem.BAD_REMINDERS:
        return t._(
            "I cannot read those reminders. Type up to five, between 5 minutes and 60 days "
            "before the start, like: 7d 1d 1h 30m (or: none)."
        )
    return t._("Please use the buttons below, or type your answer.")


# -- the edit form ---------------------------------------------------------------------------


def edit_prompt(
    t: Translator, draft: Draft, event: Event, *, left_out: int = 0
) -> tuple[Markup, InlineKeyboardMarkup]:
    """The edit form's current step; left_out: how many a new audience would leave out."""
    title = title_of(event, t)
    zone = draft.data["zone"]
    what = draft.data["what"]
    if draft.step == "start":
        return t._(
            "Change the time of <b>{title}</b> (1/2). When does it start? Type the date and "
            "time in {zone}, for example 2026-06-16 10:00",
            title=title,
            zone=zone,
        ), keyboard(_navigation(t, "e", back=False))
    if draft.step == "end":
        return t._(
            "Change the time of <b>{title}</b> (2/2). When does it end? Type the time (17:00) "
            "if it ends the same day, or the date and time (2026-06-17 13:00).",
            title=title,
        ), keyboard(_navigation(t, "e"))
    if draft.step == "place":
        return t._(
            "Change the place of <b>{title}</b>. Type the place, an online link "
            "(https://...), or both on two lines.",
            title=title,
        ), keyboard(_navigation(t, "e", back=False))
    if draft.step in TEXT_STEPS:
        return _edit_text_prompt(t, draft, title)
    if draft.step == "reminders":
        return t._(
            "Change the reminders of <b>{title}</b>. Now: {offsets}.\nType the new ones, for "
            "example: 3d 2h 30m, or choose below. Those who answered going or maybe get the "
            "new ones; a reminder already sent is not sent again.",
            title=title,
            offsets=offsets_text(t, event.reminder_offsets_s),
        ), keyboard(
            [
                button(t.label("Use the defaults"), EDIT_EVENT_DEFAULTS),
                button(t.label("No reminders"), EDIT_EVENT_NO_REMINDERS),
            ],
            _navigation(t, "e", back=False),
        )
    if draft.step == "audience":
        chosen = draft.data.get("audience", [])
        return t._(
            "Change who is invited to <b>{title}</b>: everyone, or choose one or more "
            "countries; then Continue.\nInvited now: {audience}",
            title=title,
            audience=audience_text(t, chosen),
        ), audience_keyboard(t, "e", chosen)
    if what in ("time", "place"):
        return _notified_change_prompt(t, draft, event, title)
    if what == "texts":
        text = t._(
            "Please check the new text of <b>{title}</b>:\n\n{texts}\n\nSave it?",
            title=title,
            texts=Markup("\n\n").join(texts_lines(t, draft.data)),
        )
    elif what == "reminders":
        text = t._(
            "Please check the reminders of <b>{title}</b>:\n\nNew reminders: {offsets}\n"
            "They were: {old}\n\nSave them?",
            title=title,
            offsets=offsets_text(t, draft.data.get("offsets", [])),
            old=offsets_text(t, event.reminder_offsets_s),
        )
    else:
        text = t._(
            "Please check who is invited to <b>{title}</b>:\n\nInvited: {audience}\n"
            "It was: {old}\n\nSave it?",
            title=title,
            audience=audience_text(t, draft.data.get("audience", [])),
            old=audience_text(t, event.audience),
        )
        if left_out:
            text = Markup("\n\n").join(
                [
                    text,
                    t.ngettext(
                        "{count} person who answered or was invited would no longer be "
                        "invited: their answer is withdrawn and they get nothing more about "
                        "this event.",
                        "{count} people who answered or were invited would no longer be "
                        "invited: their answers are withdrawn and they get nothing more about "
                        "this event.",
                        left_out,
                    ),
                ]
            )
    return text, keyboard([button(t.label("✔ Save"), EDIT_EVENT_SAVE)], _navigation(t, "e"))


def _edit_text_prompt(
    t: Translator, draft: Draft, title: str
) -> tuple[Markup, InlineKeyboardMarkup]:
    language = draft.step[5:]
    number = TEXT_STEPS.index(draft.step) + 1
    current = draft.data.get("texts", {}).get(language)
    navigation = _navigation(t, "e", back=number > 1)
    if current is None:
        return t._(
            "Change the text of <b>{title}</b> ({step}/{total}). There is no {language} "
            "version. Type the title on the first line and the description (optional) below "
            "it, or skip this language.",
            title=title,
            step=number,
            total=len(TEXT_STEPS),
            language=t.language_name(language),
        ), keyboard([button(t.label("Skip"), EDIT_EVENT_SKIP)], navigation)
    return t._(
        "Change the text of <b>{title}</b> ({step}/{total}). It is now:\n\n{current}\n\n"
        "Type the new title on the first line and the description (optional) below it, keep "
        "it as it is, or remove this language.",
        title=title,
        step=number,
        total=len(TEXT_STEPS),
        current=text_line(t, language, *current),
    ), keyboard(
        [
            button(t.label("Keep as it is"), EDIT_EVENT_SKIP),
            button(t.label("Remove this language"), EDIT_EVENT_DROP),
        ],
        navigation,
    )


def _notified_change_prompt(
    t: Translator, draft: Draft, event: Event, title: str
) -> tuple[Markup, InlineKeyboardMarkup]:
    zone = draft.data["zone"]
    if draft.data["what"] == "time":
        start, end = draft_times(draft.data)
        assert start is not None and end is not None
        change = t._(
            "New time: {when}\nIt was: {old}",
            when=period_text(t, start, end, zone),
            old=when_text(t, event, zone),
        )
    else:
        change = t._(
            "New place: {where}\nIt was: {old}",
            where=where_text(t, draft.data.get("place"), draft.data.get("link")),
            old=where_text(t, event.place, event.link),
        )
    return t._(
        "Please check the change to <b>{title}</b>:\n\n{change}\n\nEveryone who answered "
        "going or maybe will be told.",
        title=title,
        change=change,
    ), keyboard([button(t.label("✔ Save and notify"), EDIT_EVENT_SAVE)], _navigation(t, "e"))


async def show_step(update: Update, context: HubContext, draft: Draft, *, edit: bool) -> None:
    t = context.t
    if draft.flow == NEW_FLOW:
        text, markup = new_prompt(t, draft)
    else:
        event = await context.services.events.get(draft.data["event"])
        if event is None:
            await context.services.events.cancel_form(context.me.user.id, EDIT_FLOW)
            await edit_or_reply(update, context, t._("This event no longer exists."))
            return
        left_out = 0
        if draft.step == "confirm" and draft.data["what"] == "audience":
            left_out = len(
                await context.services.events.uninvited_ids(event, draft.data.get("audience", []))
            )
        text, markup = edit_prompt(t, draft, event, left_out=left_out)
    if edit:
        await edit_or_reply(update, context, text, markup)
    else:
        await reply(update, context, text, markup)


async def _after(update: Update, context: HubContext, outcome: StepOutcome, *, edit: bool) -> None:
    await follow_step(
        update,
        context,
        outcome,
        edit=edit,
        closed=context.t._("This form is closed."),
        problem_text=problem_text,
        show_step=show_step,
    )


@staff_only
async def begin(update: Update, context: HubContext) -> None:
    draft = await context.services.events.start_new(context.me.user.id)
    await show_step(update, context, draft, edit=False)


@staff_only
async def on_new_text(update: Update, context: HubContext) -> None:
    await _on_text(update, context, NEW_FLOW)


@staff_only
async def on_edit_text(update: Update, context: HubContext) -> None:
    await _on_text(update, context, EDIT_FLOW)


async def _on_text(update: Update, context: HubContext, flow: str) -> None:
    assert update.message is not None and update.message.text is not None
    outcome = await context.services.events.answer_text(
        context.me.user.id, flow, update.message.text
    )
    await _after(update, context, outcome, edit=False)


async def on_other_message(update: Update, context: HubContext) -> None:
    await reply(update, context, context.t._("Please answer with a text message."))


@staff_only
async def manage(update: Update, context: HubContext, event_id: int) -> None:
    await answer_callback(update)
    await show_roster(update, context, event_id)


@staff_only
async def start_edit(update: Update, context: HubContext, what: str, event_id: int) -> None:
    await answer_callback(update)
    draft = await context.services.events.start_edit(context.me.user.id, event_id, what)
    if draft is None:
        await reply(update, context, context.t._("This event can no longer be changed."))
        return
    await show_step(update, context, draft, edit=False)


def _form_buttons(form: EventFormRoutes) -> dict[Route, RouteCallback]:
    """The buttons both event forms share, each acting on its own form's draft."""
    flow = form.flow

    @staff_only
    async def cancel(update: Update, context: HubContext) -> None:
        await answer_callback(update)
        await context.services.events.cancel_form(context.me.user.id, flow)
        await edit_or_reply(update, context, context.t._("Cancelled. Nothing was changed."))

    @staff_only
    async def back(update: Update, context: HubContext) -> None:
        await answer_callback(update)
        draft = await context.services.events.back(context.me.user.id, flow)
        await _after(update, context, StepOutcome(draft), edit=True)

    @staff_only
    async def skip(update: Update, context: HubContext) -> None:
        await answer_callback(update)
        outcome = await context.services.events.skip_language(context.me.user.id, flow)
        await _after(update, context, outcome, edit=True)

    @staff_only
    async def toggle_country(update: Update, context: HubContext, code: str) -> None:
        await answer_callback(update)
        outcome = await context.services.events.toggle_country(context.me.user.id, code, flow)
        await _after(update, context, outcome, edit=True)

    @staff_only
    async def audience_done(update: Update, context: HubContext) -> None:
        await answer_callback(update)
        outcome = await context.services.events.confirm_audience(context.me.user.id, flow)
        await _after(update, context, outcome, edit=True)

    async def reminders(update: Update, context: HubContext, *, none: bool) -> None:
        await answer_callback(update)
        outcome = await context.services.events.default_reminders(
            context.me.user.id, none=none, flow=flow
        )
        await _after(update, context, outcome, edit=True)

    @staff_only
    async def default_reminders(update: Update, context: HubContext) -> None:
        await reminders(update, context, none=False)

    @staff_only
    async def no_reminders(update: Update, context: HubContext) -> None:
        await reminders(update, context, none=True)

    return {
        form.back: back,
        form.cancel: cancel,
        form.skip: skip,
        form.country: toggle_country,
        form.audience_done: audience_done,
        form.defaults: default_reminders,
        form.no_reminders: no_reminders,
    }


@staff_only
async def choose_zone(update: Update, context: HubContext, index: int) -> None:
    await answer_callback(update)
    zone = COMMON_TIME_ZONES[index] if index < len(COMMON_TIME_ZONES) else ""
    outcome = await context.services.events.choose_zone(context.me.user.id, zone)
    await _after(update, context, outcome, edit=True)


@staff_only
async def remove_language(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    outcome = await context.services.events.remove_language(context.me.user.id)
    await _after(update, context, outcome, edit=True)


@staff_only
async def create(update: Update, context: HubContext) -> None:
    t = context.t
    event = await context.services.events.submit_new(context.me.user.id)
    if event is None:
        # A second tap: the message already says the event was created; leave it.
        await answer_callback(update, t.label("This form is closed."), alert=True)
        return
    await answer_callback(update)
    await edit_or_reply(
        update,
        context,
        t._(
            "The event is created. Focal points see it in /events. Announce it now to those "
            "invited ({audience})?",
            audience=audience_text(t, event.audience),
        ),
        keyboard(
            [button(t.label("📣 Announce"), EVS_ANNOUNCE, event.id)],
            [button(t.label("⚙ Manage"), EVS_MANAGE, event.id)],
        ),
    )


@staff_only
async def save_edit(update: Update, context: HubContext) -> None:
    t = context.t
    outcome = await context.services.events.submit_edit(context.me.user.id)
    if outcome is None:
        await answer_callback(update, t.label("This event can no longer be changed."), alert=True)
        return
    await answer_callback(update)
    event = outcome.event
    if outcome.what in ("time", "place"):
        attendees = await context.services.events.attendee_ids(event.id)
        text = t.ngettext(
            "Saved. {count} person who answered going or maybe is being told.",
            "Saved. {count} people who answered going or maybe are being told.",
            len(attendees),
        )
    elif outcome.what == "audience" and outcome.withdrawn:
        text = t.ngettext(
            "Saved. {count} answer was withdrawn. Use 📣 Announce to tell those invited who "
            "have not heard of the event yet.",
            "Saved. {count} answers were withdrawn. Use 📣 Announce to tell those invited who "
            "have not heard of the event yet.",
            outcome.withdrawn,
        )
    elif outcome.what == "audience":
        text = t._(
            "Saved. Use 📣 Announce to tell those invited who have not heard of the event yet."
        )
    else:
        text = t._("Saved. Nobody is notified of this change.")
    await edit_or_reply(update, context, text)
    await show_roster(update, context, event.id)


# -- managing one event ----------------------------------------------------------------------


def roster_text(t: Translator, roster: Roster, time_zone: str) -> Markup:
    event = roster.event
    parts = [card(t, event, None, time_zone)]
    for answer, heading in (
        ("going", t._("<b>Going: {count}</b>", count=roster.count("going"))),
        ("maybe", t._("<b>Maybe: {count}</b>", count=roster.count("maybe"))),
        ("no", t._("<b>Not going: {count}</b>", count=roster.count("no"))),
    ):
        lines = [heading]
        for entry in roster.entries:
            if entry.rsvp.answer != answer:
                continue
            name = entry.user.display_name if entry.user else str(entry.rsvp.user_id)
            if entry.focal_point is not None:
                lines.append(
                    t._(
                        "• {name}, {city} ({country})",
                        name=entry.focal_point.full_name,
                        city=t.label(entry.focal_point.city),
                        country=t.label(COUNTRIES_BY_CODE[entry.focal_point.country].name)
                        if entry.focal_point.country in COUNTRIES_BY_CODE
                        else entry.focal_point.country,
                    )
                )
            else:
                lines.append(t._("• {name}", name=name))
        parts.append(Markup("\n").join(lines))
    parts.append(
        t._("Invited: {audience}", audience=audience_text(t, event.audience))
        + Markup("\n")
        + t._("Reminders: {offsets}", offsets=offsets_text(t, event.reminder_offsets_s))
    )
    return Markup("\n\n").join(parts)


def manage_keyboard(t: Translator, event: Event) -> InlineKeyboardMarkup | None:
    if event.is_cancelled:
        return None
    return keyboard(
        [
            button(t.label("✏ Change time"), EVS_EDIT, "time", event.id),
            button(t.label("✏ Change place"), EVS_EDIT, "place", event.id),
        ],
        [
            button(t.label("✏ Change text"), EVS_EDIT, "texts", event.id),
            button(t.label("✏ Change reminders"), EVS_EDIT, "reminders", event.id),
        ],
        [
            button(t.label("✏ Change audience"), EVS_EDIT, "audience", event.id),
            button(t.label("📣 Announce"), EVS_ANNOUNCE, event.id),
        ],
        [button(t.label("🚫 Cancel event"), EVS_CANCEL, event.id)],
    )


async def show_roster(update: Update, context: HubContext, event_id: int) -> None:
    t = context.t
    roster = await context.services.events.roster(event_id)
    if roster is None:
        await reply(update, context, t._("This event no longer exists."))
        return
    await reply(
        update,
        context,
        roster_text(t, roster, roster.event.time_zone),
        manage_keyboard(t, roster.event),
    )


@staff_only
async def confirm_cancel(update: Update, context: HubContext, event_id: int) -> None:
    await answer_callback(update)
    t = context.t
    event = await context.services.events.get(event_id)
    if event is None or event.is_cancelled:
        await reply(update, context, t._("This event can no longer be changed."))
        return
    attendees = await context.services.events.attendee_ids(event_id)
    await reply(
        update,
        context,
        t.ngettext(
            "Cancel <b>{title}</b>? {count} person who answered going or maybe will be told.",
            "Cancel <b>{title}</b>? {count} people who answered going or maybe will be told.",
            len(attendees),
            title=title_of(event, t),
        ),
        keyboard([button(t.label("Yes, cancel the event"), EVS_CANCEL_YES, event_id)]),
    )


@staff_only
async def cancel_event(update: Update, context: HubContext, event_id: int) -> None:
    t = context.t
    event = await context.services.events.cancel(event_id)
    if event is None:
        await answer_callback(update, t.label("This event can no longer be changed."), True)
        return
    await answer_callback(update)
    await edit_or_reply(
        update,
        context,
        t._(
            "<b>{title}</b> is cancelled; those who answered going or maybe are being told.",
            title=title_of(event, t),
        ),
    )


@staff_only
async def announce(update: Update, context: HubContext, event_id: int) -> None:
    t = context.t
    queued = await context.services.events.announce(event_id)
    if queued is None:
        await answer_callback(update, t.label("This event can no longer be announced."), True)
        return
    await answer_callback(update)
    if queued == 0:
        await reply(
            update, context, t._("Everyone invited has already been told about this event.")
        )
        return
    await reply(
        update,
        context,
        t.ngettext(
            "Invitations are on their way to {count} focal point.",
            "Invitations are on their way to {count} focal points.",
            queued,
        ),
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    new_form = in_flow(application, NEW_FLOW)
    edit_form = in_flow(application, EDIT_FLOW)
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.TEXT & ~filters.UpdateType.EDITED & ~filters.COMMAND
    application.add_handler(CommandHandler("newevent", begin))
    register_routes(
        application,
        EVENT_STAFF,
        {
            EVS_MANAGE: manage,
            EVS_EDIT: start_edit,
            EVS_CANCEL: confirm_cancel,
            EVS_CANCEL_YES: cancel_event,
            EVS_ANNOUNCE: announce,
        },
    )
    register_routes(
        application,
        NEW_EVENT,
        {**_form_buttons(FORMS["n"]), NEW_EVENT_ZONE: choose_zone, NEW_EVENT_CREATE: create},
    )
    register_routes(
        application,
        EDIT_EVENT,
        {**_form_buttons(FORMS["e"]), EDIT_EVENT_DROP: remove_language, EDIT_EVENT_SAVE: save_edit},
    )
    application.add_handler(MessageHandler(new_form & text, on_new_text))
    application.add_handler(MessageHandler(edit_form & text, on_edit_text))
    application.add_handler(MessageHandler((new_form | edit_form) & other, on_other_message))
