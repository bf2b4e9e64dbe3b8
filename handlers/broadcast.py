"""Staff broadcasts through Telegram: /broadcast to compose, progress and reports, /broadcasts."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from markupsafe import Markup
from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.broadcasts import (
    FLOW,
    BroadcastService,
    DeliverySummary,
    Problem,
    Step,
    StepOutcome,
    answers,
)
from bot.config import SUPPORTED_LANGUAGES
from bot.context import HubApplication, HubContext
from bot.delivery import Part, bulk_bot
from bot.forms import FormProblem, StepRefused
from bot.geography import COUNTRIES
from bot.i18n import N_, Translator, right_to_left
from bot.services import Services
from handlers.broadcast_views import (
    already_ended,
    audience_buttons,
    audience_label,
    confirmation_text,
    event_title,
    progress_text,
    report_text,
    shorten,
    status_label,
    version_language,
    versions_text,
)
from handlers.common import (
    answer_callback,
    button,
    edit_or_reply,
    in_rows,
    keyboard,
    register_routes,
    reply,
    send,
    staff_only,
)
from handlers.forms import FormView, Resumable, Screen, resumable
from handlers.preprocess import in_flow
from handlers.routes import (
    BC_AUDIENCE,
    BC_BACK,
    BC_CANCEL,
    BC_CHOSEN,
    BC_EVENT,
    BC_KEEP,
    BC_REMOVE_ATTACHMENT,
    BC_REPORT,
    BC_SCHEDULE,
    BC_SEND,
    BC_STOP,
    BC_STOP_YES,
    BC_TO_AUDIENCE,
    BC_TOGGLE,
    BC_WRITE_IN,
    BROADCASTS,
)
from storage.models import Broadcast, Draft

logger = logging.getLogger(__name__)

EXAMPLE_TIME = "2026-06-15 09:30"


# -- the compose form ----------------------------------------------------------------------------


async def _ask_language(context: HubContext, draft: Draft) -> Screen:
    t = context.t
    languages = [
        button(version_language(t, code), BC_WRITE_IN, code) for code in SUPPORTED_LANGUAGES
    ]
    return t._(
        "<b>New broadcast.</b> In which language will you write the first version? "
        "You can add the other languages afterwards."
    ), keyboard(languages, FORM.navigation(t, back=False))


async def _ask_text(context: HubContext, draft: Draft) -> Screen:
    t = context.t
    return t._(
        "Send the {language} version now: a text (bold, italics and links are kept), or one "
        "photo or document with the text as its caption.",
        language=version_language(t, answers(draft).get("writing", "en")),
    ), keyboard(FORM.navigation(t))


async def _versions(context: HubContext, draft: Draft) -> Screen:
    t = context.t
    data = answers(draft)
    versions = data.get("versions", {})
    add = [
        button(
            t.label("Replace the {language} version", language=version_language(t, code))
            if code in versions
            else t.label("Add the {language} version", language=version_language(t, code)),
            BC_WRITE_IN,
            code,
        )
        for code in SUPPORTED_LANGUAGES
    ]
    rows = [[choice] for choice in add]
    if data.get("attachment"):
        rows.append([button(t.label("Remove the photo or document"), BC_REMOVE_ATTACHMENT)])
    rows.append([button(t.label("Choose who gets it »"), BC_TO_AUDIENCE)])
    return t._(
        "{versions}\n\nPeople whose language has no version get another one, with a note "
        "saying so. Add a language, or choose who gets it.",
        versions=versions_text(t, draft.data),
    ), keyboard(*rows, FORM.navigation(t))


async def _ask_audience(context: HubContext, draft: Draft) -> Screen:
    t = context.t
    return t._("Who should get this broadcast?"), keyboard(
        *audience_buttons(t, context.services.broadcasts.has_events), FORM.navigation(t)
    )


def _toggles(t: Translator, draft: Draft, options: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    chosen = answers(draft)["audience"].get("values", [])
    toggles = [
        button(f"✔ {text}" if code in chosen else text, BC_TOGGLE, code) for code, text in options
    ]
    return keyboard(*in_rows(toggles, 2), [button(t.label("Done"), BC_CHOSEN)], FORM.navigation(t))


async def _ask_countries(context: HubContext, draft: Draft) -> Screen:
    t = context.t
    options = [(country.code, t.label(country.name)) for country in COUNTRIES]
    return t._("Choose one or more countries, then press Done."), _toggles(t, draft, options)


async def _ask_languages(context: HubContext, draft: Draft) -> Screen:
    t = context.t
    options = [(code, version_language(t, code)) for code in SUPPORTED_LANGUAGES]
    return t._(
        "Choose one or more languages, then press Done. Focal points reading them get "
        "the broadcast."
    ), _toggles(t, draft, options)


async def _ask_event(context: HubContext, draft: Draft) -> Screen:
    t = context.t
    upcoming = await context.services.events.upcoming_for(context.me)
    events = [
        button(shorten(event_title(t, event.titles)), BC_EVENT, event.id) for event, _ in upcoming
    ]
    if not events:
        return t._("There is no upcoming event. Choose another audience."), keyboard(
            FORM.navigation(t)
        )
    return t._(
        "Choose the event: the people who answered going or maybe get the broadcast."
    ), keyboard(*in_rows(events, 1), FORM.navigation(t))


async def _ask_time(context: HubContext, draft: Draft) -> Screen:
    t = context.t
    return t._(
        "When should it go out? Type the date and time in your time zone ({zone}), for "
        "example {example}.",
        zone=context.me.time_zone,
        example=EXAMPLE_TIME,
    ), keyboard(FORM.navigation(t))


async def _confirm(context: HubContext, draft: Draft) -> Screen:
    """The previews come first, as new messages; the question and buttons after them."""
    t = context.t
    broadcasts = context.services.broadcasts
    for code in SUPPORTED_LANGUAGES:
        if code not in answers(draft).get("versions", {}):
            continue
        await send(
            context.bot,
            context.user_id,
            t._("Preview of the {language} version:", language=version_language(t, code)),
            t,
        )
        await send_parts(context.bot, context.user_id, broadcasts.preview_parts(draft.data, code))
    preview = await broadcasts.preview(draft.data)
    return confirmation_text(t, preview), keyboard(
        [
            button(t.label("✔ Send now"), BC_SEND),
            button(t.label("🕒 Schedule"), BC_SCHEDULE),
        ],
        FORM.navigation(t),
    )


SCREENS: dict[Step, Callable[[HubContext, Draft], Awaitable[Screen]]] = {
    Step.LANGUAGE: _ask_language,
    Step.TEXT: _ask_text,
    Step.VERSIONS: _versions,
    Step.AUDIENCE: _ask_audience,
    Step.COUNTRIES: _ask_countries,
    Step.LANGUAGES: _ask_languages,
    Step.EVENT: _ask_event,
    Step.CONFIRM: _confirm,
    Step.SCHEDULE: _ask_time,
}


async def _screen(context: HubContext, draft: Draft) -> Screen:
    return await SCREENS[Step(draft.step)](context, draft)


def _too_long(t: Translator, outcome: StepOutcome) -> Markup:
    return t.ngettext(
        "That is too long: with a photo or document, the text can have at most {count} character.",
        "That is too long: with a photo or document, the text can have at most {count} characters.",
        outcome.limit or 0,
    )


def _bad_time(t: Translator, outcome: StepOutcome) -> Markup:
    return t._(
        "I could not read that date and time. Type it like this: {example}",
        example=EXAMPLE_TIME,
    )


FORM = FormView(
    back=BC_BACK,
    cancel=BC_CANCEL,
    screen=_screen,
    service=lambda context: context.services.broadcasts,
    form=lambda context: context.services.broadcasts.form,
    closed=N_("This broadcast form is closed. Use /broadcast to start again."),
    cancelled=N_("Broadcast cancelled. Nothing was sent."),
    otherwise=N_("Please use the buttons below."),
    # The confirmation follows the previews: never in place of the pressed message.
    new_message_steps=frozenset({Step.CONFIRM}),
    problems={
        Problem.EMPTY: N_(
            "Please send the text of the broadcast, or a photo or document with a caption."
        ),
        Problem.TOO_LONG: _too_long,
        Problem.NOTHING_CHOSEN: N_("Choose at least one, then press Done."),
        Problem.NO_RECIPIENTS: N_(
            "Nobody matches this audience (people who blocked the bot are left out)."
        ),
        Problem.BAD_TIME: _bad_time,
        Problem.PAST_TIME: N_("That time has already passed. Type a time in the future."),
    },
)


async def send_parts(bot: Bot, chat_id: int, parts: list[Part]) -> Message | None:
    """Send a broadcast's messages as its recipients will see them (previews)."""
    sent: Message | None = None
    for part in parts:
        if part.attachment_kind == "photo":
            sent = await bot.send_photo(
                chat_id, part.file_id or "", caption=part.text, parse_mode=ParseMode.HTML
            )
        elif part.attachment_kind == "document":
            sent = await bot.send_document(
                chat_id, part.file_id or "", caption=part.text, parse_mode=ParseMode.HTML
            )
        else:
            sent = await bot.send_message(chat_id, part.text or "", parse_mode=ParseMode.HTML)
    return sent


@staff_only
async def begin(update: Update, context: HubContext) -> None:
    draft = await context.services.broadcasts.start(context.user_id)
    await FORM.show(update, context, draft, edit=False)


@staff_only
async def on_message(update: Update, context: HubContext) -> None:
    message = update.message
    assert message is not None
    service = context.services.broadcasts
    user_id = context.user_id
    draft = await service.draft(user_id)
    if draft is None:
        return
    if draft.step == Step.SCHEDULE and message.text is not None:
        try:
            scheduled = await service.schedule(user_id, message.text, context.me.time_zone)
        except StepRefused as refused:
            await FORM.after(update, context, refused.outcome, edit=False)
        else:
            await reply(update, context, scheduled_text(context, scheduled))
        return
    if draft.step != Step.TEXT:
        await FORM.after(update, context, StepOutcome(draft, FormProblem.WRONG_STEP), edit=False)
        return
    if message.photo:
        outcome = await service.add_version(
            user_id,
            message.caption_html if message.caption else "",
            attachment_kind="photo",
            file_id=message.photo[-1].file_id,
        )
    elif message.document is not None:
        outcome = await service.add_version(
            user_id,
            message.caption_html if message.caption else "",
            attachment_kind="document",
            file_id=message.document.file_id,
        )
    elif message.text is not None:
        outcome = await service.add_version(user_id, message.text_html)
    else:
        outcome = StepOutcome(draft, Problem.EMPTY)
    await FORM.after(update, context, outcome, edit=False)


def scheduled_text(context: HubContext, broadcast: Broadcast) -> Markup:
    t = context.t
    return t._(
        "Broadcast #{number} is scheduled for {when}. /broadcasts lists it; you can cancel it "
        "there until it starts.",
        number=str(broadcast.id),
        when=t.datetime(broadcast.scheduled_for, context.me.time_zone),
    )


@staff_only
async def send_now(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    try:
        result = await context.services.broadcasts.submit(context.user_id)
    except StepRefused as refused:
        await FORM.after(update, context, refused.outcome, edit=True)
        return
    await edit_or_reply(
        update,
        context,
        context.t._(
            "Broadcast #{number} is on its way. A progress message follows.",
            number=str(result.id),
        ),
    )


# -- running broadcasts: stop, reports, the list -------------------------------------------------


async def _broadcast(update: Update, context: HubContext, broadcast_id: int) -> Broadcast | None:
    broadcast = await context.services.broadcasts.get(broadcast_id)
    if broadcast is None:
        await answer_callback(
            update, context.t.label("This broadcast no longer exists."), alert=True
        )
        return None
    await answer_callback(update)
    return broadcast


@staff_only
async def show_report(update: Update, context: HubContext, broadcast_id: int) -> None:
    broadcast = await _broadcast(update, context, broadcast_id)
    if broadcast is None:
        return
    summary = await context.services.broadcasts.summary(broadcast.id)
    await reply(update, context, report_text(context.t, broadcast, summary, context.me.time_zone))


@staff_only
async def keep_going(update: Update, context: HubContext, broadcast_id: int) -> None:
    broadcast = await _broadcast(update, context, broadcast_id)
    if broadcast is not None:
        await edit_or_reply(
            update, context, context.t._("Broadcast #{number} goes on.", number=str(broadcast.id))
        )


@staff_only
async def ask_to_stop(update: Update, context: HubContext, broadcast_id: int) -> None:
    broadcast = await _broadcast(update, context, broadcast_id)
    if broadcast is None:
        return
    t = context.t
    number = str(broadcast.id)
    if broadcast.status not in ("scheduled", "sending"):
        await reply(update, context, already_ended(t, broadcast))
        return
    await reply(
        update,
        context,
        t._(
            "Stop broadcast #{number}? People who have not received it yet will not get it.",
            number=number,
        ),
        keyboard(
            [
                button(t.label("■ Yes, stop it"), BC_STOP_YES, broadcast.id),
                button(t.label("No, go on"), BC_KEEP, broadcast.id),
            ]
        ),
    )


@staff_only
async def stop(update: Update, context: HubContext, broadcast_id: int) -> None:
    broadcast = await _broadcast(update, context, broadcast_id)
    if broadcast is None:
        return
    t = context.t
    number = str(broadcast.id)
    service = context.services.broadcasts
    cancelled = await service.cancel(broadcast.id, by=context.user_id)
    if cancelled is None:
        await edit_or_reply(update, context, already_ended(t, broadcast))
        return
    await edit_or_reply(
        update,
        context,
        t._(
            "Broadcast #{number} is cancelled: nothing more goes out. Its report follows when "
            "the messages already on their way are done.",
            number=number,
        )
        if service.is_running(broadcast.id)
        else t._("Broadcast #{number} is cancelled. Nothing was sent.", number=number),
    )


class StaffProgress:
    """Shows the staff member who sent a broadcast its progress, then its report, in their
    language; on the delivery engine's bot, paced with the bulk messages."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def _reader(self, broadcast: Broadcast) -> tuple[Translator, str]:
        profile = await self._services.accounts.profile(broadcast.created_by)
        time_zone = profile.time_zone if profile is not None else "UTC"
        return self._services.translator_for(profile), time_zone

    @staticmethod
    def _html(t: Translator, text: Markup) -> str:
        return right_to_left(str(text)) if t.is_rtl else str(text)

    async def progress(
        self,
        broadcast: Broadcast,
        summary: DeliverySummary,
        seconds_left: float | None,
        message: tuple[int, int] | None,
    ) -> tuple[int, int] | None:
        t, _ = await self._reader(broadcast)
        text = self._html(t, progress_text(t, broadcast, summary, seconds_left))
        stop = keyboard([button(t.label("■ Stop"), BC_STOP, broadcast.id)])
        engine = self._services.broadcasts.engine
        if message is not None:
            await engine.edit(*message, text, stop)
            return message
        posted = await engine.post(broadcast.created_by, text, stop)
        return (posted.chat_id, posted.message_id) if posted is not None else None

    async def finished(
        self, broadcast: Broadcast, summary: DeliverySummary, message: tuple[int, int] | None
    ) -> None:
        t, time_zone = await self._reader(broadcast)
        engine = self._services.broadcasts.engine
        if message is not None:
            await engine.edit(*message, self._html(t, progress_text(t, broadcast, summary, None)))
        report = self._html(t, report_text(t, broadcast, summary, time_zone))
        await engine.post(broadcast.created_by, report)


@staff_only
async def list_broadcasts(update: Update, context: HubContext) -> None:
    t = context.t
    recent = await context.services.broadcasts.recent()
    if not recent:
        await reply(update, context, t._("No broadcast yet. Use /broadcast to send one."))
        return
    lines = []
    buttons = []
    for broadcast, summary in recent:
        when = broadcast.started_at or broadcast.scheduled_for
        if broadcast.status == "scheduled":
            lines.append(
                t._(
                    "#{number} · scheduled for {when} · {audience}",
                    number=str(broadcast.id),
                    when=t.datetime(when, context.me.time_zone),
                    audience=audience_label(t, broadcast.audience),
                )
            )
        else:
            lines.append(
                t._(
                    "#{number} · {status} · {when} · {audience}: sent {sent} of {total}",
                    number=str(broadcast.id),
                    status=status_label(t, broadcast.status),
                    when=t.datetime(when, context.me.time_zone),
                    audience=audience_label(t, broadcast.audience),
                    sent=summary.count("sent"),
                    total=summary.total,
                )
            )
        row = [
            button(t.label("Report #{number}", number=str(broadcast.id)), BC_REPORT, broadcast.id)
        ]
        if broadcast.status in ("scheduled", "sending"):
            row.append(
                button(
                    t.label("■ Stop #{number}", number=str(broadcast.id)),
                    BC_STOP,
                    broadcast.id,
                )
            )
        buttons.append(row)
    await reply(
        update,
        context,
        t._("<b>Recent broadcasts</b>\n{lines}", lines=Markup("\n").join(lines)),
        keyboard(*buttons),
    )


async def start_delivery(application: HubApplication) -> None:
    """At start (post_init): give the engine its own bot, resume interrupted broadcasts and
    wait for scheduled ones."""
    services: Services = application.bot_data["services"]
    config = services.config
    engine = services.broadcasts.engine
    engine.attach(
        bulk_bot(config.require_token(), config.api_base_url, config.api_file_url, engine.settings)
    )
    await services.broadcasts.start_delivery(StaffProgress(services))


def register(application: HubApplication) -> None:
    active = in_flow(application, FLOW)
    resumable(
        application,
        FLOW,
        Resumable(
            FORM,
            N_(
                "You left a broadcast unfinished (last changed {when}). Continue where you "
                "left off, or start over?"
            ),
            start_over=lambda context: context.services.broadcasts.start(context.user_id),
            for_staff=True,
        ),
    )
    application.add_handler(CommandHandler("broadcast", begin))
    application.add_handler(CommandHandler("broadcasts", list_broadcasts))
    register_routes(
        application,
        BROADCASTS,
        {
            **{route: staff_only(act) for route, act in FORM.navigation_routes().items()},
            BC_WRITE_IN: staff_only(FORM.action(BroadcastService.write_in)),
            BC_REMOVE_ATTACHMENT: staff_only(FORM.action(BroadcastService.remove_attachment)),
            BC_TO_AUDIENCE: staff_only(FORM.action(BroadcastService.to_audience)),
            BC_AUDIENCE: staff_only(FORM.action(BroadcastService.choose_audience)),
            BC_TOGGLE: staff_only(FORM.action(BroadcastService.toggle)),
            BC_CHOSEN: staff_only(FORM.action(BroadcastService.chosen)),
            BC_EVENT: staff_only(FORM.action(BroadcastService.choose_event)),
            BC_SCHEDULE: staff_only(FORM.action(BroadcastService.ask_time)),
            BC_SEND: send_now,
            BC_STOP: ask_to_stop,
            BC_STOP_YES: stop,
            BC_KEEP: keep_going,
            BC_REPORT: show_report,
        },
    )
    application.add_handler(
        MessageHandler(active & ~filters.COMMAND & ~filters.UpdateType.EDITED, on_message)
    )
