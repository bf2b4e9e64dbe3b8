"""/settings: language, time zone and the focal point profile."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.accounts import TIME_ZONE_FLOW
from bot.context import HubApplication, HubContext
from bot.geography import COMMON_TIME_ZONES, default_time_zone
from bot.knowledge.intents import TIME_ZONE, Recognized
from handlers.common import (
    answer_callback,
    button,
    edit_or_reply,
    in_rows,
    keyboard,
    register_intents,
    register_routes,
    reply,
)
from handlers.language_views import language_keyboard
from handlers.preprocess import in_flow
from handlers.registration_views import describe
from handlers.routes import (
    REG_START,
    SETTINGS,
    SETTINGS_COUNTRY_ZONE,
    SETTINGS_KEEP_ZONE,
    SETTINGS_LANGUAGE,
    SETTINGS_PROFILE,
    SETTINGS_TIME_ZONES,
    SETTINGS_ZONE,
)


def overview(context: HubContext) -> Markup:
    profile = context.me
    t = context.t
    return t._(
        "<b>Your settings</b>\n\nLanguage: {language}\nTime zone: {time_zone} "
        "(your time now: {now})\n\nChoose what to change:",
        language=t.language_name(t.language),
        time_zone=profile.time_zone,
        now=t.datetime(context.services.clock.now(), profile.time_zone),
    )


def settings_keyboard(context: HubContext) -> Any:
    t = context.t
    return keyboard(
        [
            button(t.label("Language"), SETTINGS_LANGUAGE),
            button(t.label("Time zone"), SETTINGS_TIME_ZONES),
        ],
        [button(t.label("My profile"), SETTINGS_PROFILE)],
    )


async def show_settings(update: Update, context: HubContext) -> None:
    await reply(update, context, overview(context), settings_keyboard(context))


async def choose_language(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    await edit_or_reply(update, context, context.t._("Choose your language:"), language_keyboard())


async def show_time_zones(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    t = context.t
    zones = [button(zone, SETTINGS_ZONE, index) for index, zone in enumerate(COMMON_TIME_ZONES)]
    await context.services.accounts.start_time_zone_entry(context.user_id)
    await edit_or_reply(
        update,
        context,
        t._(
            "Choose your time zone, or type its name (for example Africa/Casablanca). "
            "Your country's time zone is {zone}.",
            zone=default_time_zone(context.me.country),
        ),
        keyboard(
            *in_rows(zones, 2),
            [button(t.label("Use my country's time zone"), SETTINGS_COUNTRY_ZONE)],
            [button(t.label("✖ Cancel"), SETTINGS_KEEP_ZONE)],
        ),
    )


async def time_zone_asked(
    update: Update, context: HubContext, recognized: Recognized, message: str
) -> None:
    await show_time_zones(update, context)


async def keep_time_zone(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    await context.services.accounts.end_time_zone_entry(context.user_id)
    await edit_or_reply(update, context, context.t._("Time zone unchanged."))


async def choose_time_zone(update: Update, context: HubContext, index: int) -> None:
    await answer_callback(update)
    if index < len(COMMON_TIME_ZONES):
        await context.services.accounts.set_time_zone(context.user_id, COMMON_TIME_ZONES[index])
    await time_zone_saved(update, context)


async def use_country_time_zone(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    await context.services.accounts.set_time_zone(context.user_id, None)
    await time_zone_saved(update, context)


async def time_zone_saved(update: Update, context: HubContext) -> None:
    services = context.services
    refreshed = await services.accounts.profile(context.user_id)
    assert refreshed is not None
    context.use_profile(refreshed)
    t = context.t
    await edit_or_reply(
        update,
        context,
        t._(
            "Time zone saved: {time_zone}. Your time now: {now}.",
            time_zone=refreshed.time_zone,
            now=t.datetime(services.clock.now(), refreshed.time_zone),
        ),
    )


async def on_time_zone_text(update: Update, context: HubContext) -> None:
    assert update.message is not None and update.message.text is not None
    zone = await context.services.accounts.set_time_zone(context.user_id, update.message.text)
    if zone is None:
        await reply(
            update,
            context,
            context.t._(
                "I do not know the time zone {typed}. Type a name such as Asia/Amman, "
                "or choose one of the buttons.",
                typed=update.message.text[:64],
            ),
        )
        return
    await time_zone_saved(update, context)


async def show_profile(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    t = context.t
    focal_point = context.me.focal_point
    if focal_point is None:
        await edit_or_reply(
            update,
            context,
            t._("You are not registered as a focal point."),
            keyboard([button(t.label("I am a city focal point"), REG_START)]),
        )
        return
    status = {
        "approved": t.pgettext("registration status", "verified"),
        "pending": t.pgettext("registration status", "waiting for review"),
        "rejected": t.pgettext("registration status", "not approved"),
    }[focal_point.status]
    await edit_or_reply(
        update,
        context,
        t._(
            "<b>Your focal point profile</b> ({status})\n\n{details}",
            status=status,
            details=describe(t, focal_point),
        ),
    )


def register(application: HubApplication) -> None:
    application.add_handler(CommandHandler("settings", show_settings))
    register_intents(application, {TIME_ZONE: time_zone_asked})
    register_routes(
        application,
        SETTINGS,
        {
            SETTINGS_LANGUAGE: choose_language,
            SETTINGS_TIME_ZONES: show_time_zones,
            SETTINGS_ZONE: choose_time_zone,
            SETTINGS_COUNTRY_ZONE: use_country_time_zone,
            SETTINGS_KEEP_ZONE: keep_time_zone,
            SETTINGS_PROFILE: show_profile,
        },
    )
    application.add_handler(
        MessageHandler(
            in_flow(application, TIME_ZONE_FLOW, one_answer=True) & filters.TEXT & ~filters.COMMAND,
            on_time_zone_text,
        )
    )
