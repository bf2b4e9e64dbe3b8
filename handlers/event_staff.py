"""Events for hub staff: the /newevent form, the edit forms, cancelling, rosters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.audit import BOT
from bot.callbacks import Route, RouteCallback
from bot.context import HubApplication, HubContext
from bot.events import AUDIENCE_COUNTRIES, EDIT_FLOW, NEW_FLOW, ChangedMeanwhile, draft_times
from bot.events.form import (
    NEW_STEPS,
    TEXT_LANGUAGES,
    TEXT_STEPS,
    EditEventForm,
    EventForm,
    NewEventForm,
    Step,
    answers,
)
from bot.forms import StepOutcome
from bot.geography import COMMON_TIME_ZONES, COUNTRIES_BY_CODE
from bot.i18n import N_, Translator
from handlers.common import (
    answer_callback,
    button,
    edit_or_reply,
    in_rows,
    keyboard,
    register_routes,
    reply,
    staff_only,
)
from handlers.events_views import (
    PROBLEMS,
    audience_text,
    changed_meanwhile,
    edit_audit_subject,
    edit_saved_text,
    manage_keyboard,
    offsets_text,
    period_text,
    roster_text,
    summary,
    text_line,
    texts_lines,
    title_of,
    when_text,
    where_text,
)
from handlers.forms import FormView, Resumable, Screen, resumable
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
class EventFormButtons:
    """The buttons both event forms share besides Back and Cancel; each form has its own."""

    skip: Route
    country: Route
    audience_done: Route
    defaults: Route
    no_reminders: Route


NEW_BUTTONS = EventFormButtons(
    NEW_EVENT_SKIP,
    NEW_EVENT_COUNTRY,
    NEW_EVENT_AUDIENCE_DONE,
    NEW_EVENT_DEFAULTS,
    NEW_EVENT_NO_REMINDERS,
)
EDIT_BUTTONS = EventFormButtons(
    EDIT_EVENT_SKIP,
    EDIT_EVENT_COUNTRY,
    EDIT_EVENT_AUDIENCE_DONE,
    EDIT_EVENT_DEFAULTS,
    EDIT_EVENT_NO_REMINDERS,
)
NEW_STEP_TOTAL = len(NEW_STEPS) - 1


# -- the /newevent form ----------------------------------------------------------------------


def _number(draft: Draft) -> int:
    return NEW_STEPS.index(Step(draft.step)) + 1


def _new_text(t: Translator, draft: Draft) -> Screen:
    number = _number(draft)
    return t._(
        "New event ({step}/{total}). Type the event in {language}: the title on the first "
        "line, the description (optional) below it. Or skip this language.",
        step=number,
        total=NEW_STEP_TOTAL,
        language=t.language_name(TEXT_LANGUAGES[Step(draft.step)]),
    ), keyboard(
        [button(t.label("Skip"), NEW_EVENT_SKIP)],
        NEW_FORM.navigation(t, back=number > 1),
    )


def _new_zone(t: Translator, draft: Draft) -> Screen:
    zones = [button(zone, NEW_EVENT_ZONE, index) for index, zone in enumerate(COMMON_TIME_ZONES)]
    return t._(
        "New event ({step}/{total}). In which time zone will you give the times? Choose one, "
        "or type its name (for example Africa/Tunis).",
        step=_number(draft),
        total=NEW_STEP_TOTAL,
    ), keyboard(*in_rows(zones, 2), NEW_FORM.navigation(t))


def _new_when_or_where(t: Translator, draft: Draft) -> Screen:
    return _time_or_place_prompt(t, draft, _number(draft)), keyboard(NEW_FORM.navigation(t))


def _new_audience(t: Translator, draft: Draft) -> Screen:
    chosen = answers(draft).get("audience", [])
    return t._(
        "New event ({step}/{total}). Who is invited? Everyone, or choose one or more "
        "countries; then Continue.\nInvited now: {audience}",
        step=_number(draft),
        total=NEW_STEP_TOTAL,
        audience=audience_text(t, chosen),
    ), audience_keyboard(t, NEW_FORM, NEW_BUTTONS, chosen)


def _new_reminders(t: Translator, draft: Draft) -> Screen:
    return t._(
        "New event ({step}/{total}). Reminders go to those who answer going or maybe: by "
        "default 7 days, 1 day and 1 hour before the start. Keep these, or type your own, "
        "for example: 3d 2h 30m",
        step=_number(draft),
        total=NEW_STEP_TOTAL,
    ), keyboard(
        [
            button(t.label("Keep the defaults"), NEW_EVENT_DEFAULTS),
            button(t.label("No reminders"), NEW_EVENT_NO_REMINDERS),
        ],
        NEW_FORM.navigation(t),
    )


def _new_confirm(t: Translator, draft: Draft) -> Screen:
    return t._(
        "Please check the new event:\n\n{summary}\n\nCreate it?", summary=summary(t, draft.data)
    ), keyboard([button(t.label("✔ Create event"), NEW_EVENT_CREATE)], NEW_FORM.navigation(t))


NEW_SCREENS: dict[Step, Callable[[Translator, Draft], Screen]] = {
    Step.TEXT_AR: _new_text,
    Step.TEXT_FR: _new_text,
    Step.TEXT_EN: _new_text,
    Step.ZONE: _new_zone,
    Step.START: _new_when_or_where,
    Step.END: _new_when_or_where,
    Step.PLACE: _new_when_or_where,
    Step.AUDIENCE: _new_audience,
    Step.REMINDERS: _new_reminders,
    Step.CONFIRM: _new_confirm,
}


def audience_keyboard(
    t: Translator, form: FormView, buttons: EventFormButtons, chosen: list[str]
) -> InlineKeyboardMarkup:
    everyone = t.label("✓ Everyone") if not chosen else t.label("Everyone")
    countries = [
        button(
            t.label("✓ {country}", country=t.label(COUNTRIES_BY_CODE[code].name))
            if code in chosen
            else t.label(COUNTRIES_BY_CODE[code].name),
            buttons.country,
            code,
        )
        for code in AUDIENCE_COUNTRIES
    ]
    return keyboard(
        [button(everyone, buttons.country, "all")],
        *in_rows(countries, 2),
        [button(t.label("Continue »"), buttons.audience_done)],
        # Changing the audience is a one-step edit: nothing to go back to.
        form.navigation(t, back=form is NEW_FORM),
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


# -- the edit form ---------------------------------------------------------------------------


def _edit_start(t: Translator, draft: Draft, event: Event) -> Screen:
    return t._(
        "Change the time of <b>{title}</b> (1/2). When does it start? Type the date and "
        "time in {zone}, for example 2026-06-16 10:00",
        title=title_of(event, t),
        zone=answers(draft)["zone"],
    ), keyboard(EDIT_FORM.navigation(t, back=False))


def _edit_end(t: Translator, draft: Draft, event: Event) -> Screen:
    return t._(
        "Change the time of <b>{title}</b> (2/2). When does it end? Type the time (17:00) "
        "if it ends the same day, or the date and time (2026-06-17 13:00).",
        title=title_of(event, t),
    ), keyboard(EDIT_FORM.navigation(t))


def _edit_place(t: Translator, draft: Draft, event: Event) -> Screen:
    return t._(
        "Change the place of <b>{title}</b>. Type the place, an online link "
        "(https://...), or both on two lines.",
        title=title_of(event, t),
    ), keyboard(EDIT_FORM.navigation(t, back=False))


def _edit_reminders(t: Translator, draft: Draft, event: Event) -> Screen:
    return t._(
        "Change the reminders of <b>{title}</b>. Now: {offsets}.\nType the new ones, for "
        "example: 3d 2h 30m, or choose below. Those who answered going or maybe get the "
        "new ones; a reminder already sent is not sent again.",
        title=title_of(event, t),
        offsets=offsets_text(t, event.reminder_offsets_s),
    ), keyboard(
        [
            button(t.label("Use the defaults"), EDIT_EVENT_DEFAULTS),
            button(t.label("No reminders"), EDIT_EVENT_NO_REMINDERS),
        ],
        EDIT_FORM.navigation(t, back=False),
    )


def _edit_audience(t: Translator, draft: Draft, event: Event) -> Screen:
    chosen = answers(draft).get("audience", [])
    return t._(
        "Change who is invited to <b>{title}</b>: everyone, or choose one or more "
        "countries; then Continue.\nInvited now: {audience}",
        title=title_of(event, t),
        audience=audience_text(t, chosen),
    ), audience_keyboard(t, EDIT_FORM, EDIT_BUTTONS, chosen)


def _save_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return keyboard([button(t.label("✔ Save"), EDIT_EVENT_SAVE)], EDIT_FORM.navigation(t))


def _confirm_texts(t: Translator, draft: Draft, event: Event, left_out: int) -> Screen:
    return t._(
        "Please check the new text of <b>{title}</b>:\n\n{texts}\n\nSave it?",
        title=title_of(event, t),
        texts=Markup("\n\n").join(texts_lines(t, draft.data)),
    ), _save_keyboard(t)


def _confirm_reminders(t: Translator, draft: Draft, event: Event, left_out: int) -> Screen:
    return t._(
        "Please check the reminders of <b>{title}</b>:\n\nNew reminders: {offsets}\n"
        "They were: {old}\n\nSave them?",
        title=title_of(event, t),
        offsets=offsets_text(t, answers(draft).get("offsets", [])),
        old=offsets_text(t, event.reminder_offsets_s),
    ), _save_keyboard(t)


def _confirm_audience(t: Translator, draft: Draft, event: Event, left_out: int) -> Screen:
    text = t._(
        "Please check who is invited to <b>{title}</b>:\n\nInvited: {audience}\n"
        "It was: {old}\n\nSave it?",
        title=title_of(event, t),
        audience=audience_text(t, answers(draft).get("audience", [])),
        old=audience_text(t, event.audience),
    )
    if left_out:
        text = Markup("\n\n").join(
            [
                text,
                t.ngettext(
                    "{count} person who answered or was invited would no longer be "
                    "invited: their answer is withdrawn, they are told once if they were "
                    "coming, and they get nothing more about this event.",
                    "{count} people who answered or were invited would no longer be "
                    "invited: their answers are withdrawn, those who were coming are told "
                    "once, and they get nothing more about this event.",
                    left_out,
                ),
            ]
        )
    return text, _save_keyboard(t)


def _edit_text(t: Translator, draft: Draft, event: Event) -> Screen:
    title = title_of(event, t)
    language = TEXT_LANGUAGES[Step(draft.step)]
    number = TEXT_STEPS.index(Step(draft.step)) + 1
    current = answers(draft).get("texts", {}).get(language)
    navigation = EDIT_FORM.navigation(t, back=number > 1)
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


def _confirm_notified_change(t: Translator, draft: Draft, event: Event, left_out: int) -> Screen:
    title = title_of(event, t)
    zone = answers(draft)["zone"]
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
        "Please check the change to <b>{title}</b>:\n\n{change}\n\nEveryone invited who has "
        "not declined will be told.",
        title=title,
        change=change,
    ), keyboard([button(t.label("✔ Save and notify"), EDIT_EVENT_SAVE)], EDIT_FORM.navigation(t))


EDIT_SCREENS: dict[Step, Callable[[Translator, Draft, Event], Screen]] = {
    Step.START: _edit_start,
    Step.END: _edit_end,
    Step.PLACE: _edit_place,
    Step.TEXT_AR: _edit_text,
    Step.TEXT_FR: _edit_text,
    Step.TEXT_EN: _edit_text,
    Step.REMINDERS: _edit_reminders,
    Step.AUDIENCE: _edit_audience,
}
# The last step, by what is changed.
CONFIRMATIONS: dict[str, Callable[[Translator, Draft, Event, int], Screen]] = {
    "time": _confirm_notified_change,
    "place": _confirm_notified_change,
    "texts": _confirm_texts,
    "reminders": _confirm_reminders,
    "audience": _confirm_audience,
}


async def _new_screen(context: HubContext, draft: Draft) -> Screen:
    return NEW_SCREENS[Step(draft.step)](context.t, draft)


async def _edit_screen(context: HubContext, draft: Draft) -> Screen:
    t = context.t
    events = context.services.events
    data = answers(draft)
    event = await events.get(data["event"])
    if event is None:
        await events.edit_form.cancel(context.user_id)
        return t._("This event no longer exists."), None
    if draft.step != Step.CONFIRM:
        return EDIT_SCREENS[Step(draft.step)](t, draft, event)
    left_out = 0
    if data["what"] == "audience":
        left_out = len(await events.uninvited_ids(event, data.get("audience", [])))
    return CONFIRMATIONS[data["what"]](t, draft, event, left_out)


def _form_view(
    back: Route,
    cancel: Route,
    screen: Callable[..., Awaitable[Screen]],
    form: Callable[[HubContext], Any],
) -> FormView:
    return FormView(
        back=back,
        cancel=cancel,
        screen=screen,
        service=form,
        closed=N_("This form is closed."),
        cancelled=N_("Cancelled. Nothing was changed."),
        otherwise=N_("Please use the buttons below, or type your answer."),
        problems=PROBLEMS,
    )


NEW_FORM = _form_view(
    NEW_EVENT_BACK, NEW_EVENT_CANCEL, _new_screen, lambda context: context.services.events.new_form
)
EDIT_FORM = _form_view(
    EDIT_EVENT_BACK,
    EDIT_EVENT_CANCEL,
    _edit_screen,
    lambda context: context.services.events.edit_form,
)


@staff_only
async def begin(update: Update, context: HubContext) -> None:
    draft = await context.services.events.start_new(context.user_id)
    await NEW_FORM.show(update, context, draft, edit=False)


def _on_text(view: FormView) -> RouteCallback:
    @staff_only
    async def on_text(update: Update, context: HubContext) -> None:
        assert update.message is not None and update.message.text is not None
        step = view.service(context).answer_text(context.user_id, update.message.text)
        await view.run(update, context, step, edit=False)

    return on_text


async def on_other_message(update: Update, context: HubContext) -> None:
    await reply(update, context, context.t._("Please answer with a text message."))


@staff_only
async def manage(update: Update, context: HubContext, event_id: int) -> None:
    await answer_callback(update)
    await show_roster(update, context, event_id)


@staff_only
async def start_edit(update: Update, context: HubContext, what: str, event_id: int) -> None:
    await answer_callback(update)
    draft = await context.services.events.start_edit(context.user_id, event_id, what)
    if draft is None:
        await reply(update, context, context.t._("This event can no longer be changed."))
        return
    await EDIT_FORM.show(update, context, draft, edit=False)


def _form_buttons(view: FormView, buttons: EventFormButtons) -> dict[Route, RouteCallback]:
    """The buttons both event forms share, each acting on its own form's draft."""
    actions = {
        **view.navigation_routes(),
        buttons.skip: view.action(EventForm.skip_language),
        buttons.country: view.action(EventForm.toggle_country),
        buttons.audience_done: view.action(EventForm.confirm_audience),
        buttons.defaults: view.action(EventForm.default_reminders),
        buttons.no_reminders: view.action(EventForm.no_reminders),
    }
    return {route: staff_only(act) for route, act in actions.items()}


async def _choose_zone(form: NewEventForm, user_id: int, index: int) -> StepOutcome:
    return await form.choose_zone(
        user_id, COMMON_TIME_ZONES[index] if index < len(COMMON_TIME_ZONES) else ""
    )


@staff_only
async def create(update: Update, context: HubContext) -> None:
    t = context.t
    event = await context.services.events.submit_new(context.user_id)
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
    try:
        outcome = await context.services.events.submit_edit(context.user_id)
    except ChangedMeanwhile as stale:
        await answer_callback(update)
        await edit_or_reply(update, context, changed_meanwhile(t, stale))
        await show_roster(update, context, stale.current.id)
        return
    if outcome is None:
        await answer_callback(update, t.label("This event can no longer be changed."), alert=True)
        return
    await answer_callback(update)
    event = outcome.event
    # The Save button is in the audit log; this is which event it changed, and how.
    await context.services.audit.record(
        actor_id=context.user_id,
        channel=BOT,
        action="event.edit",
        subject=edit_audit_subject(outcome),
    )
    text = edit_saved_text(t, outcome)
    await edit_or_reply(update, context, text)
    await show_roster(update, context, event.id)


# -- managing one event ----------------------------------------------------------------------


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


def register(application: HubApplication) -> None:
    new_form = in_flow(application, NEW_FLOW)
    edit_form = in_flow(application, EDIT_FLOW)
    resumable(
        application,
        NEW_FLOW,
        Resumable(
            NEW_FORM,
            N_(
                "You left a new event unfinished (last changed {when}). Continue where you "
                "left off, or start over?"
            ),
            start_over=lambda context: context.services.events.start_new(context.user_id),
            for_staff=True,
        ),
    )
    resumable(
        application,
        EDIT_FLOW,
        Resumable(
            EDIT_FORM,
            N_(
                "You left a change to an event unfinished (last changed {when}). Continue "
                "where you left off, or cancel it?"
            ),
            for_staff=True,
        ),
    )
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
        {
            **_form_buttons(NEW_FORM, NEW_BUTTONS),
            NEW_EVENT_ZONE: staff_only(NEW_FORM.action(_choose_zone)),
            NEW_EVENT_CREATE: create,
        },
    )
    register_routes(
        application,
        EDIT_EVENT,
        {
            **_form_buttons(EDIT_FORM, EDIT_BUTTONS),
            EDIT_EVENT_DROP: staff_only(EDIT_FORM.action(EditEventForm.remove_language)),
            EDIT_EVENT_SAVE: save_edit,
        },
    )
    application.add_handler(MessageHandler(new_form & text, _on_text(NEW_FORM)))
    application.add_handler(MessageHandler(edit_form & text, _on_text(EDIT_FORM)))
    application.add_handler(MessageHandler((new_form | edit_form) & other, on_other_message))
