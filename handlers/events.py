"""Events for everyone: /events, /myevents, answers, .ics files, and sending event notices."""

from __future__ import annotations

import logging
import warnings
from datetime import datetime, timedelta

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import CommandHandler, ContextTypes
from telegram.warnings import PTBDeprecationWarning

from bot.context import HubApplication, HubContext
from bot.events import AnswerStatus
from bot.events.calendar import calendar_file
from bot.events.reminders import NoticeSender, SendOutcome, SendResult
from bot.i18n import right_to_left
from bot.knowledge.intents import EVENTS as EVENTS_INTENT
from bot.knowledge.intents import REMINDERS_OFF, Recognized, mentioned_first
from bot.services import Services
from handlers.common import (
    answer_callback,
    edit_or_reply,
    register_intents,
    register_routes,
    reply,
)
from handlers.events_views import (
    card,
    card_keyboard,
    notice_keyboard,
    notice_text,
    refusal_text,
    saved_text,
    title_of,
)
from handlers.routes import EV_CALENDAR, EV_LIST, EV_REMINDERS, EV_RSVP, EVENTS
from storage.models import Event, EventNotice, Rsvp

logger = logging.getLogger(__name__)

WAKE_JOB = "event-notices"


# -- rendering -------------------------------------------------------------------------------


# -- /events and /myevents -------------------------------------------------------------------


async def list_events(update: Update, context: HubContext, *, asked: str | None = None) -> None:
    """The coming events open to this person; those an ``asked`` message names come first."""
    await answer_callback(update)
    profile = context.me
    t = context.t
    listed = await context.services.events.upcoming_for(profile)
    if asked:
        titles = {position: event.titles.values() for position, (event, _) in enumerate(listed)}
        listed = mentioned_first(asked, listed, titles)
    if not listed:
        await reply(update, context, t._("There are no upcoming events for you at the moment."))
        return
    await reply(
        update,
        context,
        t.ngettext(
            "{count} upcoming event. Answer with the buttons; you can change your answer at any "
            "time.",
            "{count} upcoming events. Answer with the buttons; you can change your answer at any "
            "time.",
            len(listed),
        ),
    )
    for event, rsvp in listed:
        await reply(
            update,
            context,
            card(t, event, rsvp, profile.time_zone),
            card_keyboard(t, event, rsvp, staff=profile.is_staff),
        )


async def my_events(update: Update, context: HubContext) -> None:
    profile = context.me
    t = context.t
    answered = await context.services.events.answers_of(profile.user.id)
    if not answered:
        await reply(
            update,
            context,
            t._("You have not answered any upcoming event. Use /events to see them."),
        )
        return
    for event, rsvp in answered:
        await reply(
            update,
            context,
            card(t, event, rsvp, profile.time_zone),
            card_keyboard(t, event, rsvp, staff=profile.is_staff),
        )


async def events_asked(
    update: Update, context: HubContext, recognized: Recognized, message: str
) -> None:
    await list_events(update, context, asked=message)


async def reminders_off_asked(
    update: Update, context: HubContext, recognized: Recognized, message: str
) -> None:
    t = context.t
    turned = await context.services.events.reminders_off_for(context.me)
    if not turned:
        await reply(
            update,
            context,
            t._("You have no event reminders to turn off. Use /myevents to see your answers."),
        )
        return
    await reply(
        update,
        context,
        t.ngettext(
            "Reminders are now off for {count} event. To turn them on again, use the button on "
            "its card in /myevents.",
            "Reminders are now off for {count} events. To turn them on again, use the button on "
            "their cards in /myevents.",
            turned,
        ),
    )


# -- buttons ---------------------------------------------------------------------------------


async def answer(update: Update, context: HubContext, event_id: int, answer: str) -> None:
    profile = context.me
    t = context.t
    outcome = await context.services.events.answer(event_id, profile, answer)
    if outcome.status is not AnswerStatus.SAVED or outcome.rsvp is None:
        await answer_callback(update, refusal_text(t, outcome), alert=True)
        return
    assert outcome.event is not None
    await answer_callback(update, saved_text(t, outcome.rsvp))
    await _refresh_card(update, context, outcome.event, outcome.rsvp)


async def reminders(update: Update, context: HubContext, event_id: int, switch: str) -> None:
    t = context.t
    on = switch == "on"
    outcome = await context.services.events.set_reminders(event_id, context.me, on=on)
    if outcome.status is not AnswerStatus.SAVED or outcome.rsvp is None:
        if outcome.status is AnswerStatus.UNKNOWN and outcome.event is not None:
            await answer_callback(update, t.label("Answer going or maybe first."), alert=True)
        else:
            await answer_callback(update, refusal_text(t, outcome), alert=True)
        return
    assert outcome.event is not None
    await answer_callback(
        update,
        t.label("Reminders for this event are on.")
        if on
        else t.label("Reminders for this event are off."),
    )
    await _refresh_card(update, context, outcome.event, outcome.rsvp)


async def _refresh_card(update: Update, context: HubContext, event: Event, rsvp: Rsvp) -> None:
    """Show the new answer on the card that was pressed (a reminder becomes a card, too)."""
    profile = context.me
    t = context.t
    await edit_or_reply(
        update,
        context,
        card(t, event, rsvp, profile.time_zone),
        card_keyboard(t, event, rsvp, staff=profile.is_staff),
    )


async def send_calendar(update: Update, context: HubContext, event_id: int) -> None:
    t = context.t
    event = await context.services.events.get(event_id)
    if event is None or not await context.services.events.may_see(event, context.me):
        await answer_callback(update, t.label("This event no longer exists."), alert=True)
        return
    await answer_callback(update)
    chat = update.effective_chat
    assert chat is not None
    caption = t._(
        "Open this file to add <b>{title}</b> to your calendar.", title=title_of(event, t)
    )
    await context.bot.send_document(
        chat.id,
        document=calendar_file(event, t.language),
        filename=f"event-{event.id}.ics",
        caption=right_to_left(str(caption)) if t.is_rtl else str(caption),
        parse_mode=ParseMode.HTML,
    )


# -- notices: reminders, changes, invitations ------------------------------------------------


def _seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def send_notice(
    bot: Bot, services: Services, notice: EventNotice, event: Event, now: datetime
) -> SendOutcome:
    """The one function that sends an event notice, in the recipient's language and zone.

    It is the seam to the broadcast delivery engine: whatever sends, it must report what
    happened in these terms, and never raise for a person it cannot reach.
    """
    profile = await services.accounts.profile(notice.user_id)
    if profile is None:
        return SendOutcome(SendResult.UNREACHABLE, detail="erased")
    t = services.translator_for(profile)
    rsvp = await services.events.rsvp(event.id, notice.user_id)
    text = notice_text(t, notice, event, profile.time_zone, now)
    body = right_to_left(str(text)) if t.is_rtl else str(text)
    try:
        await bot.send_message(
            notice.user_id,
            body,
            parse_mode=ParseMode.HTML,
            reply_markup=notice_keyboard(t, notice, event, rsvp),
            disable_web_page_preview=True,
        )
    except RetryAfter as error:
        return SendOutcome(SendResult.NOT_SENT, retry_after_s=_seconds(error))
    except Forbidden:
        await services.accounts.mark_unreachable(notice.user_id)
        return SendOutcome(SendResult.UNREACHABLE)
    except BadRequest as error:
        logger.warning("notice %s refused by Telegram: %s", notice.id, error)
        return SendOutcome(SendResult.FAILED, detail=str(error)[:200])
    except TimedOut:
        return SendOutcome(SendResult.UNCONFIRMED)
    except NetworkError as error:
        logger.warning("notice %s not sent: %s", notice.id, error)
        return SendOutcome(SendResult.NOT_SENT, detail=str(error)[:200])
    return SendOutcome(SendResult.SENT)


def paced_sender(application: HubApplication, services: Services) -> NoticeSender:
    """Event notices under the same limiter as broadcasts, so together they stay within
    Telegram's limits: the runner waits for the limiter's turn, this sends.

    The notice goes out on the engine's bot, whose sends the limiter does not count a second
    time; before the engine has its bot (never, once the bot runs) the application's bot is
    used, whose sends are paced again: slower, never faster. A 429 that means the overall
    limit pauses broadcasts too.
    """
    engine = services.broadcasts.engine

    async def sender(notice: EventNotice, event: Event, now: datetime) -> SendOutcome:
        bot = engine.bot if engine.has_bot else application.bot
        outcome = await send_notice(bot, services, notice, event, now)
        if outcome.retry_after_s is not None:
            engine.limiter.refused(notice.user_id, outcome.retry_after_s)
        return outcome

    return sender


async def _wake(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: Services = context.application.bot_data["services"]
    if services.reminders.busy:
        return  # the run under way re-plans when it ends
    await services.reminders.run_due()


async def on_start(application: HubApplication) -> None:
    """After the services open: connect the runner to Telegram and plan from the database."""
    services: Services = application.bot_data["services"]
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("the JobQueue is needed for event reminders (job-queue extra)")

    def wake(delay_s: float) -> None:
        for job in job_queue.get_jobs_by_name(WAKE_JOB):
            job.schedule_removal()
        # No misfire grace: a late wake-up must still run (the database decides what is due).
        job_queue.run_once(
            _wake, when=delay_s, name=WAKE_JOB, job_kwargs={"misfire_grace_time": None}
        )

    limiter = services.broadcasts.engine.limiter

    async def turn(chat_id: int) -> None:
        await limiter.acquire(chat_id)

    services.reminders.connect(paced_sender(application, services), wake, turn=turn)
    await services.reminders.start()


def register(application: HubApplication) -> None:
    application.add_handler(CommandHandler("events", list_events))
    application.add_handler(CommandHandler("myevents", my_events))
    register_routes(
        application,
        EVENTS,
        {
            EV_RSVP: answer,
            EV_REMINDERS: reminders,
            EV_CALENDAR: send_calendar,
            EV_LIST: list_events,
        },
    )
    register_intents(application, {EVENTS_INTENT: events_asked, REMINDERS_OFF: reminders_off_asked})
