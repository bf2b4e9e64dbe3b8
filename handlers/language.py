"""/start, the language choice and /language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.commands import set_personal_menu
from bot.config import SUPPORTED_LANGUAGES
from bot.context import HubApplication, HubContext
from bot.registration import is_invite_code
from handlers.common import answer_callback, button, edit_or_reply, keyboard, register_routes, reply
from handlers.language_views import LANGUAGE_NAMES, language_keyboard
from handlers.registration import offer_move, redeemed_text
from handlers.routes import (
    ADOPT_LANGUAGE,
    CHOOSE_LANGUAGE,
    KB_TOPICS,
    LANGUAGE,
    REG_START,
    REQ_BEGIN,
)


async def start(update: Update, context: HubContext) -> None:
    if context.args and is_invite_code(context.args[0]):
        await redeem_invite(update, context, context.args[0])
        return
    profile = context.me
    t = context.t
    text = t._(
        "<b>Welcome to the Strong Cities MENA Regional Hub bot, {name}.</b>\n\n"
        "Ask me about the Hub's guides, programmes, case studies and events, or register as "
        "your city's focal point.\n\nChoose your language:",
        name=profile.user.first_name,
    )
    rows = [
        [button(LANGUAGE_NAMES[code], CHOOSE_LANGUAGE, code) for code in SUPPORTED_LANGUAGES],
        [button(t.label("Browse topics"), KB_TOPICS)],
    ]
    if profile.is_verified_focal_point:
        rows.append([button(t.label("Request technical support"), REQ_BEGIN)])
    if profile.focal_point is None:
        rows.append([button(t.label("I am a city focal point"), REG_START)])
    await reply(update, context, text, keyboard(*rows))


async def redeem_invite(update: Update, context: HubContext, code: str) -> None:
    profile = context.me
    move = await context.services.registration.move_offered_by(code, user_id=profile.user.id)
    if move is not None:
        await offer_move(update, context, move)
        return
    outcome = await context.services.registration.redeem(
        code, user_id=profile.user.id, full_name=profile.user.display_name
    )
    await reply(update, context, redeemed_text(context.t, outcome))


async def show_languages(update: Update, context: HubContext) -> None:
    await reply(update, context, context.t._("Choose your language:"), language_keyboard())


async def choose_language(
    update: Update, context: HubContext, chosen: str, *, keep_message: bool = False
) -> None:
    services = context.services
    profile = context.me
    await services.accounts.set_language(profile.user.id, chosen)
    updated = await services.accounts.profile(profile.user.id)
    assert updated is not None
    context.use_profile(updated)
    t = context.t
    await answer_callback(update)
    confirmation = t._("Language set to English. Type a question at any time, or use /help.")
    if keep_message:
        await reply(update, context, confirmation)
    else:
        await edit_or_reply(update, context, confirmation)
    await set_personal_menu(
        context.bot,
        profile.user.id,
        t,
        staff=updated.is_staff,
        console_url=services.config.console_url,
    )


async def adopt_language(update: Update, context: HubContext, chosen: str) -> None:
    """The language of a question the bot just answered becomes the person's."""
    await choose_language(update, context, chosen, keep_message=True)


def register(application: HubApplication) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("language", show_languages))
    register_routes(
        application, LANGUAGE, {CHOOSE_LANGUAGE: choose_language, ADOPT_LANGUAGE: adopt_language}
    )
