"""/privacy (what is stored about the user) and /deleteme (erase it, after a confirmation)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from bot.context import HubApplication, HubContext
from bot.geography import HUB_EMAIL
from handlers.common import answer_callback, button, edit_or_reply, keyboard, register_routes, reply
from handlers.registration_views import describe
from handlers.routes import ERASE, ERASURE, KEEP_DATA


async def in_private(update: Update, context: HubContext) -> bool:
    """Personal data is shown and erased in the private chat only, never in the staff chat."""
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        return True
    await answer_callback(update)
    await reply(
        update,
        context,
        context.t._(
            "For your privacy, use this in a private chat with me: @{bot}.",
            bot=context.bot.username,
        ),
    )
    return False


async def show_privacy(update: Update, context: HubContext) -> None:
    if not await in_private(update, context):
        return
    profile = context.me
    t = context.t
    user = profile.user
    stored = t._(
        "<b>What this bot stores about you</b>\n\n"
        "Telegram id: {user_id}\nName on Telegram: {name}\nUsername: {username}\n"
        "Language: {language}\nTime zone: {time_zone}\nFirst contact: {created}\n"
        "Last message: {last_seen}",
        user_id=str(user.id),
        name=user.display_name,
        username=f"@{user.username}" if user.username else "—",
        language=t.language_name(t.language),
        time_zone=profile.time_zone,
        created=t.datetime(user.created_at, profile.time_zone),
        last_seen=t.datetime(user.last_seen_at, profile.time_zone),
    )
    if profile.focal_point is not None:
        stored += t._(
            "\n\n<b>Your focal point registration</b>\n{details}",
            details=describe(t, profile.focal_point),
        )
    stored += t._(
        "\n\nThe bot also keeps the questions you sent to the Hub team, your answers to event "
        "invitations and your reminder choices, and the support requests you filed for your "
        "city. /deleteme erases all of it. Only your city's support requests stay, because they "
        "belong to your city: their author becomes «a former focal point», and your name, "
        "username, email, phone number and Telegram id are removed from them and from their "
        "history."
    )
    stored += t._(
        "\n\nThe Hub team uses this only to answer you and to work with your city. It is not "
        "shared outside the Hub. Use /deleteme to erase it; questions: {email}.",
        email=HUB_EMAIL,
    )
    await reply(update, context, stored)


async def ask_to_delete(update: Update, context: HubContext) -> None:
    if not await in_private(update, context):
        return
    t = context.t
    await reply(
        update,
        context,
        t._(
            "Erase all your personal data from this bot? Your profile, registration and "
            "settings will be deleted. This cannot be undone."
        ),
        keyboard(
            [
                button(t.label("Yes, erase my data"), ERASE),
                button(t.label("No, keep it"), KEEP_DATA),
            ]
        ),
    )


async def erase(update: Update, context: HubContext) -> None:
    if not await in_private(update, context):
        return
    await answer_callback(update)
    await context.services.accounts.erase(context.user_id)
    await context.services.knowledge.forget_erased()
    await edit_or_reply(
        update,
        context,
        context.t._(
            "Your personal data has been erased. If you write to the bot again, it starts afresh."
        ),
    )


async def keep(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    await edit_or_reply(update, context, context.t._("Nothing was erased."))


def register(application: HubApplication) -> None:
    application.add_handler(CommandHandler("privacy", show_privacy))
    application.add_handler(CommandHandler("deleteme", ask_to_delete))
    register_routes(application, ERASURE, {ERASE: erase, KEEP_DATA: keep})
