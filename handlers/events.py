"""Events for everyone: /events, /myevents, answers, .ics files, and sending event notices."""

from __future__ import annotations

import logging
import warnings
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time, format_timedelta
from markupsafe import Markup, escape
from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, CommandHandler, ContextTypes
from telegram.warnings import PTBDeprecationWarning

from bot.context import HubContext
from bot.event_calendar import calendar_file, localized
from bot.events import AnswerOutcome, AnswerStatus
from bot.i18n import Translator, right_to_left
from bot.reminders import NoticeSender, SendOutcome, SendResult
from bot.services import Services
from handlers.common import (
    answer_callback,
    button,
    edit_or_reply,
    keyboard,
    register_routes,
    reply,
)
from handlers.routes import EV_CALENDAR, EV_REMINDERS, EV_RSVP, EVENTS, EVS_MANAGE
from storage.models import Event, EventNotice, Rsvp

logger = logging.getLogger(__name__)

WAKE_JOB = "event-notices"


# -- rendering -------------------------------------------------------------------------------


def title_of(event: Event, t: Translator) -> str:
    return localized(event.titles, t.language)[0]


def when_text(t: Translator, event: Event, time_zone: str) -> Markup:
    """Start and end in the reader's zone and language, with the zone's name."""
    return period_text(t, event.starts_at, event.ends_at, time_zone)


def period_text(t: Translator, starts_at: datetime, ends_at: datetime, time_zone: str) -> Markup:
    """'4 December 2026, 14:17 to 16:17 (Morocco Time)': a same-day end is a time alone."""
    zone = ZoneInfo(time_zone)
    end = ends_at.astimezone(zone)
    same_day = starts_at.astimezone(zone).date() == end.date()
    return t._(
        "{start} to {end} ({zone})",
        start=t.datetime(starts_at, time_zone),
        end=format_time(end, "short", locale=t.locale) if same_day else t.datetime(end, time_zone),
        zone=t.time_zone_name(time_zone),
    )


def where_text(t: Translator, place: str | None, link: str | None) -> Markup:
    if place and link:
        return t._("{place}, and online: {link}", place=place, link=link)
    if link:
        return t._("Online: {link}", link=link)
    return escape(place or "—")


def details(t: Translator, event: Event, time_zone: str) -> Markup:
    """Title, description (with a note when not in the reader's language), time and place."""
    title, title_language = localized(event.titles, t.language)
    description, _ = localized(event.descriptions, title_language)
    lines = [t._("<b>{title}</b>", title=title)]
    if description:
        lines.append(escape(description))
    if title_language != t.language:
        lines.append(
            t._(
                "<i>There is no {missing} version of this event; it is shown in {shown}.</i>",
                missing=t.language_name(t.language),
                shown=t.language_name(title_language),
            )
        )
    lines.append(t._("🗓 {when}", when=when_text(t, event, time_zone)))
    lines.append(t._("📍 {where}", where=where_text(t, event.place, event.link)))
    return Markup("\n").join(lines)


def answer_line(t: Translator, rsvp: Rsvp | None) -> Markup | None:
    if rsvp is None:
        return None
    if rsvp.answer == "no":
        return t._("Your answer: not going.")
    if rsvp.answer == "going":
        if rsvp.reminders_on:
            return t._("Your answer: going.")
        return t._("Your answer: going. Reminders are off for this event.")
    if rsvp.reminders_on:
        return t._("Your answer: maybe.")
    return t._("Your answer: maybe. Reminders are off for this event.")


def card(t: Translator, event: Event, rsvp: Rsvp | None, time_zone: str) -> Markup:
    lines = [details(t, event, time_zone)]
    if event.is_cancelled:
        lines.append(t._("🚫 <b>This event is cancelled.</b>"))
    else:
        answer = answer_line(t, rsvp)
        if answer is not None:
            lines.append(answer)
    return Markup("\n\n").join(lines)


def card_keyboard(
    t: Translator, event: Event, rsvp: Rsvp | None, *, staff: bool
) -> InlineKeyboardMarkup:
    rows: list[list[Any]] = []
    if not event.is_cancelled:
        rows.append(
            [
                button(t.label("✅ Going"), EV_RSVP, event.id, "going"),
                button(t.label("🤔 Maybe"), EV_RSVP, event.id, "maybe"),
                button(t.label("❌ Not going"), EV_RSVP, event.id, "no"),
            ]
        )
    second = [button(t.label("📅 Add to calendar"), EV_CALENDAR, event.id)]
    if rsvp is not None and rsvp.is_attending and not event.is_cancelled:
        second.append(reminder_button(t, event, rsvp))
    rows.append(second)
    if staff:
        rows.append([button(t.label("⚙ Manage"), EVS_MANAGE, event.id)])
    return keyboard(*rows)


def reminder_button(t: Translator, event: Event, rsvp: Rsvp) -> Any:
    if rsvp.reminders_on:
        return button(t.label("🔕 Turn reminders off"), EV_REMINDERS, event.id, "off")
    return button(t.label("🔔 Turn reminders on"), EV_REMINDERS, event.id, "on")


# -- /events and /myevents -------------------------------------------------------------------


async def list_events(update: Update, context: HubContext) -> None:
    profile = context.me
    t = context.t
    listed = await context.services.events.upcoming_for(profile)
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


# -- buttons ---------------------------------------------------------------------------------


def refusal_text(t: Translator, outcome: AnswerOutcome) -> str:
    if outcome.status is AnswerStatus.CANCELLED:
        return t.label("This event is cancelled.")
    if outcome.status is AnswerStatus.OVER:
        return t.label("This event is over.")
    if outcome.status is AnswerStatus.NOT_INVITED:
        return t.label("This event is not open to your country.")
    return t.label("This event no longer exists.")


def saved_text(t: Translator, rsvp: Rsvp) -> str:
    if rsvp.answer == "going":
        return t.label("Saved: you are going. You will get reminders before it starts.")
    if rsvp.answer == "maybe":
        return t.label("Saved: maybe. You will get reminders before it starts.")
    return t.label("Saved: you are not going.")


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


def notice_text(
    t: Translator, notice: EventNotice, event: Event, time_zone: str, now: datetime
) -> Markup:
    title = title_of(event, t)
    if notice.kind == "reminder":
        relative = format_timedelta(
            event.starts_at - now, add_direction=True, locale=t.locale, threshold=1.1
        )
        head = t._("⏰ Reminder: <b>{title}</b> starts {relative}.", title=title, relative=relative)
        return Markup("\n\n").join([head, details(t, event, time_zone)])
    if notice.kind == "invitation":
        head = t._("📣 The Hub invites you to an event. Will you come?")
        return Markup("\n\n").join([head, details(t, event, time_zone)])
    payload = notice.payload
    if payload.get("cancelled"):
        return t._(
            "🚫 <b>{title}</b>, planned for {when}, is cancelled.",
            title=title,
            when=when_text(t, event, time_zone),
        )
    if "old_starts_at" in payload:
        before = _moved(event, payload)
        return t._(
            "📢 <b>{title}</b> has moved.\nNew time: {when}\nIt was: {old_when}",
            title=title,
            when=when_text(t, event, time_zone),
            old_when=when_text(t, before, time_zone),
        )
    return t._(
        "📢 <b>{title}</b> has a new place.\nNew place: {where}\nIt was: {old_where}",
        title=title,
        where=where_text(t, event.place, event.link),
        old_where=where_text(t, payload.get("old_place"), payload.get("old_link")),
    )


def _moved(event: Event, payload: dict[str, Any]) -> Event:
    return replace(
        event,
        starts_at=datetime.fromisoformat(payload["old_starts_at"]),
        ends_at=datetime.fromisoformat(payload["old_ends_at"]),
    )


def notice_keyboard(
    t: Translator, notice: EventNotice, event: Event, rsvp: Rsvp | None
) -> InlineKeyboardMarkup | None:
    if event.is_cancelled:
        return None
    if notice.kind == "invitation":
        return card_keyboard(t, event, rsvp, staff=False)
    rows = [[button(t.label("📅 Add to calendar"), EV_CALENDAR, event.id)]]
    if notice.kind == "reminder" and rsvp is not None:
        rows[0].append(reminder_button(t, event, rsvp))
    return keyboard(*rows)


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
    t = services.translator(profile.language, profile.country)
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


def paced_sender(
    application: Application[Any, Any, Any, Any, Any, Any], services: Services
) -> NoticeSender:
    """Event notices under the same limiter as broadcasts, so together they stay within
    Telegram's limits: the runner waits for the limiter's turn, this sends.

    The notice goes out on the engine's bot, whose sends the limiter does not count a second
    time; before the engine has its bot (never, once the bot runs) the application's bot is
    used, whose sends are counted again: slower, never faster. A 429 pauses broadcasts too.
    """
    engine = services.broadcasts.engine

    async def sender(notice: EventNotice, event: Event, now: datetime) -> SendOutcome:
        bot = engine.bot if engine.has_bot else application.bot
        outcome = await send_notice(bot, services, notice, event, now)
        if outcome.retry_after_s is not None:
            engine.limiter.pause(outcome.retry_after_s)
        return outcome

    return sender


async def _wake(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: Services = context.application.bot_data["services"]
    if services.reminders.busy:
        return  # the run under way re-plans when it ends
    await services.reminders.run_due()


async def on_start(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
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


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(CommandHandler("events", list_events))
    application.add_handler(CommandHandler("myevents", my_events))
    register_routes(
        application,
        EVENTS,
        {EV_RSVP: answer, EV_REMINDERS: reminders, EV_CALENDAR: send_calendar},
    )
